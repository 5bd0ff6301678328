"""Publishing a run's events: once, in order, to every subscriber and to a stream consumer.

Subscribers (the logger, step callbacks, tracing, the user's) are plain callables run inline.
A consumer of `run(stream=True)` or `stream_events()` reads through an `EventChannel`: the run
hands it each event and waits until the consumer asks for the next one, as a generator would,
so a consumer that stops early also stops the run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import AbstractContextManager
from typing import Any

from .._events import AgentEvent

__all__ = ["EventBus", "EventChannel", "Scope", "Subscriber", "stream_through"]

Subscriber = Callable[[AgentEvent], None]
"""Receives every event of a run, inline, in order."""

Scope = Callable[[AgentEvent], AbstractContextManager[Any]]
"""Gives the context in which the work an event starts runs (tracing makes its span current)."""

_NO_SCOPE: AbstractContextManager[None] = contextlib.nullcontext()
_END = object()


class EventBus:
    """The publication point of one run's events."""

    __slots__ = ("_scope", "_subscribers", "channel")

    def __init__(self, subscribers: Iterable[Subscriber] = (), scope: Scope | None = None) -> None:
        self._subscribers = list(subscribers)
        self._scope = scope
        self.channel: EventChannel | None = None

    def subscribe(self, subscriber: Subscriber) -> None:
        """Add a subscriber for the rest of the run."""
        self._subscribers.append(subscriber)

    def notify(self, event: AgentEvent) -> None:
        """Give `event` to the subscribers only (used while a run is being torn down)."""
        for subscriber in self._subscribers:
            subscriber(event)

    async def emit(self, event: AgentEvent) -> None:
        """Publish `event`: to every subscriber, then to the stream consumer if it wants it."""
        for subscriber in self._subscribers:
            subscriber(event)
        channel = self.channel
        if channel is not None and isinstance(event, channel.accepts):
            await channel.put(event)

    def scope(self, event: AgentEvent) -> AbstractContextManager[Any]:
        """Return the context to run the work `event` starts in (a no-op unless tracing is on)."""
        return _NO_SCOPE if self._scope is None else self._scope(event)


class EventChannel:
    """Hands events from a running run to one consumer, one at a time.

    `put` returns only when the consumer asks for the next event, so the run never gets ahead of
    its consumer. Events may be put from another thread's event loop (a step run on a worker
    thread); they are handed over on the consumer's loop.
    """

    def __init__(self, accepts: tuple[type, ...]) -> None:
        self.accepts = accepts
        self._loop = asyncio.get_running_loop()
        self._demand = asyncio.Event()
        self._ready = asyncio.Event()
        self._items: deque[Any] = deque()

    async def put(self, event: AgentEvent) -> None:
        """Hand `event` to the consumer; return when the consumer wants the next one."""
        if asyncio.get_running_loop() is not self._loop:
            future = asyncio.run_coroutine_threadsafe(self.put(event), self._loop)
            await asyncio.wrap_future(future)
            return
        await self._demand.wait()
        self._demand.clear()
        self._items.append(event)
        self._ready.set()
        await self._demand.wait()

    def close(self) -> None:
        """Tell the consumer no event will follow."""
        self._items.append(_END)
        self._ready.set()

    async def get(self) -> Any:
        """Return the next event, or the end marker once the run is over."""
        self._demand.set()
        await self._ready.wait()
        item = self._items.popleft()
        if not self._items:
            self._ready.clear()
        return item


async def stream_through(
    start: Callable[[EventChannel], Coroutine[Any, Any, Any]], accepts: tuple[type, ...]
) -> AsyncIterator[Any]:
    """Run `start(channel)` as a task and yield the events it puts, until it ends.

    The run's exception, if any, is raised to the consumer after the events before it. A consumer
    that stops early cancels the run, which then records and closes what it started.
    """
    channel = EventChannel(accepts)
    producer = asyncio.ensure_future(start(channel))
    producer.add_done_callback(lambda _: channel.close())
    try:
        while True:
            item = await channel.get()
            if item is _END:
                break
            yield item
        producer.result()
    finally:
        if not producer.done():
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer
        elif not producer.cancelled():
            producer.exception()  # retrieved: the consumer stopped before it was raised to it
