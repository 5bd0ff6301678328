"""Stand-ins for the cloud sandboxes' services, on 127.0.0.1, speaking their wire formats.

- `CellKernel`: a real Python process that runs notebook cells (the sandbox's kernel).
- `E2BServer`: E2B's code-interpreter endpoint (``POST /execute`` streaming NDJSON), which the
  `e2b_code_interpreter` SDK reaches in debug mode with ``sandbox_url`` pointing here.
- `GatewayServer`: Blaxel's control-plane API (``POST/DELETE /sandboxes``) and a Jupyter kernel
  gateway (``POST .../api/kernels``, websocket ``.../api/kernels/<id>/channels``), on one port.
"""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import struct
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_KERNEL = r"""
import ast, contextlib, io, json, sys, traceback
namespace = {"__name__": "__main__"}
replies = sys.stdout
for line in sys.stdin:
    code = json.loads(line)["code"]
    buffer, error, result = io.StringIO(), None, None
    try:
        tree = ast.parse(code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(buffer):
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                result = None if value is None else repr(value)
    except BaseException as raised:
        error = {"name": type(raised).__name__, "value": str(raised), "traceback": traceback.format_exc()}
    replies.write(json.dumps({"stdout": buffer.getvalue(), "error": error, "result": result}) + "\n")
    replies.flush()
"""


class CellKernel:
    """A Python process that runs cells in one namespace and answers each with stdout, error and result."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _KERNEL], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self._lock = threading.Lock()

    def run(self, code: str) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        with self._lock:
            self.process.stdin.write(json.dumps({"code": code}) + "\n")
            self.process.stdin.flush()
            return dict(json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.scheme = "https" if tls is not None else "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.kernels: dict[str, CellKernel] = {}
        self.requests: list[tuple[str, str]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()
        for kernel in self.kernels.values():
            kernel.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _E2BHandler(_Handler):
    def do_POST(self) -> None:
        self.server.requests.append(("POST", self.path))
        if not self.path.startswith("/execute"):
            return self._reply(404, {"message": f"no route {self.path}"})
        code = json.loads(self._body())["code"]
        if "default" not in self.server.kernels:
            self.server.kernels["default"] = CellKernel()
        kernel = self.server.kernels["default"]
        outcome = kernel.run(code)
        now = datetime.now(timezone.utc).isoformat()
        lines = []
        if outcome["stdout"]:
            lines.append({"type": "stdout", "text": outcome["stdout"], "timestamp": now})
        if outcome["error"]:
            lines.append({"type": "error", **outcome["error"]})
        if outcome["result"] is not None:
            lines.append({"type": "result", "text": outcome["result"], "is_main_result": True})
        lines.append({"type": "end_of_execution"})
        body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def E2BServer() -> _Server:
    """Start E2B's code-interpreter endpoint on loopback."""
    return _Server(_E2BHandler)


_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class _GatewayHandler(_Handler):
    def do_POST(self) -> None:
        self.server.requests.append(("POST", self.path))
        body = self._body()
        if self.path.split("?")[0] == "/sandboxes":
            sandbox = json.loads(body)
            sandbox["metadata"]["url"] = self.server.url
            sandbox["status"] = "DEPLOYED"
            return self._reply(200, sandbox)
        if self.path.split("?")[0].endswith("/api/kernels"):
            kernel_id = uuid.uuid4().hex
            self.server.kernels[kernel_id] = CellKernel()
            return self._reply(201, {"id": kernel_id, "name": "python3"})
        return self._reply(404, {"message": f"no route {self.path}"})

    def do_DELETE(self) -> None:
        self.server.requests.append(("DELETE", self.path))
        name = self.path.split("?")[0].rsplit("/", 1)[-1]
        return self._reply(200, {"metadata": {"name": name}, "spec": {}, "status": "DELETING"})

    def do_GET(self) -> None:
        self.server.requests.append(("GET", self.path))
        path = self.path.split("?")[0]
        if path.endswith("/channels") and self.headers.get("Upgrade", "").lower() == "websocket":
            return self._websocket(self.server.kernels[path.split("/")[-2]])
        if path.endswith("/api/kernelspecs"):
            return self._reply(200, {"default": "python3"})
        return self._reply(404, {"message": f"no route {self.path}"})

    def _websocket(self, kernel: CellKernel) -> None:
        accept = base64.b64encode(
            hashlib.sha1(self.headers["Sec-WebSocket-Key"].encode() + _WS_GUID).digest()
        )
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        while (text := _read_frame(self.rfile)) is not None:
            request = json.loads(text)
            parent = {"msg_id": request["header"]["msg_id"]}
            outcome = kernel.run(request["content"]["code"])
            messages: list[dict[str, Any]] = [{"msg_type": "status", "content": {"execution_state": "busy"}}]
            if outcome["stdout"]:
                messages.append(
                    {"msg_type": "stream", "content": {"name": "stdout", "text": outcome["stdout"]}}
                )
            if outcome["error"]:
                error = outcome["error"]
                content = {
                    "ename": error["name"],
                    "evalue": error["value"],
                    "traceback": error["traceback"].splitlines(),
                }
                messages.append({"msg_type": "error", "content": content})
            if outcome["result"] is not None:
                messages.append(
                    {"msg_type": "execute_result", "content": {"data": {"text/plain": outcome["result"]}}}
                )
            messages.append({"msg_type": "status", "content": {"execution_state": "idle"}})
            for message in messages:
                _write_frame(self.wfile, json.dumps({**message, "parent_header": parent, "header": {}}))
        self.close_connection = True


def _read_frame(stream: Any) -> str | None:
    header = stream.read(2)
    if len(header) < 2 or header[0] & 0x0F == 0x8:  # closed, or a close frame
        return None
    length = header[1] & 0x7F
    if length == 126:
        length = struct.unpack(">H", stream.read(2))[0]
    elif length == 127:
        length = struct.unpack(">Q", stream.read(8))[0]
    mask = stream.read(4) if header[1] & 0x80 else b"\0\0\0\0"
    payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(stream.read(length)))
    return payload.decode()


def _write_frame(stream: Any, text: str) -> None:
    payload = text.encode()
    if len(payload) < 126:
        header = struct.pack(">BB", 0x81, len(payload))
    elif len(payload) < 2**16:
        header = struct.pack(">BBH", 0x81, 126, len(payload))
    else:
        header = struct.pack(">BBQ", 0x81, 127, len(payload))
    stream.write(header + payload)
    stream.flush()


def GatewayServer(tls: ssl.SSLContext | None = None) -> _Server:
    """Start Blaxel's API and a Jupyter kernel gateway on one loopback port (behind TLS if given)."""
    return _Server(_GatewayHandler, tls)
