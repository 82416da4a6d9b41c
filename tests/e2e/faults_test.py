#!/usr/bin/python3
"""Faults injected from outside: the core killed mid-stream, the bridge
restarted while clients connect, SIGTERM on the core during a stream. No
client ever gets a wrong answer; every message is answered or gets an ERROR."""

import os
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import (BRIDGE_LISTENING, Process, free_port, require_env,  # noqa: E402
                       start_bridge, start_core)

RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
CLIENT = require_env("CPP_CLIENT")
FIRST = 1_000_000  # squares of FIRST..FIRST+9999 all have 13 digits


class FaultsTest(unittest.TestCase):
    def test_core_killed_mid_stream_gives_errors_never_wrong_answers(self):
        port = free_port()
        core = start_core(RPC_SERVER, port=port)
        bridge = start_bridge(BRIDGE, f"127.0.0.1:{port}", extra=["--deadline=2s"])
        try:
            with LegacyConnection(bridge.square, timeout=20) as c:
                c.send(b"Hi there!\n")
                self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                count = 5000
                sender = threading.Thread(target=lambda: c.send(b"".join(
                    b"%d\n" % (FIRST + i) for i in range(count))))
                sender.start()
                answered = errors = 0
                for i in range(count):
                    if i == 200:
                        core.terminate(signal.SIGKILL)
                    head = c.read_exact(1)
                    self.assertTrue(head, f"reply {i} missing")
                    if head == b"E":
                        line = head + c.read_line()
                        self.assertRegex(line, rb"^ERROR [^\n]*\n$")
                        errors += 1
                    else:
                        square = head + c.read_exact(12)
                        self.assertEqual(square, str((FIRST + i) ** 2).encode(), i)
                        answered += 1
                sender.join()
                self.assertGreaterEqual(answered, 200)
                self.assertGreater(errors, 0)
        finally:
            bridge.terminate()
            core.terminate()

    def test_bridge_restart_while_clients_connect(self):
        core = start_core(RPC_SERVER)
        time_port, square_port = free_port(), free_port()
        argv = [BRIDGE, f"--time_listen=127.0.0.1:{time_port}",
                f"--square_listen=127.0.0.1:{square_port}", f"--target={core.target}"]
        outcomes = {"time line": 0, "refused": 0, "other": []}
        stop = threading.Event()

        def client_loop():
            for _ in range(100_000):  # bounded; stopped by the event long before
                if stop.is_set():
                    return
                try:
                    with LegacyConnection(("127.0.0.1", time_port), timeout=5) as c:
                        out = c.read_until_close()
                    if CTIME_LINE.fullmatch(out):
                        outcomes["time line"] += 1
                    elif out == b"":
                        outcomes["refused"] += 1  # accepted while draining, closed cleanly
                    else:
                        outcomes["other"].append(out)
                except ConnectionRefusedError:
                    outcomes["refused"] += 1
                    time.sleep(0.01)
                except OSError as error:
                    outcomes["other"].append(repr(error))

        bridge = Process(argv, ready_pattern=BRIDGE_LISTENING)
        clients = threading.Thread(target=client_loop)
        clients.start()
        try:
            time.sleep(1)
            served_before = outcomes["time line"]
            self.assertEqual(bridge.terminate(signal.SIGTERM), 0, bridge.stderr_text())
            # A client that connected just as the bridge stopped taking new
            # connections retries its SYN a second later: wait (bounded) for
            # one that finds the bridge down.
            deadline = time.monotonic() + 10
            while outcomes["refused"] == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            refused = outcomes["refused"]
            bridge = Process(argv, ready_pattern=BRIDGE_LISTENING)
            time.sleep(1)
            stop.set()
            clients.join(timeout=30)
            self.assertGreater(served_before, 0)
            self.assertGreater(refused, 0, "no client tried while the bridge was down")
            self.assertGreater(outcomes["time line"], served_before, "no service after restart")
            self.assertEqual(outcomes["other"], [])
        finally:
            stop.set()
            bridge.terminate()
            core.terminate()

    def test_sigterm_answers_connections_still_in_the_accept_queue(self):
        # Clients whose handshake the kernel completed but the bridge has not
        # accepted yet (stopped here with SIGSTOP) were already received, and
        # so was what they sent: SIGTERM answers them rather than closing the
        # listener on them, which would reset them.
        core = start_core(RPC_SERVER)
        bridge = start_bridge(BRIDGE, core.target, extra=["--threads=1"])
        time_clients, squares_clients = [], []
        try:
            bridge.proc.send_signal(signal.SIGSTOP)
            for _ in range(400):
                time_clients.append(LegacyConnection(bridge.time, timeout=20))
            for i in range(10):
                client = LegacyConnection(bridge.square, timeout=20)
                client.send(b"Hi there!\n%d\n" % i)  # waits in the kernel, unread
                squares_clients.append(client)
            bridge.proc.send_signal(signal.SIGTERM)
            bridge.proc.send_signal(signal.SIGCONT)
            for i, client in enumerate(time_clients):
                self.assertRegex(client.read_until_close(), CTIME_LINE, f"TIME client {i}")
            for i, client in enumerate(squares_clients):
                # What it had sent is answered, then a clean close (recv
                # raises ConnectionResetError on a reset).
                self.assertEqual(client.read_exact(len(GREETING)), GREETING, f"SQUARES client {i}")
                self.assertEqual(client.read_exact(len(b"%d" % (i * i))), b"%d" % (i * i))
                self.assertEqual(client.sock.recv(64), b"", f"SQUARES client {i}")
            self.assertEqual(bridge.terminate(), 0, bridge.stderr_text())
        finally:
            for client in time_clients + squares_clients:
                client.close()
            bridge.proc.send_signal(signal.SIGCONT)
            bridge.terminate()
            core.terminate()

    def test_sigterm_on_the_core_lets_a_stream_in_flight_finish(self):
        core = start_core(RPC_SERVER, extra=["--shutdown_grace=20s"])
        stream = subprocess.Popen([CLIENT, f"--target={core.target}", "stream"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            for n in range(1, 6):
                stream.stdin.write(b"%d\n" % n)
            stream.stdin.flush()
            self.assertEqual(stream.stdout.readline(), b"1\n")
            core.proc.send_signal(signal.SIGTERM)
            core.wait_for_line("draining")
            for n in range(6, 11):
                stream.stdin.write(b"%d\n" % n)
            stream.stdin.close()
            rest = stream.stdout.read().split()
            self.assertEqual(rest, [b"%d" % (n * n) for n in range(2, 11)])
            self.assertEqual(stream.wait(timeout=30), 0)
            self.assertEqual(core.proc.wait(timeout=30), 0)
        finally:
            stream.kill()
            core.terminate()


if __name__ == "__main__":
    unittest.main(verbosity=2)
