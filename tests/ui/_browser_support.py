"""Helpers of the browser tests: what they need installed, free ports, where artifacts go."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from smolagents._ui.browser import find_chromium
from system_requirements import require

ARTIFACTS = Path(
    os.environ.get("SMOLAGENTS_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
HOW = "run scripts/system/40-browser.sh (apt-get install chromium) and install the gradio and browser extras"


def require_browser_stack(*modules: str) -> str:
    """Skip (fail under CI) unless Chromium and the Python packages `modules` are installed."""
    for module in modules:
        require(importlib.util.find_spec(module) is not None, f"the {module} package", HOW)
    executable = find_chromium()
    require(executable is not None, "a Chromium browser", HOW)
    assert executable is not None
    return executable


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served_script(script: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run a Python script that launches a Gradio app (and blocks); yield the app's URL.

    The app is told to serve on a free loopback port through Gradio's environment variables, and
    is stopped when the block ends.
    """
    port = free_port()
    environment = {
        **os.environ,
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=script.parent,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()
    output: list[str] = []

    def read_output() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if f"127.0.0.1:{port}" in line:
                ready.set()

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        assert ready.wait(timeout=180), "the app did not start:\n" + "".join(output)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=60)
        if process.stdout is not None:
            process.stdout.close()


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def served_directory(root: Path) -> Iterator[str]:
    """Serve the files of `root` on a loopback port; yield the base URL (no trailing slash)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
