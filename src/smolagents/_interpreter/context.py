"""Which budget the running model code draws on, for guards shared by all executors."""

from __future__ import annotations

import threading
from itertools import compress
from typing import Any

from .budget import Budget

__all__ = ["OUTSIDE_BUDGET", "current_budget", "ticking", "use_budget"]

OUTSIDE_BUDGET = Budget(timeout_seconds=None, max_operations=2**62, max_memory_bytes=None)
"""Drawn on when model-defined code runs outside any executor call (the host rendering an output)."""

_local = threading.local()


def current_budget() -> Budget:
    """Return the budget of the executor call running on this thread, or the outside budget."""
    return getattr(_local, "budget", None) or OUTSIDE_BUDGET


def use_budget(budget: Budget | None) -> Budget | None:
    """Make `budget` current on this thread and return the previous one (to restore later)."""
    previous = getattr(_local, "budget", None)
    _local.budget = budget
    return previous


def ticking(iterator: Any) -> Any:
    """Wrap `iterator` so each item it yields counts against the current budget."""
    return compress(iterator, current_budget().ticker)
