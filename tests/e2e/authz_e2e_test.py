#!/usr/bin/python3
"""--authz_policy on rpc_server with the policy shipped in deploy/authz: only
the bridge's certificate may call SquareBatchStream, everyone may call Now;
the file is read again when it changes, and a version that does not parse
keeps the previous policy."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import GREETING, LegacyConnection  # noqa: E402
from processes import free_port, require_env, sample, scrape, start_bridge, start_core  # noqa: E402
from tls_e2e_test import make_ca, make_cert, openssl  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
CLIENT = require_env("CPP_CLIENT")
POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "authz",
                      "policy.json")
BRIDGE_ID = "spiffe://sockrpc/legacy-bridge"
# Targets are 127.0.0.1 (in the server certificate's SANs), not localhost: resolving
# a name leaks in c-ares under the asan preset, and the client's exit status shows it.


def make_bridge_cert(directory):
    """A client certificate naming the bridge by URI SAN, as the shipped policy expects."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=bridge",
            "-keyout", "bridge.key", "-out", "bridge.csr", cwd=directory)
    with open(os.path.join(directory, "bridge.ext"), "w") as f:
        f.write(f"subjectAltName=URI:{BRIDGE_ID}\nextendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", "bridge.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", "bridge.ext", "-out", "bridge.pem",
            cwd=directory)


class AuthzTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        make_ca(d, "ca")
        make_cert(d, "ca", "server", server=True)
        make_cert(d, "ca", "client")
        make_bridge_cert(d)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def core(self, policy, *extra):
        # A fixed port: with --admin_listen the first "listening on" line is the admin port's.
        self.port = free_port()
        return start_core(RPC_SERVER, port=self.port, extra=[
            f"--tls_cert={self.path('server.pem')}", f"--tls_key={self.path('server.key')}",
            f"--tls_client_ca={self.path('ca.pem')}", f"--authz_policy={policy}", *extra])

    def call(self, who, *command):
        return subprocess.run(
            [CLIENT, f"--target=127.0.0.1:{self.port}", "--timeout=5s",
             f"--tls_ca={self.path('ca.pem')}", f"--tls_cert={self.path(who + '.pem')}",
             f"--tls_key={self.path(who + '.key')}", *command], capture_output=True, timeout=30)

    def bridge_flags(self, who):
        return [f"--tls_ca={self.path('ca.pem')}", f"--tls_cert={self.path(who + '.pem')}",
                f"--tls_key={self.path(who + '.key')}", "--deadline=2s"]

    def test_only_the_bridge_may_stream_squares_and_everyone_may_ask_the_time(self):
        with self.core(POLICY, "--admin_listen=127.0.0.1:0") as core:
            target = f"127.0.0.1:{self.port}"
            with start_bridge(BRIDGE, target, extra=self.bridge_flags("bridge")) as bridge:
                with LegacyConnection(bridge.square) as c:
                    c.send(b"Hi there!\n5\n")
                    self.assertEqual(c.read_exact(len(GREETING) + 2), GREETING + b"25")
                with LegacyConnection(bridge.time) as c:
                    self.assertRegex(c.read_until_close(), rb"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$")
                self.assertEqual(bridge.terminate(), 0)
            # Another certificate from the same CA: SQUARES gets ERROR lines, TIME works.
            with start_bridge(BRIDGE, target, extra=self.bridge_flags("client")) as bridge:
                with LegacyConnection(bridge.square) as c:
                    c.send(b"Hi there!\n5\n")
                    self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                    self.assertRegex(c.read_line(), rb"^ERROR [^\n]*\n$")
                with LegacyConnection(bridge.time) as c:
                    self.assertRegex(c.read_until_close(), rb"^\w{3} \w{3} ")
                self.assertEqual(bridge.terminate(), 0)
            done = self.call("client", "square", "12")
            self.assertEqual(done.returncode, 1)
            self.assertIn(b"PERMISSION_DENIED", done.stderr)
            self.assertIn(b'by authorization policy "sockrpc"', done.stderr)
            self.assertEqual(self.call("client", "now").returncode, 0)
            self.assertGreaterEqual(sample(scrape(core), "sockrpc_authz_denied_total"), 2)
            core.wait_for_line(r"WARN call denied by --authz_policy: "
                               r"/sockrpc\.square\.v1\.SquareService/Square from CN=client")
            self.assertEqual(core.terminate(), 0)

    def test_a_changed_policy_applies_and_a_broken_one_keeps_the_last_good(self):
        live = self.path("live_policy.json")
        shutil.copyfile(POLICY, live)
        with self.core(live, "--authz_refresh_interval=1s", "--admin_listen=127.0.0.1:0") as core:
            self.assertEqual(self.call("client", "square", "12").returncode, 1)
            with open(live + ".new", "w") as f:
                f.write('{"name": "open", "allow_rules": [{"name": "client", "source": '
                        '{"principals": ["CN=client"]}}]}')
            os.rename(live + ".new", live)
            allowed = False
            for _ in range(20):  # bounded: about 10 s
                if self.call("client", "square", "12").stdout == b"144\n":
                    allowed = True
                    break
                time.sleep(0.5)
            self.assertTrue(allowed, "the changed policy never applied")
            with open(live + ".new", "w") as f:
                f.write('{"name": "broken", "allow_rules": [')
            os.rename(live + ".new", live)
            core.wait_for_line(r"WARN --authz_policy file .* not reloaded, the previous policy "
                               r"stays in force: not a policy", timeout=10)
            self.assertEqual(self.call("client", "square", "12").stdout, b"144\n")
            self.assertGreaterEqual(
                sample(scrape(core), "sockrpc_authz_policy_reload_failures_total"), 1)
            self.assertEqual(core.terminate(), 0)

    def test_a_policy_that_cannot_be_used_at_start(self):
        broken = self.path("broken_policy.json")
        with open(broken, "w") as f:
            f.write('{"name": "p", "allow_rules": [{"name": "r", "request": {"methods": []}}]}')
        tls = [f"--tls_cert={self.path('server.pem')}", f"--tls_key={self.path('server.key')}"]
        for flags, status, message in (
                (tls + ["--authz_policy=/nonexistent/policy.json"], 1,
                 b'cannot read --authz_policy file "/nonexistent/policy.json"'),
                (tls + [f"--authz_policy={broken}"], 1,
                 b"(allow_rules[0].request) methods: Cannot find field"),
                ([f"--authz_policy={POLICY}"], 2, b"--authz_policy needs --tls_cert"),
                (tls + [f"--authz_policy={POLICY}", "--authz_refresh_interval=0s"], 2,
                 b"--authz_refresh_interval must be whole seconds")):
            done = subprocess.run([RPC_SERVER, "--listen=127.0.0.1:0", *flags],
                                  capture_output=True, timeout=30)
            self.assertEqual(done.returncode, status, (flags, done.stderr))
            self.assertIn(message, done.stderr, flags)


if __name__ == "__main__":
    unittest.main(verbosity=2)
