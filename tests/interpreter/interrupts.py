"""Ctrl-C for tests: SIGINT to the main thread once it is waiting for model code.

A timer would race with the machine's load (the signal could land before the code starts, or
while the executor is still being set up); watching where the main thread is does not.
"""

from __future__ import annotations

import signal
import sys
import threading
import time


def interrupt_when_code_runs(patience_seconds: float = 120.0) -> threading.Thread:
    """Start a watcher that sends SIGINT to the main thread when it blocks in the code thread's wait."""
    main = threading.main_thread()
    ident = main.ident
    assert ident is not None

    def watch() -> None:
        deadline = time.monotonic() + patience_seconds
        while time.monotonic() < deadline:
            frame = sys._current_frames().get(ident)
            if (
                frame is not None
                and frame.f_code.co_name == "_wait"
                and "code_thread" in frame.f_code.co_filename
            ):
                signal.pthread_kill(ident, signal.SIGINT)
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, name="ctrl-c-watcher", daemon=True)
    watcher.start()
    return watcher
