"""An event loop on a thread of its own, owned by one `MCPClient`.

MCP sessions are bound to the loop that opened them (anyio streams, subprocess pipes). Agents call
tools from many threads and loops (each `agent.run`, each CodeAgent code thread), so the sessions
live on this loop and every call is handed to it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """Runs an asyncio loop on a daemon thread until `stop`.

    Args:
        name: The thread's name (shown in thread dumps).
    """

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()
        self._started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        try:
            self.loop.run_forever()
        finally:
            self._finish()

    def _finish(self) -> None:
        """Cancel what is left, let it unwind, and close the loop (on the loop's own thread)."""
        pending = [task for task in asyncio.all_tasks(self.loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    @property
    def is_running(self) -> bool:
        """Whether the loop still accepts work."""
        return self.thread.is_alive() and not self.loop.is_closed()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coroutine` on the loop and wait for its result from another thread.

        Raises:
            RuntimeError: When called from the loop's own thread (it would wait on itself).
            TimeoutError: When `timeout` passes first (the coroutine is cancelled).
        """
        if threading.current_thread() is self.thread:
            coroutine.close()
            raise RuntimeError("LoopThread.run was called from its own loop: await the coroutine instead.")
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    async def arun(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the loop and await its result from another loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the loop and wait for the thread to end."""
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)
