"""One MCP server: its transport and session, held by a task on the client's loop, and tool calls.

The task that opens the transport also closes it (anyio requires the same task to enter and exit
its scopes); everyone else only sends requests on the session. When the server goes away
(a crashed process, a restarted HTTP server that no longer knows the session), the failing call
says so in one sentence, and the next call opens a fresh session; a streamable-HTTP session the
server terminated is re-established and the call retried once.
"""

from __future__ import annotations

import asyncio
import tempfile
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

__all__ = ["MCPConnectionError", "MCPToolCallError", "ServerConnection", "describe_server"]

_SESSION_TERMINATED = 32600  # the code the SDK's streamable-HTTP transport gives an unknown session
_REQUEST_TIMEOUT = 408  # the code the SDK gives a request that outlived its read timeout
_CLOSE_TIMEOUT = 10.0


class MCPConnectionError(ConnectionError):
    """Connecting to an MCP server failed (told to the user at construction)."""


class MCPToolCallError(RuntimeError):
    """A call to an MCP tool failed (told to the model as the tool's error)."""


def describe_server(parameters: Any) -> str:
    """Name a server for messages: its URL, or its command line for stdio."""
    if isinstance(parameters, dict):
        return f"at {parameters.get('url')} ({parameters.get('transport', 'streamable-http')})"
    command = " ".join([str(parameters.command), *map(str, parameters.args or [])])
    return f"`{command[:120]}` (stdio)"


