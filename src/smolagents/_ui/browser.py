"""A Chromium browser driven by Playwright, owned by one thread that runs every operation on it.

Playwright's sync API works only from the thread that started it, while an agent calls its tools
from the interpreter's thread and its step callbacks from the run's thread. Every operation is
therefore sent to the browser's own thread and waited for.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["CHROMIUM_FLAGS", "Browser", "BrowserUnavailableError", "find_chromium"]

T = TypeVar("T")

# Quiet, deterministic Chromium: no sandbox (containers), no GPU, no background traffic.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-pdf-viewer",
    "--force-device-scale-factor=1",
]
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_INSTALL_HINT = (
    "install Chromium (e.g. `apt-get install chromium`, or `playwright install chromium`) or pass "
    "--browser-path (or set SMOLAGENTS_CHROMIUM) to a Chromium executable"
)


class BrowserUnavailableError(RuntimeError):
    """No usable browser: the message says how to get one."""


def find_chromium(explicit: str | None = None) -> str | None:
    """Return the Chromium executable to use, or None to let Playwright use its own download.

    Order: `explicit`, then `$SMOLAGENTS_CHROMIUM`, then a Chromium or Chrome on the PATH.

    Raises:
        BrowserUnavailableError: An explicitly named executable does not exist.
    """
    named = explicit or os.environ.get("SMOLAGENTS_CHROMIUM")
    if named:
        if not (os.path.isfile(named) and os.access(named, os.X_OK)):
            raise BrowserUnavailableError(f"No browser at {named}: {_INSTALL_HINT}.")
        return named
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _Job:
    def __init__(self, operation: Callable[[Any], Any]) -> None:
        self.operation = operation
        self.result: Future[Any] = Future()


class Browser:
    """One Chromium window (a page of a fresh profile) on a thread of its own.

    Args:
        executable_path: The Chromium to run (see `find_chromium`).
        headless: Run without a window.
        viewport: Page size in pixels (width, height).
        timeout_seconds: How long one operation may take.
    """

    def __init__(
        self,
        executable_path: str | None = None,
        headless: bool = True,
        viewport: tuple[int, int] = (1000, 1350),
        timeout_seconds: float = 60.0,
    ) -> None:
        self.executable_path = executable_path
        self.headless = headless
        self.viewport = viewport
        self.timeout_seconds = timeout_seconds
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._serve, name="smolagents-browser", daemon=True)

    def start(self) -> Browser:
        """Launch the browser; return self.

        Raises:
            BrowserUnavailableError: Playwright is missing or Chromium cannot start.
        """
        self._thread.start()
        self._ready.result(timeout=self.timeout_seconds)
        return self

    def _serve(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self._ready.set_exception(
                BrowserUnavailableError(
                    "The browser agent needs Playwright, which is not installed: "
                    "pip install 'smolagents[browser]'."
                )
            )
            return
        try:
            with sync_playwright() as playwright:
                try:
                    browser = playwright.chromium.launch(
                        executable_path=self.executable_path, headless=self.headless, args=CHROMIUM_FLAGS
                    )
                except Exception as error:  # Playwright's launch errors are long logs: keep the first line
                    first_line = (
                        str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                    )
                    raise BrowserUnavailableError(
                        f"Chromium could not start ({first_line}): {_INSTALL_HINT}."
                    ) from error
                width, height = self.viewport
                page = browser.new_page(viewport={"width": width, "height": height})
                self._ready.set_result(None)
                self._work(page)
                browser.close()
        except BaseException as error:  # reported to whoever waits for the start
            if not self._ready.done():
                self._ready.set_exception(error)

    def _work(self, page: Any) -> None:
        while (job := self._jobs.get()) is not None:
            if not job.result.set_running_or_notify_cancel():
                continue
            try:
                job.result.set_result(job.operation(page))
            except BaseException as error:  # handed to the calling thread
                job.result.set_exception(error)

    def run(self, operation: Callable[[Any], T]) -> T:
        """Run `operation(page)` on the browser's thread and return its result (or raise its error)."""
        if not self._ready.done() or self._ready.exception() is not None:
            raise BrowserUnavailableError("The browser is not running: call start() first.")
        job = _Job(operation)
        self._jobs.put(job)
        result: T = job.result.result(timeout=self.timeout_seconds)
        return result

    def close(self) -> None:
        """Close the browser and end its thread."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=self.timeout_seconds)

    def __enter__(self) -> Browser:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
