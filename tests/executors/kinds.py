"""Every executor the conformance suite runs, with how to build one and what it can do.

A kind that needs a system component (bwrap, a Docker engine, Deno + Pyodide) asks for it through
`system_requirements.require`, so it is skipped on a machine without it and fails under CI.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smolagents.local_python_executor import LocalPythonExecutor
from system_requirements import require


@dataclass
class Kind:
    """How to build one kind of executor for the tests, and what it supports.

    Attributes:
        name: The test id.
        build: Builds an executor; takes the timeout in seconds and extra keyword arguments.
        tools_on_host: Tools run in the test process (False: their code is shipped into the sandbox).
        has_boundary: Values cross a process boundary (so an unserialisable value is an error).
        has_data_libraries: numpy, pandas and PIL are importable inside.
        processes: Returns the ids of the processes or containers the executor holds (for cleanup checks).
    """

    name: str
    build: Callable[..., Any]
    tools_on_host: bool = True
    has_boundary: bool = True
    has_data_libraries: bool = True
    processes: Callable[[Any], list[Any]] = field(default=lambda executor: [])
    imports: list[str] = field(default_factory=lambda: ["numpy", "pandas", "PIL", "PIL.*", "numpy.*"])


def require_bubblewrap() -> None:
    require(
        shutil.which("bwrap") is not None,
        "bubblewrap (bwrap)",
        "apt-get install bubblewrap, or run scripts/system/20-sandbox.sh",
    )


def _local(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    return LocalPythonExecutor(imports, timeout_seconds=timeout, **kwargs)


def _isolated(engine: str) -> Callable[..., Any]:
    def build(timeout: float, imports: list[str], **kwargs: Any) -> Any:
        require_bubblewrap()
        from smolagents.remote_executors import IsolatedPythonExecutor

        return IsolatedPythonExecutor(
            imports, timeout_seconds=timeout, engine=engine, grace_seconds=3, **kwargs
        )

    return build


def _worker_pids(executor: Any) -> list[Any]:
    connection = executor._connection
    return [] if connection is None else [connection.process.pid]


KINDS: dict[str, Kind] = {
    "local": Kind("local", _local, has_boundary=False),
    "isolated": Kind("isolated", _isolated("interpreter"), processes=_worker_pids),
    "isolated-python": Kind("isolated-python", _isolated("python"), processes=_worker_pids),
}
