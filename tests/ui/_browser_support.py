"""Helpers of the browser tests: what they need installed, free ports, where artifacts go."""

from __future__ import annotations

import importlib.util
import os
import socket
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
