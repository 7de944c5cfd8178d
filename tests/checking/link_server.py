"""A local HTTP server whose paths answer the way real sites do, for `check --links`: a page
that works, a gone one, a broken one, one refusing HEAD, a redirect, a redirect loop, and one
that never answers. It counts requests in flight, to check the concurrency bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.release = threading.Event()  # lets /hang return when the test ends

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: LinkServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_GET(self) -> None:
        self._answer("GET")

    def _answer(self, method: str) -> None:
        with self.server.lock:
            self.server.requests.append((method, self.path))
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        try:
            self._route(method)
        finally:
            with self.server.lock:
                self.server.in_flight -= 1

    def _route(self, method: str) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/ok") or (path == "/no-head" and method == "GET"):
            self._status(200, b"<html>ok</html>" if method == "GET" else b"")
        elif path.startswith("/slow"):
            time.sleep(0.05)  # long enough for requests to overlap
            self._status(200)
        elif path == "/no-head":
            self._status(405)
        elif path == "/gone":
            self._status(404)
        elif path == "/boom":
            self._status(500)
        elif path == "/moved":
            self._status(301, location="/ok/landing")
        elif path == "/loop":
            self._status(302, location="/loop")
        elif path == "/hang":
            self.server.release.wait(30)
        else:
            self._status(404)

    def _status(self, code: int, body: bytes = b"", location: str | None = None) -> None:
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


@contextmanager
def link_server() -> Iterator[LinkServer]:
    server = LinkServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
