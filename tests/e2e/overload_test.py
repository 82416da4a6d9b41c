#!/usr/bin/python3
"""Overload is shed with bounded latency: when the core cannot keep up, SQUARES
messages that would wait past --deadline get "ERROR service overloaded; try
again" at once, the sheds are counted in /metrics, and the messages that are
served are exact and answered well within the deadline.

The core is made slow deterministically: its answers reach the bridge through
a relay that carries them at a fixed byte rate (rate_limited_relay.py), so the
core's capacity is known whatever the machine's speed."""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import GREETING, LegacyConnection  # noqa: E402
from processes import (Process, require_env, sample, scrape, start_bridge,  # noqa: E402
                       start_core)

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
RELAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rate_limited_relay.py")

DIGITS = 4000
CLIENTS = 48
LOAD_SECONDS = 8
DEADLINE = 1.0
ANSWER_BYTES_PER_SECOND = 320_000  # about 40 answers of 8,000 digits a second
SHED_LINE = b"ERROR service overloaded; try again\n"
SHED_BACKOFF = 0.05
RAMP = 2.0


def nines(digits):
    """A number of `digits` nines and its square, without big-integer printing."""
    return b"9" * digits, b"9" * (digits - 1) + b"8" + b"0" * (digits - 1) + b"1"


class Client(threading.Thread):
    """A lockstep SQUARES client: one message, then its reply, until `stop_at`."""

    def __init__(self, address, index, start_at, stop_at):
        super().__init__(daemon=True)
        self.address, self.index, self.start_at, self.stop_at = address, index, start_at, stop_at
        self.latencies, self.shed, self.wrong, self.other_errors = [], 0, [], []
        self.started = 0.0

    def run(self):
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        try:
            with LegacyConnection(self.address, timeout=10) as c:
                c.send(b"Hi\n")
                if c.read_exact(len(GREETING)) != GREETING:
                    self.wrong.append("greeting")
                    return
                n = 0
                self.started = time.monotonic()
                while time.monotonic() < self.stop_at and n < 10_000:
                    number, square = nines(DIGITS - (self.index + n) % 7)
                    n += 1
                    sent = time.monotonic()
                    c.send(number + b"\n")
                    head = c.read_exact(6)
                    if head == b"ERROR ":
                        line = head + c.read_line()
                        if line == SHED_LINE:
                            self.shed += 1
                            time.sleep(SHED_BACKOFF)  # as told: try again, a little later
                        else:
                            self.other_errors.append((sent - self.started, line))
                        continue
                    reply = head + c.read_exact(len(square) - len(head))
                    if reply != square:
                        self.wrong.append(reply[:40])
                        return
                    self.latencies.append(time.monotonic() - sent)
        except OSError as error:
            self.wrong.append(repr(error))


def run_load(test, shed_wait_fraction):
    core = start_core(RPC_SERVER)
    relay = Process([sys.executable, RELAY, core.target, str(ANSWER_BYTES_PER_SECOND)])
    bridge = start_bridge(BRIDGE, relay.target, extra=[
        f"--deadline={int(DEADLINE * 1000)}ms", f"--shed_wait_fraction={shed_wait_fraction}",
        "--admin_listen=127.0.0.1:0"])
    try:
        start = time.monotonic()
        stop_at = start + LOAD_SECONDS
        # The load grows over RAMP seconds, as a real one does, so the bridge
        # has measured the core's rate before it is overloaded.
        clients = [Client(bridge.square, i, start + RAMP * i / CLIENTS, stop_at)
                   for i in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=LOAD_SECONDS + 30)
            test.assertFalse(client.is_alive(), "a client never finished")
        metrics = scrape(bridge)
        return clients, metrics, bridge
    finally:
        bridge.terminate()
        relay.terminate()
        core.terminate()


def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


class OverloadTest(unittest.TestCase):
    def test_slow_core_sheds_early_and_served_latency_stays_under_the_deadline(self):
        clients, metrics, bridge = run_load(self, 0.5)
        latencies = [x for c in clients for x in c.latencies]
        shed = sum(c.shed for c in clients)
        others = [line for c in clients for _, line in c.other_errors]
        wrong = [w for c in clients for w in c.wrong]
        print(f"served={len(latencies)} shed={shed} other_errors={len(others)} "
              f"p99={p99(latencies) * 1000:.0f}ms", file=sys.stderr)
        self.assertEqual(wrong, [])
        self.assertGreater(shed, 0, "nothing was shed")
        self.assertGreater(len(latencies), 50, "hardly anything was served")
        # Shedding expects half the deadline; a request that waits for more
        # than its own turn (held back behind its call's unanswered batch)
        # took the p99 to 0.85-0.93 s, and one message past the deadline now
        # and then. Without holds it is 0.58-0.61 s.
        self.assertLess(p99(latencies), 0.8 * DEADLINE)
        self.assertEqual(others, [], "messages timed out instead of being shed")
        self.assertEqual(sample(metrics, "sockrpc_bridge_squares_shed_total"), shed)
        self.assertRegex(bridge.stderr_text(), "SQUARES overloaded: shed")

    def test_without_shedding_the_same_load_waits_past_the_deadline(self):
        # What the shedding prevents: with it off, messages queue until their
        # deadline and end in ERROR lines after the whole wait.
        clients, metrics, _ = run_load(self, 0)
        timed_out = sum(1 for c in clients for _, line in c.other_errors
                        if b"did not answer in time" in line)
        self.assertEqual(sum(c.shed for c in clients), 0)
        self.assertEqual(sample(metrics, "sockrpc_bridge_squares_shed_total"), 0)
        self.assertGreater(timed_out, 0)


if __name__ == "__main__":
    unittest.main()
