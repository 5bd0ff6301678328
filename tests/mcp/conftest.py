"""Fixtures starting the MCP test servers (see mcp_servers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("mcp", reason="the mcp extra is not installed")
from mcp_servers import HttpServer, stdio_parameters

from mcp import StdioServerParameters


@pytest.fixture(scope="module")
def http_server() -> Iterator[HttpServer]:
    server = HttpServer("streamable-http")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sse_server() -> Iterator[HttpServer]:
    server = HttpServer("sse")
    yield server
    server.stop()


@pytest.fixture
def stdio() -> Callable[[], StdioServerParameters]:
    return stdio_parameters
