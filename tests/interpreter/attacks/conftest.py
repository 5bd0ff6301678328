"""Run every attack in a forked child with memory/CPU/time caps, and give tests their canaries."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ._isolation import Limits, run_in_child
from ._kit import Canary, ExecutorFactory, make_canary, make_executor_factory

# Libraries the attacks authorise are imported once here, so that each forked child inherits them
# instead of importing them again (a few CPU seconds each for pandas). A whole-suite run has usually
# imported them already by the time these tests run; the first import under the executor's
# permissions is tested in a fresh process (tests/interpreter/test_limits.py).
for _library in ("numpy", "pandas", "lxml.etree", "PIL.Image"):
    try:
        importlib.import_module(_library)
    except ImportError:
        pass


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that adjusts the child's caps."""
    config.addinivalue_line(
        "markers",
        "limits(wall_seconds, cpu_seconds, extra_memory_bytes): caps for the attack's child process",
    )


# Holes still open when this suite was last updated, by test id (as in `pytest -rf` output,
# relative to this directory) -> finding in FINDINGS.md. Each is an expected, strict failure:
# when the implementation closes the hole the test XPASSes and fails, and the entry must go.
OPEN_FINDINGS: dict[str, str] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the attacks that still get through as strict expected failures pointing at FINDINGS.md."""
    for item in items:
        relative = item.nodeid.partition("tests/interpreter/attacks/")[2]
        finding = OPEN_FINDINGS.get(relative)
        if finding is not None:
            reason = f"open hole {finding}: see tests/interpreter/attacks/FINDINGS.md"
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the test body in a capped child so a successful attack cannot hang or crash the session."""
    if os.environ.get("SMOLAGENTS_ATTACKS_IN_PROCESS") == "1":
        return None  # debugging aid: run in-process to use pdb
    names = pyfuncitem._fixtureinfo.argnames
    arguments = {name: pyfuncitem.funcargs[name] for name in names}
    marker = pyfuncitem.get_closest_marker("limits")
    limits = Limits(**marker.kwargs) if marker else Limits()
    function: Callable[..., Any] = pyfuncitem.obj
    outcome = run_in_child(lambda: function(**arguments), limits)
    if outcome.status == "passed":
        return True
    if outcome.status == "skipped":
        pytest.skip(outcome.detail)
    if outcome.status == "xfailed":
        pytest.xfail(outcome.detail)
    pytest.fail(f"[{outcome.status} in child]\n{outcome.detail}", pytrace=False)
    return True


@pytest.fixture
def canary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Canary]:
    """Plant a secret environment variable and a marker path an escape would reveal or create."""
    planted = make_canary(tmp_path)
    monkeypatch.setenv(planted.env_var, planted.token)
    yield planted


@pytest.fixture
def make_executor(canary: Canary) -> ExecutorFactory:
    """Build executors with a secret-holding tool and final_answer already sent."""
    return make_executor_factory(canary)
