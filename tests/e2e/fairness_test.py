#!/usr/bin/python3
"""A fair share of the legacy ports: one source address (127.0.0.2) holds
sessions up to --max_connections_per_address, a second (127.0.0.4) fills
the table, and clients from a third (127.0.0.3) are still served on both
ports, because newcomers evict sessions of the biggest address (in
handshake first, then the longest idle) once the table is nearly full. The
counters say what was shed and why; a full table shrinks the handshake
timeout."""

import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, ERROR_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import require_env, sample, scrape, start_bridge, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")

FLOODER, OTHER_FLOODER, HONEST, SILENT, EARLY = (
    "127.0.0.2", "127.0.0.4", "127.0.0.3", "127.0.0.5", "127.0.0.6")
LIMIT, PER_ADDRESS, SILENT_FIRST = 200, 150, 20
SHED = "sockrpc_bridge_closed_by_limit_total"


class FairnessTest(unittest.TestCase):
    def setUp(self):
        self.core = start_core(RPC_SERVER)
        self.bridge = start_bridge(BRIDGE, self.core.target, extra=[
            "--admin_listen=127.0.0.1:0", f"--max_connections={LIMIT}",
            f"--max_connections_per_address={PER_ADDRESS}", "--handshake_timeout=20s"])
        self.held = []

    def tearDown(self):
        for connection in self.held:
            connection.close()
        self.assertEqual(self.bridge.terminate(), 0)
        self.core.terminate()

    def shed(self, reason):
        return sample(scrape(self.bridge), SHED, reason=reason) or 0

    def wait_for(self, what, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}")

    def open_squares_sessions(self, source, count):
        """`count` greeted sessions from `source` that then hold; returns how
        many were refused with an ERROR line instead."""
        refused = 0
        for _ in range(count):
            connection = LegacyConnection(self.bridge.square, source=source)
            connection.send(b"Hi there!\n")
            reply = connection.read_exact(len(GREETING))
            if reply == GREETING:
                self.held.append(connection)
                continue
            line = reply + connection.read_line()
            connection.close()
            self.assertRegex(line, rb"^ERROR too many connections .*; try again later\n$")
            refused += 1
        return refused

    def assert_served(self, source):
        with LegacyConnection(self.bridge.square, source=source) as client:
            client.send(b"Hi there!\n")
            self.assertEqual(client.read_exact(len(GREETING)), GREETING)
            client.send(b"12\n")
            self.assertEqual(client.read_exact(3), b"144")
        with LegacyConnection(self.bridge.time, source=source) as client:
            self.assertRegex(client.read_until_close(timeout=10), CTIME_LINE)

    def test_one_address_cannot_lock_another_out(self):
        # Silent from before the flood: its timer, armed for 20 s, is armed
        # again with a shorter timeout as the table fills.
        early = LegacyConnection(self.bridge.square, source=EARLY)
        self.held.append(early)
        started = time.monotonic()
        # The flooder's first sessions greeted and idle, the last ones silent
        # (still in their handshake).
        self.assertEqual(self.open_squares_sessions(FLOODER, PER_ADDRESS - SILENT_FIRST), 0)
        for _ in range(SILENT_FIRST):
            self.held.append(LegacyConnection(self.bridge.square, source=FLOODER))
        self.wait_for("the silent sessions to be accepted", lambda: sample(
            scrape(self.bridge), "sockrpc_bridge_connections_open", protocol="squares")
            == PER_ADDRESS + 1)
        # Past its cap, the flooder is refused.
        self.assertEqual(self.open_squares_sessions(FLOODER, 100), 100)
        self.assertEqual(self.shed("per_address_cap"), 100)
        # Logged, at most five lines a second per reason.
        self.bridge.wait_for_line(re.compile(r"refused a client of 127\.0\.0\.2: per_address_cap"))
        refusal_lines = self.bridge.stderr_text().count("per_address_cap")
        self.assertLessEqual(refusal_lines, 5 * (time.monotonic() - started + 1))

        # A second address fills the table: past 90 % its newcomers evict
        # the first address's sessions, the silent ones first, until both
        # hold about as many; then the table fills and it is refused too.
        refused = self.open_squares_sessions(OTHER_FLOODER, PER_ADDRESS)
        self.assertGreater(refused, 0)
        self.wait_for("evictions counted", lambda: self.shed("evicted_handshake") == SILENT_FIRST
                      and self.shed("evicted_idle") > 0)
        self.assertEqual(self.shed("too_many_connections"), refused)
        metrics = scrape(self.bridge)
        self.assertEqual(sample(metrics, "sockrpc_bridge_pressure_level"), 10)

        # Honest clients from another address are served on both ports.
        for _ in range(5):
            self.assert_served(HONEST)

        # The evicted sessions got an ERROR line saying why, and a close.
        # (from the first address, for the second's newcomers; from the
        # second, for the honest clients).
        evicted = [c for c in self.held if c is not early and not c.quiet_for(0.001)]
        self.assertEqual(len(evicted), self.shed("evicted_handshake") + self.shed("evicted_idle"))
        for connection in evicted:
            out = connection.read_until_close(timeout=5)
            self.assertRegex(out, ERROR_LINE)
            self.assertIn(b"connection table nearly full", out)

        # A nearly full table shrinks the handshake timeout: by a tenth of
        # 90 % per level (--min_timeout_percent=10 at level 10).
        with LegacyConnection(self.bridge.square, source=SILENT) as silent:
            time.sleep(0.2)  # accepted: the level now is the one its timer uses
            level = int(sample(scrape(self.bridge), "sockrpc_bridge_pressure_level"))
            self.assertGreaterEqual(level, 5)
            shrunk = 20000 * (1000 - 90 * level) // 1000
            out = silent.read_until_close(timeout=15)
            self.assertEqual(out, b"ERROR no handshake within %dms; closing\n" % shrunk)
        out = early.read_until_close(timeout=15)
        found = re.fullmatch(rb"ERROR no handshake within (\d+)ms; closing\n", out)
        self.assertIsNotNone(found, out)
        self.assertLess(int(found.group(1)), 20000)
        self.assertLess(time.monotonic() - started, 15)


class FairShareFlagsTest(unittest.TestCase):
    """The fair-share flags: listed by --help, out-of-range values a usage error (exit 2)."""

    FLAGS = ("--max_connections_per_address", "--evict_above", "--shrink_timeouts_above",
             "--min_timeout_percent")

    def run_bridge(self, *args):
        return subprocess.run([BRIDGE, *args], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)

    def test_help_lists_them(self):
        done = self.run_bridge("--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        for flag in self.FLAGS:
            self.assertIn(flag, done.stdout)

    def test_out_of_range_is_a_usage_error(self):
        for flag in self.FLAGS:
            for value in ("0", "1000001" if flag == self.FLAGS[0] else "101"):
                done = self.run_bridge(f"{flag}={value}", "--time_listen=127.0.0.1:0",
                                       "--square_listen=127.0.0.1:0")
                self.assertEqual(done.returncode, 2, (flag, value, done.stderr))
                self.assertIn(f"{flag} must be from", done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
