#!/usr/bin/python3
"""Soak: rpc_server and legacy_bridge under mixed load for a while (default
10 minutes), sampling each process's memory, file descriptors and threads.
Not a CI test: run it by hand (scripts/soak.sh) and read the summary.

Load, all on loopback, every loop bounded by the duration:
  SQUARES original-style clients (no newlines, lockstep), line clients
  (pipelined lines, some invalid, some big), TIME clients (connect, read,
  close), short-lived SQUARES sessions, and gRPC unary and streaming calls.

With --faults, two core replicas over TLS and a schedule of faults during the
load (faults.py): replica kills, a frozen link, certificate rotation, a flood
from one address. ERROR lines are then allowed; a wrong answer never is.
"""

import argparse
import importlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from legacy_client import GREETING, LegacyConnection  # noqa: E402
from processes import start_bridge, start_core  # noqa: E402
from faults import FaultyCluster  # noqa: E402

sys.set_int_max_str_digits(0)


def sample(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "Threads"):
                values[key] = int(rest.split()[0])
    values["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return values


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.error_lines = 0
        self.wrong = []
        self.tolerate_errors = False  # --faults: an ERROR line may stand for an answer

    def add(self, n=1):
        with self.lock:
            self.ops += n

    def fail(self, what):
        with self.lock:
            self.wrong.append(what)

    def check_answer(self, c, expected, what):
        """Reads `expected`; with faults, an ERROR line instead is counted, not wrong."""
        head = c.read_exact(1)
        if self.tolerate_errors and head == b"E":
            line = head + c.read_line()
            if line.startswith(b"ERROR ") and line.endswith(b"\n"):
                with self.lock:
                    self.error_lines += 1
                return
            self.fail(f"{what}: {line[:60]!r}")
            return
        if head + c.read_exact(len(expected) - 1) != expected:
            self.fail(what)


def original_client(bridge, until, counters):
    rng = random.Random()
    while time.monotonic() < until:
        with LegacyConnection(bridge.square, nodelay=False) as c:
            c.send(b"Hi there!")
            if c.read_exact(len(GREETING)) != GREETING:
                counters.fail("greeting")
            for _ in range(1000):
                if time.monotonic() >= until:
                    break
                n = rng.randrange(-10**12, 10**12)
                c.send(str(n).encode())
                counters.check_answer(c, str(n * n).encode(), f"square of {n}")
                counters.add()


def line_client(bridge, until, counters):
    rng = random.Random()
    while time.monotonic() < until:
        with LegacyConnection(bridge.square) as c:
            c.send(b"Hi there!\n")
            c.read_exact(len(GREETING))
            for _ in range(100):
                if time.monotonic() >= until:
                    break
                numbers = [rng.randrange(10**(rng.randrange(1, 400))) for _ in range(20)]
                c.send(b"".join(b"%d\nnot a number\n" % n for n in numbers))
                for n in numbers:
                    counters.check_answer(c, str(n * n).encode(), f"square of {n}")
                    if not c.read_line().startswith(b"ERROR "):
                        counters.fail("error line")
                counters.add(len(numbers))


def time_client(bridge, until, counters):
    while time.monotonic() < until:
        with LegacyConnection(bridge.time) as c:
            line = c.read_until_close()
            if counters.tolerate_errors and line.startswith(b"ERROR ") and line.endswith(b"\n"):
                with counters.lock:
                    counters.error_lines += 1
            elif len(line) != 25:
                counters.fail("time line")
        counters.add()


def grpc_client(core, until, counters, modules, ca=None):
    import grpc
    pb, pb_grpc = modules
    if ca:
        with open(ca, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        channel = grpc.secure_channel(f"localhost:{core.addresses[0][1]}", credentials)
    else:
        channel = grpc.insecure_channel(core.target)
    with channel:
        stub = pb_grpc.SquareServiceStub(channel)
        while time.monotonic() < until:
            if stub.Square(pb.SquareRequest(value=12), timeout=10).square != "144":
                counters.fail("unary")
            requests = (pb.SquareStreamRequest(sequence=i, value=i) for i in range(200))
            for i, response in enumerate(stub.SquareStream(requests, timeout=30)):
                if response.square != str(i * i):
                    counters.fail("stream")
            counters.add(201)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10, help="how long the load runs")
    parser.add_argument("--faults", action="store_true",
                        help="two replicas over TLS, with kills, a frozen link, certificate "
                             "rotation and a flood from one address during the load")
    parser.add_argument("--rpc-server", required=True)
    parser.add_argument("--bridge", required=True)
    parser.add_argument("--sample-seconds", type=float, default=10)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    proto = os.path.join(HERE, "..", "..", "proto")
    subprocess.run(["protoc", f"-I{proto}", "-I/usr/include", f"--python_out={tmp.name}",
                    f"--grpc_python_out={tmp.name}",
                    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                    "sockrpc/square/v1/square_service.proto"], check=True)
    sys.path.insert(0, tmp.name)
    modules = (importlib.import_module("sockrpc.square.v1.square_service_pb2"),
               importlib.import_module("sockrpc.square.v1.square_service_pb2_grpc"))

    # The flood holds a thousand sockets besides the load's.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counters = Counters()
    cluster = ca = None
    if args.faults:
        counters.tolerate_errors = True
        cluster = FaultyCluster(args.rpc_server, tmp.name)
        core, ca = cluster.core_a, cluster.path("ca.pem")
        bridge = start_bridge(args.bridge, cluster.target, extra=cluster.bridge_flags)
    else:
        core = start_core(args.rpc_server)
        bridge = start_bridge(args.bridge, core.target)
    until = time.monotonic() + args.minutes * 60
    workers = ([threading.Thread(target=original_client, args=(bridge, until, counters))
                for _ in range(4)] +
               [threading.Thread(target=line_client, args=(bridge, until, counters))
                for _ in range(2)] +
               [threading.Thread(target=time_client, args=(bridge, until, counters))
                for _ in range(2)] +
               [threading.Thread(target=grpc_client, args=(core, until, counters, modules, ca))
                for _ in range(2)])
    stop_faults = threading.Event()
    if cluster:
        workers.append(threading.Thread(target=cluster.run_faults,
                                        args=(int(bridge.square[1]), until, stop_faults)))
    for w in workers:
        w.start()
    samples = []
    started = time.monotonic()
    try:
        while time.monotonic() < until:
            time.sleep(min(args.sample_seconds, max(0.0, until - time.monotonic())))
            row = (time.monotonic() - started, sample(bridge.proc.pid), sample(core.proc.pid),
                   counters.ops)
            samples.append(row)
            print("%6.0fs  bridge rss %6d KiB fds %5d threads %3d | core rss %6d KiB fds %5d "
                  "threads %3d | ops %d" % (row[0], row[1]["VmRSS"], row[1]["fds"],
                                            row[1]["Threads"], row[2]["VmRSS"], row[2]["fds"],
                                            row[2]["Threads"], row[3]), flush=True)
        for w in workers:
            w.join(timeout=60)
    finally:
        stop_faults.set()
        bridge_code = bridge.terminate()
        core_code = core.terminate()
        b_code = cluster.stop() if cluster else 0
        tmp.cleanup()
    # Growth from the end of the first minute (warm-up) to the end.
    warm = next((s for s in samples if s[0] >= 60), samples[0])
    last = samples[-1]
    print("\nsummary over %.1f minutes, %d operations, %d wrong answers, %d ERROR lines" %
          (last[0] / 60, last[3], len(counters.wrong), counters.error_lines))
    if cluster:
        print("  faults: %s; core B restarted %d times, exited %d; core A read new TLS "
              "files %d times" % (
                  ", ".join(name for _, name in cluster.events) or "none", cluster.b_restarts,
                  b_code, cluster.tls_reloads_of_a))
    for name, index in (("bridge", 1), ("core A" if cluster else "core", 2)):
        print("  %-6s rss %+d KiB, fds %+d, threads %+d (after warm-up)" % (
            name, last[index]["VmRSS"] - warm[index]["VmRSS"],
            last[index]["fds"] - warm[index]["fds"],
            last[index]["Threads"] - warm[index]["Threads"]))
    print("  exit codes: bridge %d, core %d" % (bridge_code, core_code))
    if counters.wrong:
        print("  first wrong answers:", counters.wrong[:5])
    passed = not counters.wrong and bridge_code == 0 and core_code == 0 and b_code == 0
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
