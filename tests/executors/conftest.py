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


@pytest.fixture
def make_executor(kind: Kind) -> Iterator[Callable[..., Any]]:
    """Build executors of the current kind (timeout 30 s unless given); all are cleaned up after the test."""
    built: list[Any] = []

    def make(timeout: float = 30, **kwargs: Any) -> Any:
        executor = kind.build(timeout, list(kind.imports), **kwargs)
        built.append(executor)
        return executor

    yield make
    for executor in built:
        executor.cleanup()
