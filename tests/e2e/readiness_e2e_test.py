#!/usr/bin/python3
"""The admin port's readiness and channelz, and draining: the bridge's /readyz
is 503 without a core and 200 with one; the core's mirrors its gRPC health;
--drain_delay keeps each process serving while it says not ready; a core
watched by a bridge (client-side health checking keeps a Health/Watch open)
exits on SIGTERM without waiting for its grace period; channelz is on the
admin port and not on the public gRPC port."""

import os
import re
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, LegacyConnection  # noqa: E402
from processes import ADMIN, free_port, require_env, start_bridge, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
ADMIN_FLAG = "--admin_listen=127.0.0.1:0"
# The cores' --shutdown_grace in the drain tests: a shutdown that waited for a
# health Watch would take all of it; one that ends the Watch takes well under.
GRACE_S = 30


def get(process, path):
    """(status, body) of GET `path` on the admin port of `process`."""
    host, port = process.wait_for_matches(ADMIN)[0]
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_status(process, path, status, timeout=15):
    """Polls `path` until it answers `status`; returns the last (status, body)."""
    deadline = time.monotonic() + timeout
    answer = get(process, path)
    while answer[0] != status and time.monotonic() < deadline:
        time.sleep(0.1)
        answer = get(process, path)
    return answer


def grpc_target(core):
    """The gRPC address of a core (its admin port logs a "listening on" line too)."""
    host, port = core.wait_for_line(r"listening on (\S+):(\d+) \((plaintext|TLS)")
    return f"{host}:{port}"


def health_check(target):
    """The grpc.health.v1 status code of "" (1 SERVING, 2 NOT_SERVING)."""
    with grpc.insecure_channel(target) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                    request_serializer=lambda _: b"",
                                    response_deserializer=lambda raw: raw)
        raw = check(None, timeout=5)
        return raw[1] if len(raw) == 2 and raw[0] == 0x08 else 0


