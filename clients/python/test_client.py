#!/usr/bin/python3
"""The Python client installed as a user installs it, then the checks every
client passes (clients/client_checks.py) against the real rpc_server.

    RPC_SERVER=build/default/rpc_server/rpc_server /usr/bin/python3 clients/python/test_client.py

A copy of clients/python is pip-installed, offline (--no-index,
--no-build-isolation), into a fresh venv made by Debian's Python with
--system-site-packages (so it sees python3-grpcio); setup.py generates the
modules from proto/ during the install. The checks then run the venv's
`sockrpc-client` console script.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import client_checks  # noqa: E402

PYTHON = "/usr/bin/python3"
STEP_TIMEOUT = 300  # seconds the venv creation or the install may take


def install(tmp):
    """Installs a copy of the package into tmp/venv; returns the console script."""
    source = os.path.join(tmp, "sockrpc-client")
    shutil.copytree(HERE, source, ignore=shutil.ignore_patterns(
        "build", "gen", "*.egg-info", "__pycache__", "test_client.py"))
    venv = os.path.join(tmp, "venv")
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", venv], check=True,
                   timeout=STEP_TIMEOUT, stdin=subprocess.DEVNULL)
    print(f"pip install {source} into {venv}", flush=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--no-cache-dir",
                    "--no-index", "--no-build-isolation", source], check=True, timeout=STEP_TIMEOUT,
                   stdin=subprocess.DEVNULL, cwd=tmp,
                   env={**os.environ, "SOCKRPC_PROTO_ROOT": os.path.join(PROJECT, "proto")})
    script = os.path.join(venv, "bin", "sockrpc-client")
    if not os.access(script, os.X_OK):
        raise RuntimeError(f"pip install made no console script {script}")
    return [script]


def main():
    with tempfile.TemporaryDirectory(prefix="sockrpc-py-test-") as tmp:
        return client_checks.run(lambda: install(tmp))


if __name__ == "__main__":
    sys.exit(main())
