#!/usr/bin/python3
"""End-to-end test of sockrpc_client.py against the real rpc_server.

    RPC_SERVER=build/default/rpc_server/rpc_server /usr/bin/python3 clients/python/test_client.py

Generates the Python modules into a temporary directory with generate.sh,
starts rpc_server on a free loopback port (127.0.0.1:0, TZ=Asia/Tokyo), and
runs the client as a user would, one subprocess per call. Every wait is
bounded; the server is always stopped (SIGTERM, then SIGKILL). Ends with the
line `N passed, M failed` and exits non-zero if anything failed.

Standard library only (the client itself needs python3-grpcio).
"""

import datetime
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "sockrpc_client.py")
GENERATE = os.path.join(HERE, "generate.sh")
DEFAULT_SERVER = os.path.join(HERE, "..", "..", "build", "default", "rpc_server", "rpc_server")
PYTHON = "/usr/bin/python3"
SERVER_TZ = "Asia/Tokyo"

CALL_TIMEOUT = 60          # upper bound of any one client run, seconds
UNAVAILABLE_BOUND = 15     # an unreachable target must fail within this
LISTENING = re.compile(r"listening on (127\.0\.0\.1):(\d+)")
LOCAL_ZONE = re.compile(r"local time zone ([^\s,)]+)")
CTIME = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                   r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                   r"[ 123]\d \d\d:\d\d:\d\d \d{4}")
RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{3}|\.\d{6}|\.\d{9})?Z")


class Server:
    """rpc_server on 127.0.0.1:0; stderr is drained in the background."""

    def __init__(self, path, start_timeout=20):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            [path, "--listen=127.0.0.1:0", "--shutdown_grace=2s"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "TZ": SERVER_TZ})
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + start_timeout
        with self.cond:
            while True:
                line = next((line for line in self.lines if LISTENING.search(line)), None)
                remaining = deadline - time.monotonic()
                if line or remaining <= 0 or (self.proc.poll() is not None
                                              and not self.reader.is_alive()):
                    break
                self.cond.wait(min(remaining, 0.2))
        if not line:
            code = self.stop()
            raise RuntimeError(f"rpc_server did not log 'listening on 127.0.0.1:PORT' "
                               f"(exit {code}); stderr:\n" + self.stderr_text())
        match = LISTENING.search(line)
        self.target = f"{match.group(1)}:{match.group(2)}"
        zone = LOCAL_ZONE.search(line)
        self.local_zone = zone.group(1) if zone else None   # informational only

    def stderr_text(self):
        with self.cond:
            return "\n".join(self.lines)

    def _drain(self):
        for raw in self.proc.stderr:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def stop(self):
        """SIGTERM, then SIGKILL after a bounded wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=15)
        self.reader.join(timeout=5)
        if not self.reader.is_alive():
            self.proc.stderr.close()
        return code


class Result:
    def __init__(self, code, out, err, seconds):
        self.code, self.out, self.err, self.seconds = code, out, err, seconds

    def __repr__(self):
        return f"exit {self.code} after {self.seconds:.1f}s, stdout {self.out!r}, stderr {self.err!r}"


class Context:
    def __init__(self, gen_dir, server):
        self.gen_dir = gen_dir
        self.server = server

    def run(self, *args, stdin="", target=True, gen="env", timeout=CALL_TIMEOUT):
        """Runs the client; gen is "env" (SOCKRPC_PY_GEN), "flag" (--gen-dir) or a path."""
        argv = [PYTHON, CLIENT]
        env = {k: v for k, v in os.environ.items() if k != "SOCKRPC_PY_GEN"}
        if gen == "env":
            env["SOCKRPC_PY_GEN"] = self.gen_dir
        elif gen == "flag":
            argv += ["--gen-dir", self.gen_dir]
        else:
            argv += ["--gen-dir", gen]
        if target:
            argv += ["--target", self.server.target]
        argv += list(args)
        started = time.monotonic()
        done = subprocess.run(argv, input=stdin.encode(), capture_output=True,
                              env=env, timeout=timeout)
        return Result(done.returncode, done.stdout.decode(), done.stderr.decode(),
                      time.monotonic() - started)


def check(condition, message, result=None):
    if not condition:
        raise AssertionError(message + (f"\n    {result!r}" if result is not None else ""))


def check_ok(result, stdout=None):
    check(result.code == 0, "expected exit 0", result)
    check(result.err == "", "expected nothing on stderr", result)
    if stdout is not None:
        check(result.out == stdout, f"expected stdout {stdout!r}", result)


def check_error(result, code, *needles):
    check(result.code == 1, "expected exit 1", result)
    check(result.out == "", "expected nothing on stdout", result)
    check(result.err.startswith(f"error: {code}: "), f"expected stderr 'error: {code}: ...'", result)
    check(result.err.count("\n") == 1, "expected one stderr line", result)
    for needle in needles:
        check(needle in result.err, f"expected {needle!r} on stderr", result)


def check_now(result, zone, before, after):
    """Three lines: ctime text, RFC 3339 instant, zone; all consistent."""
    check_ok(result)
    lines = result.out.split("\n")
    check(len(lines) == 4 and lines[3] == "", "expected exactly three lines", result)
    ctime, instant, printed_zone = lines[:3]
    check(CTIME.fullmatch(ctime), f"not ctime text: {ctime!r}", result)
    match = RFC3339.fullmatch(instant)
    check(match, f"not an RFC 3339 UTC time: {instant!r}", result)
    check(printed_zone == zone, f"expected zone {zone!r}", result)
    whole = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    seconds = whole + float(match.group(2) or 0)
    check(before - 1 <= seconds <= after + 1,
          f"instant {instant} is not between {before} and {after}", result)
    expected = datetime.datetime.fromtimestamp(int(whole), ZoneInfo(zone)).ctime()
    check(ctime == expected, f"ctime {ctime!r} is not Python's {expected!r} for {instant} in {zone}",
          result)


def open_stream(ctx, *args):
    env = {**os.environ, "SOCKRPC_PY_GEN": ctx.gen_dir}
    return subprocess.Popen([PYTHON, CLIENT, "--target", ctx.server.target, "stream", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def finish(proc, timeout=20):
    """Waits (bounded) for proc with its stdin still open; returns (code, out, err)."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise AssertionError(f"still running after {timeout}s")
    finally:
        proc.stdin.close()
    return proc.returncode, proc.stdout.read().decode(), proc.stderr.read().decode()


