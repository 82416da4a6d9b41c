#!/usr/bin/python3
"""Scale-up and scale-down through DNS, under load. The bridge's target names
a DNS server on loopback (a small one written here, answering A records from
a list the test edits); the replicas listen on 127.0.0.2, 127.0.0.3 and
127.0.0.4, all on one port. A replica added to the name gets SquareBatchStream
and NowStream requests (the cores close connections after --max_connection_age, and the
bridge resolves the name again when one closes); a replica removed from the
name stops getting calls and is then drained with SIGTERM; no legacy client
sees an error or a wrong answer throughout."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checked_load import CheckedLegacyLoad  # noqa: E402
from dns_server import DnsServer, free_port_on_all  # noqa: E402
from processes import Process, require_env, sample, scrape, start_bridge  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
NAME = "core.sockrpc.test"
REPLICAS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


def start_replica(host, port):
    # Short connection ages, so that the test sees new names taken up within
    # seconds (the default, 30 s, takes up to about a minute).
    return Process([RPC_SERVER, f"--listen={host}:{port}", f"--admin_listen={host}:0",
                    "--max_connection_age=2s", "--max_connection_age_grace=5s",
                    "--drain_delay=1s", "--shutdown_grace=5s"])


def calls(replica):
    metrics = scrape(replica)
    return {m: sample(metrics, "sockrpc_core_requests_total", method=m) or 0
            for m in ("SquareBatchStream", "NowStream")}


class DnsScaleTest(unittest.TestCase):
    def setUp(self):
        self.dns = DnsServer(NAME, REPLICAS[:2])
        self.port = free_port_on_all(REPLICAS)
        self.replicas = {}
        self.bridge = None
        try:
            for host in REPLICAS:
                self.replicas[host] = start_replica(host, self.port)
            self.bridge = start_bridge(
                BRIDGE, f"dns://127.0.0.1:{self.dns.port}/{NAME}:{self.port}",
                extra=["--admin_listen=127.0.0.1:0", "--deadline=5s",
                       "--core_stream_max_age=500ms", "--min_resolution_interval=500ms",
                       "--core_streams=6"])
        except Exception:
            self.tearDown()
            raise

    def tearDown(self):
        if self.bridge is not None:
            self.assertEqual(self.bridge.terminate(), 0)
            self.bridge = None
        for replica in self.replicas.values():
            replica.terminate()
        self.replicas = {}
        self.dns.close()

    def test_replicas_added_and_removed_through_dns_under_load(self):
        load = CheckedLegacyLoad(self.bridge, time_clients=2, squares_clients=4,
                                 messages_per_session=100)
        added, removed = REPLICAS[2], REPLICAS[0]
        took_up = stopped = None
        try:
            time.sleep(3)
            self.assertEqual(calls(self.replicas[added]), {"SquareBatchStream": 0, "NowStream": 0},
                             "a replica not in the name got calls")
            # Scale-up: the third replica joins the name.
            self.dns.set_addresses(REPLICAS)
            start = time.monotonic()
            while time.monotonic() - start < 60:
                time.sleep(0.5)
                if all(v > 0 for v in calls(self.replicas[added]).values()):
                    took_up = time.monotonic() - start
                    break
            self.assertIsNotNone(took_up, "the added replica got no SquareBatchStream or NowStream request")
            # Scale-down: the first replica leaves the name; once its calls
            # stop growing, it is drained with SIGTERM.
            self.dns.set_addresses(REPLICAS[1:])
            start = time.monotonic()
            last, last_change = calls(self.replicas[removed]), time.monotonic()
            while time.monotonic() - start < 60:
                time.sleep(0.5)
                now = calls(self.replicas[removed])
                if now != last:
                    last, last_change = now, time.monotonic()
                elif time.monotonic() - last_change >= 3:
                    stopped = last_change - start
                    break
            self.assertIsNotNone(stopped, "the removed replica kept getting calls")
            before = load.snapshot()
            self.assertEqual(self.replicas.pop(removed).terminate(), 0)
            time.sleep(2)
            after = load.snapshot()
        finally:
            load.stop()
        print(f"added replica served after {took_up:.1f} s; removed replica's calls stopped "
              f"{stopped:.1f} s after it left the name; {load.counts}", file=sys.stderr)
        self.assertEqual(load.problems, [])
        self.assertGreater(after["time"], before["time"], "TIME stopped after the scale-down")
        self.assertGreater(after["squares"], before["squares"],
                           "SQUARES stopped after the scale-down")
        self.assertGreater(self.dns.queries, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
