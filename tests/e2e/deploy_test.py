#!/usr/bin/python3
"""What can be validated of deploy/ here: the systemd units with
`systemd-analyze verify` (pointed at the built binaries), and the Kubernetes
manifests as YAML with the fields the design relies on."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import require_env  # noqa: E402

DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy")
BINARIES = {"rpc_server": require_env("RPC_SERVER"), "legacy_bridge": require_env("LEGACY_BRIDGE")}


class DeployTest(unittest.TestCase):
    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_systemd_units_verify(self):
        with tempfile.TemporaryDirectory() as tmp:
            for unit in ("sockrpc-core.service", "sockrpc-bridge.service"):
                text = open(os.path.join(DEPLOY, "systemd", unit)).read()
                for name, path in BINARIES.items():
                    text = text.replace(f"/usr/bin/{name}", path)
                with open(os.path.join(tmp, unit), "w") as f:
                    f.write(text)
            done = subprocess.run(["systemd-analyze", "verify", *[
                os.path.join(tmp, u) for u in ("sockrpc-core.service", "sockrpc-bridge.service")]],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertNotIn("sockrpc-", done.stderr)

    def test_systemd_units_notify_and_take_flags_from_etc_default(self):
        for unit, variable in (("sockrpc-core", "SOCKRPC_CORE_FLAGS"),
                               ("sockrpc-bridge", "SOCKRPC_BRIDGE_FLAGS")):
            with self.subTest(unit=unit):
                with open(os.path.join(DEPLOY, "systemd", f"{unit}.service")) as f:
                    lines = f.read().splitlines()
                for line in ("Type=notify", "RestartPreventExitStatus=2",
                             f"EnvironmentFile=-/etc/default/{unit}"):
                    self.assertIn(line, lines)
                self.assertTrue(any(line.startswith("ExecStart=") and line.endswith(f" ${variable}")
                                    for line in lines))
                # The example file spells out the unit's defaults.
                default = next(line for line in lines if line.startswith(f'Environment="{variable}='))
                with open(os.path.join(DEPLOY, "systemd", f"{unit}.default")) as f:
                    example = [line for line in f.read().splitlines() if line.startswith(variable)]
                self.assertEqual(example, [default[len('Environment="'):-1].replace("=", '="', 1) + '"'])

    def manifests(self, name):
        with open(os.path.join(DEPLOY, "kubernetes", name)) as f:
            return {doc["kind"]: doc for doc in yaml.safe_load_all(f)}

    def test_core_has_grpc_probes_a_headless_service_and_a_budget(self):
        docs = self.manifests("core.yaml")
        pod = docs["Deployment"]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        self.assertIn("grpc", container["readinessProbe"])
        self.assertIn("grpc", container["livenessProbe"])
        self.assertIn("requests", container["resources"])
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertEqual(docs["Service"]["spec"]["clusterIP"], "None")
        self.assertIn("minAvailable", docs["PodDisruptionBudget"]["spec"])

    def test_bridge_exposes_the_legacy_ports_and_targets_the_headless_service(self):
        docs = self.manifests("bridge.yaml")
        container = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
        self.assertIn("--target=dns:///sockrpc-core:50051", container["args"])
        ports = {p["port"] for p in docs["Service"]["spec"]["ports"]}
        self.assertEqual(ports, {9999, 50007})
        self.assertIn("PodDisruptionBudget", docs)


if __name__ == "__main__":
    unittest.main(verbosity=2)
