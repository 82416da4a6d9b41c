#!/usr/bin/env python3
"""`report.py plot` renders a PNG from a small bench JSON, and refuses a JSON
with nothing to plot (exit 1) or one it cannot read (exit 2)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.py")


def result(scenario, system, ops_per_s, p99_us):
    return {"scenario": scenario, "system": system, "ops": int(ops_per_s), "ops_per_s": ops_per_s,
            "p99_us": p99_us}


FIXTURE = {
    "meta": {"date": "2026-12-07 00:00:00 UTC", "nproc": 2, "cpu_model": "test CPU"},
    "results": [
        result("SQUARES original 1 client", "bridge+core", 9000, 250),
        result("SQUARES original 64 clients", "bridge+core", 48000, 2800),
        result("SQUARES original 1 client", "direct", 12000, 150),
        result("SQUARES original 64 clients", "direct", 110000, 4000),
        result("SQUARES original 1 client", "python", 13000, 130),
        result("unary Square c1", "core", 5800, 270),
        result("unary Square c16", "grpc-go", 19000, 2300),
    ],
}


class PlotTest(unittest.TestCase):
    def run_plot(self, doc_text, out):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(doc_text)
        try:
            return subprocess.run([sys.executable, REPORT, "plot", "--json", f.name, "--out", out],
                                  capture_output=True, text=True, timeout=60)
        finally:
            os.unlink(f.name)

    def test_renders_a_png(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "scaling.png")
            done = self.run_plot(json.dumps(FIXTURE), out)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(out, "rb") as f:
                head = f.read(8)
            self.assertEqual(head, b"\x89PNG\r\n\x1a\n")
            self.assertGreater(os.path.getsize(out), 10000)

    def test_nothing_to_plot(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "scaling.png")
            done = self.run_plot(json.dumps({"results": [result("TIME 1 client", "direct", 9, 9)]}), out)
            self.assertEqual(done.returncode, 1)
            self.assertIn("no SQUARES", done.stderr)
            self.assertFalse(os.path.exists(out))

    def test_unreadable_json(self):
        with tempfile.TemporaryDirectory() as d:
            done = self.run_plot("{not json", os.path.join(d, "x.png"))
            self.assertEqual(done.returncode, 2)
            self.assertIn("cannot read", done.stderr)


if __name__ == "__main__":
    unittest.main()