class ReadinessTest(unittest.TestCase):
    def test_bridge_readyz_is_503_without_a_core_and_200_with_one(self):
        port = free_port()
        with start_bridge(BRIDGE, f"127.0.0.1:{port}", extra=[ADMIN_FLAG]) as bridge:
            status, body = get(bridge, "/readyz")
            self.assertEqual(status, 503)
            self.assertRegex(body, r"no READY connection to a core at 127\.0\.0\.1:\d+ \(channel ")
            self.assertEqual(get(bridge, "/healthz"), (200, "ok\n"))
            core = start_core(RPC_SERVER, port=port)
            try:
                self.assertEqual(wait_for_status(bridge, "/readyz", 200), (200, "ready\n"))
            finally:
                self.assertEqual(core.terminate(), 0)
            status, body = wait_for_status(bridge, "/readyz", 503)
            self.assertEqual(status, 503, body)
            self.assertEqual(bridge.terminate(), 0)

    def test_core_readyz_mirrors_health_and_drain_delay_keeps_serving(self):
        core = start_core(RPC_SERVER, extra=[ADMIN_FLAG, "--drain_delay=3s"])
        try:
            self.assertEqual(get(core, "/readyz"), (200, "ready\n"))
            self.assertEqual(health_check(grpc_target(core)), 1)
            core.proc.send_signal(signal.SIGTERM)
            status, body = wait_for_status(core, "/readyz", 503, timeout=2)
            self.assertEqual((status, body), (503, "NOT_SERVING: draining\n"))
            # Still serving gRPC while it says so.
            self.assertEqual(health_check(grpc_target(core)), 2)
            self.assertIsNone(core.proc.poll())
        finally:
            self.assertEqual(core.terminate(), 0)

    def test_bridge_drain_delay_keeps_serving_while_not_ready(self):
        with start_core(RPC_SERVER) as core, \
                start_bridge(BRIDGE, core.target, extra=[ADMIN_FLAG, "--drain_delay=3s"]) as bridge:
            self.assertEqual(wait_for_status(bridge, "/readyz", 200)[0], 200)
            bridge.proc.send_signal(signal.SIGTERM)
            self.assertEqual(wait_for_status(bridge, "/readyz", 503, timeout=2),
                             (503, "draining\n"))
            with LegacyConnection(bridge.time) as t:
                self.assertRegex(t.read_until_close(), CTIME_LINE)
            self.assertEqual(bridge.terminate(), 0)
            self.assertEqual(core.terminate(), 0)

    def test_core_watched_by_a_bridge_exits_well_within_its_grace(self):
        with start_core(RPC_SERVER, extra=[f"--shutdown_grace={GRACE_S}s"]) as core, \
                start_bridge(BRIDGE, core.target, extra=[ADMIN_FLAG]) as bridge:
            # Ready means the bridge's health Watch reported SERVING: it is open.
            self.assertEqual(wait_for_status(bridge, "/readyz", 200)[0], 200)
            with LegacyConnection(bridge.time) as t:
                self.assertRegex(t.read_until_close(), CTIME_LINE)
            start = time.monotonic()
            self.assertEqual(core.terminate(timeout=40), 0)
            took = time.monotonic() - start
            print(f"core exited {took:.2f} s after SIGTERM", file=sys.stderr)
            self.assertLess(took, GRACE_S / 2)  # far from the grace it would wait without the fix
            self.assertEqual(bridge.terminate(), 0)

    def test_open_health_watch_ends_promptly_on_sigterm(self):
        core = start_core(RPC_SERVER, extra=[f"--shutdown_grace={GRACE_S}s"])
        try:
            with grpc.insecure_channel(core.target) as channel:
                watch = channel.unary_stream("/grpc.health.v1.Health/Watch",
                                             request_serializer=lambda _: b"",
                                             response_deserializer=lambda raw: raw)
                updates = watch(None, timeout=60)
                self.assertEqual(next(updates), b"\x08\x01")  # SERVING
                start = time.monotonic()
                core.proc.send_signal(signal.SIGTERM)
                self.assertEqual(next(updates), b"\x08\x02")  # NOT_SERVING
                with self.assertRaises(grpc.RpcError) as raised:
                    next(updates)
                self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)
                self.assertEqual(core.terminate(timeout=40), 0)
                took = time.monotonic() - start
                print(f"core with a Watch open exited {took:.2f} s after SIGTERM", file=sys.stderr)
                self.assertLess(took, GRACE_S / 2)  # far from the grace it would wait without the fix
        finally:
            core.terminate()

    def test_channelz_is_on_the_admin_ports(self):
        with start_core(RPC_SERVER, extra=[ADMIN_FLAG]) as core, \
                start_bridge(BRIDGE, grpc_target(core), extra=[ADMIN_FLAG]) as bridge:
            self.assertEqual(wait_for_status(bridge, "/readyz", 200)[0], 200)
            status, servers = get(core, "/channelz/servers")
            self.assertEqual(status, 200)
            self.assertIn('"listenSocket"', servers)
            server_id = re.search(r'"serverId":"(\d+)"', servers).group(1)
            status, sockets = get(core, f"/channelz/server_sockets?id={server_id}")
            self.assertEqual(status, 200)
            self.assertIn('"socketRef"', sockets)  # the bridge's connection
            status, channels = get(bridge, "/channelz/channels")
            self.assertEqual(status, 200)
            self.assertIn(grpc_target(core), channels)
            self.assertEqual(get(core, "/channelz/nothing")[0], 404)
            self.assertEqual(get(core, "/channelz/channel?id=x")[0], 400)
            self.assertEqual(bridge.terminate(), 0)
            self.assertEqual(core.terminate(), 0)


class FlagsTest(unittest.TestCase):
    """The new flags: listed by --help, out-of-range values a usage error (exit 2)."""

    def run_binary(self, binary, *args):
        return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)

    def test_help_lists_them(self):
        for binary, flags in ((RPC_SERVER, ["--drain_delay", "--max_connection_age",
                                            "--max_connection_age_grace", "--channelz"]),
                              (BRIDGE, ["--drain_delay", "--min_resolution_interval"])):
            done = self.run_binary(binary, "--help")
            self.assertEqual(done.returncode, 0, done.stderr)
            for flag in flags:
                self.assertIn(flag, done.stdout)

    def test_out_of_range_is_a_usage_error(self):
        cases = [(RPC_SERVER, "--drain_delay=-1s"), (RPC_SERVER, "--drain_delay=11m"),
                 (RPC_SERVER, "--max_connection_age=500ms"), (RPC_SERVER, "--max_connection_age=25h"),
                 (RPC_SERVER, "--max_connection_age_grace=-1s"),
                 (BRIDGE, "--drain_delay=-1s"), (BRIDGE, "--min_resolution_interval=10ms"),
                 (BRIDGE, "--min_resolution_interval=11m")]
        for binary, arg in cases:
            done = self.run_binary(binary, arg, "--listen=127.0.0.1:0" if binary == RPC_SERVER
                                   else "--time_listen=127.0.0.1:0")
            self.assertEqual(done.returncode, 2, (arg, done.stderr))
            self.assertIn(arg.split("=")[0], done.stderr, arg)

    def test_infinite_connection_age_is_accepted(self):
        core = start_core(RPC_SERVER, extra=["--max_connection_age=inf",
                                             "--max_connection_age_grace=inf"])
        self.assertEqual(core.terminate(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
