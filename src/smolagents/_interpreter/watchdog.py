"""A process-wide watchdog that stops model code stuck in loops the budget never sees.

The budget is checked when model code ticks (loop iterations, function entries). Library code
written in Python runs between ticks: the punycode codec behind `str.encode`, `random.Random`
methods, `statistics.NormalDist.samples`, numpy's `apply_along_axis`. One daemon thread watches
every run on an executor's code thread; when a run is past its deadline by `GRACE_SECONDS`, or
its memory past the allowance, the watchdog records the reason in the budget and raises
`AsyncStop` in the code thread (`PyThreadState_SetAsyncExc`), which Python delivers at the next
bytecode. Model code cannot catch it (it is not an Exception). C code that never returns to the
interpreter is bounded elsewhere (size and work estimates before the call).
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from .errors import BudgetExceededSignal
from .host_access import is_host_boundary
from .tables import CODE_FILENAME

__all__ = ["GRACE_SECONDS", "AsyncStop", "clear_pending_stop", "uninterruptible", "unwatch", "watch"]

GRACE_SECONDS = 0.25
"""How long past its deadline a run may go before the watchdog stops it (ticks usually do first)."""

_MEMORY_POLL_SECONDS = 0.02


class AsyncStop(BudgetExceededSignal):
    """Raised in the code thread by the watchdog; the budget holds the reason."""

    def __init__(self) -> None:
        super().__init__("the code ran past its limits inside a library")


@dataclass
class _Watched:
    budget: Any
    thread_id: int
    stopped: bool = False


_watched: dict[int, _Watched] = {}
# Both are C-level locks on purpose. A code thread may receive AsyncStop at any Python bytecode,
# and a lock taken inside Python code (threading.Condition.__enter__, Event.set) can receive it
# after acquiring but before the `with` protects it: the lock then stays held and every run of
# the process hangs. `with` on a C lock has no such window.
_mutex = threading.Lock()
_wake = threading.Lock()  # held while the patrol sleeps; released by `watch` to wake it at once
_wake.acquire()
_thread: threading.Thread | None = None


def _raise_in(thread_id: int, kind: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(kind) if kind else None
    )


def watch(budget: Any) -> None:
    """Watch the run of `budget` on the calling thread (an executor's code thread) until `unwatch`."""
    global _thread
    with _mutex:
        _watched[threading.get_ident()] = _Watched(budget, threading.get_ident())
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_patrol, name="smolagents-watchdog", daemon=True)
            _thread.start()
    _wake_patrol()


def _wake_patrol() -> None:
    try:
        _wake.release()
    except RuntimeError:  # already awake (released by another run, not yet taken again)
        pass


def unwatch() -> bool:
    """Stop watching the calling thread's run; return whether the watchdog stopped it (an AsyncStop may be pending)."""
    with _mutex:
        entry = _watched.pop(threading.get_ident(), None)
    return entry is not None and entry.stopped


def clear_pending_stop() -> None:
    """Drop an AsyncStop the watchdog raised in the calling thread that was not delivered yet."""
    _raise_in(threading.get_ident(), None)


_UNINTERRUPTIBLE: set[Any] = set()


def uninterruptible(function: Any) -> Any:
    """Mark `function` as work the watchdog waits for (an import, a calibration): stopped halfway,
    it would leave state the whole process shares broken."""
    _UNINTERRUPTIBLE.add(function.__code__)
    return function


def _interruptible(thread_id: int) -> bool:
    # Not while the code thread is inside an import, a tool call or our own calibration, that
    # is, one of those is entered after (inside) the innermost frame of model code.
    frame = sys._current_frames().get(thread_id)
    while frame is not None:
        code = frame.f_code
        if code.co_filename == CODE_FILENAME:
            return True
        if code in _UNINTERRUPTIBLE or is_host_boundary(code):
            return False
        frame = frame.f_back
    return True


def _reason(budget: Any, now: float) -> str | None:
    if not budget.is_running:
        return None
    reason: str | None = None
    if now > budget.deadline + GRACE_SECONDS:
        reason = budget.exceeded or budget.timeout_reason()
    else:
        left = budget.memory_left()
        if left is not None and left < 0:
            reason = budget.memory_reason()
    return reason


def _patrol() -> None:
    while True:
        wake = _inspect()
        # Sleep until the next deadline or poll, or until `watch` releases `_wake`.
        _wake.acquire(timeout=-1 if wake is None else max(0.001, wake - time.monotonic()))


def _inspect() -> float | None:
    """Stop the runs past their limits; return when to look again (None: nothing is watched)."""
    with _mutex:
        if not _watched:
            return None
        now = time.monotonic()
        wake = now + 1.0
        for entry in list(_watched.values()):
            if entry.stopped:
                continue
            reason = _reason(entry.budget, now)
            if reason is not None and not _interruptible(entry.thread_id):
                wake = min(wake, now + _MEMORY_POLL_SECONDS)  # try again once it is out
            elif reason is not None:
                entry.budget.exceeded = reason
                entry.stopped = True
                _raise_in(entry.thread_id, AsyncStop)
            elif entry.budget.max_memory_bytes is not None:
                wake = min(wake, now + _MEMORY_POLL_SECONDS)
            else:
                wake = min(wake, entry.budget.deadline + GRACE_SECONDS)
        return wake
