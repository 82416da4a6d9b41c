"""The checks every command-line client of the project must pass against the
real rpc_server, written once: the same verbs, output, exit codes and TLS
flags whatever the language (C++, Python, Go, Node).

Each client's test (clients/{python,go,node}/test_client.py,
tests/e2e/cpp_client_e2e_test.py) builds or installs its client as a user
would and calls run() with the command that starts it. run() starts the
servers with tests/e2e/processes.py (RPC_SERVER: plaintext, TLS and mutual
TLS cores on loopback, with throwaway certificates from openssl), runs every
check, prints one line per check, then "N passed, M failed". Standard
library only.
"""

import datetime
import os
import queue
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zoneinfo

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(PROJECT, "tests", "e2e"))
from processes import start_core  # noqa: E402
SERVER_ZONE = "Asia/Tokyo"  # the server's TZ: what `now` without --zone reports
CALL_TIMEOUT = 60           # seconds any one client run may take

CTIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                   r"[ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}$")
RFC3339 = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})"
                     r"(\.[0-9]{3}|\.[0-9]{6}|\.[0-9]{9})?Z$")


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------- servers


def openssl(directory, *args):
    subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=60)


def make_certificates(directory):
    """CAs `ca` and `other_ca`; `server` (valid for 127.0.0.1) and `client`
    signed by `ca`, as NAME.pem and NAME.key."""
    for ca in ("ca", "other_ca"):
        openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", f"/CN={ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem")
    for name, extension in (("server", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
                            ("client", "extendedKeyUsage=clientAuth")):
        openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
                "-keyout", f"{name}.key", "-out", f"{name}.csr")
        with open(os.path.join(directory, f"{name}.ext"), "w") as f:
            f.write(extension + "\n")
        openssl(directory, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem",
                "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", f"{name}.ext",
                "-out", f"{name}.pem")


class Servers:
    """The plaintext, TLS and mutual-TLS cores the checks call; `pem(name)` is
    the path of a certificate or key."""

    def __init__(self, binary, directory):
        self.directory = directory
        self.started = []
        make_certificates(directory)
        env = {"TZ": SERVER_ZONE}
        tls = [f"--tls_cert={self.pem('server.pem')}", f"--tls_key={self.pem('server.key')}"]
        try:
            self.plain = self._start(binary, [], env)
            self.tls = self._start(binary, tls, env)
            self.mutual = self._start(binary, tls + [f"--tls_client_ca={self.pem('ca.pem')}"], env)
        except BaseException:
            self.stop()
            raise

    def _start(self, binary, flags, env):
        core = start_core(binary, extra=["--shutdown_grace=2s", *flags], env=env)
        self.started.append(core)
        return core

    def pem(self, name):
        return os.path.join(self.directory, name)

    def stop(self):
        for core in self.started:
            core.terminate()


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, command, servers):
        self.command = command
        self.servers = servers
        self.target = servers.plain.target

    def run(self, *args, stdin="", target=True):
        """Runs the client; target is True (the plaintext core), False (none
        given) or a host:port."""
        if target is True:
            target = self.target
        argv = list(self.command) + (["--target", target] if target else []) + list(args)
        done = subprocess.run(argv, input=stdin.encode(), capture_output=True, timeout=CALL_TIMEOUT)
        return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")

    def popen(self, *args):
        argv = list(self.command) + ["--target", self.target] + list(args)
        return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)


def read_line(stream, timeout):
    """One line from a pipe, or Failure after timeout seconds."""
    result = queue.Queue()
    threading.Thread(target=lambda: result.put(stream.readline()), daemon=True).start()
    try:
        return result.get(timeout=timeout).decode()
    except queue.Empty:
        raise Failure(f"no line within {timeout} s")


# ---------------------------------------------------------------- checks


def expect_ok(client, *args, stdin=""):
    code, out, err = client.run(*args, stdin=stdin)
    check(code == 0, f"{args}: exit {code}, stderr {err!r}")
    check(err == "", f"{args}: stderr {err!r}")
    return out


def check_now(out, zone):
    lines = out.split("\n")
    check(len(lines) == 4 and lines[3] == "", f"now: expected three lines, got {out!r}")
    ctime, rfc3339, got_zone = lines[:3]
    check(got_zone == zone, f"now: zone {got_zone!r}, expected {zone!r}")
    check(CTIME.match(ctime), f"now: ctime {ctime!r}")
    found = RFC3339.match(rfc3339)
    check(found, f"now: time {rfc3339!r} is not RFC 3339 UTC as the JSON mapping writes it")
    instant = datetime.datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    check(abs(instant.timestamp() - time.time()) < 120, f"now: time {rfc3339!r} is not now")
    # ctime is the same instant, truncated to the second, in the zone.
    expected = instant.astimezone(zoneinfo.ZoneInfo(zone)).ctime()
    check(ctime == expected, f"now: ctime {ctime!r}, expected {expected!r} for {rfc3339} in {zone}")


