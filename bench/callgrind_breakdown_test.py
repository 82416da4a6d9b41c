#!/usr/bin/env python3
"""callgrind_breakdown.py: self costs read from a dump (call costs and
compressed names handled), the classes, and the difference of two dumps."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import callgrind_breakdown  # noqa: E402

# A thread still inside clone() at the dump: its call line (calls=0) carries
# the inclusive cost, which is not clone's own.
DUMP = """version: 1
creator: callgrind-3.19.0
events: Ir

ob=(1) /usr/lib/x86_64-linux-gnu/libc.so.6
fl=(1) clone.S
fn=(1) clone
0 {clone_self}
cob=(2) /usr/lib/x86_64-linux-gnu/libgrpc.so.29.0.0
cfi=(2) ???
cfn=(2) grpc_completion_queue_next
calls=0 0
0 999999

fn=(3) malloc
0 {malloc}

ob=(2)
fl=(2)
fn=(2)
0 {grpc}
cob=(1)
cfi=(1)
cfn=(3)
calls=4 0
0 400

ob=(3) /work/build/legacy_bridge/legacy_bridge
fl=(3) squares_session.cc
fn=(4) sockrpc::SquaresSession::ProcessBufferedMessages()
0 {project}
+2 5

totals: 0
"""


def write(directory, name, **costs):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(DUMP.format(**costs))
    return path


class BreakdownTest(unittest.TestCase):
    def test_self_costs_leave_out_call_costs(self):
        with tempfile.TemporaryDirectory() as d:
            costs = callgrind_breakdown.self_costs(
                write(d, "a", clone_self=3, malloc=50, grpc=700, project=95))
        libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
        grpc = "/usr/lib/x86_64-linux-gnu/libgrpc.so.29.0.0"
        self.assertEqual(costs[("clone", libc)], 3)
        self.assertEqual(costs[("malloc", libc)], 50)
        self.assertEqual(costs[("grpc_completion_queue_next", grpc)], 700)
        self.assertEqual(costs[("sockrpc::SquaresSession::ProcessBufferedMessages()",
                                "/work/build/legacy_bridge/legacy_bridge")], 100)

    def test_classes(self):
        classify = callgrind_breakdown.classify
        self.assertEqual(classify("malloc", "/usr/lib/x86_64-linux-gnu/libc.so.6"), "allocation")
        self.assertEqual(classify("operator new(unsigned long)", "/usr/lib/libstdc++.so.6"),
                         "allocation")
        self.assertEqual(classify("absl::debian3::Mutex::Lock()",
                                  "/usr/lib/libabsl_synchronization.so.20220623.0.0"),
                         "Abseil (mutexes, strings, time)")
        self.assertEqual(classify("grpc_call_start_batch", "/usr/lib/libgrpc.so.29.0.0"),
                         "gRPC (libgrpc, libgpr, libgrpc++)")
        self.assertEqual(classify("x", "/usr/lib/libgrpc++.so.1.51.1"),
                         "gRPC (libgrpc, libgpr, libgrpc++)")
        self.assertEqual(classify("f", "/build/rpc_server/rpc_server"), "project's own code")
        self.assertEqual(classify("__tls_get_addr", "/usr/lib/ld-linux-x86-64.so.2"),
                         "dynamic linker (thread-local lookups)")

    def test_difference_per_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            a = write(d, "a", clone_self=0, malloc=100, grpc=1000, project=95)
            b = write(d, "b", clone_self=0, malloc=300, grpc=3000, project=395)
            out = subprocess.run([sys.executable, os.path.join(HERE, "callgrind_breakdown.py"),
                                  "--base", a, "--ops", "100", b],
                                 capture_output=True, text=True, timeout=60, check=True).stdout
        self.assertIn("instructions per round trip: 25", out)  # (200 + 2000 + 300) / 100
        self.assertIn("| allocation | 2 | 8.0% |", out)
        self.assertIn("| project's own code | 3 | 12.0% |", out)

    def test_bad_arguments(self):
        done = subprocess.run([sys.executable, os.path.join(HERE, "callgrind_breakdown.py"),
                               "--ops", "-1", "x"], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 2)


if __name__ == "__main__":
    unittest.main()
