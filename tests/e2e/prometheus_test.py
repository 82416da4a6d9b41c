#!/usr/bin/python3
"""Both processes as Prometheus sees them: `promtool check metrics` is clean on
each /metrics after real traffic, and a real Prometheus server, started here
on loopback with a temporary config and data directory and the shipped
alerting rules, scrapes both (up == 1), sees rates above 0 under load, and
evaluates every rule without error."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import (ADMIN, Process, free_port, require_env, scrape,  # noqa: E402
                       start_bridge, start_core)

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                     "prometheus", "alerts.yml")
PROMETHEUS_READY = re.compile(r"Server is ready to receive web requests")


def admin_address(process):
    host, port = process.wait_for_matches(ADMIN)[0]
    return f"{host}:{port}"


class Load:
    """SQUARES sessions and TIME connections in a loop until stopped (at most 120 s)."""

    def __init__(self, bridge):
        self.bridge = bridge
        self.stop = threading.Event()
        self.failures = []
        self.rounds = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        deadline = time.monotonic() + 120
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                with LegacyConnection(self.bridge.square) as c:
                    c.send(b"Hi there!\n")
                    if c.read_exact(len(GREETING)) != GREETING:
                        self.failures.append("greeting")
                    c.send(b"7\n")
                    if c.read_exact(2) != b"49":
                        self.failures.append("square")
                with LegacyConnection(self.bridge.time) as t:
                    if not CTIME_LINE.search(t.read_until_close()):
                        self.failures.append("time")
            except OSError as error:
                self.failures.append(repr(error))
            self.rounds += 1
            time.sleep(0.02)

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=30)


class PrometheusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The admin port's line comes first: the gRPC port is chosen here.
        port = free_port()
        cls.core = start_core(RPC_SERVER, port=port, extra=["--admin_listen=127.0.0.1:0"])
        cls.core_target = f"127.0.0.1:{port}"
        cls.bridge = start_bridge(BRIDGE, cls.core_target,
                                  extra=["--admin_listen=127.0.0.1:0",
                                         "--core_stream_max_age=500ms"])
        cls.load = Load(cls.bridge)

    @classmethod
    def tearDownClass(cls):
        cls.load.finish()
        cls.bridge.terminate()
        cls.core.terminate()

    def wait_for_rounds(self, rounds):
        deadline = time.monotonic() + 30
        while self.load.rounds < rounds and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(self.load.rounds, rounds, "the load makes no progress")

    def test_promtool_check_metrics_is_clean_on_both_processes(self):
        self.wait_for_rounds(10)
        for process in (self.core, self.bridge):
            text = scrape(process)
            done = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                                  capture_output=True, timeout=60)
            self.assertEqual(done.returncode, 0,
                             f"{process.argv[0]}:\n{done.stdout}{done.stderr}")
            self.assertEqual(done.stdout.strip() + done.stderr.strip(), "",
                             f"{process.argv[0]}: promtool has remarks")

    def test_a_real_prometheus_scrapes_both_and_sees_the_load(self):
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "prometheus.yml")
            shutil.copy(RULES, os.path.join(tmp, "alerts.yml"))
            with open(config, "w") as f:
                f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [alerts.yml]
scrape_configs:
  - job_name: sockrpc-core
    static_configs: [{{targets: ["{admin_address(self.core)}"]}}]
  - job_name: sockrpc-bridge
    static_configs: [{{targets: ["{admin_address(self.bridge)}"]}}]
""")
            server = Process([PROMETHEUS, f"--config.file={config}",
                              f"--storage.tsdb.path={os.path.join(tmp, 'data')}",
                              f"--web.listen-address=127.0.0.1:{port}"],
                             ready_pattern=PROMETHEUS_READY, timeout=60)
            try:
                api = f"http://127.0.0.1:{port}/api/v1"
                self.eventually(api, 'up{job="sockrpc-core"} == 1', 1)
                self.eventually(api, 'up{job="sockrpc-bridge"} == 1', 1)
                self.eventually(
                    api, 'sum(rate(grpc_server_handled_total{job="sockrpc-core"}[5s])) > 0', 1)
                self.eventually(
                    api, 'sum(rate(grpc_client_msg_sent_total{job="sockrpc-bridge"}[5s])) > 0', 1)
                self.eventually(
                    api, 'sum(rate(sockrpc_bridge_connections_total{job="sockrpc-bridge"}[5s])) > 0',
                    1)
                self.eventually(api, 'rate(process_cpu_seconds_total[5s]) > 0', 1)
                rules = get(f"{api}/rules")["data"]["groups"][0]["rules"]
                self.assertEqual(len(rules), 6)
                for rule in rules:
                    self.assertEqual(rule["health"], "ok", rule)
            finally:
                self.assertEqual(server.terminate(), 0)
        self.assertEqual(self.load.failures, [])

    def eventually(self, api, query, results, timeout=40):
        """Queries `query` until it returns `results` series (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            found = get(f"{api}/query?" + urllib.parse.urlencode({"query": query}))
            series = found["data"]["result"]
            if len(series) >= results or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if len(series) < results:
            raw = get(f"{api}/query?" + urllib.parse.urlencode(
                {"query": '{__name__=~"grpc_server_handled_total|up"}'}))
            self.fail(f"{query}: {found}\nload: {self.load.rounds} rounds, failures "
                      f"{self.load.failures[:5]}\nseries: {raw['data']['result'][:10]}")


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode())


if __name__ == "__main__":
    for tool in (PROMETHEUS, PROMTOOL):
        if not os.access(tool, os.X_OK):
            print(f"SKIP: {tool} not installed (Debian package prometheus; scripts/setup.sh)")
            sys.exit(77)
    unittest.main(verbosity=2)
