"""End-of-session check: no thread may still be working when the test session ends.

CPython joins the worker threads of every `ThreadPoolExecutor` (asyncio's `to_thread` pool too)
when it exits, so one worker blocked forever keeps the test process alive after the last test:
CI then waits for a process that never ends. This check names such threads, prints where they
are blocked, and ends the process with a failure instead. Idle pool workers (waiting for work)
are fine: they exit on their own at shutdown.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import time

import pytest

_GRACE_SECONDS = 30.0
_status: dict[str, int] = {"exit": 0}


def _is_idle_pool_worker(thread: threading.Thread) -> bool:
    """An idle pool worker blocks in C (`SimpleQueue.get`) straight from `_worker`, its innermost frame."""
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return False
    code = frame.f_code
    return code.co_name == "_worker" and code.co_filename.endswith(
        os.path.join("concurrent", "futures", "thread.py")
    )


def _busy_threads() -> list[threading.Thread]:
    current = threading.current_thread()
    return [
        thread
        for thread in threading.enumerate()
        if thread is not current
        and not thread.daemon
        and thread.is_alive()
        and not _is_idle_pool_worker(thread)
    ]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _status["exit"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    deadline = time.monotonic() + _GRACE_SECONDS
    busy = _busy_threads()
    while busy and time.monotonic() < deadline:
        busy[0].join(timeout=0.5)
        busy = _busy_threads()
    if not busy:
        return
    names = ", ".join(thread.name for thread in busy)
    sys.stderr.write(
        f"\nthread_guard: {len(busy)} thread(s) still working after the last test ({names}); "
        "they would keep this process from exiting. Where every thread is:\n"
    )
    sys.stderr.flush()
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(_status["exit"] or 1)
