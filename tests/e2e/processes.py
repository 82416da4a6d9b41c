"""Starting and stopping the project's real binaries for end-to-end tests.

Every process is started on a free loopback port (port 0), its address is read
back from its start-up log line, and it is always stopped: SIGTERM first, then
SIGKILL after a bounded wait.
"""

import atexit
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

# Set by the asan/tsan test presets: sanitizer allocators keep freed memory
# (quarantine, shadow), so memory bounds are not checked on those builds.
UNDER_SANITIZER = bool(os.environ.get("SOCKRPC_SANITIZER"))

LISTENING = re.compile(r"listening on (\S+):(\d+)")
# The admin port's start-up line (--admin_listen).
ADMIN = re.compile(r"admin \(metrics\) listening on (\S+):(\d+)")
# What sanitizer builds print when they find something.
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|"
                              r"runtime error:")

# Every process started and not yet reaped. A test that fails between two
# starts (say, the second binary never gets ready) may not reach the code that
# stops the first; whatever is left here is killed when the test process exits.
_running = set()


@atexit.register
def _kill_leftovers():
    for proc in list(_running):
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=20)


class Process:
    """A running binary whose stderr is collected in the background."""

    def __init__(self, argv, env=None, ready_pattern=LISTENING, ready_count=1, timeout=20):
        self.argv = argv
        self.lines = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
        _running.add(self.proc)
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()
        try:
            self.addresses = self.wait_for_matches(ready_pattern, ready_count, timeout)
        except RuntimeError:
            self.proc.kill()  # never ready: nothing will stop it otherwise
            self.proc.wait(timeout=20)
            _running.discard(self.proc)
            raise

    def _collect(self):
        for raw in self.proc.stderr:
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for_matches(self, pattern, count=1, timeout=20):
        """Waits until `count` stderr lines match; returns the (host, port) pairs."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in map(pattern.search, self.lines) if m]
                if len(found) >= count:
                    return [self._addresses(m) for m in found[:count]]
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise RuntimeError(f"{self.argv[0]} not ready; stderr:\n" + "\n".join(self.lines))
                self._cond.wait(min(remaining, 0.2))

    @staticmethod
    def _addresses(match):
        """(host, port) pairs from a match whose groups alternate host, port."""
        groups = match.groups()
        if len(groups) < 2:
            return match.group(0)
        pairs = [(groups[i], int(groups[i + 1])) for i in range(0, len(groups) - 1, 2)]
        return pairs[0] if len(pairs) == 1 else pairs

    def wait_for_line(self, pattern, timeout=20):
        return self.wait_for_matches(re.compile(pattern), 1, timeout)[0]

    @property
    def target(self):
        host, port = self.addresses[0]
        return f"{host}:{port}"

    def terminate(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig` and waits for the exit; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=timeout)
        _running.discard(self.proc)
        self._reader.join(timeout=5)
        self.proc.stderr.close()
        self.check_no_sanitizer_report()
        return code

    def check_no_sanitizer_report(self):
        """Fails loudly if a sanitizer build of the binary reported an error."""
        text = self.stderr_text()
        found = SANITIZER_REPORT.search(text)
        if found:
            start = max(0, found.start() - 200)
            raise AssertionError(f"sanitizer report from {self.argv[0]}:\n{text[start:start + 4000]}")

    def stderr_text(self):
        with self._cond:
            return "\n".join(self.lines)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.terminate(signal.SIGKILL)
        else:
            _running.discard(self.proc)
            self._reader.join(timeout=5)
            self.proc.stderr.close()
            self.check_no_sanitizer_report()


BRIDGE_LISTENING = re.compile(
    r"TIME listening on ([^\s,]+):(\d+), SQUARES listening on ([^\s,]+):(\d+)")


def start_core(rpc_server, port=0, extra=(), env=None):
    """rpc_server on loopback; .target is its host:port."""
    return Process([rpc_server, f"--listen=127.0.0.1:{port}", *extra], env=env)


def start_bridge(bridge, core_target, extra=(), env=None):
    """legacy_bridge on free loopback ports; .time and .square are (host, port)."""
    process = Process([bridge, "--time_listen=127.0.0.1:0", "--square_listen=127.0.0.1:0",
                       f"--target={core_target}", *extra],
                      env=env, ready_pattern=BRIDGE_LISTENING)
    process.time, process.square = process.addresses[0]
    return process


def free_port():
    """A loopback port that was free a moment ago (for a server restarted on it)."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_env(name):
    value = os.environ.get(name)
    if not value or not os.path.exists(value):
        raise SystemExit(f"environment variable {name} must name an existing file, got {value!r}")
    return value


def threads_named(pid, prefix):
    """How many threads of process `pid` have a name (comm) starting with `prefix`."""
    count = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/comm") as comm:
            count += comm.read().startswith(prefix)
    return count


def scrape(process):
    """The Prometheus text a process started with --admin_listen serves."""
    host, port = process.wait_for_matches(ADMIN)[0]
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as response:
        return response.read().decode()


def sample(text, name, **labels):
    """The value of metric `name` with exactly `labels` in `text`; None if absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if wanted else "") + r" (\S+)"
    found = re.search("^" + pattern + "$", text, re.MULTILINE)
    return float(found.group(1)) if found else None
