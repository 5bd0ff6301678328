"""A small HTTP server on 127.0.0.1 whose routes a test defines: providers' pages, redirects, errors.

Slow routes wait on an event the site sets when it closes, so a test never sleeps: the client's
own timeout is what ends the wait.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """What the site received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What a route answers. `chunks` streams the body; `is_slow` waits for the site to close first."""

    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterable[bytes] | None = None
    is_slow: bool = False


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(data), content_type="application/json")


Handler = Callable[[Request], Reply]


class LoopbackSite:
    """A threaded HTTP server on an ephemeral 127.0.0.1 port."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.fallback: Handler | None = None  # answers paths without a route
        self.requests: list[Request] = []
        self.closing = threading.Event()
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                site._serve(self)

            do_POST = do_GET
            do_DELETE = do_GET
            do_PUT = do_GET

            def do_HEAD(self) -> None:
                site._serve(self, with_body=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, reply: Reply | Handler) -> None:
        """Answer requests to `path` (query string ignored) with `reply`, or what `reply(request)` returns."""
        self.routes[path] = reply if callable(reply) else (lambda request, fixed=reply: fixed)

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def _serve(self, handler: BaseHTTPRequestHandler, with_body: bool = True) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=handler.command,
            path=parts.path,
            query={key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={key.lower(): value for key, value in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        self.requests.append(request)
        route = self.routes.get(parts.path) or self.fallback
        reply = route(request) if route else Reply(status=404, body="<h1>Not Found</h1>")
        if reply.is_slow:
            self.closing.wait(60)
        try:
            self._write(handler, reply, with_body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size limit) or gave up (timeout)

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, reply: Reply, with_body: bool) -> None:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        if reply.chunks is None:
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if with_body:
                handler.wfile.write(body)
            return
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for chunk in reply.chunks:
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")
