#!/usr/bin/python3
"""deploy/prometheus/ checked by Prometheus's own tool: the scrape config,
the alerting rules, and the rules' unit tests (alerts_test.yml)."""

import os
import shutil
import subprocess
import sys
import unittest

PROMETHEUS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                              "prometheus")
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


class PrometheusRulesTest(unittest.TestCase):
    def promtool(self, *args):
        done = subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS_DIR, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(done.returncode, 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}")

    def test_scrape_config_is_valid(self):
        self.promtool("check", "config", "prometheus.yml")

    def test_rules_are_valid(self):
        self.promtool("check", "rules", "alerts.yml")

    def test_rules_pass_their_unit_tests(self):
        self.promtool("test", "rules", "alerts_test.yml")


if __name__ == "__main__":
    if not os.access(PROMTOOL, os.X_OK):
        print("SKIP: promtool not installed (Debian package prometheus; scripts/setup.sh)")
        sys.exit(77)
    unittest.main(verbosity=2)
