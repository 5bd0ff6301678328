"""Fixtures of the executor tests: executors of every kind, built on demand and always cleaned up."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kinds import DOCKER_USED, KINDS, SERVICES, Kind, leftover_containers


def _children() -> set[int]:
    """Return the ids of this process's child processes."""
    children: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        children.update(int(pid) for pid in (task / "children").read_text().split())
    return children


@pytest.fixture(scope="session", autouse=True)
def _services_stopped_and_no_container_left() -> Iterator[None]:
    """Stop the loopback services at the end of the session, and check no container outlived its test."""
    yield
    for server in SERVICES.values():
        server.stop()
    SERVICES.clear()
    if DOCKER_USED:
        left = leftover_containers()
        assert left == [], f"containers left behind by the executor tests (now removed): {left}"


@pytest.fixture(autouse=True)
def _nothing_outlives_the_test(shared_executors: dict[str, Any]) -> Iterator[None]:
    """Fail a test that leaves a thread that would block the interpreter's exit, or a child process.

    The session's shared executors and loopback services may keep theirs.
    """
    threads, children = set(threading.enumerate()), _children()
    yield
    for thread in set(threading.enumerate()) - threads:
        if not thread.daemon:
            thread.join(timeout=30)  # a thread finishing its work is fine; one that blocks is not
    blocking = [t.name for t in set(threading.enumerate()) - threads if not t.daemon and t.is_alive()]
    wasm = shared_executors.get("wasm")
    kept = set(KINDS["wasm"].held(wasm)) if wasm is not None else set()
    kept |= {kernel.process.pid for server in SERVICES.values() for kernel in server.kernels.values()}
    left = _children() - children - kept
    assert blocking == [], f"threads left running by the test: {blocking}"
    assert left == set(), f"child processes left running by the test: {sorted(left)}"


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
    unless the test asks for a `fresh` one or passes other settings; `last_use` hands the shared one
    over to a test that ends it (a fresh one if none was started).
    """
    built: list[Any] = []
    restore: list[tuple[Any, Any]] = []

    def make(timeout: float = 30, fresh: bool = False, last_use: bool = False, **kwargs: Any) -> Any:
        if kind.shared and last_use and not kwargs and kind.name in shared_executors:
            executor = shared_executors.pop(kind.name)  # this test ends it: later tests start another
            executor.timeout_seconds = timeout
            built.append(executor)
            return executor
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
