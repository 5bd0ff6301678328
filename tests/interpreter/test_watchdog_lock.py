"""The watchdog's stop may land in a code thread the moment it takes the watchdog's own lock.

The watchdog raises AsyncStop while holding its lock; a code thread that was waiting for that lock
(in `unwatch`, finishing its run) takes it and receives the stop at once. The lock must still be
released, or every later run of the process hangs (seen once in a whole-suite run).
"""

from __future__ import annotations

import sys
import threading

from smolagents._interpreter import watchdog


def _waiting_in_unwatch(thread: threading.Thread) -> bool:
    frame = sys._current_frames().get(thread.ident or 0)
    while frame is not None:
        if frame.f_code is watchdog.unwatch.__code__:
            return True
        frame = frame.f_back
    return False


def test_a_stop_delivered_as_unwatch_takes_the_lock_leaves_the_lock_free() -> None:
    outcome: list[BaseException | bool] = []

    def finishing_run() -> None:
        try:
            outcome.append(watchdog.unwatch())
        except watchdog.AsyncStop as stop:
            outcome.append(stop)

    worker = threading.Thread(target=finishing_run, daemon=True)
    with watchdog._mutex:  # the patrol's position: holding the lock while it decides to stop
        worker.start()
        while not _waiting_in_unwatch(worker):
            if not worker.is_alive():
                break
            threading.Event().wait(0.001)
        # Give it time to block in the lock's acquire (where the real stop reaches it); sooner,
        # the stop lands before the acquire and this test checks less, but cannot fail wrongly.
        threading.Event().wait(0.2)
        assert worker.ident is not None
        watchdog._raise_in(worker.ident, watchdog.AsyncStop)
    worker.join(timeout=60)
    assert not worker.is_alive(), "unwatch never finished"
    assert len(outcome) == 1  # either the stop or unwatch's answer, never a hang

    # The lock is free again (checked from this thread: a new thread could reuse the dead
    # worker's identity and be taken for the owner of a re-entrant lock).
    assert watchdog._mutex.acquire(timeout=60), "the watchdog's lock stayed held after the stop"
    watchdog._mutex.release()
