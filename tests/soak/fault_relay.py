"""A TCP relay for the soak's faults: freeze() stops forwarding on the
connections open at that moment, without FIN or RST, as a middlebox that lost
its state does; connections made afterwards are relayed normally. thaw()
lets the frozen ones go on. stop() closes every socket it opened."""

import socket
import threading
import time


class _Link:
    def __init__(self, client, upstream):
        self.client, self.upstream = client, upstream
        self.frozen = False


class FreezableRelay:
    def __init__(self, target):
        self.target = target
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._links = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self):
        with self._lock:
            for link in self._links:
                link.frozen = True

    def thaw(self):
        with self._lock:
            for link in self._links:
                link.frozen = False

    def stop(self):
        self._stopped = True
        with self._lock:
            sockets = [self.listener] + [s for l in self._links for s in (l.client, l.upstream)]
            self._links = []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self):
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            link = _Link(client, upstream)
            with self._lock:
                # Forget links both of whose sockets are closed.
                self._links = [l for l in self._links if l.client.fileno() >= 0]
                self._links.append(link)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(link, source, sink), daemon=True).start()

    def _pump(self, link, source, sink):
        try:
            while not self._stopped:
                data = source.recv(65536)
                # Frozen: hold what came (bounded: one read) until thawed.
                for _ in range(100_000):
                    if not link.frozen or self._stopped:
                        break
                    time.sleep(0.05)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            source.close()
            sink.close()
