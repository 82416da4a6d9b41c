#!/usr/bin/env python3
"""`report.py`'s ratios: a target is the median of the per-pass ratios, and
the h2load rows' CPU ratios come from the servers' and the load generator's
CPU per call of the same pass."""
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

H2LOAD = "unary Square h2load c16 m32"


def h2load_run(system, calls_per_s, server_cpu_s, load_cpu_s, run_pass):
    return {"scenario": H2LOAD, "system": system, "pass": run_pass, "ops": calls_per_s,
            "ops_per_s": calls_per_s, "servers": [{"cpu_s": server_cpu_s}],
            "load_cpu_s": load_cpu_s}


def row(rows, name):
    return next(r for r in rows if r["name"] == name)


class RatiosTest(unittest.TestCase):
    def setUp(self):
        # Three passes of 1 s: the core, then grpc-go.
        self.runs = [
            h2load_run("core", 100000, 1.5, 0.8, 1), h2load_run("grpc-go", 100000, 1.5, 0.4, 1),
            h2load_run("core", 60000, 1.5, 0.6, 2), h2load_run("grpc-go", 100000, 1.5, 0.4, 2),
            h2load_run("core", 120000, 1.8, 0.9, 3), h2load_run("grpc-go", 100000, 1.6, 0.4, 3),
        ]
        self.rows = report.ratio_rows(report.median_runs(self.runs), self.runs)

    def test_the_target_is_the_median_of_the_passes(self):
        target = row(self.rows, "unary Square, h2load -c16 -m32: core / grpc-go")
        self.assertEqual(target["per_pass"], [1.0, 0.6, 1.2])
        self.assertAlmostEqual(target["value"], 1.0)
        self.assertFalse(target["pass"])  # the target is 1.2

    def test_server_cpu_per_call(self):
        cpu = row(self.rows, "unary Square, h2load -c16 -m32: server CPU per call, grpc-go / core")
        # grpc-go 15, 15, 16 us per call; the core 15, 25, 15 us.
        self.assertEqual(cpu["per_pass"], [1.0, 0.6, 1.067])
        self.assertIsNone(cpu["pass"])  # informative, not a target

    def test_load_generator_cpu_per_call(self):
        load = row(self.rows, "unary Square, h2load -c16 -m32: h2load's CPU per call, "
                              "against the core / against grpc-go")
        # Against the core 8, 10, 7.5 us per call; against grpc-go 4 us.
        self.assertEqual(load["per_pass"], [2.0, 2.5, 1.875])
        self.assertAlmostEqual(load["value"], 2.0)

    def test_a_run_without_load_cpu_gives_no_ratio(self):
        runs = [h2load_run("core", 100000, 1.5, 0, 1), h2load_run("grpc-go", 100000, 1.5, 0.4, 1)]
        rows = report.ratio_rows(report.median_runs(runs), runs)
        load = row(rows, "unary Square, h2load -c16 -m32: h2load's CPU per call, "
                         "against the core / against grpc-go")
        self.assertIsNone(load["value"])


if __name__ == "__main__":
    unittest.main()
