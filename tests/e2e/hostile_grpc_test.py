#!/usr/bin/python3
"""Hostile gRPC clients against the real rpc_server: oversized messages,
numbers past the digit limit, streams that send without reading, cancels,
expiring deadlines. Every one gets a clear status, and afterwards the
server's memory and thread count are back near their baseline."""

import importlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import UNDER_SANITIZER, require_env, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto")
MIB = 1024 * 1024


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(key)


class HostileGrpcTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        subprocess.run(["protoc", f"-I{PROTO_DIR}", "-I/usr/include",
                        f"--python_out={cls.tmp.name}", f"--grpc_python_out={cls.tmp.name}",
                        "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                        "sockrpc/square/v1/square_service.proto"], check=True, timeout=60)
        for package in ["sockrpc", "sockrpc/square", "sockrpc/square/v1"]:
            open(os.path.join(cls.tmp.name, package, "__init__.py"), "a").close()
        sys.path.insert(0, cls.tmp.name)
        cls.pb = importlib.import_module("sockrpc.square.v1.square_service_pb2")
        cls.grpc_pb = importlib.import_module("sockrpc.square.v1.square_service_pb2_grpc")
        cls.server = start_core(RPC_SERVER)
        cls.pid = cls.server.proc.pid
        options = [("grpc.max_send_message_length", 64 * MIB)]
        cls.channel = grpc.insecure_channel(cls.server.target, options=options)
        cls.stub = cls.grpc_pb.SquareServiceStub(cls.channel)
        cls.stub.Square(cls.pb.SquareRequest(value=2), timeout=30)  # warm up
        cls.baseline_rss_kib = proc_status(cls.pid, "VmRSS")
        cls.baseline_threads = proc_status(cls.pid, "Threads")

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code = cls.server.terminate()
        cls.tmp.cleanup()
        assert code == 0, f"rpc_server exited with {code}"

    def requests(self, count, **fields):
        for i in range(count):
            yield self.pb.SquareStreamRequest(sequence=i, **fields)

    def assert_status(self, error, code, *fragments):
        self.assertEqual(error.exception.code(), code, error.exception.details())
        for fragment in fragments:
            self.assertIn(fragment, error.exception.details())

    def test_oversized_message_is_resource_exhausted(self):
        with self.assertRaises(grpc.RpcError) as error:
            self.stub.Square(self.pb.SquareRequest(decimal="1" * (5 * MIB)), timeout=30)
        self.assert_status(error, grpc.StatusCode.RESOURCE_EXHAUSTED)

    def test_numbers_past_the_digit_limit_are_out_of_range(self):
        with self.assertRaises(grpc.RpcError) as error:
            self.stub.Square(self.pb.SquareRequest(decimal="7" * 100_000), timeout=30)
        self.assert_status(error, grpc.StatusCode.OUT_OF_RANGE, "100000 significant digits")
        with self.assertRaises(grpc.RpcError) as error:
            list(self.stub.SquareStream(self.requests(3, decimal="9" * 4301), timeout=30))
        self.assert_status(error, grpc.StatusCode.OUT_OF_RANGE, "sequence 0")

    def test_malformed_numbers_are_invalid_argument(self):
        for text in ["", "1 2", "0x10", "١٢", "-"]:
            with self.assertRaises(grpc.RpcError) as error:
                self.stub.Square(self.pb.SquareRequest(decimal=text), timeout=30)
            self.assert_status(error, grpc.StatusCode.INVALID_ARGUMENT)

    def assert_held_back_when_never_read(self, method, message):
        sent = 0
        stop = threading.Event()

        def endless():
            nonlocal sent
            while not stop.is_set() and sent < 2_000_000:
                sent += 1
                yield message(sent)

        call = method(endless(), timeout=60)
        time.sleep(3)  # never read: the server stops reading after its window
        grown_kib = proc_status(self.pid, "VmRSS") - self.baseline_rss_kib
        stop.set()
        call.cancel()
        self.assertLess(sent, 2_000_000)
        print(f"server RSS grew {grown_kib} KiB for a stream that never reads", file=sys.stderr)
        if not UNDER_SANITIZER:
            self.assertLess(grown_kib, 64 * 1024, f"server grew {grown_kib} KiB for one stream")

    def test_a_stream_that_sends_without_reading_is_held_back_not_buffered(self):
        self.assert_held_back_when_never_read(
            self.stub.SquareStream,
            lambda n: self.pb.SquareStreamRequest(sequence=n, decimal="9" * 4000))

    def test_a_batch_stream_that_sends_without_reading_is_held_back_not_buffered(self):
        # 64 requests of 4,000 digits a batch: about 770 KB of answers each.
        self.assert_held_back_when_never_read(
            self.stub.SquareBatchStream,
            lambda n: self.pb.SquareBatchStreamRequest(requests=[
                self.pb.SquareStreamRequest(sequence=n * 64 + i, decimal="9" * 4000)
                for i in range(64)]))

    def test_cancel_mid_stream(self):
        call = self.stub.SquareStream(self.requests(1_000_000, value=3), timeout=30)
        for i, response in enumerate(call):
            self.assertEqual(response.square, "9")
            if i == 100:
                call.cancel()
                break
        self.assertEqual(call.code(), grpc.StatusCode.CANCELLED)

    def test_deadlines_expire_with_deadline_exceeded(self):
        def slow_requests():
            yield self.pb.SquareStreamRequest(sequence=1, value=2)
            time.sleep(2)  # longer than the deadline; the generator is abandoned
            yield self.pb.SquareStreamRequest(sequence=2, value=3)

        with self.assertRaises(grpc.RpcError) as error:
            list(self.stub.SquareStream(slow_requests(), timeout=0.5))
        self.assert_status(error, grpc.StatusCode.DEADLINE_EXCEEDED)

    def test_zz_nothing_leaks(self):
        # Runs last (alphabetical order): hammer every path a while, then check
        # that memory and threads come back to the baseline.
        for _ in range(20):
            for call in [self.stub.SquareStream(self.requests(200, value=5), timeout=30)]:
                for i, _ in enumerate(call):
                    if i == 50:
                        call.cancel()
                        break
            try:
                self.stub.Square(self.pb.SquareRequest(decimal="x"), timeout=5)
            except grpc.RpcError:
                pass
            list(self.stub.SquareStream(self.requests(100, decimal="1" * 1000), timeout=30))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rss = proc_status(self.pid, "VmRSS")
            threads = proc_status(self.pid, "Threads")
            rss_ok = UNDER_SANITIZER or rss < self.baseline_rss_kib + 64 * 1024
            if rss_ok and threads <= self.baseline_threads + 4:
                return
            time.sleep(0.5)
        self.fail(f"rss {rss} KiB (baseline {self.baseline_rss_kib}), "
                  f"threads {threads} (baseline {self.baseline_threads})")


if __name__ == "__main__":
    unittest.main(verbosity=2)
