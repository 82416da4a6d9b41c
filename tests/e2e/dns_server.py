"""A small DNS server for tests, on loopback: it answers A queries for one
name with a list of addresses the test edits (TTL 0), so a gRPC dns:// target
sees replicas join and leave the name."""

import socket
import struct
import threading

TYPE_A = 1


class DnsServer:
    """Answers A queries for `name` with the addresses in .addresses (TTL 0),
    every other type with no records, every other name with NXDOMAIN."""

    def __init__(self, name, addresses):
        self.name = name
        self.addresses = list(addresses)
        self.queries = 0
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def set_addresses(self, addresses):
        with self._lock:
            self.addresses = list(addresses)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                query, peer = self._socket.recvfrom(4096)
            except socket.timeout:
                continue
            reply = self._answer(query)
            if reply is not None:
                self._socket.sendto(reply, peer)

    def _answer(self, query):
        if len(query) < 12:
            return None
        (ident, flags, qdcount) = struct.unpack(">HHH", query[:6])
        if qdcount != 1:
            return None
        labels, offset = [], 12
        while offset < len(query) and query[offset] != 0:
            length = query[offset]
            labels.append(query[offset + 1:offset + 1 + length].decode("ascii", "replace"))
            offset += 1 + length
        offset += 1
        if offset + 4 > len(query):
            return None
        qtype, _ = struct.unpack(">HH", query[offset:offset + 4])
        question = query[12:offset + 4]
        name = ".".join(labels).lower()
        with self._lock:
            self.queries += 1
            addresses = list(self.addresses)
        answers = []
        rcode = 0
        if name != self.name:
            rcode = 3  # NXDOMAIN
        elif qtype == TYPE_A:
            for address in addresses:
                # The question's name (a pointer to offset 12), A, IN, TTL 0.
                answers.append(struct.pack(">HHHIH", 0xC00C, TYPE_A, 1, 0, 4) +
                               socket.inet_aton(address))
        header = struct.pack(">HHHHHH", ident, 0x8180 | (flags & 0x0100) | rcode, 1,
                             len(answers), 0, 0)
        return header + question + b"".join(answers)


def free_port_on_all(hosts):
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = probe.getsockname()[1]
            try:
                for host in hosts[1:]:
                    with socket.socket() as other:
                        other.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no port free on every replica address")
