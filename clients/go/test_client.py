#!/usr/bin/python3
"""End-to-end test of the Go client (clients/go) against the real rpc_server.

    RPC_SERVER=build/default/rpc_server/rpc_server /usr/bin/python3 clients/go/test_client.py

GO_CLIENT is the built client; unset, the client is built with
clients/go/build.sh into a temporary directory. The checks are the ones every
client passes (clients/client_checks.py).
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import client_checks  # noqa: E402

BUILD_TIMEOUT = 900  # seconds build.sh may take


def main():
    tempdir = tempfile.mkdtemp(prefix="sockrpc-go-test-")

    def client_command():
        built = os.environ.get("GO_CLIENT")
        if built:
            return [os.path.abspath(built)]
        out_dir = os.path.join(tempdir, "go-client")
        print(f"building the Go client into {out_dir} (clients/go/build.sh)", flush=True)
        subprocess.run([os.path.join(HERE, "build.sh"), out_dir], check=True,
                       timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
        return [os.path.join(out_dir, "sockrpc-go")]

    try:
        return client_checks.run(client_command)
    finally:
        shutil.rmtree(tempdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
