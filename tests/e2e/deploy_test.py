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

    def assert_probes_and_drain(self, pod):
        """/readyz and /healthz on the admin port, and a termination grace
        period that covers the preStop sleep, --drain_delay and --shutdown_grace."""
        container = pod["containers"][0]
        self.assertEqual(container["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "metrics"})
        self.assertEqual(container["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "metrics"})
        flags = dict(a[2:].split("=", 1) for a in container["args"] if a.startswith("--"))
        seconds = {k: int(flags[k].rstrip("s")) for k in ("drain_delay", "shutdown_grace")}
        self.assertGreaterEqual(seconds["drain_delay"], 2)
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(command[0], "sleep")
        pre_stop = int(command[1])
        self.assertGreater(pod["terminationGracePeriodSeconds"],
                           pre_stop + seconds["drain_delay"] + seconds["shutdown_grace"])
        return flags

    def test_core_has_probes_a_headless_service_and_a_budget(self):
        docs = self.manifests("core.yaml")
        pod = docs["Deployment"]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        flags = self.assert_probes_and_drain(pod)
        # Connections close within a minute, so that bridges find new replicas.
        self.assertLessEqual(int(flags["max_connection_age"].rstrip("s")), 30)
        self.assertIn("requests", container["resources"])
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertEqual(docs["Service"]["spec"]["clusterIP"], "None")
        self.assertIn("minAvailable", docs["PodDisruptionBudget"]["spec"])

    def test_bridge_exposes_the_legacy_ports_and_targets_the_headless_service(self):
        docs = self.manifests("bridge.yaml")
        pod = docs["Deployment"]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        self.assert_probes_and_drain(pod)
        self.assertIn("--target=dns:///sockrpc-core:50051", container["args"])
        ports = {p["port"] for p in docs["Service"]["spec"]["ports"]}
        self.assertEqual(ports, {9999, 50007})
        self.assertIn("PodDisruptionBudget", docs)

    def test_sidecar_pod_runs_bridge_and_core_over_a_shared_unix_socket(self):
        with open(os.path.join(DEPLOY, "kubernetes", "sidecar", "sockrpc.yaml")) as f:
            docs = {doc["kind"]: doc for doc in yaml.safe_load_all(f)}
        pod = docs["Deployment"]["spec"]["template"]["spec"]
        bridge_flags = self.assert_probes_and_drain(pod)
        core = pod["initContainers"][0]
        # A native sidecar: started before the bridge, stopped after it.
        self.assertEqual(core["restartPolicy"], "Always")
        core_flags = dict(a[2:].split("=", 1) for a in core["args"] if a.startswith("--"))
        self.assertTrue(core_flags["listen"].startswith("unix:/"))
        self.assertEqual(bridge_flags["target"], core_flags["listen"])
        socket_dir = os.path.dirname(core_flags["listen"][len("unix:"):])
        volume = {v["name"]: v for v in pod["volumes"]}
        for container in (core, pod["containers"][0]):
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            self.assertIn("emptyDir", volume[mounts[socket_dir]])
        # The bridge's drain and then the core's grace fit in the pod's grace period.
        bridge_seconds = sum(int(bridge_flags[k].rstrip("s")) for k in ("drain_delay", "shutdown_grace"))
        self.assertGreater(pod["terminationGracePeriodSeconds"],
                           2 + bridge_seconds + int(core_flags["shutdown_grace"].rstrip("s")))
        self.assertEqual({p["port"] for p in docs["Service"]["spec"]["ports"]}, {9999, 50007})


if __name__ == "__main__":
    unittest.main(verbosity=2)
