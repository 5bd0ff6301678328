"""Run a blocking event stream on a thread of its own and consume it from async code.

A web server's event loop must never run an agent step itself: model code and tools block, and
every other visitor would wait. Each run gets a dedicated thread (with its own event loop, made by
the agent's sync API); its events reach the server's loop through a queue.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["ThreadedEvents"]

T = TypeVar("T")


class _End:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class ThreadedEvents(Generic[T]):
    """Iterate, from async code, the events of `start()` produced on a dedicated thread.

    Args:
        start: Called on the new thread; returns the (blocking) iterable of events.
        on_abandon: Called when the consumer stops before the events end (e.g. the browser tab
            closed): it should make the producer finish soon, e.g. by interrupting the run.
        name: The thread's name.
    """

    def __init__(
        self,
        start: Callable[[], Iterable[T]],
        on_abandon: Callable[[], None],
        name: str = "smolagents-ui-run",
    ) -> None:
        self._start = start
        self._on_abandon = on_abandon
        self._name = name
        self._abandoned = threading.Event()

    async def __aiter__(self) -> AsyncIterator[T]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[T | _End] = asyncio.Queue()

        def hand_over(item: T | _End) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def produce() -> None:
            error: BaseException | None = None
            events: Iterator[T] | None = None
            try:
                events = iter(self._start())
                for event in events:
                    if self._abandoned.is_set():
                        break
                    hand_over(event)
            except BaseException as failure:  # handed to the consumer, which re-raises it
                error = failure
            finally:
                try:
                    close = getattr(events, "close", None)
                    if close is not None:
                        close()
                finally:
                    hand_over(_End(error))

        worker = threading.Thread(target=produce, name=self._name, daemon=True)
        worker.start()
        finished = False
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _End):
                    finished = True
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            if not finished:
                self._abandoned.set()
                self._on_abandon()
