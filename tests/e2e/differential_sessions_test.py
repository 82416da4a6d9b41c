#!/usr/bin/python3
"""Differential test of the real bridge: random SQUARES sessions, written in
pieces with short gaps by clients with Nagle's algorithm on and off, 1, 4 and
40 at a time, every reply byte compared with an independent model of the spec
(random_sessions.py). Then the same while a replica is killed and while the
core restarts and while replicas join and leave a DNS name: every reply
exact or an ERROR line in its place, never a wrong number.

    tests/e2e/differential_sessions_test.py              # the short run (CTest)
    SOCKRPC_DIFF_SESSIONS=3000 tests/e2e/differential_sessions_test.py
                                                         # a long run
    SOCKRPC_DIFF_SEED=42 ... -k Nagle                    # replay a seed

A failure names the seed, the batch and the session, and the command that
replays that one session alone (SOCKRPC_DIFF_REPLAY=batch/index).

A session whose own writes stalled inside a message for longer than the
bridge's line pause was not written back to back; if it fails it is run again
alone (at most twice) and the re-run decides, as the conformance kit does.
"""

import os
import random
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns_server import DnsServer, free_port_on_all  # noqa: E402
from legacy_client import (CTIME_LINE, ERROR_LINE, LegacyConnection,  # noqa: E402
                           time_line_problem)
from processes import (UNDER_SANITIZER, Process, free_port, require_env, start_bridge,  # noqa: E402
                       start_core)
from random_sessions import (check_model_against_python, make_session,  # noqa: E402
                             run_session)

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
SEED = int(os.environ.get("SOCKRPC_DIFF_SEED") or random.SystemRandom().randrange(1 << 32))
# Sessions per batch of the exact runs; the long run raises it.
SESSIONS = int(os.environ.get("SOCKRPC_DIFF_SESSIONS", "300"))
REPLAY = os.environ.get("SOCKRPC_DIFF_REPLAY", "")  # "batch/index": that session alone
LINE_PAUSE_MS = int(os.environ.get("SOCKRPC_DIFF_LINE_PAUSE_MS", "10"))  # the bridge's --line_pause
MAX_MESSAGE_BYTES = 4096
RERUNS = 2
# A client pause inside a message this long may have been taken for a client
# waiting for its answer (the line pause, with a margin for timer slack).
STALL_MS = LINE_PAUSE_MS * 0.8


def make_batch(name, count, nodelay, max_messages=300):
    """Sessions `name`/0..count-1; nodelay None: each picks at random."""
    sessions = []
    for index in range(count):
        rng = random.Random(f"{SEED}/{name}/{index}")
        choice = rng.random() < 0.5 if nodelay is None else nodelay
        sessions.append(make_session(rng, index, MAX_MESSAGE_BYTES, choice, max_messages))
    if REPLAY:
        batch, _, index = REPLAY.partition("/")
        sessions = [s for s in sessions if batch == name and s.index == int(index)]
    return sessions


def run_time_clients(address, until, replies, problems):
    """TIME clients one after another until `until()`: each reply a ctime line
    taken after the client connected, or an ERROR line (a fault is under way)."""
    for _ in range(100_000):  # bounded; the fault ends long before
        if until():
            return
        try:
            connected_at = time.time()
            with LegacyConnection(address, timeout=20) as t:
                line = t.read_until_close(timeout=20)
            replies.append(line)
            problem = time_line_problem(line, connected_at, errors_allowed=True)
            if problem is not None:
                problems.append(problem)
        except OSError as error:
            problems.append(f"TIME client: {error!r}")


