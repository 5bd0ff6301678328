"""A client of a Jupyter kernel gateway (HTTP to create a kernel, a websocket to run cells).

Modal and Blaxel sandboxes run `jupyter kernelgateway`; this is how cells reach their kernel.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from .cloud import Cell

__all__ = ["JupyterKernel"]


class JupyterKernel:
    """One kernel of a gateway at `base_url`, with a websocket kept open between cells.

    Args:
        base_url: The gateway's HTTP address (``http(s)://host[:port][/prefix]``).
        headers: Headers sent with every request (authentication of the sandbox service).
        token: The gateway's auth token (``KG_AUTH_TOKEN``), sent as the ``token`` query parameter.
    """

    def __init__(
        self, base_url: str, headers: dict[str, str] | None = None, token: str | None = None
    ) -> None:
        import urllib.request

        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self._query = f"?token={token}" if token else ""
        request = urllib.request.Request(
            f"{self.base_url}/api/kernels{self._query}", data=b"{}", method="POST", headers=self.headers
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status not in (200, 201):
                raise RuntimeError(
                    f"Failed to create kernel: status {response.status}: {response.read()[:500]!r}"
                )
            self.kernel_id = str(json.loads(response.read())["id"])
        scheme, rest = self.base_url.split("://", 1)
        self.ws_url = f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/kernels/{self.kernel_id}/channels{self._query}"
        self._socket: Any = None

    def run_cell(self, code: str, timeout: float | None) -> Cell:
        """Run `code` in the kernel; raise TimeoutError if it has not finished within `timeout`."""
        import websocket

        if self._socket is None:
            header = [f"{key}: {value}" for key, value in self.headers.items()]
            self._socket = websocket.create_connection(self.ws_url, header=header, timeout=60)
        try:
            return self._exchange(code, timeout)
        except BaseException:
            self.close()  # a half-read conversation cannot be resumed: reconnect next time
            raise

    def _exchange(self, code: str, timeout: float | None) -> Cell:
        import websocket

        message_id = uuid.uuid4().hex
        self._socket.send(json.dumps(_execute_request(code, message_id)))
        deadline = None if timeout is None else time.monotonic() + timeout
        stdout: list[str] = []
        error: tuple[str, str, str] | None = None
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.01)
            self._socket.settimeout(remaining)
            try:
                message = json.loads(self._socket.recv())
            except websocket.WebSocketTimeoutException:
                raise TimeoutError from None
            if message.get("parent_header", {}).get("msg_id") != message_id:
                continue
            kind, content = message.get("msg_type"), message.get("content", {})
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(str(content.get("text", "")))
            elif kind == "error":
                error = (
                    str(content.get("ename")),
                    str(content.get("evalue")),
                    "\n".join(content.get("traceback", [])),
                )
            elif kind == "status" and content.get("execution_state") == "idle":
                return Cell(stdout="".join(stdout), error=error)

    def close(self) -> None:
        """Close the websocket (the kernel lives on with its sandbox)."""
        if self._socket is not None:
            socket, self._socket = self._socket, None
            socket.close()


def _execute_request(code: str, message_id: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": message_id,
            "username": "smolagents",
            "session": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "version": "5.0",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
        },
        "channel": "shell",
    }
