"""Build hook of the sockrpc-client package (the metadata is in pyproject.toml).

build_py also generates the message and stub modules of ../../proto (or
$SOCKRPC_PROTO_ROOT) into the build tree, as the regular package `sockrpc`,
with protoc (PROTOC, default protoc) and gRPC's Python plugin
(GRPC_PYTHON_PLUGIN, default /usr/bin/grpc_python_plugin). Generated code is
never written beside the sources.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOS = ["sockrpc/time/v1/time_service.proto", "sockrpc/square/v1/square_service.proto"]
PACKAGES = ["sockrpc", "sockrpc/time", "sockrpc/time/v1", "sockrpc/square", "sockrpc/square/v1"]


class BuildPyWithProtos(build_py):
    def run(self):
        super().run()
        proto_root = os.environ.get("SOCKRPC_PROTO_ROOT") or os.path.join(HERE, "..", "..", "proto")
        protoc = os.environ.get("PROTOC") or shutil.which("protoc")
        plugin = os.environ.get("GRPC_PYTHON_PLUGIN") or "/usr/bin/grpc_python_plugin"
        if not all(os.path.isfile(os.path.join(proto_root, p)) for p in PROTOS):
            raise SystemExit(f"setup.py: the sockrpc protos are not in {proto_root}: build from "
                             "the project's clients/python, or set SOCKRPC_PROTO_ROOT")
        if not protoc or not os.access(plugin, os.X_OK):
            raise SystemExit("setup.py: protoc or grpc_python_plugin missing "
                             "(apt-get install protobuf-compiler-grpc libprotobuf-dev)")
        subprocess.run([protoc, f"--proto_path={proto_root}", f"--python_out={self.build_lib}",
                        f"--grpc_python_out={self.build_lib}",
                        f"--plugin=protoc-gen-grpc_python={plugin}", *PROTOS], check=True)
        # Regular packages, so no other "sockrpc" on sys.path merges with them.
        for package in PACKAGES:
            open(os.path.join(self.build_lib, package, "__init__.py"), "a").close()


setup(cmdclass={"build_py": BuildPyWithProtos})
