"""Real MCP servers (the mcp SDK's FastMCP) for the client tests: stdio, streamable HTTP and SSE."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from mcp import StdioServerParameters

SERVER = str(Path(__file__).with_name("demo_server.py"))


def stdio_parameters() -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=[SERVER])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Poll the port until the server accepts connections (a condition, with a generous deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the MCP test server exited early with code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"the MCP test server did not listen on port {port} within {timeout} s")


class HttpServer:
    """A demo server process on 127.0.0.1, restartable on the same port."""

    def __init__(self, transport: str, port: int | None = None) -> None:
        self.transport = transport
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{'mcp' if self.transport == 'streamable-http' else 'sse'}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, SERVER, self.transport, str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_listening(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
