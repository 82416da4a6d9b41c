"""Legacy load that checks every answer while a test changes the replicas
behind the bridge: TIME clients (each line a ctime line, never taken before the client
connected) and lockstep SQUARES
sessions (each answer exact). Problems are collected, never raised, so the
test decides; every loop is bounded and stops when stop() is called.

    load = CheckedLegacyLoad(bridge, time_clients=2, squares_clients=4)
    ... change the replicas ...
    load.stop()
    assert load.problems == []
"""

import threading
import time

from legacy_client import GREETING, LegacyConnection, time_line_problem


class CheckedLegacyLoad:
    def __init__(self, bridge, time_clients, squares_clients, messages_per_session):
        self.bridge = bridge
        self.messages_per_session = messages_per_session
        self.problems = []
        self.counts = {"time": 0, "squares": 0}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._time_client) for _ in range(time_clients)]
        self._threads += [threading.Thread(target=self._squares_client, args=(seed,))
                          for seed in range(1, squares_clients + 1)]
        for thread in self._threads:
            thread.start()

    def snapshot(self):
        return dict(self.counts)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _time_client(self):
        for _ in range(100_000):  # bounded; stop() ends it long before
            if self._stop.is_set():
                return
            try:
                connected_at = time.time()
                with LegacyConnection(self.bridge.time) as t:
                    line = t.read_until_close()
                problem = time_line_problem(line, connected_at)
                if problem is not None:
                    self.problems.append(("time", problem))
                self.counts["time"] += 1
            except OSError as error:
                self.problems.append(("time", repr(error)))

    def _squares_client(self, seed):
        for round_ in range(100_000):
            if self._stop.is_set():
                return
            try:
                with LegacyConnection(self.bridge.square) as c:
                    c.send(b"Hi there!\n")
                    if c.read_exact(len(GREETING)) != GREETING:
                        self.problems.append(("greeting", seed))
                    for k in range(self.messages_per_session):
                        n = seed * 1_000_000 + round_ * 1000 + k
                        c.send(b"%d\n" % n)
                        expected = str(n * n).encode()
                        reply = c.read_exact(len(expected))
                        if reply != expected:
                            self.problems.append(("squares", n, reply + c.read_line()))
                            return
                        self.counts["squares"] += 1
            except OSError as error:
                self.problems.append(("squares", repr(error)))
