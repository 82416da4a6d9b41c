#!/usr/bin/python3
"""Which build is running: --version on every binary (exit 0), the version in
the start-up lines, and the sockrpc_build_info gauge on both /metrics."""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import require_env, sample, scrape, start_bridge, start_core  # noqa: E402

BINARIES = {
    "rpc_server": require_env("RPC_SERVER"),
    "legacy_bridge": require_env("LEGACY_BRIDGE"),
    "sockrpc_client": require_env("CPP_CLIENT"),
}
VERSION = re.compile(r"^(\S+) \(sockrpc\) (\d+\.\d+\.\d+)\nrevision (\S+)\n$")
# The CMake project(VERSION) this build is from.
PROJECT_VERSION = os.environ.get("SOCKRPC_VERSION", "")


def version_of(binary):
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    return done


class BuildInfoTest(unittest.TestCase):
    def test_version_flag_prints_version_and_revision_and_exits_0(self):
        for name, path in BINARIES.items():
            with self.subTest(binary=name):
                done = version_of(path)
                self.assertEqual(done.returncode, 0, done.stderr)
                found = VERSION.match(done.stdout)
                self.assertIsNotNone(found, done.stdout)
                self.assertEqual(found.group(1), name)
                self.assertEqual(found.group(2), PROJECT_VERSION)

    def test_start_up_lines_and_metrics_name_the_build(self):
        revision = VERSION.match(version_of(BINARIES["rpc_server"]).stdout).group(3)
        described = f"sockrpc {PROJECT_VERSION} (revision {revision})"
        with start_core(BINARIES["rpc_server"], extra=["--admin_listen=127.0.0.1:0"]) as core:
            core.wait_for_line(re.escape(described) + r" listening on 127\.0\.0\.1:\d+")
            with start_bridge(BINARIES["legacy_bridge"], "127.0.0.1:1",
                              extra=["--admin_listen=127.0.0.1:0"]) as bridge:
                bridge.wait_for_line(re.escape(described) + ": TIME listening on")
                for process in (core, bridge):
                    self.assertEqual(sample(scrape(process), "sockrpc_build_info",
                                            version=PROJECT_VERSION, revision=revision), 1)
                self.assertEqual(bridge.terminate(), 0)
            self.assertEqual(core.terminate(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
