#!/usr/bin/python3
"""systemd notifications (sd_notify) from both binaries, as a Type=notify unit
receives them: the test binds its own AF_UNIX datagram socket, starts each
binary with NOTIFY_SOCKET naming it, and reads READY=1 once the binary
listens, STOPPING=1 after SIGTERM and, with WATCHDOG_USEC set, WATCHDOG=1
pings."""

import os
import signal
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import require_env, start_bridge, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
LEGACY_BRIDGE = require_env("LEGACY_BRIDGE")


class NotifySocket:
    """The datagram socket systemd would own; every receive is bounded."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self._dir.name, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)

    def close(self):
        self.sock.close()
        self._dir.cleanup()

    def wait_for(self, field, timeout=20):
        """The first message with a line equal to `field`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {field} within {timeout}s; got {seen}")
            self.sock.settimeout(remaining)
            try:
                message = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            seen.append(message)
            if field in message.split("\n"):
                return message


def can_connect(host, port):
    with socket.create_connection((host, port), timeout=5):
        return True


class SystemdNotifyTest(unittest.TestCase):
    def setUp(self):
        self.notify = NotifySocket()
        self.addCleanup(self.notify.close)
        self.env = {"NOTIFY_SOCKET": self.notify.path}

    def test_core_ready_after_listening_and_stopping_on_sigterm(self):
        with start_core(RPC_SERVER, env=self.env) as core:
            ready = self.notify.wait_for("READY=1")
            self.assertIn(f"STATUS=serving gRPC on {core.target}", ready)
            self.assertTrue(can_connect(*core.addresses[0]))
            core.proc.send_signal(signal.SIGTERM)
            stopping = self.notify.wait_for("STOPPING=1")
            self.assertIn("STATUS=signal 15: draining", stopping)
            self.assertEqual(core.terminate(), 0)

    def test_bridge_ready_after_both_ports_listen_and_stopping_on_sigterm(self):
        with start_core(RPC_SERVER) as core, \
                start_bridge(LEGACY_BRIDGE, core.target, env=self.env) as bridge:
            ready = self.notify.wait_for("READY=1")
            self.assertIn("STATUS=TIME on 127.0.0.1:", ready)
            self.assertTrue(can_connect(*bridge.time))
            self.assertTrue(can_connect(*bridge.square))
            bridge.proc.send_signal(signal.SIGTERM)
            self.notify.wait_for("STOPPING=1")
            self.assertEqual(bridge.terminate(), 0)
            self.assertEqual(core.terminate(), 0)

    def test_watchdog_pings_at_half_the_timeout(self):
        # 400 ms: pings every 200 ms, so three arrive well within a second.
        env = {**self.env, "WATCHDOG_USEC": "400000"}
        with start_core(RPC_SERVER, env=env) as core:
            for _ in range(3):
                self.notify.wait_for("WATCHDOG=1", timeout=10)
            self.assertEqual(core.terminate(), 0)

    def test_without_notify_socket_nothing_is_sent_and_the_binary_runs(self):
        with start_core(RPC_SERVER) as core:
            self.assertEqual(core.terminate(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
