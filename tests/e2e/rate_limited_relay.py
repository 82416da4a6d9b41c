"""A TCP relay on loopback that carries one direction at a fixed byte rate.

Put between the bridge and the core, it makes a core of known, small capacity:
answers reach the bridge at `bytes_per_second`, however fast the machine is.
Every thread is a daemon and stop() closes every socket it opened.
"""

import socket
import threading
import time


class RateLimitedRelay:
    def __init__(self, target, bytes_per_second):
        self.target = target
        self.rate = bytes_per_second
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self._sockets = [self.listener]
        self._lock = threading.Lock()
        self._next_send = time.monotonic()  # the shared bucket of the slow direction
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self):
        self._stopped = True
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def _accept(self):
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                return
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source, sink, limited):
        try:
            while not self._stopped:
                data = source.recv(4096 if limited else 65536)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                if limited:
                    with self._lock:
                        start = max(self._next_send, time.monotonic())
                        self._next_send = start + len(data) / self.rate
                    time.sleep(max(0.0, start - time.monotonic()))
                sink.sendall(data)
        except OSError:
            return


def main():
    """Run as a process of its own (the clients' threads do not slow it):
    rate_limited_relay.py TARGET_HOST:PORT BYTES_PER_SECOND. Runs until killed."""
    import sys
    host, port = sys.argv[1].rsplit(":", 1)
    relay = RateLimitedRelay((host, int(port)), float(sys.argv[2]))
    print(f"relay listening on {relay.address}", file=sys.stderr, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
