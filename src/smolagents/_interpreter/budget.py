"""The work budget: a wall-clock deadline, an operation count and a memory allowance, checked cheaply.

Checked code counts work at every loop iteration and function entry by pulling one item from
`Budget.ticker`, a chain of C iterators (`itertools.repeat` chunks). Only when a chunk runs out does
Python code run (`_next_chunk`), which checks the clock, the operation count and the peak memory and
sizes the next chunk so that checks happen every few milliseconds. Loops use the ticker as the
selector of `itertools.compress`, so an iteration costs one C call and no bytecode.

Nothing here uses signals or threads: the checks are cooperative and work on any thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import chain, repeat
from typing import Any

from .errors import BudgetExceededSignal, ExecutionTimeoutError, FinalAnswerSignal

try:  # peak memory is a cheap system call where `resource` exists (Unix)
    import resource as _resource
except ImportError:  # pragma: no cover - Windows
    _resource = None  # type: ignore[assignment]  # memory checks are skipped without it

__all__ = ["Budget"]

_HALTED = "the final answer was given"
_MIN_CHUNK = 1
_MAX_CHUNK = 4096
_TARGET_CHECK_SECONDS = 0.002
_OUTSIDE_SECONDS = 2.0  # budget of one call of model-defined code made by the host after the run
_OUTSIDE_OPERATIONS = 2_000_000
_OUTSIDE_GAP_SECONDS = 0.05  # a pause this long between checks starts a new outside call


class _OneShotRecursionError:
    """Raise RecursionError once (where the recursion limit was hit), then let the chain move on."""

    __slots__ = ("has_fired",)

    def __init__(self) -> None:
        self.has_fired = False

    def __call__(self) -> bool:
        if self.has_fired:
            raise StopIteration
        self.has_fired = True
        raise RecursionError("maximum recursion depth exceeded")


def _peak_rss_bytes() -> int:
    if _resource is None:
        return 0
    return _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss * 1024


class Budget:
    """Counts the work of one executor's code and stops it when a limit is reached.

    While a run is in progress (`start` ... `stop`) an exceeded limit raises `BudgetExceededSignal`,
    which model code cannot catch. After `stop`, functions the model code defined may still be
    called by the host (to render an output with `repr`); each such burst of work gets a small
    fresh budget and an exceeded limit raises `ExecutionTimeoutError`, an ordinary exception.

    Args:
        timeout_seconds: Wall-clock limit of one run; None for no limit.
        max_operations: Loop iterations plus function calls allowed in one run.
        max_memory_bytes: Growth of the process's peak resident memory allowed in one run;
            None to skip the check.
    """

    def __init__(
        self, timeout_seconds: float | None, max_operations: int, max_memory_bytes: int | None
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_operations = max_operations
        self.max_memory_bytes = max_memory_bytes
        self.is_running = False
        self.deadline = float("inf")
        self.operations_left = max_operations
        self.exceeded: str | None = None
        self.refused_allocation: int | None = None  # bytes numpy asked for and was refused
        self._chunk = 64
        self._last_check = 0.0
        self._memory_ceiling = 0
        self._last_peak = 0
        self._outside_start = 0.0
        self._outside_operations = 0
        self._is_dead = False
        self.ticker: Iterator[bool] = self._make_ticker()
        self.tick: Any = self.ticker.__next__

    def _make_ticker(self) -> Iterator[bool]:
        # A chain whose source raised is exhausted for good; the second part keeps failing loudly
        # (instead of letting loops end silently) until `start` builds a new ticker.
        chunks = chain.from_iterable(iter(self._next_chunk, None))
        return chain(chunks, iter(self._on_dead, None))

    def start(self) -> None:
        """Begin a run: reset the deadline, the operation count and the memory baseline."""
        if self._is_dead:
            self._is_dead = False
            self.ticker = self._make_ticker()
            self.tick = self.ticker.__next__
        now = time.monotonic()
        self.deadline = now + self.timeout_seconds if self.timeout_seconds is not None else float("inf")
        self.operations_left = self.max_operations
        self.exceeded = None
        self.refused_allocation = None
        self._chunk = 1  # grows fast while checks are cheap; a short loop of huge steps is still checked
        self._last_check = now
        if self.max_memory_bytes is not None:
            self._last_peak = _peak_rss_bytes()
            self._memory_ceiling = self._last_peak + self.max_memory_bytes
        self.is_running = True

    def halt(self) -> None:
        """Make every later check of this run end it (after `final_answer`): the answer stands."""
        self.exceeded = _HALTED
        self.deadline = -1.0

    def interrupt(self) -> None:
        """End the run at its next check: the host was interrupted (Ctrl-C) while the code ran."""
        self.exceeded = "the host interrupted the run"
        self.deadline = -1.0

    def stop(self) -> None:
        """End the run: later work by model-defined functions gets outside budgets."""
        self.is_running = False
        self.exceeded = None
        self._outside_start = 0.0

    def remaining_seconds(self) -> float:
        """Return the seconds left before the deadline (outside a run: the outside allowance)."""
        if not self.is_running:
            return _OUTSIDE_SECONDS
        return max(0.0, self.deadline - time.monotonic())

    def memory_left(self) -> int | None:
        """Return the bytes this run may still add to peak memory (None: memory is not checked)."""
        if self.max_memory_bytes is None:
            return None
        if not self.is_running:
            return self.max_memory_bytes
        return self._memory_ceiling - _peak_rss_bytes()

    def check(self) -> None:
        """Raise if a limit is spent; guards call this before work that cannot be interrupted."""
        if self.is_running and time.monotonic() > self.deadline:
            self._fail(self._timeout_reason())
        if self.exceeded is not None:
            self._fail(self.exceeded)

    def spend(self, operations: int) -> None:
        """Count `operations` units of work done inside one guarded call (e.g. a wrapped iterator)."""
        self.operations_left -= operations
        if self.operations_left < 0 and self.is_running:
            self.exceeded = self._operations_reason()
            self._fail(self.exceeded)

    def timeout_reason(self) -> str:
        """Say, for the model, that the time limit was reached."""
        return self._timeout_reason()

    def memory_reason(self) -> str:
        """Say, for the model, that the memory allowance was used up."""
        return (
            f"the code used more than {(self.max_memory_bytes or 0) // 2**20:,} MiB of memory; "
            "work on smaller data or in pieces"
        )

    def _timeout_reason(self) -> str:
        return (
            f"Code execution exceeded the maximum execution time of {self.timeout_seconds:g} seconds: the code "
            f"ran longer than the {self.timeout_seconds:g} s time limit; make it do less work (smaller inputs, "
            "fewer iterations)"
        )

    def _operations_reason(self) -> str:
        return (
            f"Reached the max number of operations ({self.max_operations:,} loop iterations and function "
            "calls); make the code do less work or avoid endless loops"
        )

    def _fail(self, reason: str) -> None:
        if self.is_running:
            if reason is _HALTED:
                raise FinalAnswerSignal()
            raise BudgetExceededSignal(reason)
        raise ExecutionTimeoutError(f"Code defined in the interpreter was stopped: {reason}.")

    def _next_chunk(self) -> Iterator[bool]:
        # Must not raise: an exception here would exhaust the chain (see `_make_ticker`).
        try:
            reason = self._check_running() if self.is_running else self._check_outside()
        except BudgetExceededSignal:  # the watchdog stopped the run here: fail like any check
            return iter(self._poison, None)
        except BaseException:  # RecursionError at the depth limit: the caller sees a RecursionError
            return iter(_OneShotRecursionError(), None)
        if reason is not None:
            self.exceeded = reason
            return iter(self._poison, None)
        return repeat(True, self._chunk)

    def _check_running(self) -> str | None:
        now = time.monotonic()
        if self.exceeded is not None:  # the final answer, or the host's interrupt
            return self.exceeded
        if now > self.deadline:
            return self._timeout_reason()
        self.operations_left -= self._chunk
        if self.operations_left < 0:
            return self._operations_reason()
        is_growing = False
        if self.max_memory_bytes is not None:
            peak = _peak_rss_bytes()
            if peak > self._memory_ceiling:
                return self.memory_reason()
            # Memory climbing fast (e.g. a value doubling each iteration): check at every tick.
            is_growing = peak - self._last_peak > self.max_memory_bytes // 16
            self._last_peak = peak
        elapsed = now - self._last_check
        self._last_check = now
        if is_growing:
            self._chunk = _MIN_CHUNK
        elif elapsed < _TARGET_CHECK_SECONDS / 4:
            self._chunk = min(self._chunk * 2, _MAX_CHUNK)
        elif elapsed > _TARGET_CHECK_SECONDS:
            self._chunk = max(self._chunk // 4, _MIN_CHUNK)
        return None

    def _check_outside(self) -> str | None:
        now = time.monotonic()
        if now - self._last_check > _OUTSIDE_GAP_SECONDS or self._outside_start == 0.0:
            self._outside_start = now
            self._outside_operations = 0
        self._last_check = now
        self._chunk = 64
        self._outside_operations += self._chunk
        if now - self._outside_start > _OUTSIDE_SECONDS or self._outside_operations > _OUTSIDE_OPERATIONS:
            return f"a call made after the run did more than {_OUTSIDE_SECONDS:g} s of work"
        return None

    def _poison(self) -> bool:
        # Keeps failing while the limit stays exceeded; StopIteration lets the chain move on
        # once a new run (or a new outside call) has reset the budget.
        reason = self.exceeded
        if reason is None:
            raise StopIteration
        if not self.is_running:
            if time.monotonic() - self._last_check > _OUTSIDE_GAP_SECONDS:
                self.exceeded = None
                raise StopIteration
        self._fail(reason)
        return True  # pragma: no cover - _fail always raises

    def _on_dead(self) -> bool:
        self._is_dead = True
        self._fail(self.exceeded or "the budget could not be checked (recursion too deep)")
        return True  # pragma: no cover - _fail always raises