# --- the checks -------------------------------------------------------------

def test_generated_modules(ctx):
    names = sorted(os.path.relpath(os.path.join(d, f), ctx.gen_dir)
                   for d, _, files in os.walk(ctx.gen_dir) for f in files
                   if f.endswith(".py") and not f.startswith("__init__"))
    check(names == ["sockrpc/square/v1/square_service_pb2.py",
                    "sockrpc/square/v1/square_service_pb2_grpc.py",
                    "sockrpc/time/v1/time_service_pb2.py",
                    "sockrpc/time/v1/time_service_pb2_grpc.py"], f"unexpected files {names}")


def test_now_in_europe_paris(ctx):
    before = time.time()
    result = ctx.run("now", "--zone", "Europe/Paris")
    check_now(result, "Europe/Paris", before, time.time())


def test_now_in_the_servers_zone(ctx):
    # The server was started with TZ=Asia/Tokyo; its local zone is TZ's.
    before = time.time()
    result = ctx.run("now")
    check_now(result, SERVER_TZ, before, time.time())


def test_now_with_gen_dir_flag_and_options_after_the_verb(ctx):
    before = time.time()
    result = ctx.run("now", "--zone", "UTC", "--target", ctx.server.target, "--timeout", "5",
                     gen="flag", target=False)
    check_now(result, "UTC", before, time.time())


def test_square_12(ctx):
    check_ok(ctx.run("square", "12"), "144\n")


def test_square_of_a_50_digit_negative_number(ctx):
    text = "-" + "98765432109876543210" * 2 + "1234567890"
    check(len(text) == 51, "test bug: not 50 digits")
    check_ok(ctx.run("square", text), f"{int(text) ** 2}\n")


def test_square_around_int64_limits(ctx):
    for text in ["0", "-1", "+000012", "9223372036854775807", "-9223372036854775808",
                 "9223372036854775808", "-9223372036854775809", "00000000000000000000000042"]:
        check_ok(ctx.run("square", text), f"{int(text) ** 2}\n")


def test_square_too_many_digits_is_out_of_range(ctx):
    check_error(ctx.run("square", "7" * 4301), "OUT_OF_RANGE")


def test_stream_1_2_minus_3(ctx):
    check_ok(ctx.run("stream", stdin="1\n2\n-3\n"), "1\n4\n9\n")


def test_stream_many_numbers(ctx):
    numbers = list(range(-1500, 1501)) + [2 ** 63, -(2 ** 63), 10 ** 60 + 7]
    stdin = "".join(f"{n}\n" for n in numbers)
    check_ok(ctx.run("stream", stdin=stdin), "".join(f"{n * n}\n" for n in numbers))


def test_stream_empty_input_and_blank_lines(ctx):
    check_ok(ctx.run("stream", stdin=""), "")
    check_ok(ctx.run("stream", stdin="\n 5 \r\n\n6"), "25\n36\n")


