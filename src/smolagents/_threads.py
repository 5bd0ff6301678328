"""Blocking calls run off the event loop on daemon worker threads.

`asyncio.to_thread` uses the loop's default executor: a bounded pool (6 threads on 2 cores) of
non-daemon threads that CPython joins at exit. Nested agents hold a worker each while they wait
for the agents they call, so a bounded pool can run dry and deadlock, and one call that never
returns (a hung tool) keeps the process from exiting. Here every blocking call gets a thread: an
idle one when there is one, a new one otherwise; threads are daemons and end after a short idle
spell, so nothing outlives the work that needed it.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["in_thread", "new_event_loop", "run_coroutine", "submit"]

T = TypeVar("T")

_IDLE_SECONDS = 10.0  # an idle worker waits this long for the next call, then ends

_Job = tuple["Future[Any]", Callable[[], Any]]


class _DaemonPool:
    """An unbounded pool of daemon threads that reuses idle ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = 0  # workers waiting for a job that no submitter has claimed yet
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()

    def submit(self, function: Callable[[], T]) -> Future[T]:
        """Run `function` on a worker thread; return its future."""
        future: Future[T] = Future()
        with self._lock:
            claimed = self._idle > 0
            if claimed:
                self._idle -= 1
        self._jobs.put((future, function))
        if not claimed:
            threading.Thread(target=self._work, name="smolagents-worker", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            try:
                future, function = self._jobs.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # nobody claimed this worker: it may end
                        self._idle -= 1
                        return
                continue  # a submitter claimed this worker and is queueing its job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as error:  # handed to whoever awaits the future
                    future.set_exception(error)
            del future, function  # drop references to the result while idle
            with self._lock:
                self._idle += 1


_pool = _DaemonPool()


def submit(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """Run ``function(*args, **kwargs)`` on a daemon worker thread, in a copy of this context."""
    context = contextvars.copy_context()
    return _pool.submit(lambda: context.run(function, *args, **kwargs))


async def in_thread(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Await ``function(*args, **kwargs)`` run on a daemon worker thread (`asyncio.to_thread`'s role).

    Context variables (the current run, the current span) are seen by the call, as with
    `asyncio.to_thread`. Cancelling the awaiting task stops waiting; the call itself runs on.
    """
    return await asyncio.wrap_future(submit(function, *args, **kwargs))


class _DaemonExecutor(ThreadPoolExecutor):
    """A loop's default executor backed by the daemon pool (asyncio requires a ThreadPoolExecutor)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)  # starts no thread: `submit` below never uses the base's

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` on a daemon worker."""
        return _pool.submit(lambda: fn(*args, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to join: the workers are the pool's, and end when idle."""


def new_event_loop() -> asyncio.AbstractEventLoop:
    """Return a new event loop whose `run_in_executor(None, ...)` (and `asyncio.to_thread`) use daemons."""
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_DaemonExecutor())
    return loop


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, on a loop from `new_event_loop` (closing it does not wait for stuck threads)."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coroutine)
