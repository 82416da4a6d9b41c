#!/usr/bin/python3
"""The bridge in front of a core on the same host over a Unix domain socket
(rpc_server --listen=unix:PATH, legacy_bridge --target=unix:PATH): both
protocols byte-exact (the shared conformance kit where it is checked out),
a core killed with SIGKILL leaves its socket file and comes back on it, a
SIGTERM removes it, a bad path is a usage error."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import Process, require_env, start_bridge  # noqa: E402
from run_legacy_kit import find_kit  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
UTC = {"TZ": "UTC"}
CORE_ON_SOCKET = re.compile(r"listening on unix:(\S+) \(")


def start_core_on(path):
    return Process([RPC_SERVER, f"--listen=unix:{path}"], env=UTC, ready_pattern=CORE_ON_SOCKET)


def squares_session(address, numbers):
    """The seed's client: greeting, then each number in lockstep."""
    with LegacyConnection(address, nodelay=False) as client:
        client.send(b"Hi there!")
        assert client.read_exact(len(GREETING)) == GREETING
        answers = []
        for n in numbers:
            client.send(str(n).encode())
            answers.append(client.read_exact(len(str(n * n))))
        return answers


class UnixSocketTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="sockrpc-unix-")
        self.path = os.path.join(self.directory.name, "core.sock")

    def tearDown(self):
        self.directory.cleanup()

    def test_bridge_serves_both_protocols_over_the_socket(self):
        with start_core_on(self.path) as core, \
                start_bridge(BRIDGE, f"unix:{self.path}", env=UTC) as bridge:
            self.assertEqual(squares_session(bridge.square, range(100)),
                             [str(i * i).encode() for i in range(100)])
            with LegacyConnection(bridge.time) as client:
                self.assertRegex(client.read_until_close(), CTIME_LINE)
            kit = find_kit()
            if kit is not None:
                done = subprocess.run(
                    [sys.executable, kit, "check", "--time", "%s:%d" % bridge.time,
                     "--square", "%s:%d" % bridge.square, "--concurrency", "50"],
                    env={**os.environ, **UTC}, timeout=900)
                self.assertEqual(done.returncode, 0, "conformance kit over the Unix socket")
            self.assertEqual(bridge.terminate(), 0)
            self.assertEqual(core.terminate(), 0)
        self.assertFalse(os.path.exists(self.path), "SIGTERM leaves no socket file")

    def test_a_killed_core_comes_back_on_its_stale_socket(self):
        with start_core_on(self.path) as core, \
                start_bridge(BRIDGE, f"unix:{self.path}", env=UTC) as bridge:
            self.assertEqual(squares_session(bridge.square, [7]), [b"49"])
            core.terminate(signal.SIGKILL)
            self.assertTrue(os.path.exists(self.path), "SIGKILL leaves the socket file")
            with start_core_on(self.path) as again:
                again.wait_for_line(r"removed the stale socket")
                # The bridge reconnects within its 1 s reconnect backoff.
                deadline = time.monotonic() + 20
                while True:
                    try:
                        self.assertEqual(squares_session(bridge.square, [12]), [b"144"])
                        break
                    except AssertionError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.2)
                self.assertEqual(bridge.terminate(), 0)
                self.assertEqual(again.terminate(), 0)

    def test_a_second_core_does_not_take_over_a_live_socket(self):
        with start_core_on(self.path) as core:
            done = subprocess.run([RPC_SERVER, f"--listen=unix:{self.path}"], env={**os.environ, **UTC},
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
            self.assertEqual(done.returncode, 1)
            self.assertIn(b"another process is listening", done.stderr)
            self.assertTrue(os.path.exists(self.path))
            self.assertEqual(core.terminate(), 0)

    def test_a_relative_path_is_a_usage_error(self):
        done = subprocess.run([RPC_SERVER, "--listen=unix:core.sock"], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn(b"the path must be absolute", done.stderr)


if __name__ == "__main__":
    unittest.main()
