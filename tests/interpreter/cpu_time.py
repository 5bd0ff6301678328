"""A work bound that holds on a loaded machine: the process's CPU time, not the wall clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cpu_seconds_at_most(limit: float) -> Iterator[None]:
    """Fail if the block uses more than `limit` seconds of this process's CPU time (all threads).

    A loaded CI machine stretches wall-clock times but not the CPU time the code itself burns, so a
    generous limit here separates "stopped at the deadline" from "ran for minutes" deterministically.
    """
    start = time.process_time()
    yield
    used = time.process_time() - start
    assert used <= limit, f"the code used {used:.1f} s of CPU time, more than {limit} s: it was not stopped"