def test_now_paris(client):
    check_now(expect_ok(client, "now", "--zone", "Europe/Paris"), "Europe/Paris")


def test_now_default_zone(client):
    check_now(expect_ok(client, "now"), SERVER_ZONE)


def test_now_flags_before_command(client):
    code, out, err = client.run("--zone=UTC", "--target=" + client.target, "now", target=False)
    check(code == 0, f"exit {code}, stderr {err!r}")
    check_now(out, "UTC")


def test_square_12(client):
    out = expect_ok(client, "square", "12")
    check(out == "144\n", f"square 12: {out!r}")


def test_square_40_digits(client):
    for n in (1234567890123456789012345678901234567890,
              -9876543210987654321098765432109876543210,
              random.randrange(10**39, 10**40)):
        out = expect_ok(client, "square", str(n))
        check(out == f"{n * n}\n", f"square {n}: {out!r}, expected {n * n}")


def test_square_int64_edges(client):
    for text in ("-3", "0", "+007", "9223372036854775807", "-9223372036854775808",
                 "9223372036854775808", "-9223372036854775809"):
        n = int(text)
        out = expect_ok(client, "square", text)
        check(out == f"{n * n}\n", f"square {text}: {out!r}, expected {n * n}")


def test_stream(client):
    out = expect_ok(client, "stream", stdin="1\n2\n-3\n")
    check(out == "1\n4\n9\n", f"stream: {out!r}")


def test_stream_many(client):
    numbers = [random.randrange(-10**50, 10**50) if i % 3 == 0 else random.randrange(-10**9, 10**9)
               for i in range(2000)]
    out = expect_ok(client, "stream", stdin="".join(f"{n}\n" for n in numbers))
    check(out == "".join(f"{n * n}\n" for n in numbers), "stream of 2000 numbers: wrong squares")


def test_stream_blank_lines_and_no_final_newline(client):
    out = expect_ok(client, "stream", stdin="\n 5 \r\n\n-6")
    check(out == "25\n36\n", f"stream: {out!r}")


def test_stream_empty_input(client):
    out = expect_ok(client, "stream", stdin="")
    check(out == "", f"stream: {out!r}")


