#!/usr/bin/python3
"""TLS and mutual TLS on rpc_server and on the bridge's channel to it, with
throwaway certificates made by openssl for each run."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import GREETING, LegacyConnection  # noqa: E402
from processes import require_env, start_bridge, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
CLIENT = require_env("CPP_CLIENT")
BUF = require_env("BUF")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", cwd=directory)


def make_cert(directory, ca, name, server=False, san=None):
    """A certificate for `name` signed by `ca`; a server one is valid for loopback
    unless `san` names it otherwise."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=directory)
    extensions = os.path.join(directory, f"{name}.ext")
    with open(extensions, "w") as f:
        f.write(f"subjectAltName={san}\n" if san else
                "subjectAltName=DNS:localhost,IP:127.0.0.1\n" if server else
                "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "1", "-extfile", extensions, "-out", f"{name}.pem",
            cwd=directory)


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        make_ca(d, "ca")
        make_ca(d, "other_ca")
        make_cert(d, "ca", "server", server=True)
        make_cert(d, "ca", "client")
        make_cert(d, "other_ca", "stranger")
        make_cert(d, "ca", "named", san="DNS:core.internal")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def server_flags(self, mutual):
        flags = [f"--tls_cert={self.path('server.pem')}", f"--tls_key={self.path('server.key')}"]
        if mutual:
            flags.append(f"--tls_client_ca={self.path('ca.pem')}")
        return flags

    def square(self, target, *tls_flags):
        return subprocess.run([CLIENT, f"--target={target}", "--timeout=5s", *tls_flags,
                               "square", "12"], capture_output=True, timeout=60)

    def test_tls_works_and_plaintext_to_a_tls_port_fails(self):
        with start_core(RPC_SERVER, extra=self.server_flags(mutual=False)) as core:
            done = self.square(core.target, f"--tls_ca={self.path('ca.pem')}")
            self.assertEqual(done.stdout, b"144\n", done.stderr)
            done = self.square(core.target)
            self.assertEqual(done.returncode, 1)
            self.assertIn(b"UNAVAILABLE", done.stderr)

    def test_a_client_must_trust_the_servers_ca(self):
        with start_core(RPC_SERVER, extra=self.server_flags(mutual=False)) as core:
            done = self.square(core.target, f"--tls_ca={self.path('other_ca.pem')}")
            self.assertEqual(done.returncode, 1)

    def test_mutual_tls_refuses_clients_without_a_certificate_or_from_another_ca(self):
        with start_core(RPC_SERVER, extra=self.server_flags(mutual=True)) as core:
            ca = f"--tls_ca={self.path('ca.pem')}"
            done = self.square(core.target, ca, f"--tls_cert={self.path('client.pem')}",
                               f"--tls_key={self.path('client.key')}")
            self.assertEqual(done.stdout, b"144\n", done.stderr)
            done = self.square(core.target, ca)
            self.assertEqual(done.returncode, 1, "no client certificate")
            done = self.square(core.target, ca, f"--tls_cert={self.path('stranger.pem')}",
                               f"--tls_key={self.path('stranger.key')}")
            self.assertEqual(done.returncode, 1, "certificate from another CA")

    def test_buf_curl_with_cacert(self):
        with start_core(RPC_SERVER, extra=self.server_flags(mutual=False)) as core:
            port = core.addresses[0][1]
            done = subprocess.run(
                [BUF, "curl", "--protocol", "grpc", "--cacert", self.path("ca.pem"), "-d",
                 '{"value": 12}', f"https://localhost:{port}/sockrpc.square.v1.SquareService/Square"],
                capture_output=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn(b'"square": "144"', done.stdout)

    def test_bridge_talks_mutual_tls_to_the_core(self):
        with start_core(RPC_SERVER, extra=self.server_flags(mutual=True)) as core:
            port = core.addresses[0][1]
            tls = [f"--tls_ca={self.path('ca.pem')}", f"--tls_cert={self.path('client.pem')}",
                   f"--tls_key={self.path('client.key')}"]
            with start_bridge(BRIDGE, f"localhost:{port}", extra=tls) as bridge:
                with LegacyConnection(bridge.square) as c:
                    c.send(b"Hi there!\n5\n")
                    self.assertEqual(c.read_exact(len(GREETING) + 2), GREETING + b"25")
            # Without its certificate the bridge is refused: ERROR lines, never answers.
            with start_bridge(BRIDGE, f"localhost:{port}", extra=tls[:1] + ["--deadline=2s"]) as bridge:
                with LegacyConnection(bridge.square) as c:
                    c.send(b"Hi there!\n5\n")
                    self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                    self.assertRegex(c.read_line(), rb"^ERROR [^\n]*\n$")

    def test_the_bridge_checks_the_name_in_tls_server_name(self):
        core_flags = [f"--tls_cert={self.path('named.pem')}", f"--tls_key={self.path('named.key')}"]
        with start_core(RPC_SERVER, extra=core_flags) as core:
            for name, answer in (("core.internal", rb"^25$"), ("", rb"^ERROR [^\n]*\n$")):
                with start_bridge(BRIDGE, core.target,
                                  extra=[f"--tls_ca={self.path('ca.pem')}", "--deadline=1s",
                                         f"--tls_server_name={name}"]) as bridge:
                    with LegacyConnection(bridge.square) as c:
                        c.send(b"Hi there!\n5\n")
                        self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                        reply = c.read_exact(2) if name else c.read_line()
                        self.assertRegex(reply, answer, name)
                    self.assertEqual(bridge.terminate(), 0)

    def test_failed_handshakes_are_logged_naming_the_peer_and_the_reason(self):
        core_flags = self.server_flags(mutual=False) + ["--log_format=json"]
        with start_core(RPC_SERVER, extra=core_flags) as core:
            port = core.addresses[0][1]
            # The bridge does not trust the core's CA: it logs the core and why.
            with start_bridge(BRIDGE, f"localhost:{port}",
                              extra=[f"--tls_ca={self.path('other_ca.pem')}", "--deadline=1s",
                                     "--log_format=json"]) as bridge:
                with LegacyConnection(bridge.square) as c:
                    c.send(b"Hi there!\n5\n")
                    self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                    self.assertRegex(c.read_line(), rb"^ERROR [^\n]*\n$")
                bridge.wait_for_line(r"TLS handshake with ipv4:127\.0\.0\.1:\d+ failed")
                self.assertEqual(bridge.terminate(), 0)
            # The core names the client that gave up on it.
            core.wait_for_line(r"TLS handshake with ipv4:127\.0\.0\.1:\d+ failed")
            self.assertEqual(core.terminate(), 0)
        for process, side in ((bridge, "legacy_bridge"), (core, "rpc_server")):
            lines = [json.loads(line) for line in process.stderr_text().splitlines()]
            self.assertTrue(all(line["process"] == side for line in lines), side)
            failures = [line for line in lines if line["msg"].startswith("TLS handshake with ")]
            self.assertTrue(failures, side)
            self.assertEqual(failures[0]["level"], "warning")
            self.assertRegex(failures[0]["peer"], r"^ipv4:127\.0\.0\.1:\d+$")
            self.assertTrue(failures[0]["reason"], side)
        reasons = [line.get("reason", "") for line in
                   map(json.loads, bridge.stderr_text().splitlines())]
        self.assertTrue(any("certificate verify failed" in r for r in reasons), reasons)

    def test_the_core_logs_a_client_certificate_it_refuses(self):
        with start_core(RPC_SERVER, extra=self.server_flags(mutual=True)) as core:
            done = self.square(core.target, f"--tls_ca={self.path('ca.pem')}",
                               f"--tls_cert={self.path('stranger.pem')}",
                               f"--tls_key={self.path('stranger.key')}")
            self.assertEqual(done.returncode, 1)
            # gRPC names the reason but not the client here.
            core.wait_for_line(r" WARN TLS handshake failed: (Ssl|Tls) handshake failed: "
                               r".*certificate verify failed")
            self.assertEqual(core.terminate(), 0)

    def test_bad_tls_flags_are_errors(self):
        for flags in ([f"--tls_cert={self.path('server.pem')}"],
                      ["--tls_cert=/nonexistent.pem", f"--tls_key={self.path('server.key')}"],
                      [f"--tls_client_ca={self.path('ca.pem')}"]):
            done = subprocess.run([RPC_SERVER, "--listen=127.0.0.1:0", *flags],
                                  capture_output=True, timeout=30)
            # A missing file is a failure at run time (1), a flag without its partner a
            # usage error (2).
            self.assertEqual(done.returncode, 1 if "/nonexistent.pem" in flags[0] else 2, flags)
            self.assertIn(b"tls", done.stderr.lower(), flags)


if __name__ == "__main__":
    unittest.main(verbosity=2)
