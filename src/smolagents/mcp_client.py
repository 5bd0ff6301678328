"""`MCPClient`: the tools of one or more MCP servers, as smolagents tools.

Built on the `mcp` SDK (1.x) directly rather than on mcpadapt: the client owns an event loop on a
thread of its own, where each server's session lives; agents call the tools from any thread or
loop. A server that dies mid-run makes the call fail with one clear sentence and is reconnected
on the next call; `disconnect()` ends every session, process, task and the thread.
"""

from __future__ import annotations

import itertools
from types import TracebackType
from typing import Any

from .tools.base import Tool

__all__ = ["MCPClient"]

_ADAPTER_KWARGS = {
    "connect_timeout": 30.0,  # seconds for a server to start and answer the initialisation
    "client_session_timeout_seconds": 300.0,  # seconds one tool call may take (None: no limit)
}
_TRANSPORTS = ("streamable-http", "sse")
_client_numbers = itertools.count(1)


class MCPClient:
    """Connects to MCP servers and offers their tools; a context manager.

    Args:
        server_parameters: How to reach the server(s): an `mcp.StdioServerParameters` (a local
            process spoken to over stdio), a dict ``{"url": ..., "transport": "streamable-http" |
            "sse"}`` (optional ``headers``), or a list of these.
        adapter_kwargs: ``connect_timeout`` (seconds, default 30) and
            ``client_session_timeout_seconds`` (seconds one call may take, default 300).
        structured_output: Give tools the server's ``outputSchema`` as `output_schema` and
            return structured results as Python values. None means False (text results), as in
            earlier releases.

    Example:
        ```py
        with MCPClient({"url": "http://127.0.0.1:8000/mcp", "transport": "streamable-http"}) as tools:
            agent = CodeAgent(tools=tools, model=model)
        ```
    """

    def __init__(
        self,
        server_parameters: Any | dict[str, Any] | list[Any],
        adapter_kwargs: dict[str, Any] | None = None,
        structured_output: bool | None = None,
    ) -> None:
        try:
            import mcp  # noqa: F401  # checked here so the error names the extra
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                "Please install 'mcp' extra to use MCPClient: `pip install 'smolagents[mcp]'`"
            ) from error
        servers = list(server_parameters) if isinstance(server_parameters, list) else [server_parameters]
        if not servers:
            raise ValueError("MCPClient needs at least one server: pass its parameters or a list of them.")
        self._servers = [_checked(parameters) for parameters in servers]
        self._options = _options(adapter_kwargs)
        self.structured_output = bool(structured_output)
        self._loop: Any = None
        self._connections: list[Any] = []
        self._tools: list[Tool] | None = None
        self.connect()

    def connect(self) -> None:
        """Connect to every server and load their tools (done by the constructor).

        Raises:
            ConnectionError: When a server cannot be started or reached, in one sentence.
        """
        if self._tools is not None:
            return
        from ._mcp.connection import ServerConnection
        from ._mcp.loop import LoopThread
        from ._mcp.tools import MCPTool

        self._loop = LoopThread(f"smolagents-mcp-{next(_client_numbers)}")
        connect_timeout = float(self._options["connect_timeout"])
        call_timeout = self._options["client_session_timeout_seconds"]
        tools: list[Tool] = []
        try:
            for parameters in self._servers:
                connection = ServerConnection(parameters, connect_timeout, call_timeout)
                self._connections.append(connection)
                definitions = self._loop.run(connection.open())
                tools += [MCPTool(d, connection, self._loop, self.structured_output) for d in definitions]
        except BaseException:
            self.disconnect()
            raise
        self._tools = tools

    def disconnect(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        exc_traceback: TracebackType | None = None,
    ) -> None:
        """Close every session; stdio servers exit (or are terminated), and the loop thread ends."""
        loop, connections = self._loop, self._connections
        self._loop, self._connections, self._tools = None, [], None
        if loop is None:
            return
        for connection in connections:
            try:
                loop.run(connection.close(), timeout=60)
            except Exception:  # one server failing to close must not keep the others open
                continue
        loop.stop()

    def get_tools(self) -> list[Tool]:
        """Return the servers' tools.

        Raises:
            ValueError: When the client is not connected.
        """
        if self._tools is None:
            raise ValueError(
                "Couldn't retrieve tools from MCP server, run `mcp_client.connect()` first before accessing `tools`"
            )
        return self._tools

    def __enter__(self) -> list[Tool]:
        return self.get_tools()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        exc_traceback: TracebackType | None,
    ) -> None:
        self.disconnect(exc_type, exc_value, exc_traceback)


def _checked(parameters: Any) -> Any:
    """Validate one server's parameters; a dict gets the default transport."""
    if isinstance(parameters, dict):
        if not parameters.get("url"):
            raise ValueError(
                'An MCP server given as a dict needs a "url", e.g. {"url": "http://127.0.0.1:8000/mcp"}.'
            )
        parameters = {"transport": "streamable-http", **parameters}
        if parameters["transport"] not in _TRANSPORTS:
            raise ValueError(
                f"Unsupported transport: {parameters['transport']}. Supported transports are 'streamable-http' and 'sse'."
            )
        return parameters
    from mcp import StdioServerParameters

    if not isinstance(parameters, StdioServerParameters):
        raise TypeError(
            "MCP server parameters must be mcp.StdioServerParameters or a dict with a 'url', got "
            f"{type(parameters).__name__}."
        )
    return parameters


def _options(adapter_kwargs: dict[str, Any] | None) -> dict[str, Any]:
    unknown = sorted(set(adapter_kwargs or {}) - set(_ADAPTER_KWARGS))
    if unknown:
        raise ValueError(
            f"Unknown adapter_kwargs {', '.join(unknown)}: MCPClient accepts {', '.join(_ADAPTER_KWARGS)}."
        )
    return {**_ADAPTER_KWARGS, **(adapter_kwargs or {})}
