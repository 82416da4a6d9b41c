"""A plain-TCP client for the legacy protocols, with every wait bounded."""

import re
import select
import socket
import time

GREETING = b"Hello. Nice to see you."
ERROR_LINE = re.compile(rb"ERROR[ :][^\n]*\n")
CTIME_LINE = re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                        rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                        rb"[ 123]\d \d\d:\d\d:\d\d \d{4}\n")


def time_line_problem(line, connected_at, errors_allowed=False):
    """What is wrong with a TIME reply to a client that connected at
    `connected_at` (time.time(), taken before connecting): not a ctime line
    (nor an ERROR line, when `errors_allowed`), or a time taken before the
    client connected. The ctime is read in this process's zone, the core's
    (the tests start it with the same TZ). None when right."""
    if errors_allowed and ERROR_LINE.fullmatch(line):
        return None
    if not CTIME_LINE.fullmatch(line):
        return f"not a ctime line: {line!r}"
    taken = time.mktime(time.strptime(line.decode().strip(), "%a %b %d %H:%M:%S %Y"))
    if taken < int(connected_at):  # ctime is truncated to the second
        return f"a time taken before the client connected: {line!r} at {connected_at:.3f}"
    return None


class LegacyConnection:
    def __init__(self, address, timeout=10.0, nodelay=True, source=None):
        """`source`: the local address to connect from (e.g. "127.0.0.2")."""
        self.timeout = timeout
        self.sock = socket.create_connection(address, timeout=timeout,
                                             source_address=(source, 0) if source else None)
        if nodelay:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.closed_by_server = False

    def send(self, data):
        self.sock.sendall(data)

    def half_close(self):
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        self.sock.close()

    def _fill(self, deadline):
        """Reads once; False on timeout. Marks the server's close."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        poller = select.poll()  # select() cannot watch descriptors past 1024
        poller.register(self.sock, select.POLLIN)
        if not poller.poll(left * 1000):
            return False
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed_by_server = True
            return False
        self.buffer += data
        return True

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buffer) < n and not self.closed_by_server:
            if not self._fill(deadline):
                break
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_line(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\n" not in self.buffer and not self.closed_by_server:
            if not self._fill(deadline):
                break
        end = self.buffer.find(b"\n")
        end = len(self.buffer) if end < 0 else end + 1
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def read_until_close(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self.closed_by_server and time.monotonic() < deadline:
            self._fill(deadline)
        data, self.buffer = self.buffer, b""
        return data

    def quiet_for(self, seconds):
        """True if nothing arrives (and the server does not close) for `seconds`."""
        self._fill(time.monotonic() + seconds)
        return not self.buffer and not self.closed_by_server

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
