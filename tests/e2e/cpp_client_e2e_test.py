#!/usr/bin/python3
"""clients/cpp's sockrpc_client against the real rpc_server."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import require_env, start_core  # noqa: E402

sys.set_int_max_str_digits(0)
RPC_SERVER = require_env("RPC_SERVER")
CLIENT = require_env("CPP_CLIENT")


class CppClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = start_core(RPC_SERVER, env={"TZ": "UTC"})

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()

    def client(self, *args, stdin=b""):
        return subprocess.run([CLIENT, f"--target={self.server.target}", *args], input=stdin,
                              capture_output=True, timeout=60)

    def test_now_in_a_zone(self):
        done = self.client("now", "--zone=Europe/Paris")
        self.assertEqual(done.returncode, 0, done.stderr)
        ctime, instant, zone = done.stdout.decode().splitlines()
        self.assertRegex(ctime, r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$")
        self.assertRegex(instant, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertEqual(zone, "Europe/Paris")

    def test_now_in_the_servers_zone(self):
        done = self.client("now")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.decode().splitlines()[2], "UTC")

    def test_square_small_and_big(self):
        for number in ["12", "-9223372036854775808", "-" + "7" * 60]:
            done = self.client("square", number)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout.decode(), f"{int(number) ** 2}\n")

    def test_stream_prints_each_answer(self):
        done = self.client("stream", stdin=b"1\n2\n-3\n" + b"9" * 30 + b"\n")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.decode().splitlines(), ["1", "4", "9", str(int("9" * 30) ** 2)])

    def test_errors_exit_non_zero_with_the_status(self):
        done = self.client("now", "--zone=Mars/Base")
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"INVALID_ARGUMENT", done.stderr)
        self.assertIn(b"Mars/Base", done.stderr)
        done = self.client("square", "12abc")
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"INVALID_ARGUMENT", done.stderr)
        done = self.client("stream", stdin=b"4\nnope\n")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stdout, b"16\n")

    def test_usage_errors_exit_two(self):
        for args in (["frobnicate"], ["square"], []):
            done = self.client(*args)
            self.assertEqual(done.returncode, 2, args)
            self.assertIn(b"Usage", done.stderr)

    def test_flag_usage_errors_exit_two_naming_the_flag(self):
        for args, named in [(["--bogus", "now"], b"unknown flag --bogus"),
                            (["--timeout=soon", "now"], b"--timeout"),
                            (["--timeout=0s", "now"], b"--timeout"),
                            (["now", "--timeout"], b"--timeout needs a value"),
                            (["--target=localhost", "now"], b"--target"),
                            (["--target=127.0.0.1:70000", "now"], b"--target"),
                            (["--target=::1:50051", "now"], b"--target"),
                            (["--tls_cert=cert.pem", "now"], b"--tls_key")]:
            done = self.client(*args)
            self.assertEqual(done.returncode, 2, f"{args}: {done.stderr}")
            self.assertIn(named, done.stderr.splitlines()[0], args)

    def test_unreadable_tls_file_exits_one(self):
        done = self.client("--tls_ca=/nonexistent/ca.pem", "now")
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(b"cannot read --tls_ca file", done.stderr)

    def test_unreachable_core_is_unavailable(self):
        started = time.monotonic()
        done = subprocess.run([CLIENT, "--target=127.0.0.1:1", "--timeout=3s", "square", "2"],
                              capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"UNAVAILABLE", done.stderr)
        self.assertLess(time.monotonic() - started, 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
