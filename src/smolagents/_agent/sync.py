"""Driving the async run loop from synchronous code."""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from .._threads import new_event_loop, run_coroutine

__all__ = ["closing", "iterate_sync", "run_sync"]

T = TypeVar("T")


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code.

    Uses this thread's private event loop; when this thread already runs a loop (a notebook, or
    sync code called from async code) the coroutine runs on a helper thread instead.
    """
    if not _loop_running_here():
        loop = _thread_loop()
        try:
            return loop.run_until_complete(coroutine)
        finally:
            _drain(loop)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = run_coroutine(coroutine)
        except BaseException as error:  # handed back to the calling thread below
            outcome["error"] = error

    worker = threading.Thread(target=target, name="smolagents-run", daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


@asynccontextmanager
async def closing(events: AsyncIterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    """Close an async iterator when the block exits, also when the consumer stops early.

    `async for` does not close what it iterates; an async generator left open would be finalized
    later by the garbage collector, as a task on a loop that may no longer run.
    """
    try:
        yield events
    finally:
        aclose = getattr(events, "aclose", None)  # async generators have it; plain iterators may not
        if aclose is not None:
            await aclose()


_DONE = object()
_local = threading.local()


class _LoopHolder:
    """Holds a thread's private loop, and closes it when the thread ends (its locals are dropped)."""

    def __init__(self) -> None:
        self.loop = new_event_loop()

    def __del__(self) -> None:
        # At interpreter exit there is nothing to release, and closing would wake SDK callbacks
        # whose modules are already torn down.
        if not sys.is_finalizing() and not self.loop.is_closed() and not self.loop.is_running():
            self.loop.close()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """Return this thread's private event loop, kept between runs (creating one costs ~0.1 ms)."""
    holder: _LoopHolder | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _LoopHolder()
    return holder.loop


def iterate_sync(events: AsyncIterator[T]) -> Iterator[T]:
    """Iterate an async iterator from sync code, one item at a time.

    Closing the returned generator early closes the async iterator too.
    """
    if _loop_running_here():
        yield from _iterate_on_thread(events)
        return
    loop = _thread_loop()
    try:
        while True:
            try:
                item = loop.run_until_complete(events.__anext__())  # an awaitable
            except StopAsyncIteration:
                return
            yield item
    finally:
        aclose = getattr(events, "aclose", None)  # async generators can be closed; other iterators not
        if aclose is not None and not loop.is_running():
            loop.run_until_complete(aclose())
            _drain(loop)


def _drain(loop: asyncio.AbstractEventLoop, grace_seconds: float = 1.0) -> None:
    """Let tasks that a run left behind (e.g. an SDK's logging callbacks) finish, then cancel the rest.

    The thread's loop outlives the run; without this, such tasks would never run and would be
    reported as destroyed while pending when the interpreter exits.
    """
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not pending:
        return
    _, still_pending = loop.run_until_complete(asyncio.wait(pending, timeout=grace_seconds))
    for task in still_pending:
        task.cancel()
    if still_pending:
        loop.run_until_complete(asyncio.gather(*still_pending, return_exceptions=True))


def _iterate_on_thread(events: AsyncIterator[T]) -> Iterator[T]:
    items: queue.Queue[Any] = queue.Queue(maxsize=1)

    async def pump() -> None:
        try:
            async for item in events:
                items.put(item)
        except BaseException as error:  # handed to the consuming thread
            items.put(_Failure(error))
        else:
            items.put(_DONE)

    worker = threading.Thread(target=lambda: run_coroutine(pump()), name="smolagents-stream", daemon=True)
    worker.start()
    while True:
        item = items.get()
        if item is _DONE:
            break
        if isinstance(item, _Failure):
            raise item.error
        yield item
    worker.join()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error
