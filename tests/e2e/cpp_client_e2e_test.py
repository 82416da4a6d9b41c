#!/usr/bin/python3
"""clients/cpp's sockrpc_client (CPP_CLIENT) against the real rpc_server
(RPC_SERVER): the checks every client passes, in clients/client_checks.py."""

import os
import sys

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(PROJECT, "clients"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import client_checks  # noqa: E402
from processes import require_env  # noqa: E402

if __name__ == "__main__":
    client = require_env("CPP_CLIENT")
    sys.exit(client_checks.run(lambda: [client]))