class ServerConnection:
    """A session with one MCP server, opened and used on the client's event loop.

    Args:
        parameters: `mcp.StdioServerParameters`, or a dict with ``url``, ``transport``
            ("streamable-http" or "sse") and optionally ``headers``.
        connect_timeout: Seconds to wait for the server to answer the initialisation.
        call_timeout: Seconds to wait for one tool call (None: no limit).
    """

    def __init__(self, parameters: Any, connect_timeout: float, call_timeout: float | None) -> None:
        self.parameters = parameters
        self.label = describe_server(parameters)
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self._session: Any = None  # mcp.ClientSession while connected
        self._runner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
        self._last_failure: BaseException | None = None  # why the latest connection attempt failed

    async def open(self) -> list[Any]:
        """Connect and return the server's tools (`mcp.types.Tool`), all pages of them.

        Raises:
            MCPConnectionError: The server could not be started or reached, or did not answer.
        """
        session = await self._connect_when_listening()
        tools: list[Any] = []
        cursor = None
        while True:
            page = await session.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.nextCursor
            if not cursor:
                return tools

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Call tool `name` and return its `mcp.types.CallToolResult`.

        Raises:
            MCPToolCallError: The server died, timed out or refused the call, said in one sentence.
        """
        import anyio
        from mcp.shared.exceptions import McpError
        from mcp.types import CONNECTION_CLOSED

        timeout = timedelta(seconds=self.call_timeout) if self.call_timeout else None
        for attempt in (1, 2):
            session = await self._live_session()
            try:
                return await session.call_tool(name, arguments, read_timeout_seconds=timeout)
            except McpError as error:
                code = error.error.code
                if code == _SESSION_TERMINATED and attempt == 1:
                    await self._close()  # the server forgot the session (e.g. it restarted): open a new one
                    continue
                if code == _SESSION_TERMINATED or code == CONNECTION_CLOSED:
                    await self._close()
                    raise self._lost(name) from None
                if code == _REQUEST_TIMEOUT:
                    raise MCPToolCallError(
                        f"The MCP tool '{name}' did not answer within {self.call_timeout:g} s."
                    ) from None
                raise MCPToolCallError(
                    f"The MCP server {self.label} refused the call to '{name}': {error.error.message}"
                ) from None
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream):
                await self._close()
                raise self._lost(name) from None
        raise AssertionError("unreachable: the loop returns or raises")

    async def close(self) -> None:
        """End the session and the transport (the stdio process exits or is terminated)."""
        await self._close()
        self._stderr.close()

    def _lost(self, tool_name: str) -> MCPToolCallError:
        return MCPToolCallError(
            f"The MCP server {self.label} closed the connection during the call to '{tool_name}' (it may "
            f"have crashed or restarted); the next call will reconnect.{self._stderr_tail()}"
        )

    async def _live_session(self) -> Any:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._session is None or self._runner is None or self._runner.done():
                await self._close()
                try:
                    await self._connect()
                except MCPConnectionError as error:
                    raise MCPToolCallError(
                        str(error).replace("Could not connect", "Could not reconnect", 1)
                    ) from None
            return self._session

    async def _connect_when_listening(self) -> Any:
        """Connect; a URL server that refuses the connection may still be starting, so try again
        (with growing pauses) until `connect_timeout` has passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout
        pause = 0.1
        while True:
            try:
                return await self._connect()
            except MCPConnectionError:
                refused = self._last_failure is not None and _is_refused(self._last_failure)
                if not (isinstance(self.parameters, dict) and refused) or loop.time() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)

    async def _connect(self) -> Any:
        self._last_failure = None
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[Any] = loop.create_future()
        self._stop = asyncio.Event()
        self._runner = asyncio.create_task(self._hold(ready, self._stop))
        try:
            self._session = await asyncio.wait_for(asyncio.shield(ready), self.connect_timeout)
        except asyncio.TimeoutError:
            await self._close()
            raise MCPConnectionError(
                f"The MCP server {self.label} did not answer within {self.connect_timeout:g} s."
                f"{self._stderr_tail()}"
            ) from None
        except Exception as error:
            self._last_failure = error
            await self._close()
            raise MCPConnectionError(
                f"Could not connect to the MCP server {self.label}: {_reason(error)}.{self._stderr_tail()}"
            ) from None
        return self._session

    async def _hold(self, ready: asyncio.Future[Any], stop: asyncio.Event) -> None:
        """Open the transport and session, hand the session over, and keep both until `stop`."""
        from mcp import ClientSession

        try:
            async with AsyncExitStack() as stack:
                read, write = (await stack.enter_async_context(self._transport()))[:2]
                session = await stack.enter_async_context(ClientSession(read, write))
                await session.initialize()
                ready.set_result(session)
                await stop.wait()
        except BaseException as error:  # the transport's task groups raise groups and cancellations
            if not ready.done():
                ready.set_exception(
                    error if isinstance(error, Exception) else ConnectionError(_reason(error))
                )
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            if self._runner is asyncio.current_task():
                self._session = None

    def _transport(self) -> Any:
        if not isinstance(self.parameters, dict):
            from mcp.client.stdio import stdio_client

            return stdio_client(self.parameters, errlog=self._stderr)
        url = self.parameters["url"]
        headers = self.parameters.get("headers")
        if self.parameters.get("transport", "streamable-http") == "sse":
            from mcp.client.sse import sse_client

            return sse_client(url, headers=headers, timeout=self.connect_timeout)
        import httpx
        from mcp.client import streamable_http

        if not hasattr(streamable_http, "streamable_http_client"):  # older mcp 1.x: only the old name
            return streamable_http.streamablehttp_client(url, headers=headers, timeout=self.connect_timeout)
        from mcp.shared._httpx_utils import create_mcp_http_client

        client = create_mcp_http_client(
            headers=headers, timeout=httpx.Timeout(self.connect_timeout, read=None)
        )
        return _OwningTransport(client, streamable_http.streamable_http_client(url, http_client=client))

    async def _close(self) -> None:
        runner, stop = self._runner, self._stop
        self._runner = self._stop = None
        self._session = None
        if runner is None:
            return
        if stop is not None:
            stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(runner), _CLOSE_TIMEOUT)
        except asyncio.TimeoutError:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
        except BaseException:  # the runner's own failure was reported to whoever waited on it
            pass

    def _stderr_tail(self) -> str:
        if isinstance(self.parameters, dict) or self._stderr.closed:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        lines = [line for line in self._stderr.read().splitlines() if line.strip()]
        self._stderr.seek(0, 2)
        return f" The server wrote: {' | '.join(lines[-3:])[:400]}" if lines else ""


class _OwningTransport:
    """Enter an httpx client and the transport that uses it, and close both (in that order back)."""

    def __init__(self, client: Any, transport: Any) -> None:
        self.client, self.transport = client, transport
        self.stack = AsyncExitStack()

    async def __aenter__(self) -> Any:
        await self.stack.enter_async_context(self.client)
        return await self.stack.enter_async_context(self.transport)

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self.stack.__aexit__(*exc_info)


def _is_refused(error: BaseException) -> bool:
    """Return whether `error` (or an exception of its groups) is a refused TCP connection."""
    import httpx

    if isinstance(error, (ConnectionRefusedError, httpx.ConnectError)):
        return True
    return any(_is_refused(inner) for inner in getattr(error, "exceptions", ()))


def _reason(error: BaseException) -> str:
    """Describe a failure by its innermost cause, unwrapping the exception groups of task groups."""
    while getattr(error, "exceptions", None):  # an exception group (a builtin from Python 3.11)
        error = error.exceptions[0]  # type: ignore[attr-defined]
    message = getattr(getattr(error, "error", None), "message", None) or str(error).strip()
    if isinstance(error, asyncio.CancelledError):
        message = "the connection was cancelled"
    return (message or type(error).__name__).splitlines()[0][:300]
