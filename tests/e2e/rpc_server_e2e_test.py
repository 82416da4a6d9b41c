#!/usr/bin/python3
"""The real rpc_server binary, called as a user would: with buf curl, a
reflection-based gRPC CLI like grpcurl, and no proto files at hand."""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import Process, require_env, threads_named  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BUF = require_env("BUF")
# A real grpcurl where the machine has one; its cases are skipped otherwise.
GRPCURL = os.environ.get("GRPCURL", "/work/shared/tools/grpcurl")


def buf_curl(target, method, data=None, extra=()):
    """Runs `buf curl` with reflection; returns (exit code, stdout, stderr)."""
    argv = [BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", *extra]
    if data is not None:
        argv += ["-d", "@-"]
    argv.append(f"http://{target}/{method}")
    done = subprocess.run(argv, input=(data or "").encode(), capture_output=True, timeout=60)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def json_documents(text):
    """buf curl prints one pretty JSON document per response message."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    text = text.strip()
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
        while position < len(text) and text[position].isspace():
            position += 1
    return documents


class RpcServerEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Process([RPC_SERVER, "--listen=127.0.0.1:0"], env={"TZ": "Asia/Tokyo"})
        cls.target = cls.server.target

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()

    def call(self, method, data=None):
        code, out, err = buf_curl(self.target, method, data)
        self.assertEqual(code, 0, f"{method}: {err}")
        return json_documents(out)

    def test_reflection_lists_every_service_through_v1_and_v1alpha(self):
        for protocol in ["grpc-v1", "grpc-v1alpha"]:
            code, out, err = buf_curl(self.target, "",
                                      extra=["--list-services", "--reflect-protocol", protocol])
            self.assertEqual(code, 0, err)
            # No channelz on the public port by default (rpc_server --channelz).
            self.assertEqual(sorted(out.split()), [
                "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection",
                "sockrpc.square.v1.SquareService",
                "sockrpc.time.v1.TimeService",
            ], protocol)

    def test_calls_work_through_either_reflection_version(self):
        for protocol in ["grpc-v1", "grpc-v1alpha"]:
            code, out, err = buf_curl(self.target, "sockrpc.square.v1.SquareService/Square",
                                      '{"value": -7}', extra=["--reflect-protocol", protocol])
            self.assertEqual(code, 0, err)
            self.assertEqual(json_documents(out), [{"square": "49"}], protocol)

    def test_reflection_lists_every_method(self):
        code, out, err = buf_curl(self.target, "", extra=["--list-methods"])
        self.assertEqual(code, 0, err)
        for method in ["sockrpc.time.v1.TimeService/Now",
                       "sockrpc.time.v1.TimeService/NowStream",
                       "sockrpc.square.v1.SquareService/Square",
                       "sockrpc.square.v1.SquareService/SquareStream",
                       "grpc.health.v1.Health/Check"]:
            self.assertIn(method, out.split())

    def test_square_with_a_plain_json_number(self):
        [response] = self.call("sockrpc.square.v1.SquareService/Square", '{"value": 12}')
        self.assertEqual(response, {"square": "144"})

    def test_square_of_a_big_decimal(self):
        n = -(7 ** 400)
        [response] = self.call("sockrpc.square.v1.SquareService/Square",
                               json.dumps({"decimal": str(n)}))
        self.assertEqual(response, {"square": str(n * n)})

    def test_square_past_the_digit_limit_is_out_of_range(self):
        code, out, err = buf_curl(self.target, "sockrpc.square.v1.SquareService/Square",
                                  json.dumps({"decimal": "9" * 4301}))
        self.assertNotEqual(code, 0)
        self.assertIn("out_of_range", out + err)
        self.assertIn("4301 significant digits", out + err)

    def test_square_of_malformed_text_is_invalid_argument(self):
        code, out, err = buf_curl(self.target, "sockrpc.square.v1.SquareService/Square",
                                  '{"decimal": "12abc"}')
        self.assertNotEqual(code, 0)
        self.assertIn("invalid_argument", out + err)
        self.assertIn("12abc", out + err)

    def test_square_stream_answers_every_message_in_order(self):
        requests = [{"sequence": 1, "value": 3},
                    {"sequence": 2, "decimal": "-123456789012345678901234567890"},
                    {"sequence": 9, "value": "-9223372036854775808"}]
        responses = self.call("sockrpc.square.v1.SquareService/SquareStream",
                              "\n".join(json.dumps(r) for r in requests))
        self.assertEqual(len(responses), 3)
        for request, response in zip(requests, responses):
            number = int(request.get("value", request.get("decimal")))
            self.assertEqual(response["sequence"], str(request["sequence"]))  # int64 as string
            self.assertEqual(response["square"], str(number * number))
        self.assertEqual(responses[1]["decimal"], requests[1]["decimal"])

    def test_square_batch_stream_answers_each_batch_with_one_message(self):
        batches = [{"requests": [{"sequence": 1, "value": 3}, {"sequence": 2, "decimal": "-12"}]},
                   {"requests": [{"sequence": 3, "value": 100}]}]
        responses = self.call("sockrpc.square.v1.SquareService/SquareBatchStream",
                              "\n".join(json.dumps(b) for b in batches))
        self.assertEqual([[(a["sequence"], a["square"]) for a in r["responses"]]
                          for r in responses],
                         [[("1", "9"), ("2", "144")], [("3", "10000")]])

    def test_square_batch_stream_rejects_an_empty_batch(self):
        code, out, err = buf_curl(self.target, "sockrpc.square.v1.SquareService/SquareBatchStream",
                                  '{"requests": []}')
        self.assertNotEqual(code, 0)
        self.assertIn("invalid_argument", out + err)
        self.assertIn("a batch holds 1 to 64", out + err)

    def test_now_defaults_to_the_servers_tz(self):
        [response] = self.call("sockrpc.time.v1.TimeService/Now", "{}")
        self.assertEqual(response["timeZone"], "Asia/Tokyo")
        self.assert_ctime_matches_python(response, "Asia/Tokyo")

    def test_now_in_a_requested_zone(self):
        [response] = self.call("sockrpc.time.v1.TimeService/Now",
                               '{"time_zone": "America/Los_Angeles"}')
        self.assertEqual(response["timeZone"], "America/Los_Angeles")
        self.assert_ctime_matches_python(response, "America/Los_Angeles")

    def test_now_in_an_unknown_zone_is_invalid_argument_naming_it(self):
        code, out, err = buf_curl(self.target, "sockrpc.time.v1.TimeService/Now",
                                  '{"time_zone": "Moon/Tranquility"}')
        self.assertNotEqual(code, 0)
        self.assertIn("invalid_argument", out + err)
        self.assertIn("Moon/Tranquility", out + err)

    def test_now_stream_answers_every_request_in_order(self):
        requests = ['{"time_zone": "America/Los_Angeles"}', "{}", '{"time_zone": "UTC"}']
        responses = self.call("sockrpc.time.v1.TimeService/NowStream", "\n".join(requests))
        self.assertEqual([r["timeZone"] for r in responses],
                         ["America/Los_Angeles", "Asia/Tokyo", "UTC"])
        for response in responses:
            self.assert_ctime_matches_python(response, response["timeZone"])

    def test_now_stream_with_an_unknown_zone_ends_after_the_earlier_answers(self):
        code, out, err = buf_curl(self.target, "sockrpc.time.v1.TimeService/NowStream",
                                  '{"time_zone": "UTC"}\n{"time_zone": "Moon/Tranquility"}')
        self.assertNotEqual(code, 0)
        self.assertIn("invalid_argument", out + err)
        self.assertIn("request 2", out + err)
        self.assertIn("Moon/Tranquility", out + err)

    @unittest.skipUnless(os.access(GRPCURL, os.X_OK), f"no grpcurl at {GRPCURL}")
    def test_now_stream_with_grpcurl(self):
        done = subprocess.run(
            [GRPCURL, "-plaintext", "-d", '{"time_zone": "UTC"} {"time_zone": "Asia/Kolkata"}',
             self.target, "sockrpc.time.v1.TimeService/NowStream"],
            capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        responses = json_documents(done.stdout.decode())
        self.assertEqual([r["timeZone"] for r in responses], ["UTC", "Asia/Kolkata"])
        for response in responses:
            self.assert_ctime_matches_python(response, response["timeZone"])

    def test_health_reports_serving_per_service(self):
        for service in ["", "sockrpc.time.v1.TimeService", "sockrpc.square.v1.SquareService"]:
            [response] = self.call("grpc.health.v1.Health/Check",
                                   json.dumps({"service": service}))
            self.assertEqual(response, {"status": "SERVING"}, service)

    def assert_ctime_matches_python(self, response, zone):
        # RFC 3339 Timestamp -> seconds, then Python's own time.ctime in that zone.
        seconds = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import sys, datetime; t = sys.argv[1].replace('Z', '+00:00');"
             "t = t[:19] + t[t.index('+', 19):] if '.' in t else t;"
             "print(int(datetime.datetime.fromisoformat(t).timestamp()))", response["time"]],
            capture_output=True, text=True, check=True).stdout.strip()
        expected = subprocess.run(
            ["/usr/bin/python3", "-c", "import sys, time; print(time.ctime(int(sys.argv[1])))",
             seconds], capture_output=True, text=True, check=True, env={"TZ": zone}).stdout.strip()
        self.assertEqual(response["ctime"], expected)
        self.assertLess(abs(int(seconds) - time.time()), 10)


class RpcServerProcessTest(unittest.TestCase):
    """Start-up, flags and shutdown of the binary itself."""

    def run_server(self, *args):
        return subprocess.run([RPC_SERVER, *args], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)

    def test_help_lists_the_flags_and_exits_zero(self):
        done = self.run_server("--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        for flag in ["--listen", "--max_digits", "--shutdown_grace", "--stream_window",
                     "--threads", "--log_format", "--log_level"]:
            self.assertIn(flag, done.stdout)
        self.assertIn("Exit status: 0", done.stdout)

    def assert_usage_error(self, args, named):
        """Exit status 2 and one line on stderr that names the flag."""
        done = self.run_server(*args)
        self.assertEqual(done.returncode, 2, f"{args}: {done.stderr}")
        lines = done.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"{args}: {done.stderr}")
        self.assertIn(named, lines[0], args)

    def test_every_usage_error_exits_2_naming_the_flag(self):
        for args, named in [
                (["--no_such_flag"], "unknown flag --no_such_flag"),
                (["--no_such_flag=3"], "unknown flag --no_such_flag"),
                (["--nothreads"], "--nothreads"),
                (["--threads=two"], "--threads"), (["--threads=0x"], "--threads"),
                (["--threads"], "--threads needs a value"),
                (["--shutdown_grace=soon"], "--shutdown_grace"),
                (["--log_format=xml"], "--log_format"), (["--log_level=loud"], "--log_level"),
                (["--listen=nowhere"], "--listen"), (["--listen=127.0.0.1:70000"], "--listen"),
                (["--listen=::1:80"], "--listen"),
                (["--listen=127.0.0.1:0", "--admin_listen=localhost"], "--admin_listen"),
                (["--max_digits=0"], "--max_digits"), (["--threads=-1"], "--threads"),
                (["--threads=1025"], "--threads"), (["--stream_window=0"], "--stream_window"),
                (["--busy_poll=-1us"], "--busy_poll"), (["--busy_poll=2ms"], "--busy_poll"),
                (["--busy_poll=soon"], "--busy_poll"),
                (["--listen=127.0.0.1:0", "--tls_cert=cert.pem"], "--tls_key"),
                (["--listen=127.0.0.1:0", "stray"], "stray")]:
            self.assert_usage_error(args, named)

    def test_failures_at_run_time_exit_1(self):
        with Process([RPC_SERVER, "--listen=127.0.0.1:0"]) as first:
            done = self.run_server(f"--listen={first.target}")
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn(f"cannot listen on {first.target}", done.stderr)
            self.assertEqual(first.terminate(), 0)
        done = self.run_server("--listen=127.0.0.1:0", "--tls_cert=/nonexistent/cert.pem",
                               "--tls_key=/nonexistent/key.pem")
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("cannot read --tls_cert file", done.stderr)

    def test_busy_poll_zero_turns_polling_off(self):
        with Process([RPC_SERVER, "--listen=127.0.0.1:0", "--busy_poll=0"]) as server:
            self.assertIn("no busy polling", server.stderr_text())
            code, out, err = buf_curl(server.target, "sockrpc.square.v1.SquareService/Square",
                                      '{"value": 12}')
            self.assertEqual((code, json_documents(out)), (0, [{"square": "144"}]), err)
            self.assertEqual(server.terminate(), 0)

    def test_threads_sets_the_serving_threads(self):
        with Process([RPC_SERVER, "--listen=127.0.0.1:0", "--threads=3"]) as server:
            self.assertIn("3 serving threads", server.stderr_text())
            self.assertEqual(threads_named(server.proc.pid, "rpc_serve_"), 3)
            code, out, err = buf_curl(server.target, "sockrpc.square.v1.SquareService/Square",
                                      '{"value": 9}')
            self.assertEqual((code, json_documents(out)), (0, [{"square": "81"}]), err)
            self.assertEqual(server.terminate(), 0)

    def test_zero_threads_is_one_per_cpu_of_the_affinity_mask(self):
        with Process(["taskset", "-c", "0", RPC_SERVER, "--listen=127.0.0.1:0",
                      "--threads=0"]) as server:
            # On one CPU a polling thread would only hold up the one it waits for.
            self.assertIn("1 serving thread, no busy polling,", server.stderr_text())
            self.assertEqual(threads_named(server.proc.pid, "rpc_serve_"), 1)
            self.assertEqual(server.terminate(), 0)

    def test_sigterm_drains_and_exits_zero(self):
        server = Process([RPC_SERVER, "--listen=127.0.0.1:0", "--shutdown_grace=5s"])
        with server:
            [response] = json_documents(buf_curl(server.target,
                                                 "sockrpc.square.v1.SquareService/Square",
                                                 '{"value": 5}')[1])
            self.assertEqual(response, {"square": "25"})
            self.assertEqual(server.terminate(signal.SIGTERM), 0)
        self.assertIn("draining", server.stderr_text())
        self.assertIn("stopped", server.stderr_text())

    def test_sigint_also_exits_zero(self):
        server = Process([RPC_SERVER, "--listen=127.0.0.1:0"])
        with server:
            self.assertEqual(server.terminate(signal.SIGINT), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