def test_stream_answers_as_they_arrive(client):
    process = client.popen("stream")
    try:
        for n in (3, 4):
            process.stdin.write(f"{n}\n".encode())
            process.stdin.flush()
            line = read_line(process.stdout, 20)
            check(line == f"{n * n}\n", f"stream: {line!r} after {n} (stdin still open)")
        process.stdin.close()
        code = process.wait(timeout=20)
        check(code == 0, f"stream: exit {code}, stderr {process.stderr.read()!r}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pipe in (process.stdin, process.stdout, process.stderr):
            pipe.close()


def test_error_unknown_zone(client):
    code, out, err = client.run("now", "--zone", "Mars/Base")
    check(code == 1, f"exit {code}")
    check(out == "", f"stdout {out!r}")
    check(err.startswith("error: INVALID_ARGUMENT: ") and "Mars/Base" in err, f"stderr {err!r}")


def test_error_bad_number(client):
    code, out, err = client.run("square", "12abc")
    check(code == 2, f"exit {code}")
    check(out == "", f"stdout {out!r}")
    check("12abc" in err and "usage:" in err.lower(), f"stderr {err!r}")


def test_error_bad_number_in_stream(client):
    code, out, err = client.run("stream", stdin="5\nx\n6\n")
    check(code == 1, f"exit {code}")
    check(out == "25\n", f"stdout {out!r}")
    check(err.startswith("error: INVALID_ARGUMENT: ") and "sequence 2" in err, f"stderr {err!r}")


def test_error_server_down(client):
    code, out, err = client.run("--target", f"127.0.0.1:{closed_port()}", "square", "2", target=False)
    check(code == 1, f"exit {code}")
    check(err.startswith("error: UNAVAILABLE: "), f"stderr {err!r}")


def test_usage_errors(client):
    for args in ([], ["launch"], ["square"], ["square", "1", "2"], ["now", "extra"],
                 ["--bogus", "now"], ["square", "--zone", "UTC", "3"], ["now", "--timeout", "-1"],
                 ["now", "--timeout", "soon"], ["now", "--zone"], ["--target", "", "now"],
                 ["--target", "localhost", "now"], ["--target", "127.0.0.1:70000", "now"],
                 ["--target", "127.0.0.1:http", "now"], ["--target=::1:50051", "now"]):
        code, out, err = client.run(*args)
        check(code == 2 and "usage:" in err.lower() and out == "",
              f"{args}: exit {code}, stderr {err!r}")
    code, out, err = client.run("--help")
    check(code == 0 and "usage:" in out.lower(), f"--help: exit {code}, stdout {out!r}")


def test_tls(client):
    tls = client.servers.tls.target
    ca = "--tls_ca=" + client.servers.pem("ca.pem")
    code, out, err = client.run(ca, "square", "12", target=tls)
    check((code, out) == (0, "144\n"), f"TLS: exit {code}, stdout {out!r}, stderr {err!r}")
    code, out, err = client.run("square", "12", target=tls)
    check(code == 1 and err.startswith("error: UNAVAILABLE: "),
          f"plaintext to a TLS port: exit {code}, stderr {err!r}")
    code, out, err = client.run("--tls_ca=" + client.servers.pem("other_ca.pem"),
                                "square", "12", target=tls)
    check(code == 1 and out == "", f"a server from another CA: exit {code}, stderr {err!r}")


def test_mutual_tls(client):
    mutual = client.servers.mutual.target
    ca = "--tls_ca=" + client.servers.pem("ca.pem")
    code, out, err = client.run(ca, "--tls_cert=" + client.servers.pem("client.pem"),
                                "--tls_key=" + client.servers.pem("client.key"), "square", "12",
                                target=mutual)
    check((code, out) == (0, "144\n"), f"mutual TLS: exit {code}, stdout {out!r}, stderr {err!r}")
    code, out, err = client.run(ca, "square", "12", target=mutual)
    check(code == 1 and out == "", f"no client certificate: exit {code}, stderr {err!r}")


def test_tls_flag_errors(client):
    code, out, err = client.run("--tls_cert=" + client.servers.pem("client.pem"), "now")
    check(code == 2 and "--tls_key" in err and out == "",
          f"--tls_cert without --tls_key: exit {code}, stderr {err!r}")
    code, out, err = client.run("--tls_ca=/nonexistent/ca.pem", "now")
    check(code == 1 and "cannot read --tls_ca file" in err and "/nonexistent/ca.pem" in err
          and out == "",
          f"unreadable --tls_ca: exit {code}, stderr {err!r}")


TESTS = [test_now_paris, test_now_default_zone, test_now_flags_before_command, test_square_12,
         test_square_40_digits, test_square_int64_edges, test_stream, test_stream_many,
         test_stream_blank_lines_and_no_final_newline, test_stream_empty_input,
         test_stream_answers_as_they_arrive, test_error_unknown_zone, test_error_bad_number,
         test_error_bad_number_in_stream, test_error_server_down, test_usage_errors, test_tls,
         test_mutual_tls, test_tls_flag_errors]


# ---------------------------------------------------------------- main


def run(make_command):
    """Runs every check with the client `make_command()` returns (argv prefix);
    returns the exit status: 0 if every check passed, else 1."""
    sys.set_int_max_str_digits(0)
    server_binary = os.environ.get("RPC_SERVER") or os.path.join(
        PROJECT, "build", "default", "rpc_server", "rpc_server")
    if not os.access(server_binary, os.X_OK):
        print(f"no rpc_server at {server_binary}; set RPC_SERVER", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="sockrpc-client-checks-") as directory:
        servers = None
        try:
            try:
                command = make_command()
                servers = Servers(server_binary, directory)
            except (subprocess.SubprocessError, RuntimeError, OSError) as e:
                print(f"FAIL setup: {e}")
                print("0 passed, 1 failed")
                return 1
            client = Client(command, servers)
            for test in TESTS:
                try:
                    test(client)
                except Exception as e:  # any failure of one check, reported, then the next
                    failed += 1
                    detail = e if isinstance(e, Failure) else f"{type(e).__name__}: {e}"
                    print(f"FAIL {test.__name__}: {detail}", flush=True)
                else:
                    passed += 1
                    print(f"ok   {test.__name__}", flush=True)
        finally:
            if servers is not None:
                servers.stop()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1
