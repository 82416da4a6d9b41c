#!/usr/bin/python3
"""Hostile clients on the legacy ports. Each test also shows that an honest
client is still served meanwhile, and that the bridge's memory stays bounded
(its RSS is read from /proc)."""

import os
import random
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import ERROR_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import UNDER_SANITIZER, require_env, start_bridge, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
MIB = 1024 * 1024


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class HostileLegacyTest(unittest.TestCase):
    bridge_flags = ()

    def setUp(self):
        self.core = start_core(RPC_SERVER)
        self.bridge = start_bridge(BRIDGE, self.core.target, extra=self.bridge_flags)
        self.pid = self.bridge.proc.pid
        self.assert_honest_client_served()  # warm up, then take the baseline
        self.baseline_rss = rss_bytes(self.pid)
        self.baseline_fds = open_fds(self.pid)

    def tearDown(self):
        self.assertEqual(self.bridge.terminate(), 0, "the bridge must survive and drain")
        self.core.terminate()

    def assert_honest_client_served(self):
        with LegacyConnection(self.bridge.square, nodelay=False) as client:
            client.send(b"Hi there!")
            self.assertEqual(client.read_exact(len(GREETING)), GREETING)
            for i in (3, 12, 99):
                client.send(str(i).encode())
                self.assertEqual(client.read_exact(len(str(i * i))), str(i * i).encode())

    def assert_memory_bounded(self, slack=64 * MIB):
        if UNDER_SANITIZER:
            return
        grown = rss_bytes(self.pid) - self.baseline_rss
        self.assertLess(grown, slack, f"bridge RSS grew by {grown / MIB:.1f} MiB")

    def wait_for_fds_back_to_baseline(self, slack=4, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if open_fds(self.pid) <= self.baseline_fds + slack:
                return
            time.sleep(0.1)
        self.fail(f"bridge holds {open_fds(self.pid)} fds, baseline {self.baseline_fds}")

    def test_a_hundred_megabytes_of_digits_without_a_newline(self):
        attacker = LegacyConnection(self.bridge.square)
        attacker.send(b"Hi there!\n")
        self.assertEqual(attacker.read_exact(len(GREETING)), GREETING)
        chunk = b"9" * MIB
        sent = 0

        def flood():
            nonlocal sent
            try:
                for _ in range(100):
                    attacker.sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the bridge closed on us, as it should

        flooder = threading.Thread(target=flood, daemon=True)
        flooder.start()
        line = attacker.read_line(timeout=20)
        self.assertRegex(line, ERROR_LINE)
        self.assertIn(b"longer than 4096 bytes", line)
        self.assert_honest_client_served()
        flooder.join(timeout=60)
        attacker.close()
        self.assert_memory_bounded()

    def test_binary_garbage(self):
        rng = random.Random(7)
        with LegacyConnection(self.bridge.square) as attacker:
            attacker.send(b"\x00\xff garbage handshake\n")
            self.assertEqual(attacker.read_exact(len(GREETING)), GREETING)
            # Random bytes, each line starting with one int() never accepts.
            lines = [b"\xff" + bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
                     .replace(b"\n", b"") + b"\n" for _ in range(2000)]
            attacker.send(b"".join(lines))
            for _ in lines:
                self.assertRegex(attacker.read_line(timeout=20), ERROR_LINE)
            self.assert_honest_client_served()
        self.assert_memory_bounded()

    def test_silent_connections_are_cut_off_at_the_handshake_timeout(self):
        silent = [LegacyConnection(self.bridge.square) for _ in range(50)]
        self.assert_honest_client_served()
        for connection in silent:
            out = connection.read_until_close(timeout=10)
            self.assertRegex(out, rb"^ERROR no handshake within 3000ms; closing\n$")
            connection.close()
        self.wait_for_fds_back_to_baseline()

    def test_slowloris_gets_each_byte_answered_as_a_message(self):
        # A client that pauses after each byte has ended each message (rule 3):
        # the greeting for the first, then an ERROR line or a square for each.
        with LegacyConnection(self.bridge.square) as slow:
            slow.send(b"H")
            self.assertEqual(slow.read_exact(len(GREETING), timeout=5), GREETING)
            for byte in b"i 3":
                time.sleep(1)
                slow.send(bytes([byte]))
                self.assert_honest_client_served()
                if byte == ord("3"):
                    self.assertEqual(slow.read_exact(1, timeout=5), b"9")
                else:
                    self.assertRegex(slow.read_line(timeout=5), ERROR_LINE)

    def test_slowloris_after_the_handshake_holds_only_its_own_connection(self):
        with LegacyConnection(self.bridge.square) as slow:
            slow.send(b"Hi there!\n")
            self.assertEqual(slow.read_exact(len(GREETING)), GREETING)
            for digit in b"123":
                slow.send(bytes([digit]))
                self.assert_honest_client_served()
                # Each byte alone, a second apart: the client waited, so each
                # is a message of its own (the spec's rule 3).
                answer = str(int(chr(digit)) ** 2).encode()
                self.assertEqual(slow.read_exact(len(answer), timeout=5), answer)
                time.sleep(1)

    def test_five_thousand_abandoned_handshakes(self):
        for i in range(5000):
            s = socket.create_connection(self.bridge.square, timeout=10)
            s.sendall(b"Hi th")
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # half of them with a reset
        self.assert_honest_client_served()
        self.wait_for_fds_back_to_baseline()
        self.assert_memory_bounded()

    def test_a_client_that_never_reads_its_answers(self):
        attacker = socket.create_connection(self.bridge.square, timeout=10)
        attacker.sendall(b"Hi there!\n")
        attacker.setblocking(False)
        payload = b"123456789\n" * 10_000
        sent, stalled_since = 0, None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sent < 200 * MIB:
            try:
                sent += attacker.send(payload)
                stalled_since = None
            except BlockingIOError:
                stalled_since = stalled_since or time.monotonic()
                if time.monotonic() - stalled_since > 2:
                    break  # both socket buffers are full: the bridge stopped reading
                time.sleep(0.01)
        self.assertLess(sent, 200 * MIB, "the bridge kept reading from a client that never reads")
        self.assert_honest_client_served()
        self.assert_memory_bounded(slack=32 * MIB)
        attacker.close()

    def test_flood_past_the_connection_limit(self):
        held = []
        try:
            for attempt in range(200):  # bounded; the warm-up client may still count a moment
                if len(held) == 100:
                    break
                c = LegacyConnection(self.bridge.square)
                c.send(b"Hi there!\n")
                reply = c.read_exact(len(GREETING))
                if reply == GREETING:
                    held.append(c)
                else:
                    self.assertTrue(reply.startswith(b"ERROR too many"), reply)
                    c.close()
                    time.sleep(0.05)
            self.assertEqual(len(held), 100)
            refused = 0
            for _ in range(300):
                with LegacyConnection(self.bridge.square) as extra:
                    out = extra.read_until_close(timeout=10)
                    self.assertRegex(out, rb"^ERROR too many connections \(limit 100\)")
                    refused += 1
            self.assertEqual(refused, 300)
            held[0].send(b"7\n")
            self.assertEqual(held[0].read_exact(2), b"49")
        finally:
            for c in held:
                c.close()
        self.wait_for_fds_back_to_baseline()
        self.assert_honest_client_served()


# The limits the tests rely on: 3 s handshake timeout, 100 connections.
HostileLegacyTest.bridge_flags = ("--handshake_timeout=3s", "--max_connections=100")


if __name__ == "__main__":
    unittest.main(verbosity=2)
