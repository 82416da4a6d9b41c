#!/usr/bin/python3
"""Network faults between the bridge and the core, made with real tools: the
core in one network namespace, the bridge in another, joined by a veth pair
whose ends get `tc netem` disciplines. In turn: a delay of 50 ms +- 20 ms,
5 % loss, and a 10 s partition (100 % loss) that then heals. Answers stay
exact, ERROR lines come only past --deadline, and service is back within
seconds of the partition healing.

Needs root and network namespaces; without them it reports itself skipped
(exit 77) and says why. On a kernel without the netem discipline (sch_netem)
the delay and loss phases are left out, saying so, and the partition is made
by taking the veth pair down."""

import atexit
import ctypes
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from link_faults import LegacyLoad, check_answers, served_again_after  # noqa: E402
from processes import BRIDGE_LISTENING, LISTENING, Process, require_env  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
SKIP = 77
DEADLINE = 2.0  # --deadline, seconds
CLONE_NEWNET = 0x40000000
SUFFIX = os.getpid() % 100000
CORE_NS, BRIDGE_NS = f"sockrpc-core-{SUFFIX}", f"sockrpc-bridge-{SUFFIX}"
CORE_DEV, BRIDGE_DEV = f"srcore{SUFFIX}", f"srbridge{SUFFIX}"  # at most 15 characters
CORE_IP, BRIDGE_IP = "10.231.0.1", "10.231.0.2"


def run(*argv, check=True):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise OSError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done


class Network:
    """Two namespaces the test made, joined by a veth pair; removed by close()
    (also at exit)."""

    def __init__(self):
        self.made = []
        atexit.register(self.close)
        for namespace in (CORE_NS, BRIDGE_NS):
            run("ip", "netns", "add", namespace)
            self.made.append(namespace)
        run("ip", "link", "add", CORE_DEV, "type", "veth", "peer", "name", BRIDGE_DEV)
        for namespace, dev, address in ((CORE_NS, CORE_DEV, CORE_IP),
                                        (BRIDGE_NS, BRIDGE_DEV, BRIDGE_IP)):
            run("ip", "link", "set", dev, "netns", namespace)
            run("ip", "-n", namespace, "addr", "add", f"{address}/24", "dev", dev)
            run("ip", "-n", namespace, "link", "set", dev, "up")
            run("ip", "-n", namespace, "link", "set", "lo", "up")

    def netem(self, *spec):
        """Puts netem with `spec` on both ends (each delays its own egress)."""
        for namespace, dev in ((CORE_NS, CORE_DEV), (BRIDGE_NS, BRIDGE_DEV)):
            run("ip", "netns", "exec", namespace, "tc", "qdisc", "replace", "dev", dev, "root",
                "netem", *spec)

    def heal(self):
        for namespace, dev in ((CORE_NS, CORE_DEV), (BRIDGE_NS, BRIDGE_DEV)):
            run("ip", "netns", "exec", namespace, "tc", "qdisc", "del", "dev", dev, "root",
                check=False)

    def set_link(self, state):
        """Takes both ends of the veth pair "down" or "up" (a partition
        without netem: nothing crosses, and no FIN or RST is sent)."""
        for namespace, dev in ((CORE_NS, CORE_DEV), (BRIDGE_NS, BRIDGE_DEV)):
            run("ip", "-n", namespace, "link", "set", dev, state)

    def close(self):
        while self.made:  # the veth pair goes with its namespaces
            run("ip", "netns", "del", self.made.pop(), check=False)


def enter_namespace(path):
    """Moves the calling thread (and the threads it starts later) into the
    network namespace at `path`."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"setns({path}): {os.strerror(errno)}")
    finally:
        os.close(fd)


def skip_unless_possible():
    """Exits 77 with the reason when namespaces cannot be used; returns
    whether the kernel has the netem discipline."""
    if os.geteuid() != 0:
        print("SKIP: network namespaces need root", file=sys.stderr)
        sys.exit(SKIP)
    for tool in ("ip", "tc"):
        if run("sh", "-c", f"command -v {tool}", check=False).returncode != 0:
            print(f"SKIP: {tool} (Debian package iproute2) is not installed", file=sys.stderr)
            sys.exit(SKIP)
    probe = f"sockrpc-probe-{SUFFIX}"
    try:
        run("ip", "netns", "add", probe)
    except OSError as error:
        print(f"SKIP: cannot make a network namespace: {error}", file=sys.stderr)
        sys.exit(SKIP)
    try:
        run("ip", "-n", probe, "link", "set", "lo", "up")
        run("ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
            "delay", "1ms")
    except OSError as error:
        print(f"the kernel has no netem discipline (sch_netem): {error}; the delay and loss "
              "phases are left out, the partition takes the veth pair down", file=sys.stderr)
        return False
    finally:
        run("ip", "netns", "del", probe, check=False)
    return True


HAS_NETEM = True


class NetemTest(unittest.TestCase):
    def test_delay_loss_and_partition(self):
        network = Network()
        root = os.open("/proc/self/ns/net", os.O_RDONLY)
        core = bridge = load = None
        try:
            core = Process(["ip", "netns", "exec", CORE_NS, RPC_SERVER, f"--listen={CORE_IP}:0"],
                           ready_pattern=LISTENING)
            bridge = Process(["ip", "netns", "exec", BRIDGE_NS, BRIDGE,
                              "--time_listen=127.0.0.1:0", "--square_listen=127.0.0.1:0",
                              f"--target={core.target}", f"--deadline={DEADLINE}s"],
                             ready_pattern=BRIDGE_LISTENING)
            time_address, square_address = bridge.addresses[0]
            # The clients connect to the bridge's loopback, in its namespace.
            enter_namespace(f"/run/netns/{BRIDGE_NS}")
            load = LegacyLoad(square_address, time_address, squares=4, pause=0.05)
            phases = []

            def phase(name, seconds):
                start = time.monotonic()
                time.sleep(seconds)
                phases.append((name, start, time.monotonic()))

            phase("clear", 2)
            if HAS_NETEM:
                network.netem("delay", "50ms", "20ms")
                phase("delay 50ms +- 20ms", 8)
                network.netem("loss", "5%")
                phase("5% loss", 8)
                network.netem("loss", "100%")
                phase("partition", 10)
                network.heal()
            else:
                network.set_link("down")
                phase("partition", 10)
                network.set_link("up")
            healed_at = time.monotonic()
            phase("healed", 6)
            load.stop()
            answers = load.snapshot()

            check_answers(self, answers, DEADLINE, "netem")
            for name, start, end in phases:
                within = [a for a in answers if start <= a.sent < end]
                ok = sum(a.kind == "ok" for a in within)
                errors = sum(a.kind == "error" for a in within)
                print(f"{name}: {ok} answered, {errors} ERROR", file=sys.stderr)
                if name != "partition":
                    for protocol in ("SQUARES", "TIME"):
                        self.assertTrue(any(a.kind == "ok" and a.protocol == protocol
                                            for a in within), f"{name}: no {protocol} answer")
            for protocol in ("SQUARES", "TIME"):
                again = served_again_after(answers, healed_at, protocol)
                self.assertIsNotNone(again, f"{protocol} not served after healing")
                print(f"{protocol} served again {again:.2f}s after healing", file=sys.stderr)
                self.assertLess(again, 5, protocol)
        finally:
            if load is not None:
                load.stop()
            enter_namespace(f"/proc/self/fd/{root}")
            os.close(root)
            for process in (bridge, core):
                if process is not None:
                    process.terminate()
            network.close()


if __name__ == "__main__":
    HAS_NETEM = skip_unless_possible()
    unittest.main()
