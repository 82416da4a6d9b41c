"""The soak's fault mode (soak.py --faults): two core replicas behind one
bridge, over TLS, and a schedule of faults during the mixed load:

  - replica kill: core B gets SIGKILL and is started again 2 s later;
  - frozen link: the relay in front of core A stops forwarding on its open
    connections for 8 s (fault_relay.py), then lets them go on;
  - certificate rotation: both cores' keys and certificates are replaced by
    new ones (same CA) by rename; the cores read them again within
    --tls_refresh_interval (1 s here), without a restart, and the bridge's new
    connections (after the next kill or frozen link) meet the new ones;
  - flood from one address: 1,000 SQUARES sessions from 127.0.0.2 that send
    the handshake and hold their connection for 8 s.

Core A is never restarted: its memory, descriptors and threads are the ones
sampled, with the bridge's."""

import os
import signal
import socket
import subprocess
import time

from fault_relay import FreezableRelay
from processes import free_port, start_core

FLOOD_CONNECTIONS = 1000
FAULT_SECONDS = 8


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_server_cert(directory, name):
    """`name`.pem/.key for loopback, signed by ca.pem, written beside and renamed in."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", f"{name}.key.new", "-out", f"{name}.csr", cwd=directory)
    with open(os.path.join(directory, f"{name}.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", f"{name}.ext", "-out",
            f"{name}.pem.new", cwd=directory)
    for suffix in ("key", "pem"):
        os.replace(os.path.join(directory, f"{name}.{suffix}.new"),
                   os.path.join(directory, f"{name}.{suffix}"))


class FaultyCluster:
    """Core A (behind a FreezableRelay) and core B over TLS; the bridge's target."""

    def __init__(self, rpc_server, directory):
        self.rpc_server, self.dir = rpc_server, directory
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                "/CN=soak-ca", "-keyout", "ca.key", "-out", "ca.pem", cwd=directory)
        make_server_cert(directory, "a")
        make_server_cert(directory, "b")
        self.core_a = start_core(rpc_server, extra=self._tls("a"))
        self.relay = FreezableRelay(("127.0.0.1", int(self.core_a.addresses[0][1])))
        self.port_b = free_port()
        self.core_b = start_core(rpc_server, port=self.port_b, extra=self._tls("b"))
        self.target = f"ipv4:127.0.0.1:{self.relay.port},127.0.0.1:{self.port_b}"
        self.bridge_flags = [f"--tls_ca={self.path('ca.pem')}", "--tls_server_name=localhost"]
        self.events = []
        self.b_restarts = 0

    def path(self, name):
        return os.path.join(self.dir, name)

    def _tls(self, name):
        return [f"--tls_cert={self.path(name + '.pem')}", f"--tls_key={self.path(name + '.key')}",
                "--tls_refresh_interval=1s"]

    def _restart_b(self, sig, pause):
        self.core_b.terminate(sig)
        time.sleep(pause)
        for _ in range(10):  # the port may still be closing: bounded retries
            try:
                self.core_b = start_core(self.rpc_server, port=self.port_b, extra=self._tls("b"))
                self.b_restarts += 1
                return
            except RuntimeError:
                time.sleep(1)
        raise RuntimeError("core B did not restart")

    def _flood(self, square_port, seconds):
        held = []
        try:
            for _ in range(FLOOD_CONNECTIONS):
                sock = socket.socket()
                sock.settimeout(5)
                sock.bind(("127.0.0.2", 0))
                sock.connect(("127.0.0.1", square_port))
                sock.sendall(b"Hi there!\n")
                held.append(sock)
            time.sleep(seconds)
        except OSError as error:
            self.events.append((time.monotonic(), f"flood stopped early: {error}"))
        finally:
            for sock in held:
                sock.close()
        return len(held)

    def run_faults(self, square_port, until, stop):
        """Runs the schedule in turn until `until` (or `stop` is set)."""
        schedule = ("kill", "freeze", "rotate", "flood")
        step = 0
        time.sleep(20)  # the load first settles
        while time.monotonic() + 2 * FAULT_SECONDS < until and not stop.is_set():
            fault = schedule[step % len(schedule)]
            step += 1
            start = time.monotonic()
            if fault == "kill":
                self._restart_b(signal.SIGKILL, 2)
            elif fault == "freeze":
                self.relay.freeze()
                stop.wait(FAULT_SECONDS)
                self.relay.thaw()
            elif fault == "rotate":
                make_server_cert(self.dir, "a")
                make_server_cert(self.dir, "b")
                stop.wait(2)  # both cores have read the new files
            else:
                held = self._flood(square_port, FAULT_SECONDS)
                fault = f"flood ({held} connections from 127.0.0.2)"
            self.events.append((start, fault))
            print(f"  fault: {fault} ({time.monotonic() - start:.1f}s)", flush=True)
            stop.wait(FAULT_SECONDS)

    def stop(self):
        """Stops B and the relay; returns B's exit code (A is the caller's)."""
        code = self.core_b.terminate()
        self.relay.stop()
        return code

    @property
    def tls_reloads_of_a(self):
        """How often core A logged that it took new TLS files from disk."""
        return self.core_a.stderr_text().count("TLS files changed on disk")