def run_batch(address, name, sessions, concurrency, mode="exact", fault=None, time_address=None):
    """Runs `sessions`, `concurrency` at a time; returns (failures, stats).
    With `fault` (a function run in a thread meanwhile), the sessions are run
    over and over, in order, until the fault is over (at most 50 rounds), and
    with `time_address` two TIME clients connect over and over meanwhile."""
    fault_thread = threading.Thread(target=fault) if fault else None
    limit = len(sessions) * (50 if fault else 1)
    ran = []  # (session, outcome)
    lock = threading.Lock()
    next_index = [0]

    def worker():
        while True:
            with lock:
                index = next_index[0]
                fault_over = fault_thread is not None and not fault_thread.is_alive()
                if index >= limit or (fault_over and index >= len(sessions)):
                    return
                next_index[0] += 1
            session = sessions[index % len(sessions)]
            outcome = run_session(address, session, mode)
            with lock:
                ran.append((session, outcome))

    time_replies, time_problems = [], []
    time_clients = []
    if fault_thread and time_address is not None:
        time_clients = [threading.Thread(target=run_time_clients, args=(
            time_address, lambda: not fault_thread.is_alive(), time_replies, time_problems))
            for _ in range(2)]
    if fault_thread:
        fault_thread.start()
    for thread in time_clients:
        thread.start()
    workers = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if fault_thread:
        fault_thread.join(120)
    for thread in time_clients:
        thread.join(60)
    failures, reruns = [], 0
    for position, (session, outcome) in enumerate(ran):
        for _ in range(RERUNS):
            if not outcome.problem or outcome.stalled_ms < STALL_MS:
                break
            reruns += 1  # not back to back: the re-run alone decides
            outcome = run_session(address, session, mode)
            ran[position] = (session, outcome)
        if outcome.problem:
            failures.append(
                f"seed {SEED}, batch {name}, {session.describe()}\n  {outcome.problem}\n"
                f"  (client stalled {outcome.stalled_ms:.1f} ms inside a message; replay: "
                f"SOCKRPC_DIFF_SEED={SEED} SOCKRPC_DIFF_REPLAY={name}/{session.index})")
    stats = {"sessions": len(ran), "reruns": reruns,
             "messages": sum(len(s.messages) for s, _ in ran),
             "error_lines": sum(o.error_lines for _, o in ran),
             "error_texts": sorted({o.first_error_line for _, o in ran if o.first_error_line}),
             "max_stall_ms": max((o.stalled_ms for _, o in ran), default=0),
             "fault_over": fault_thread is None or not fault_thread.is_alive(),
             "time_lines": sum(1 for line in time_replies if CTIME_LINE.fullmatch(line)),
             "time_errors": sum(1 for line in time_replies if ERROR_LINE.fullmatch(line))}
    failures += [f"seed {SEED}, batch {name}, TIME: {p}" for p in time_problems[:5]]
    return failures, stats


class DifferentialSessionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"differential sessions: seed {SEED} (replay with SOCKRPC_DIFF_SEED={SEED}), "
              f"{SESSIONS} sessions per batch", file=sys.stderr)

    def check_batch(self, address, name, sessions, concurrency, mode="exact", fault=None,
                    time_address=None):
        started = time.monotonic()
        failures, stats = run_batch(address, name, sessions, concurrency, mode, fault,
                                    time_address)
        print(f"  {name}: {stats['sessions'] - len(failures)} of {stats['sessions']} sessions "
              f"right ({stats['messages']} messages, {stats['error_lines']} ERROR lines in "
              f"place of a number, {concurrency} at once, "
              f"{stats['reruns']} re-run alone, longest client stall "
              f"{stats['max_stall_ms']:.1f} ms) in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
        if time_address is not None:
            print(f"    TIME meanwhile: {stats['time_lines']} ctime lines, "
                  f"{stats['time_errors']} ERROR lines", file=sys.stderr)
        for text in stats["error_texts"][:5]:
            print(f"    ERROR line seen: {text!r}", file=sys.stderr)
        self.assertEqual(failures, [], "\n".join(failures[:5]))
        if time_address is not None:
            self.assertGreater(stats["time_lines"], 0, "no TIME client was answered")
        self.assertTrue(stats["fault_over"], "the fault did not end within 120 s")
        return stats

    def test_model_agrees_with_python_int(self):
        check_model_against_python(random.Random(f"{SEED}/model"), 20000)

    def test_random_sessions_are_answered_exactly(self):
        core = start_core(RPC_SERVER)
        bridge = start_bridge(BRIDGE, core.target, extra=[f"--line_pause={LINE_PAUSE_MS}ms"])
        try:
            small = max(1, SESSIONS // 10)
            for name, count, nodelay, concurrency in [
                    ("alone", small, None, 1),
                    ("nagle-4", SESSIONS, False, 4),
                    ("nodelay-4", small, True, 4),
                    ("nagle-40", SESSIONS, False, 40),
                    ("nodelay-40", small, True, 40)]:
                sessions = make_batch(name, count, nodelay)
                if sessions:
                    with self.subTest(batch=name):
                        self.check_batch(bridge.square, name, sessions, concurrency)
            self.assertEqual(bridge.terminate(), 0, bridge.stderr_text()[-3000:])
        finally:
            bridge.terminate()
            core.terminate()

    def test_replica_killed_under_random_sessions(self):
        # Three replicas; one is killed (no FIN on its streams' sessions: the
        # bridge sees the connection drop) and comes back on its port.
        ports = [free_port() for _ in range(3)]
        cores = [start_core(RPC_SERVER, port=port) for port in ports]
        targets = ",".join(core.target for core in cores)
        bridge = start_bridge(BRIDGE, f"ipv4:{targets}", extra=["--deadline=3s", "--core_streams=6"])

        def kill_one_replica():
            time.sleep(1.0)
            cores[2].terminate(signal.SIGKILL)
            time.sleep(1.0)
            cores[2] = start_core(RPC_SERVER, port=ports[2])
            time.sleep(2.0)  # load goes on while the bridge takes the replica back

        try:
            sessions = make_batch("replica-kill", max(40, SESSIONS // 3), None, max_messages=60)
            self.check_batch(bridge.square, "replica-kill", sessions, 8, "exact_or_error",
                             kill_one_replica, time_address=bridge.time)
        finally:
            bridge.terminate()
            for core in cores:
                core.terminate()

    def test_core_restarted_under_random_sessions(self):
        # The only core drains (SIGTERM), stops and starts again on its port:
        # messages sent meanwhile get ERROR lines past --deadline, in their place.
        port = free_port()
        core_flags = ["--shutdown_grace=2s"]
        cores = [start_core(RPC_SERVER, port=port, extra=core_flags)]
        bridge = start_bridge(BRIDGE, f"127.0.0.1:{port}", extra=["--deadline=1s"])

        def restart_the_core():
            time.sleep(1.0)
            cores[0].terminate(signal.SIGTERM)
            time.sleep(0.5)
            cores[0] = start_core(RPC_SERVER, port=port, extra=core_flags)
            time.sleep(3.0)  # load goes on while the bridge reconnects

        try:
            sessions = make_batch("core-restart", max(40, SESSIONS // 3), None, max_messages=60)
            self.check_batch(bridge.square, "core-restart", sessions, 8, "exact_or_error",
                             restart_the_core, time_address=bridge.time)
            # Served again once the core is back.
            after = make_batch("after-restart", 8, None, max_messages=60)
            self.check_batch(bridge.square, "after-restart", after, 8)
        finally:
            bridge.terminate()
            cores[0].terminate()


    def test_dns_scale_up_and_down_under_random_sessions(self):
        # The bridge's target is a DNS name; a third replica joins the name,
        # then the first leaves it and is drained with SIGTERM.
        name, hosts = "core.sockrpc.test", ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        port = free_port_on_all(hosts)
        dns = DnsServer(name, hosts[:2])
        replicas = {}
        bridge = None
        try:
            for host in hosts:
                replicas[host] = Process([RPC_SERVER, f"--listen={host}:{port}",
                                          "--max_connection_age=1s",
                                          "--max_connection_age_grace=3s", "--shutdown_grace=3s"])
            bridge = start_bridge(BRIDGE, f"dns://127.0.0.1:{dns.port}/{name}:{port}",
                                  extra=["--deadline=3s", "--core_stream_max_age=500ms",
                                         "--min_resolution_interval=500ms", "--core_streams=6"])

            def scale_up_then_down():
                time.sleep(1.0)
                dns.set_addresses(hosts)
                time.sleep(2.0)
                dns.set_addresses(hosts[1:])
                time.sleep(2.0)
                replicas[hosts[0]].terminate()
                time.sleep(1.0)

            sessions = make_batch("dns-scale", max(40, SESSIONS // 3), None, max_messages=60)
            self.check_batch(bridge.square, "dns-scale", sessions, 8, "exact_or_error",
                             scale_up_then_down, time_address=bridge.time)
        finally:
            if bridge is not None:
                bridge.terminate()
            for replica in replicas.values():
                replica.terminate()
            dns.close()


if __name__ == "__main__":
    if UNDER_SANITIZER and "SOCKRPC_DIFF_SESSIONS" not in os.environ:
        SESSIONS = 100  # sanitizer builds are slower; the asan preset sets a long run
    unittest.main(verbosity=2)
