#!/usr/bin/python3
"""Three rpc_server replicas behind one bridge (round_robin, health checking,
retries): the load spreads over all of them, as their own metrics show, and
when one is killed under load no legacy client sees an error or a wrong
answer, and once it is restarted it takes load again. Also: both processes'
Prometheus metrics, scraped over HTTP."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checked_load import CheckedLegacyLoad  # noqa: E402
from legacy_client import CTIME_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import (free_port, require_env, sample, scrape, start_bridge,  # noqa: E402
                       start_core)

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")


class ScaleOutTest(unittest.TestCase):
    def setUp(self):
        self.ports = [free_port() for _ in range(3)]
        self.replicas = [start_core(RPC_SERVER, port=p, extra=["--admin_listen=127.0.0.1:0"])
                         for p in self.ports]
        target = "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in self.ports)
        # SQUARES sessions share a few SquareStreams, each replaced after
        # --core_stream_max_age: a short age lets round_robin place fresh ones
        # on every replica within this short test.
        self.bridge = start_bridge(BRIDGE, target,
                                   extra=["--admin_listen=127.0.0.1:0", "--deadline=5s",
                                          "--core_stream_max_age=100ms"])

    def tearDown(self):
        self.assertEqual(self.bridge.terminate(), 0)
        for replica in self.replicas:
            replica.terminate()

    def squares_session(self, numbers):
        with LegacyConnection(self.bridge.square) as c:
            c.send(b"Hi there!\n")
            self.assertEqual(c.read_exact(len(GREETING)), GREETING)
            for n in numbers:
                c.send(b"%d\n" % n)
                expected = str(n * n).encode()
                reply = c.read_exact(len(expected))
                if reply != expected:
                    self.fail(f"{n}: {reply + c.read_line()!r}")

    def test_load_spreads_over_every_replica(self):
        for i in range(30):
            self.squares_session([i, i + 1])
            time.sleep(0.05)  # 30 x 50 ms: several generations of shared streams
        for _ in range(30):
            with LegacyConnection(self.bridge.time) as t:
                self.assertRegex(t.read_until_close(), CTIME_LINE)
        for replica in self.replicas:
            metrics = scrape(replica)
            self.assertGreater(sample(metrics, "sockrpc_core_requests_total",
                                      method="SquareBatchStream"), 0, "a replica got no stream")
            self.assertGreater(sample(metrics, "sockrpc_core_requests_total", method="NowStream"),
                               0, "a replica got no TIME request")
            self.assertIn('sockrpc_core_request_seconds_bucket{method="Square",le="+Inf"}',
                          metrics)
        bridge_metrics = scrape(self.bridge)
        self.assertEqual(sample(bridge_metrics, "sockrpc_bridge_connections_total",
                                protocol="squares"), 30)
        self.assertEqual(sample(bridge_metrics, "sockrpc_bridge_connections_total",
                                protocol="time"), 30)
        self.assertEqual(sample(bridge_metrics, "sockrpc_bridge_squares_messages_total"), 90)
        self.assertEqual(sample(bridge_metrics, "sockrpc_bridge_core_channel_state",
                                target="ipv4:" + ",".join(f"127.0.0.1:{p}" for p in self.ports)), 2)

    def test_a_replica_killed_under_load_costs_no_client_an_answer(self):
        load = CheckedLegacyLoad(self.bridge, time_clients=2, squares_clients=6,
                                 messages_per_session=200)
        restarted_serves = False
        try:
            time.sleep(2)
            before = load.snapshot()
            self.replicas[1].terminate(signal.SIGKILL)
            time.sleep(3)
            after_kill = load.snapshot()
            # Restarted on the same port, the replica is found again (the
            # bridge reconnects within a second) and takes its share once
            # shared streams (SQUARES and TIME) are replaced.
            self.replicas[1] = start_core(RPC_SERVER, port=self.ports[1],
                                          extra=["--admin_listen=127.0.0.1:0"])
            deadline = time.monotonic() + 20
            while not restarted_serves and time.monotonic() < deadline:
                time.sleep(0.5)
                metrics = scrape(self.replicas[1])
                restarted_serves = all(
                    (sample(metrics, "sockrpc_core_requests_total", method=m) or 0) > 0
                    for m in ("SquareBatchStream", "NowStream"))
        finally:
            load.stop()
        self.assertEqual(load.problems, [])
        self.assertGreater(after_kill["time"], before["time"], "TIME stopped after the kill")
        self.assertGreater(after_kill["squares"], before["squares"],
                           "SQUARES stopped after the kill")
        self.assertTrue(restarted_serves, "the restarted replica got no SquareBatchStream or NowStream "
                                          "request")


if __name__ == "__main__":
    unittest.main(verbosity=2)
