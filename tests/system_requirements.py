"""Tests that need a system component (a browser, a Docker engine, bubblewrap...) ask for it here.

Where the component is missing, the test is skipped on a developer's machine and fails under CI
(`SMOLAGENTS_CI=1`, set by `.ci/run`), which installs every component with `scripts/system/`.
"""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["require", "require_executable"]


def require(is_available: bool, what: str, how: str) -> None:
    """Skip (or, under CI, fail) the calling test unless `is_available`.

    Args:
        is_available: Whether the component is there.
        what: What is missing, e.g. "bubblewrap (bwrap)".
        how: How to get it, e.g. "apt-get install bubblewrap, or run scripts/system/20-sandbox.sh".
    """
    if is_available:
        return
    message = f"{what} is not available: {how}"
    if os.environ.get("SMOLAGENTS_CI") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_executable(name: str, how: str) -> str:
    """Return the path of executable `name`, or skip/fail as `require` does."""
    path = shutil.which(name)
    require(path is not None, f"the {name!r} executable", how)
    assert path is not None
    return path