def test_stream_answers_before_stdin_ends(ctx):
    proc = open_stream(ctx)
    try:
        proc.stdin.write(b"7\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        check(ready, "no answer within 20s while stdin stays open")
        line = proc.stdout.readline()
        check(line == b"49\n", f"expected 49, got {line!r}")
        out, err = proc.communicate(b"-8\n", timeout=CALL_TIMEOUT)  # then closes stdin
        check(proc.returncode == 0 and out == b"64\n" and err == b"",
              f"after stdin ended: exit {proc.returncode}, stdout {out!r}, stderr {err!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_stream_bad_line_ends_with_invalid_argument(ctx):
    result = ctx.run("stream", stdin="1\n2\nabc\n4\n")
    check(result.code == 1, "expected exit 1", result)
    check(result.out == "1\n4\n", "expected the answers before the bad line", result)
    check(result.err.startswith("error: INVALID_ARGUMENT: ") and "sequence 3" in result.err
          and '"abc"' in result.err, "expected INVALID_ARGUMENT naming sequence 3 and abc", result)


def test_stream_fails_cleanly_while_stdin_is_still_open(ctx):
    proc = open_stream(ctx)
    proc.stdin.write(b"1\nabc\n")
    proc.stdin.flush()
    code, out, err = finish(proc)
    check(code == 1 and out == "1\n" and err.startswith("error: INVALID_ARGUMENT: ")
          and err.count("\n") == 1,
          f"expected exit 1, stdout '1', one error line; got exit {code}, {out!r}, {err!r}")


def test_stream_interrupted(ctx):
    proc = open_stream(ctx, "--timeout", "0")
    proc.stdin.write(b"3\n")
    proc.stdin.flush()
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    check(ready, "no answer within 20s")
    proc.send_signal(signal.SIGINT)
    code, out, err = finish(proc)
    check(code == 130 and out == "9\n" and err == "",
          f"expected exit 130 after Ctrl-C, got exit {code}, {out!r}, {err!r}")


def test_unknown_zone_is_invalid_argument(ctx):
    check_error(ctx.run("now", "--zone", "Mars/Base"), "INVALID_ARGUMENT", "Mars/Base")


def test_square_1x_is_a_usage_error(ctx):
    result = ctx.run("square", "1x")
    check(result.code == 2, "expected exit 2", result)
    check(result.out == "" and "1x" in result.err, "expected a message naming 1x", result)


def test_other_usage_errors(ctx):
    for args in [(), ("square",), ("square", "1", "2"), ("square", "１２"), ("square", "1_000"),
                 ("fly",), ("now", "--timeout", "-1"), ("now", "--timeout", "soon"),
                 ("stream", "extra"), ("--bogus", "now"), ("--target", "localhost", "now"),
                 ("--target", "127.0.0.1:70000", "now"), ("--target=::1:50051", "now")]:
        result = ctx.run(*args)
        check(result.code == 2 and result.out == "" and "error" in result.err,
              f"expected a usage error for {args}", result)


def test_unreachable_target_is_unavailable(ctx):
    result = ctx.run("--target", "127.0.0.1:1", "now", target=False)
    check_error(result, "UNAVAILABLE")
    check(result.seconds < UNAVAILABLE_BOUND, f"took longer than {UNAVAILABLE_BOUND}s", result)


def test_silent_server_hits_the_deadline(ctx):
    with socket.socket() as silent:   # accepts TCP, never speaks HTTP/2
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        target = "127.0.0.1:%d" % silent.getsockname()[1]
        for verb, stdin in [("now", ""), ("square", ""), ("stream", "1\n")]:
            args = ["--target", target, "--timeout", "1", verb] + (["3"] if verb == "square" else [])
            result = ctx.run(*args, stdin=stdin, target=False, timeout=30)
            check_error(result, "DEADLINE_EXCEEDED")
            check(result.seconds < 10, "the 1s deadline was not kept", result)


def test_missing_generated_modules(ctx):
    with tempfile.TemporaryDirectory() as empty:
        result = ctx.run("square", "3", gen=empty)
        check(result.code == 2 and result.out == "" and "generate.sh" in result.err,
              "expected exit 2 pointing at generate.sh", result)


TESTS = [value for name, value in list(globals().items()) if name.startswith("test_")]


def main():
    # A SIGTERM to the test still stops the server (via the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server_path = os.environ.get("RPC_SERVER") or DEFAULT_SERVER
    if not os.path.isfile(server_path):
        print(f"RPC_SERVER must name the rpc_server binary (got {server_path!r})", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    passed = failed = 0
    server = None
    with tempfile.TemporaryDirectory(prefix="sockrpc-py-") as tmp:
        try:
            gen_dir = os.path.join(tmp, "gen")
            generated = subprocess.run([GENERATE, gen_dir], capture_output=True, text=True,
                                       timeout=120)
            if generated.returncode != 0:
                raise RuntimeError(f"generate.sh failed ({generated.returncode}):\n"
                                   f"{generated.stdout}{generated.stderr}")
            server = Server(server_path)
            print(f"rpc_server {server_path} on {server.target}, "
                  f"local zone {server.local_zone}; modules in {gen_dir}")
            ctx = Context(gen_dir, server)
            for test in TESTS:
                name = test.__name__[len("test_"):]
                try:
                    test(ctx)
                except Exception as error:  # noqa: BLE001 - report and go on
                    failed += 1
                    detail = (str(error) if isinstance(error, AssertionError)
                              else traceback.format_exc().rstrip())
                    print(f"FAIL {name}: {detail}")
                else:
                    passed += 1
                    print(f"ok   {name}")
        except Exception as error:  # noqa: BLE001 - setup failed
            failed += 1
            print(f"FAIL setup: {error}")
        finally:
            if server is not None:
                code = server.stop()
                print(f"rpc_server stopped, exit code {code}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
