"""Fixtures of the executor tests: executors of every kind, built on demand and always cleaned up."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kinds import KINDS, Kind


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    """Each kind of executor in turn."""
    return KINDS[request.param]


@pytest.fixture(scope="session")
def shared_executors() -> Iterator[dict[str, Any]]:
    """One executor per slow-starting kind, shared by the tests of the session."""
    shared: dict[str, Any] = {}
    yield shared
    for executor in shared.values():
        executor.cleanup()


@pytest.fixture
def make_executor(kind: Kind, shared_executors: dict[str, Any]) -> Iterator[Callable[..., Any]]:
    """Build executors of the current kind (timeout 30 s unless given); all are cleaned up after the test.

    Kinds that are slow to start give the session's shared executor (with the timeout asked for)
    unless the test asks for a `fresh` one or passes other settings.
    """
    built: list[Any] = []
    restore: list[tuple[Any, Any]] = []

    def make(timeout: float = 30, fresh: bool = False, **kwargs: Any) -> Any:
        if kind.shared and not fresh and not kwargs:
            executor = shared_executors.get(kind.name)
            if executor is None:
                executor = shared_executors[kind.name] = kind.build(30, list(kind.imports))
            restore.append((executor, executor.timeout_seconds))
            executor.timeout_seconds = timeout
            return executor
        executor = kind.build(timeout, list(kind.imports), **kwargs)
        built.append(executor)
        return executor

    yield make
    for executor, timeout in restore:
        executor.timeout_seconds = timeout
    for executor in built:
        executor.cleanup()
