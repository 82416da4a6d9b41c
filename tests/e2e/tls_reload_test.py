#!/usr/bin/python3
"""TLS files replaced on disk while rpc_server and the bridge run: new
connections get the new certificate within --tls_refresh_interval, the ones
already open keep working, and a broken file keeps the last good one."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import GREETING, LegacyConnection  # noqa: E402
from processes import require_env, start_bridge, start_core  # noqa: E402
from tls_e2e_test import make_ca, make_cert  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
CLIENT = require_env("CPP_CLIENT")

REFRESH = 1  # seconds: --tls_refresh_interval in these tests
# Targets are 127.0.0.1 (in the certificates' SANs), not localhost: resolving a
# name leaks in c-ares under the asan preset, and the client's exit status shows it.


class TlsReloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.TemporaryDirectory()
        d = cls.certs.name
        make_ca(d, "ca")
        make_ca(d, "new_ca")
        make_cert(d, "ca", "server", server=True)
        make_cert(d, "new_ca", "new_server", server=True)

    @classmethod
    def tearDownClass(cls):
        cls.certs.cleanup()

    def setUp(self):
        self.live = tempfile.TemporaryDirectory()
        self.addCleanup(self.live.cleanup)

    def cert(self, name):
        return os.path.join(self.certs.name, name)

    def path(self, name):
        return os.path.join(self.live.name, name)

    def replace(self, live_name, source=None, contents=None):
        """Replaces a live file by rename, as certificate tools do."""
        staging = self.path(live_name + ".new")
        if source is not None:
            shutil.copyfile(self.cert(source), staging)
        else:
            with open(staging, "wb") as f:
                f.write(contents)
        os.rename(staging, self.path(live_name))

    def square(self, target, ca, n=12):
        return subprocess.run([CLIENT, f"--target={target}", "--timeout=3s", f"--tls_ca={ca}",
                               "square", str(n)], capture_output=True, timeout=30)

    def start_tls_core(self, name):
        self.replace("tls.key", f"{name}.key")
        self.replace("tls.pem", f"{name}.pem")
        return start_core(RPC_SERVER, extra=[
            f"--tls_cert={self.path('tls.pem')}", f"--tls_key={self.path('tls.key')}",
            f"--tls_refresh_interval={REFRESH}s", "--max_connection_age=inf"])

    def test_a_replaced_certificate_serves_new_connections_and_old_ones_keep_working(self):
        with self.start_tls_core("server") as core:
            port = core.addresses[0][1]
            target = f"127.0.0.1:{port}"
            self.assertEqual(self.square(target, self.cert("ca.pem")).stdout, b"144\n")
            # A session through the bridge holds a TLS connection to the core.
            with start_bridge(BRIDGE, target, extra=[f"--tls_ca={self.cert('ca.pem')}"]) as bridge:
                with LegacyConnection(bridge.square) as session:
                    session.send(b"Hi there!\n5\n")
                    self.assertEqual(session.read_exact(len(GREETING) + 2), GREETING + b"25")
                    # The key first: for a moment it does not match the certificate.
                    self.replace("tls.key", "new_server.key")
                    self.replace("tls.pem", "new_server.pem")
                    replaced = time.monotonic()
                    served = None
                    for _ in range(20):  # bounded: about 10 s
                        if self.square(target, self.cert("new_ca.pem")).stdout == b"144\n":
                            served = time.monotonic() - replaced
                            break
                        time.sleep(0.5)
                    self.assertIsNotNone(served, "the new certificate was never served")
                    # Within the interval, plus the second gRPC takes to read the checked copy
                    # and slack for a loaded machine.
                    self.assertLess(served, REFRESH + 1 + 3)
                    print(f"new certificate served {served:.2f} s after the rename",
                          file=sys.stderr)
                    # New connections no longer get the old certificate...
                    self.assertEqual(self.square(target, self.cert("ca.pem")).returncode, 1)
                    # ...while the connection opened before keeps working.
                    session.send(b"6\n")
                    self.assertEqual(session.read_exact(2), b"36")
                self.assertEqual(bridge.terminate(), 0)
            core.wait_for_line(r"TLS files changed on disk")
            self.assertEqual(core.terminate(), 0)

    def test_a_broken_file_keeps_the_last_good_certificate_and_says_why(self):
        with self.start_tls_core("server") as core:
            target = f"127.0.0.1:{core.addresses[0][1]}"
            self.replace("tls.pem", contents=b"-----BEGIN CERTIFICATE-----\ntruncated")
            core.wait_for_line(r"WARN TLS files not reloaded, the previous ones stay in use: "
                               r".*holds no certificate", timeout=10)
            self.assertEqual(self.square(target, self.cert("ca.pem")).stdout, b"144\n")
            # A certificate whose key was not replaced with it.
            self.replace("tls.pem", "new_server.pem")
            core.wait_for_line(r"WARN TLS files not reloaded.*does not match the certificate",
                               timeout=10)
            self.assertEqual(self.square(target, self.cert("ca.pem")).stdout, b"144\n")
            # Logged once per reason, not at every refresh.
            time.sleep(3 * REFRESH)
            self.assertEqual(core.stderr_text().count("does not match the certificate"), 1)
            self.assertEqual(core.terminate(), 0)

    def test_the_bridge_reads_a_replaced_ca_file(self):
        with self.start_tls_core("new_server") as core:
            target = f"127.0.0.1:{core.addresses[0][1]}"
            self.replace("bridge_ca.pem", "ca.pem")  # not the core's CA yet
            extra = [f"--tls_ca={self.path('bridge_ca.pem')}", f"--tls_refresh_interval={REFRESH}s",
                     "--deadline=1s"]
            with start_bridge(BRIDGE, target, extra=extra) as bridge:
                with LegacyConnection(bridge.square) as c:
                    c.send(b"Hi there!\n5\n")
                    self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                    self.assertRegex(c.read_line(), rb"^ERROR [^\n]*\n$")
                self.replace("bridge_ca.pem", "new_ca.pem")
                answered = False
                for _ in range(15):  # bounded: about 15 s with the deadline
                    with LegacyConnection(bridge.square) as c:
                        c.send(b"Hi there!\n5\n")
                        c.read_exact(len(GREETING))
                        if c.read_exact(2) == b"25":
                            answered = True
                            break
                    time.sleep(0.5)
                self.assertTrue(answered, "the bridge never trusted the new CA")
                self.assertEqual(bridge.terminate(), 0)
            self.assertEqual(core.terminate(), 0)

    def test_the_refresh_interval_is_range_checked(self):
        for binary in (RPC_SERVER, BRIDGE):
            for value in ("0s", "1500ms", "25h"):
                done = subprocess.run([binary, f"--tls_refresh_interval={value}"],
                                      capture_output=True, timeout=30)
                self.assertEqual(done.returncode, 2, (binary, value))
                self.assertIn(b"--tls_refresh_interval must be whole seconds from 1s to 24h",
                              done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
