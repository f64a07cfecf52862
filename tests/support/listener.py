"""A loopback TCP listener that counts connections: proof that nothing reached the network."""

from __future__ import annotations

import socket
import threading


class Listener:
    """Accepts and counts connections on 127.0.0.1 until closed."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def settled_connections(self) -> int:
        """All connections made so far, those not yet accepted included; stops listening.

        The kernel completes a TCP handshake into the backlog before ``accept``, and a
        client's ``connect`` returns only then, so a connection made before a response was
        sent is counted here without waiting for the accepting thread.
        """
        self._stop.set()
        self._thread.join()
        self.sock.setblocking(False)
        while True:
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, OSError):
                return self.connections
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()
