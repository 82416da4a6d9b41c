#!/usr/bin/python3
"""The Node client as `npm pack` packages it, then the checks every client
passes (clients/client_checks.py) against the real rpc_server.

    (cd clients/node && npm install --no-save)   # scripts/setup.sh does it
    RPC_SERVER=build/default/rpc_server/rpc_server /usr/bin/python3 clients/node/test_client.py

A copy of clients/node (with proto/ beside it, as in the project) is packed
with `npm pack`, whose prepack script copies the .proto files into the
package; the tarball is unpacked outside the project and its sockrpc.js run
from there, so the client finds its protos inside the package. The test runs
offline: `npm install --offline` of a tarball needs the registry's metadata,
which npm's cache does not hold, so the dependencies come from
clients/node/node_modules through NODE_PATH (NODE names another node binary).
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import client_checks  # noqa: E402

PACK_TIMEOUT = 120  # seconds npm pack may take


def pack_and_unpack(tmp):
    node = os.environ.get("NODE") or shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        raise RuntimeError("no node or npm on PATH (apt-get install nodejs npm); or set NODE")
    node_modules = os.path.join(HERE, "node_modules")
    for package in ("@grpc/grpc-js", "@grpc/proto-loader"):
        if not os.path.isdir(os.path.join(node_modules, package)):
            raise RuntimeError(f"{package} is not installed: run `npm install --no-save` in {HERE}")
    work = os.path.join(tmp, "project", "clients", "node")
    os.makedirs(work)
    for name in ("package.json", "sockrpc.js", "README.md"):
        shutil.copy(os.path.join(HERE, name), work)
    shutil.copytree(os.path.join(PROJECT, "proto", "sockrpc"),
                    os.path.join(tmp, "project", "proto", "sockrpc"))
    out = os.path.join(tmp, "packed")
    os.makedirs(out)
    subprocess.run([npm, "pack", "--silent", "--pack-destination", out], cwd=work, check=True,
                   timeout=PACK_TIMEOUT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    [tarball] = os.listdir(out)
    unpacked = os.path.join(tmp, "unpacked")
    with tarfile.open(os.path.join(out, tarball)) as archive:
        archive.extractall(unpacked)
    package = os.path.join(unpacked, "package")
    for proto in ("sockrpc/time/v1/time_service.proto", "sockrpc/square/v1/square_service.proto"):
        if not os.path.isfile(os.path.join(package, "proto", proto)):
            raise RuntimeError(f"{tarball} has no proto/{proto}")
    print(f"packed {tarball}, running it from {package}", flush=True)
    return ["env", f"NODE_PATH={node_modules}", node, os.path.join(package, "sockrpc.js")]


def main():
    with tempfile.TemporaryDirectory(prefix="sockrpc-node-test-") as tmp:
        return client_checks.run(lambda: pack_and_unpack(tmp))


if __name__ == "__main__":
    sys.exit(main())
