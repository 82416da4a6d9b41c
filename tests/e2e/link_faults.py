"""Helpers for the tests of a faulty link between the bridge and the core: a
TCP relay that can freeze its connections, and legacy clients that keep
asking and record every answer with its timing."""

import random
import socket
import threading
import time

from legacy_client import CTIME_LINE, GREETING, LegacyConnection

_CHUNK = 65536


class FreezableRelay:
    """Relays TCP connections from a loopback port to `target`. freeze() stops
    forwarding on the connections open at that moment, without FIN or RST,
    as a middlebox that lost its state does; later connections are relayed."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        self.address = self.listener.getsockname()
        self.accepted = 0
        self._lock = threading.Lock()
        self._pairs = []  # (client socket, core socket, frozen event)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def target_name(self):
        return f"{self.address[0]}:{self.address[1]}"

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                core = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            frozen = threading.Event()
            with self._lock:
                self.accepted += 1
                self._pairs.append((client, core, frozen))
            for source, sink in ((client, core), (core, client)):
                threading.Thread(target=self._pump, args=(source, sink, frozen),
                                 daemon=True).start()

    def _pump(self, source, sink, frozen):
        source.settimeout(0.2)
        while not self._stopping.is_set() and not frozen.is_set():
            try:
                data = source.recv(_CHUNK)
            except socket.timeout:
                continue
            except OSError:
                break
            if frozen.is_set():
                break  # what arrived after the freeze is lost, as on a dead link
            if not data:
                break
            try:
                sink.sendall(data)
            except OSError:
                break
        if frozen.is_set():
            return  # no FIN, no RST: the sockets stay open until close()
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def freeze(self):
        """Freezes the connections open now; returns how many."""
        with self._lock:
            for _, _, frozen in self._pairs:
                frozen.set()
            return len(self._pairs)

    def close(self):
        self._stopping.set()
        self.listener.close()
        self._thread.join(timeout=5)
        with self._lock:
            for client, core, _ in self._pairs:
                client.close()
                core.close()
            self._pairs.clear()


class Answer:
    """One request and what came back: kind is "ok", "wrong", "error" or
    "none" (no reply within the client's wait)."""

    def __init__(self, protocol, sent, kind, received, detail=b""):
        self.protocol, self.sent, self.kind, self.received, self.detail = (
            protocol, sent, kind, received, detail)

    @property
    def elapsed(self):
        return self.received - self.sent


class LegacyLoad:
    """`squares` lockstep SQUARES clients and one TIME client asking in a loop
    until stop(); every request's Answer is kept in `answers`. Threads (and so
    their sockets) are made in the calling thread's network namespace."""

    def __init__(self, square_address, time_address, squares=4, wait=15.0, pause=0.05):
        self.square_address, self.time_address = square_address, time_address
        self.wait, self.pause = wait, pause
        self.answers = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._squares, args=(i,), daemon=True)
                         for i in range(squares)]
        self._threads.append(threading.Thread(target=self._time, daemon=True))
        for thread in self._threads:
            thread.start()

    def _record(self, answer):
        with self._lock:
            self.answers.append(answer)

    def _squares(self, seed):
        rng = random.Random(seed)
        connection = None
        while not self._stopping.is_set():
            try:
                if connection is None:
                    connection = LegacyConnection(self.square_address, timeout=self.wait)
                    connection.send(b"Hi there!\n")
                    if connection.read_exact(len(GREETING)) != GREETING:
                        raise OSError("no greeting")
                number = rng.randrange(10**20, 10**21)
                expected = str(number * number).encode()
                sent = time.monotonic()
                connection.send(b"%d\n" % number)
                head = connection.read_exact(1)
                if not head:
                    self._record(Answer("SQUARES", sent, "none", time.monotonic()))
                    raise OSError("no reply")
                if head == b"E":
                    line = head + connection.read_line()
                    self._record(Answer("SQUARES", sent, "error", time.monotonic(), line))
                else:
                    reply = head + connection.read_exact(len(expected) - 1)
                    kind = "ok" if reply == expected else "wrong"
                    self._record(Answer("SQUARES", sent, kind, time.monotonic(), reply))
            except OSError:
                if connection is not None:
                    connection.close()
                connection = None
                self._stopping.wait(self.pause)
                continue
            self._stopping.wait(self.pause)
        if connection is not None:
            connection.close()

    def _time(self):
        while not self._stopping.is_set():
            sent = time.monotonic()
            try:
                with LegacyConnection(self.time_address, timeout=self.wait) as connection:
                    line = connection.read_line()
            except OSError:
                line = b""
            received = time.monotonic()
            if CTIME_LINE.fullmatch(line):
                self._record(Answer("TIME", sent, "ok", received, line))
            elif line.startswith(b"ERROR"):
                self._record(Answer("TIME", sent, "error", received, line))
            else:
                self._record(Answer("TIME", sent, "wrong" if line else "none", received, line))
            self._stopping.wait(self.pause)

    def snapshot(self):
        with self._lock:
            return list(self.answers)

    def stop(self):
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=self.wait + 5)


def served_again_after(answers, moment, protocol):
    """Seconds from `moment` until the first request sent after it was
    answered correctly; None if none was."""
    later = [a.received for a in answers
             if a.protocol == protocol and a.kind == "ok" and a.sent >= moment]
    return min(later) - moment if later else None


def check_answers(test, answers, deadline_seconds, label):
    """No wrong answer, every request answered, ERRORs only past the deadline."""
    wrong = [a for a in answers if a.kind == "wrong"]
    test.assertFalse(wrong, f"{label}: wrong answers: "
                            f"{[(a.protocol, a.detail) for a in wrong[:5]]}")
    missing = [a for a in answers if a.kind == "none"]
    test.assertFalse(missing, f"{label}: requests without a reply: {len(missing)}")
    early = [a for a in answers if a.kind == "error" and a.elapsed < deadline_seconds - 0.05]
    test.assertFalse(early, f"{label}: ERROR before the deadline: "
                            f"{[(a.protocol, round(a.elapsed, 3), a.detail) for a in early[:5]]}")
