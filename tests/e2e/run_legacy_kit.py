#!/usr/bin/python3
"""Runs the shared conformance kit (../shared/conformance/legacy_kit.py)
against the real legacy_bridge in front of the real rpc_server: every case
once, then every case as 200 simultaneous sessions.

The kit lives outside this repository; where it is absent this test reports
itself skipped (exit 77) and the project's own tests still cover the
protocols (bridge_e2e_test.py)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import require_env, start_bridge, start_core  # noqa: E402

SKIPPED = 77


def find_kit():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("LEGACY_KIT", ""),
                  os.path.join(here, "..", "..", "..", "shared", "conformance", "legacy_kit.py")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def main():
    kit = find_kit()
    if kit is None:
        print("legacy_kit.py not found (set LEGACY_KIT or check out ../shared): skipped")
        return SKIPPED
    rpc_server = require_env("RPC_SERVER")
    bridge_binary = require_env("LEGACY_BRIDGE")
    env = {"TZ": "UTC"}  # the kit compares the TIME line with its own clock in TZ
    # Sanitizer builds run several times slower: fewer simultaneous sessions
    # and a longer deadline there, the full 200 on the default build.
    sanitizer = os.environ.get("SOCKRPC_SANITIZER")
    concurrency = "20" if sanitizer else "200"
    core = start_core(rpc_server, env=env)
    bridge = start_bridge(bridge_binary, core.target, env=env,
                          extra=["--deadline=20s"] if sanitizer else [])
    failed = False
    try:
        time_address = "%s:%d" % bridge.time
        square_address = "%s:%d" % bridge.square
        for extra in ([], ["--concurrency", concurrency]):
            argv = [sys.executable, kit, "check", "--time", time_address,
                    "--square", square_address, *extra]
            print("$", " ".join(argv), flush=True)
            done = subprocess.run(argv, env={**os.environ, **env}, timeout=1500)
            failed = failed or done.returncode != 0
    finally:
        bridge_code = bridge.terminate()
        core.terminate()
    if bridge_code != 0:
        print(f"legacy_bridge exited with {bridge_code}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
