#!/usr/bin/python3
"""Each event the two processes count, caused for real and read back from
their /metrics: gRPC calls of every service on the core's port (its own,
health, reflection, an unknown method) with their status codes in
go-grpc-prometheus's families, the bridge's calls to the core in the
client-side families, requests that failed counted as requests, a close at
the message length limit, and the process_* families of both."""

import os
import re
import signal
import sys
import threading
import time
import unittest

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import (free_port, require_env, sample, scrape, start_bridge,  # noqa: E402
                       start_core)

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")

SQUARE = "sockrpc.square.v1.SquareService"
TIME = "sockrpc.time.v1.TimeService"
PROCESS_FAMILIES = ("process_cpu_seconds_total", "process_resident_memory_bytes",
                    "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                    "process_start_time_seconds", "process_threads")


def labels(grpc_type, service, method, **more):
    return {"grpc_type": grpc_type, "grpc_service": service, "grpc_method": method, **more}


def raw(channel, method):
    """A unary call that sends and returns serialized bytes (no generated code)."""
    return channel.unary_unary(method, request_serializer=None, response_deserializer=None)


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The admin port's line comes first: the gRPC port is chosen here.
        port = free_port()
        cls.core = start_core(RPC_SERVER, port=port, extra=["--admin_listen=127.0.0.1:0"])
        cls.core_target = f"127.0.0.1:{port}"
        # One shared stream to the core, replaced after 100 ms, so the
        # bridge's SquareBatchStream calls are handled (and counted) within the test.
        cls.bridge = start_bridge(BRIDGE, cls.core_target,
                                  extra=["--admin_listen=127.0.0.1:0", "--max_message_bytes=1024",
                                         "--core_stream_max_age=100ms", "--core_streams=1"])
        cls.channel = grpc.insecure_channel(cls.core_target)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.bridge.terminate()
        cls.core.terminate()

    def eventually(self, process, name, minimum, **wanted):
        """Scrapes until metric `name`{wanted} reaches `minimum` (bounded: 10 s)."""
        deadline = time.monotonic() + 10
        while True:
            text = scrape(process)
            value = sample(text, name, **wanted)
            if (value is not None and value >= minimum) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertIsNotNone(value, f"{name}{wanted} is missing")
        self.assertGreaterEqual(value, minimum, f"{name}{wanted}")
        return text

    def test_core_counts_every_call_of_every_service_with_its_code(self):
        before = scrape(self.core)
        requests_before = sample(before, "sockrpc_core_requests_total", method="Square")
        # Square(value: 7), then Square(decimal: "abc"), which is invalid.
        self.assertEqual(raw(self.channel, f"/{SQUARE}/Square")(b"\x08\x07", timeout=10),
                         b"\x0a\x0249")
        with self.assertRaises(grpc.RpcError) as invalid:
            raw(self.channel, f"/{SQUARE}/Square")(b"\x12\x03abc", timeout=10)
        self.assertEqual(invalid.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        raw(self.channel, "/grpc.health.v1.Health/Check")(b"", timeout=10)
        reflection = self.channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=None, response_deserializer=None)
        self.assertEqual(len(list(reflection(iter([b"\x3a\x01*"]), timeout=10))), 1)
        with self.assertRaises(grpc.RpcError) as unknown:
            raw(self.channel, "/made.up.Service/Nothing")(b"", timeout=10)
        self.assertEqual(unknown.exception.code(), grpc.StatusCode.UNIMPLEMENTED)

        square = labels("unary", SQUARE, "Square")
        text = self.eventually(self.core, "grpc_server_handled_total", 1,
                               **square, grpc_code="InvalidArgument")
        self.assertGreaterEqual(sample(text, "grpc_server_handled_total", **square,
                                       grpc_code="OK"), 1)
        self.assertGreaterEqual(sample(text, "grpc_server_started_total", **square), 2)
        self.assertGreaterEqual(sample(text, "grpc_server_msg_received_total", **square), 2)
        self.assertGreaterEqual(sample(text, "grpc_server_handling_seconds_count", **square), 2)
        health = labels("unary", "grpc.health.v1.Health", "Check", grpc_code="OK")
        self.assertGreaterEqual(sample(text, "grpc_server_handled_total", **health), 1)
        info = labels("bidi_stream", "grpc.reflection.v1.ServerReflection", "ServerReflectionInfo")
        self.assertGreaterEqual(sample(text, "grpc_server_msg_received_total", **info), 1)
        self.assertGreaterEqual(sample(text, "grpc_server_msg_sent_total", **info), 1)
        self.assertGreaterEqual(sample(text, "grpc_server_handled_total", **info,
                                       grpc_code="OK"), 1)
        # The made-up name is not a label: it is counted as "unknown".
        self.assertNotIn("made.up", text)
        self.assertRegex(text, r'grpc_server_handled_total\{grpc_type="\w+",grpc_service="unknown",'
                               r'grpc_method="unknown",grpc_code="Unimplemented"\} [1-9]')
        # Every request counts, the failed one too.
        self.assertGreaterEqual(sample(text, "sockrpc_core_requests_total", method="Square"),
                                (requests_before or 0) + 2)
        self.assertGreaterEqual(sample(text, "sockrpc_core_errors_total", method="Square"), 1)

    def test_bridge_counts_its_calls_to_the_core_and_a_close_at_the_length_limit(self):
        too_long_before = sample(scrape(self.bridge), "sockrpc_bridge_closed_by_limit_total",
                                 reason="too_long")
        with LegacyConnection(self.bridge.time) as t:
            self.assertRegex(t.read_until_close(), CTIME_LINE)
        with LegacyConnection(self.bridge.square) as c:
            c.send(b"Hi there!\n")
            self.assertEqual(c.read_exact(len(GREETING)), GREETING)
            c.send(b"12\n")
            self.assertEqual(c.read_exact(3), b"144")
            c.send(b"1" * 2000 + b"\n")
            self.assertRegex(c.read_until_close(timeout=10),
                             rb"^ERROR message longer than 1024 bytes; closing\n$")
        text = self.eventually(self.bridge, "sockrpc_bridge_closed_by_limit_total",
                               too_long_before + 1, reason="too_long")
        self.assertGreaterEqual(sample(text, "sockrpc_bridge_error_lines_total",
                                       protocol="squares"), 1)
        for method in ("Now", "SquareBatchStream"):
            self.assertGreaterEqual(sample(text, "sockrpc_bridge_core_seconds_count",
                                           method=method), 1, method)
        now = labels("bidi_stream", TIME, "NowStream")
        self.assertGreaterEqual(sample(text, "grpc_client_started_total", **now), 1)
        self.assertGreaterEqual(sample(text, "grpc_client_msg_sent_total", **now), 1)
        self.assertGreaterEqual(sample(text, "grpc_client_msg_received_total", **now), 1)
        batch = labels("bidi_stream", SQUARE, "SquareBatchStream")
        self.assertGreaterEqual(sample(text, "grpc_client_started_total", **batch), 1)
        self.assertGreaterEqual(sample(text, "grpc_client_msg_sent_total", **batch), 1)
        self.assertGreaterEqual(sample(text, "grpc_client_msg_received_total", **batch), 1)
        # Past --core_stream_max_age, the next request goes on a new stream and
        # the old one is closed: handled, OK.
        time.sleep(0.3)
        with LegacyConnection(self.bridge.square) as c:
            c.send(b"Hi there!\n")
            self.assertEqual(c.read_exact(len(GREETING)), GREETING)
            c.send(b"5\n")
            self.assertEqual(c.read_exact(2), b"25")
        self.eventually(self.bridge, "grpc_client_handled_total", 1, **batch, grpc_code="OK")

    def test_bridge_counts_core_failures(self):
        # Nothing listens on the target: the TIME request fails at the deadline.
        with start_bridge(BRIDGE, f"127.0.0.1:{free_port()}",
                          extra=["--admin_listen=127.0.0.1:0", "--deadline=300ms"]) as bridge:
            with LegacyConnection(bridge.time) as t:
                self.assertRegex(t.read_until_close(), rb"^ERROR ")
            text = self.eventually(bridge, "sockrpc_bridge_core_failures_total", 1)
            self.assertGreaterEqual(sample(text, "sockrpc_bridge_error_lines_total",
                                           protocol="time"), 1)
            # Past its deadline the request's stream is stuck: it is cancelled.
            self.eventually(bridge, "grpc_client_handled_total", 1, grpc_type="bidi_stream",
                            grpc_service="sockrpc.time.v1.TimeService", grpc_method="NowStream",
                            grpc_code="Canceled")
            self.assertEqual(bridge.terminate(), 0)

    def test_draining_is_1_while_each_process_drains(self):
        port = free_port()
        core = start_core(RPC_SERVER, port=port,
                          extra=["--admin_listen=127.0.0.1:0", "--shutdown_grace=30s"])
        bridge = start_bridge(BRIDGE, f"127.0.0.1:{port}",
                              extra=["--admin_listen=127.0.0.1:0", "--deadline=3s",
                                     "--shutdown_grace=30s"])
        try:
            self.assertEqual(sample(scrape(core), "sockrpc_core_draining"), 0)
            self.assertEqual(sample(scrape(bridge), "sockrpc_bridge_draining"), 0)
            # The bridge drains while a request waits for a core that is
            # stopped (SIGSTOP), until its --deadline.
            with LegacyConnection(bridge.square) as c:
                c.send(b"Hi there!\n")
                self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                core.proc.send_signal(signal.SIGSTOP)
                try:
                    c.send(b"3\n")
                    time.sleep(0.2)
                    bridge.proc.send_signal(signal.SIGTERM)
                    self.eventually(bridge, "sockrpc_bridge_draining", 1)
                finally:
                    core.proc.send_signal(signal.SIGCONT)
            self.assertEqual(bridge.terminate(), 0)
            # The core drains while a stream is open, until the client ends it.
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                release = threading.Event()

                def requests():
                    release.wait(timeout=30)
                    return
                    yield  # a generator that sends nothing

                stream = channel.stream_stream(f"/{SQUARE}/SquareStream",
                                               request_serializer=None,
                                               response_deserializer=None)(requests(), timeout=30)
                self.eventually(core, "sockrpc_core_streams_open", 1)
                core.proc.send_signal(signal.SIGTERM)
                self.eventually(core, "sockrpc_core_draining", 1)
                release.set()
                self.assertEqual(list(stream), [])
            self.assertEqual(core.terminate(), 0)
        finally:
            bridge.terminate()
            core.terminate()

    def test_both_processes_export_the_process_families(self):
        for process in (self.core, self.bridge):
            text = scrape(process)
            for family in PROCESS_FAMILIES:
                self.assertIsNotNone(sample(text, family), family)
            self.assertRegex(text, r"# TYPE process_cpu_seconds_total counter\n")
            self.assertGreater(sample(text, "process_open_fds"), 2)
            self.assertGreater(sample(text, "process_resident_memory_bytes"), 1 << 20)
            self.assertGreater(sample(text, "process_threads"), 1)
            started = sample(text, "process_start_time_seconds")
            self.assertLess(abs(time.time() - started), 600, "start time far from now")
            self.assertTrue(re.search(r"^process_max_fds \d+$", text, re.MULTILINE))


if __name__ == "__main__":
    unittest.main(verbosity=2)
