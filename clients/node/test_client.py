#!/usr/bin/python3
"""End-to-end test of the Node client (clients/node) against the real rpc_server.

    (cd clients/node && npm install --no-save)
    RPC_SERVER=build/default/rpc_server/rpc_server /usr/bin/python3 clients/node/test_client.py

The client runs as `node clients/node/sockrpc.js` (NODE names another node
binary); its npm packages must be installed in clients/node/node_modules.
The checks are the ones every client passes (clients/client_checks.py).
"""

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import client_checks  # noqa: E402


def client_command():
    node = os.environ.get("NODE") or shutil.which("node")
    if not node:
        raise RuntimeError("no node on PATH (apt-get install nodejs npm); or set NODE")
    for package in ("@grpc/grpc-js", "@grpc/proto-loader"):
        if not os.path.isdir(os.path.join(HERE, "node_modules", package)):
            raise RuntimeError(f"{package} is not installed: run `npm install --no-save` in {HERE}")
    return [node, os.path.join(HERE, "sockrpc.js")]


if __name__ == "__main__":
    sys.exit(client_checks.run(client_command))
