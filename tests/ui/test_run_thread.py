"""Runs streamed from a thread of their own into async code (the web server's loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from smolagents._ui.run_thread import ThreadedEvents


async def test_events_made_on_another_thread_arrive_in_order() -> None:
    threads: set[str] = set()

    def produce() -> Iterator[int]:
        for number in range(5):
            threads.add(threading.current_thread().name)
            yield number

    received = [event async for event in ThreadedEvents(produce, on_abandon=lambda: None, name="producer")]
    assert received == [0, 1, 2, 3, 4]
    assert threads == {"producer"}


async def test_an_error_of_the_producer_reaches_the_consumer() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise RuntimeError("model down")

    received = []
    with pytest.raises(RuntimeError, match="model down"):
        async for event in ThreadedEvents(produce, on_abandon=lambda: None):
            received.append(event)
    assert received == [1]


async def test_a_consumer_that_leaves_early_stops_the_producer() -> None:
    release = threading.Event()
    closed = threading.Event()
    abandoned = []

    def produce() -> Iterator[int]:
        try:
            yield 1
            release.wait(timeout=30)
            yield 2
            yield 3
        finally:
            closed.set()

    events = ThreadedEvents(produce, on_abandon=lambda: (abandoned.append(True), release.set()))
    iterator = events.__aiter__()
    assert await anext(iterator) == 1
    await iterator.aclose()
    assert abandoned == [True]
    assert await asyncio.to_thread(closed.wait, 30)
