#!/usr/bin/python3
"""`cmake --install` into a temporary prefix: every file an operator or a C++
user needs is there, the installed units name the installed paths, and a
tiny project (consumer/) finds the package with find_package(sockrpc),
builds against the install tree and calls Square on the installed
rpc_server."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from processes import Process  # noqa: E402

BUILD_DIR = os.environ["SOCKRPC_BUILD_DIR"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
VERSION = os.environ["SOCKRPC_VERSION"]


def run(argv, **kwargs):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)
    if done.returncode != 0:
        raise AssertionError(f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.prefix = os.path.join(cls._tmp.name, "prefix")
        env = {k: v for k, v in os.environ.items() if k != "DESTDIR"}
        run([CMAKE, "--install", BUILD_DIR, "--prefix", cls.prefix], env=env)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def test_installs_binaries_units_defaults_protos_and_the_package(self):
        expected = [
            "bin/rpc_server", "bin/legacy_bridge", "bin/sockrpc_client",
            "lib/systemd/system/sockrpc-core.service", "lib/systemd/system/sockrpc-bridge.service",
            "etc/default/sockrpc-core", "etc/default/sockrpc-bridge",
            "share/sockrpc/proto/sockrpc/square/v1/square_service.proto",
            "share/sockrpc/proto/sockrpc/time/v1/time_service.proto",
            "include/sockrpc/square/v1/square_service.pb.h",
            "include/sockrpc/square/v1/square_service.grpc.pb.h",
            "include/sockrpc/time/v1/time_service.grpc.pb.h",
            "lib/libsockrpc_proto.a",
            "lib/cmake/sockrpc/sockrpcConfig.cmake",
            "lib/cmake/sockrpc/sockrpcConfigVersion.cmake",
            "lib/cmake/sockrpc/sockrpcTargets.cmake",
            "share/doc/sockrpc/copyright",
        ]
        if shutil.which("help2man"):
            expected += [f"share/man/man1/{b}.1.gz"
                         for b in ("rpc_server", "legacy_bridge", "sockrpc_client")]
        for relative in expected:
            with self.subTest(file=relative):
                self.assertTrue(os.path.isfile(self.path(relative)), relative)
        for binary in ("rpc_server", "legacy_bridge", "sockrpc_client"):
            with self.subTest(binary=binary):
                self.assertTrue(os.access(self.path("bin", binary), os.X_OK))
                done = run([self.path("bin", binary), "--version"])
                self.assertTrue(done.stdout.startswith(f"{binary} (sockrpc) {VERSION}\n"))

    def test_units_name_the_installed_binaries_and_defaults(self):
        for unit, binary, default in (("sockrpc-core", "rpc_server", "SOCKRPC_CORE_FLAGS"),
                                      ("sockrpc-bridge", "legacy_bridge", "SOCKRPC_BRIDGE_FLAGS")):
            with open(self.path("lib/systemd/system", f"{unit}.service")) as f:
                text = f.read()
            self.assertIn(f"ExecStart={self.path('bin', binary)} ${default}\n", text)
            self.assertIn(f"EnvironmentFile=-{self.path('etc/default', unit)}\n", text)
            self.assertIn("Type=notify\n", text)
            self.assertIn("RestartPreventExitStatus=2\n", text)
        if shutil.which("systemd-analyze"):
            units = [self.path("lib/systemd/system", f"sockrpc-{u}.service")
                     for u in ("core", "bridge")]
            done = subprocess.run(["systemd-analyze", "verify", *units],
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertNotIn("sockrpc-", done.stderr)

    def test_a_find_package_project_calls_the_installed_core(self):
        source = os.path.join(HERE, "consumer")
        build = os.path.join(self._tmp.name, "consumer-build")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        run([CMAKE, "-S", source, "-B", build, *generator,
             f"-DCMAKE_PREFIX_PATH={self.prefix}", "-DCMAKE_BUILD_TYPE=Release"])
        run([CMAKE, "--build", build])
        number = 123456789012345678901234567890
        with Process([self.path("bin", "rpc_server"), "--listen=127.0.0.1:0"]) as core:
            done = run([os.path.join(build, "square_once"), core.target, str(number)])
            self.assertEqual(done.stdout, f"{number * number}\n")
            self.assertEqual(core.terminate(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
