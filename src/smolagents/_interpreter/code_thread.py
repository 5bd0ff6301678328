"""The thread model code runs on: a C stack deep enough for anything the code can build.

CPython recurses in C without a depth check in a few places: hashing a tuple nested 200,000 deep
overflows the default 8 MiB thread stack and kills the whole process, and no guard can see every
place a tuple gets hashed (set and dict displays, keys, `in`, `set.add`, `Counter`...). So each
executor runs model code on a thread of its own whose stack is larger than any nesting the code's
memory allowance lets it build: a level of nesting costs at least 48 bytes of objects and under
100 bytes of C stack, so twice the allowance is enough. The stack is reserved address space;
only the pages a deep recursion touches become memory (and count against the allowance).

What the host handed in (tools, `final_answer`, additional functions) runs back on the caller's
thread while the code waits, so thread-bound resources (a sqlite connection, a thread-local
client) behave as if the code ran inline. The thread is created on first use, reused for every
call (no thread per call), and stopped when its executor is garbage collected.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

from .host_access import host_boundary

__all__ = ["CodeThread", "stack_bytes_for"]

T = TypeVar("T")

_MIN_STACK = 64 * 2**20
_UNBOUNDED_STACK = 2**30  # when memory is not checked: covers nesting of several million levels
_MAX_STACK = 16 * 2**30
_creating = threading.Lock()  # threading.stack_size is process-wide: set it only around our starts
_generation = 0  # bumped in a forked child, whose copy of our threads does not run


def _after_fork() -> None:
    global _generation
    _generation += 1


os.register_at_fork(after_in_child=_after_fork)


def stack_bytes_for(max_memory_bytes: int | None) -> int:
    """Return the stack size that covers the deepest nesting `max_memory_bytes` allows."""
    if max_memory_bytes is None:
        return _UNBOUNDED_STACK
    return min(max(_MIN_STACK, 2 * max_memory_bytes + _MIN_STACK), _MAX_STACK)


def _serve(jobs: SimpleQueue[Any], events: SimpleQueue[Any]) -> None:
    # Holds only the queues, so the CodeThread (and its executor) can be garbage collected.
    while True:
        job = jobs.get()
        if job is None:
            return
        try:
            outcome = ("done", True, job())
        except BaseException as error:  # handed to the caller, who raises it
            outcome = ("done", False, error)
        del job  # waiting for the next job must not keep this one's executor alive
        events.put(outcome)
        del outcome


class CodeThread:
    """Runs jobs on a large-stack thread and serves their calls back to the caller's thread.

    Args:
        stack_bytes: Size of the thread's C stack (reserved, not committed).
        on_interrupt: Called on the caller's thread when KeyboardInterrupt arrives while it waits;
            it must make the running job stop soon (the executor ends the code's budget).
    """

    def __init__(self, stack_bytes: int, on_interrupt: Callable[[], None]) -> None:
        self.stack_bytes = stack_bytes
        self._on_interrupt = on_interrupt
        self._jobs: SimpleQueue[Any] = SimpleQueue()
        self._events: SimpleQueue[Any] = SimpleQueue()
        self._answers: SimpleQueue[Any] = SimpleQueue()
        self._worker: int | None = None
        self._generation = -1
        self._busy = False
        self._inline = False  # the thread could not be started: run on the caller's thread

    def run(self, job: Callable[[], T]) -> T:
        """Run `job` on the code thread and return its result (or raise its exception)."""
        if self._busy or self._inline or threading.get_ident() == self._worker or not self._ensure_started():
            return job()  # a re-entrant call (from a tool), or no thread: run here
        self._busy = True
        try:
            self._jobs.put(job)
            return self._wait()  # type: ignore[no-any-return]
        finally:
            self._busy = False

    def free(self, values: list[Any]) -> None:
        """Drop `values` on the code thread, whose stack can free whatever the code built there.

        Called when an executor goes away: chains the code built (iterators, generators) may be
        freed recursively in C, which an ordinary thread's stack cannot always take.
        """
        if self._worker is not None and self._generation == _generation:
            self._jobs.put(values.clear)

    def is_code_thread(self) -> bool:
        """Return whether the caller runs on this executor's code thread (not inline on the host's)."""
        return threading.get_ident() == self._worker

    @host_boundary
    def call_back(self, function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """Call `function` on the caller's thread (from the code thread) and return its result.

        What the host handed in (tools, final_answer, functions) is the host's code: a host
        boundary for the permission checks, wherever it runs.
        """
        if threading.get_ident() != self._worker or not self._busy:
            return function(*args, **kwargs)
        self._events.put(("call", function, args, kwargs))
        is_value, value = self._answers.get()
        if is_value:
            return value  # type: ignore[no-any-return]
        raise value

    def _wait(self) -> Any:
        interrupted: BaseException | None = None
        while True:
            try:
                event = self._events.get()
            except KeyboardInterrupt as error:  # the host's Ctrl-C: stop the code, then re-raise
                if interrupted is not None:
                    raise
                interrupted = error
                self._on_interrupt()
                continue
            if event[0] == "call":
                _, function, args, kwargs = event
                try:
                    self._answers.put((True, function(*args, **kwargs)))
                except BaseException as error:  # raised where the code called it
                    self._answers.put((False, error))
                continue
            _, is_value, value = event
            if interrupted is not None:
                raise interrupted
            if is_value:
                return value
            raise value

    def _ensure_started(self) -> bool:
        if self._worker is not None and self._generation == _generation:
            return True
        self._jobs, self._events, self._answers = SimpleQueue(), SimpleQueue(), SimpleQueue()
        with _creating:
            try:
                previous = threading.stack_size(self.stack_bytes)
            except (ValueError, RuntimeError):  # platform refuses the size: run inline
                self._inline = True
                return False
            try:
                thread = threading.Thread(
                    target=_serve, args=(self._jobs, self._events), name="smolagents-code", daemon=True
                )
                thread.start()
            except (RuntimeError, MemoryError):
                self._inline = True
                return False
            finally:
                threading.stack_size(previous)
        self._worker = thread.ident
        self._generation = _generation
        weakref.finalize(self, self._jobs.put, None)
        return True
