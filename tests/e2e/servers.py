"""Endpoints that are not AWS, on 127.0.0.1: one that never answers, one
nobody can connect to, one that answers HTML."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Silent:
    """Accepts every connection and never says a word: a read timeout for whoever calls it."""

    url: str = ""
    accepted: int = 0
    _connections: list[socket.socket] = field(default_factory=list)


@contextmanager
def silent_server() -> Iterator[Silent]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    silent = Silent(f"http://127.0.0.1:{listener.getsockname()[1]}")

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
            silent._connections.append(connection)
            silent.accepted += 1

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield silent
    finally:
        listener.close()
        for connection in silent._connections:
            connection.close()


@contextmanager
def unreachable_server() -> Iterator[str]:
    """A listening socket whose accept queue is full: a new connection's SYN is dropped, so connecting times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(address)
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@contextmanager
def answering_server(status: int, content_type: str, body: bytes) -> Iterator[str]:
    """Answers every request with the same page: a captive portal, a proxy's error page, a wrong endpoint."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
