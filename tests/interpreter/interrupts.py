"""Ctrl-C for tests: SIGINT to the main thread once it is waiting for model code.

A timer would race with the machine's load (the signal could land before the code starts, or
while the executor is still being set up); watching where the main thread is does not.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import FrameType


def interrupt_when_code_runs(patience_seconds: float = 120.0) -> threading.Thread:
    """Start a watcher that sends SIGINT to the main thread when it blocks in the code thread's wait."""
    main = threading.main_thread()
    ident = main.ident
    assert ident is not None
    # Python's own Ctrl-C behaviour, whatever an earlier test or library left installed.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def waits_for_code(frame: FrameType | None) -> bool:
        while frame is not None:  # waiting on the code thread, or running the code inline
            code = frame.f_code
            if code.co_name == "_wait" and "code_thread" in code.co_filename:
                return True
            if code.co_filename == "<smolagents code>":
                return True
            frame = frame.f_back
        return False

    def watch() -> None:
        deadline = time.monotonic() + patience_seconds
        while time.monotonic() < deadline:
            if waits_for_code(sys._current_frames().get(ident)):
                signal.pthread_kill(ident, signal.SIGINT)
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, name="ctrl-c-watcher", daemon=True)
    watcher.start()
    return watcher
