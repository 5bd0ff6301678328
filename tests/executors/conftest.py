"""Fixtures of the executor tests: executors of every kind, built on demand and always cleaned up."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kinds import DOCKER_USED, KINDS, SERVICES, Kind, leftover_containers

from thread_guard import _is_idle_pool_worker


def _children() -> set[int]:
    """Return the ids of this process's child processes."""
    children: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            children.update(int(pid) for pid in (task / "children").read_text().split())
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return children


def _blocking_threads(before: set[threading.Thread], timeout: float = 30) -> list[str]:
    """Return the names of threads started since `before` that still run, after waiting up to `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        blocking = [
            thread.name
            for thread in set(threading.enumerate()) - before
            if not thread.daemon and thread.is_alive() and not _is_idle_pool_worker(thread)
        ]
        if not blocking or time.monotonic() > deadline:
            return blocking
        time.sleep(0.05)  # polling a condition, with a generous deadline


def _container_ids(shared_executors: dict[str, Any]) -> set[str]:
    """Return the ids of the executors' containers on the test engine, but the shared executor's."""
    if not DOCKER_USED:
        return set()
    shared = shared_executors.get("docker")
    return set(leftover_containers(remove=False)) - set(KINDS["docker"].held(shared) if shared else [])


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


@pytest.fixture(scope="session", autouse=True)
def _services_stopped_and_no_container_left(shared_executors: dict[str, Any]) -> Iterator[None]:
    """Stop the shared executors and loopback services at the end of the session, and check no container outlived it."""
    yield
    for executor in shared_executors.values():  # before the check, whatever order pytest tears down in
        executor.cleanup()
    for server in SERVICES.values():
        server.stop()
    SERVICES.clear()
    if DOCKER_USED:
        left = leftover_containers(remove=True)
        assert left == [], f"containers left behind by the executor tests (now removed): {left}"


@pytest.fixture(autouse=True)
def _nothing_outlives_the_test(shared_executors: dict[str, Any]) -> Iterator[None]:
    """Fail a test that leaves a thread that would block the interpreter's exit, a process or a container.

    The session's shared executors and loopback services may keep theirs.
    """
    threads, children, containers = set(threading.enumerate()), _children(), _container_ids(shared_executors)
    yield
    blocking = _blocking_threads(threads)
    wasm = shared_executors.get("wasm")
    kept = set(KINDS["wasm"].held(wasm)) if wasm is not None else set()
    kept |= {kernel.process.pid for server in SERVICES.values() for kernel in server.kernels.values()}
    left = _children() - children - kept
    assert blocking == [], f"threads left running by the test: {blocking}"
    assert left == set(), f"child processes left running by the test: {sorted(left)}"
    left_containers = _container_ids(shared_executors) - containers
    assert left_containers == set(), f"containers left by the test: {sorted(left_containers)}"


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
