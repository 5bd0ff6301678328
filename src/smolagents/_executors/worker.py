"""The isolated executor's worker: started inside bubblewrap, it confines itself, then serves code.

Run as ``python -I -m smolagents._executors.worker '<json settings>'``. Settings: ``engine``
("interpreter": our restricted interpreter, or "python": plain CPython with the sandbox as the only
barrier), ``executor_kwargs`` (tagged JSON, passed to `LocalPythonExecutor` as they are),
``limits`` (see confinement.Limits) and ``seccomp`` (whether to load the filter).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from ..local_python_executor import ExecutionTimeoutError, InterpreterError, LocalPythonExecutor
from ..serialization import SafeSerializer
from .confinement import apply_limits, load_seccomp_filter, set_cpu_budget
from .kernel import Channel, Engine, FdTransport, PlainEngine, RunFailure, serve

__all__ = ["InterpreterEngine", "main"]


def _answer(answer: Any) -> Any:
    return answer


class InterpreterEngine:
    """Runs code in our restricted interpreter (`LocalPythonExecutor`), inside the OS sandbox."""

    def __init__(self, executor_kwargs: dict[str, Any]) -> None:
        self.executor = LocalPythonExecutor(**executor_kwargs)
        self.executor.send_tools({"final_answer": _answer})

    def set_tools(self, tools: dict[str, Callable[..., Any]]) -> None:
        self.executor.send_tools({**tools, "final_answer": _answer})

    def set_variables(self, variables: dict[str, Any]) -> None:
        self.executor.send_variables(variables)

    def export_state(self) -> dict[str, Any]:
        from .saved_state import export_namespace

        return export_namespace(self.executor.state)

    def run(self, code: str, timeout: float | None) -> tuple[Any, str, bool]:
        try:
            result = self.executor(code)
        except ExecutionTimeoutError as error:
            raise RunFailure(str(error), error.logs, error.lineno, "timeout") from None
        except InterpreterError as error:
            raise RunFailure(str(error), error.logs, error.lineno) from None
        return result.output, result.logs, result.is_final_answer


class _CpuBudgeted:
    """Gives each run its CPU-time allowance before it starts."""

    def __init__(self, engine: Engine, cpu_seconds: int | None) -> None:
        self.engine = engine
        self.cpu_seconds = cpu_seconds

    def set_tools(self, tools: dict[str, Callable[..., Any]]) -> None:
        self.engine.set_tools(tools)

    def set_variables(self, variables: dict[str, Any]) -> None:
        self.engine.set_variables(variables)

    def run(self, code: str, timeout: float | None) -> tuple[Any, str, bool]:
        set_cpu_budget(self.cpu_seconds)
        return self.engine.run(code, timeout)

    def export_state(self) -> dict[str, Any]:
        from .saved_state import export_namespace

        engine = self.engine
        if isinstance(engine, PlainEngine):  # its globals hold the tools' proxies too: skipped
            return export_namespace(engine.globals, skip=engine.protected)
        return engine.export_state()


def main() -> None:
    """Confine this process, build the engine, then serve the protocol on stdin/stdout."""
    settings = json.loads(sys.argv[1])
    executor_kwargs = SafeSerializer.from_json_safe(settings.get("executor_kwargs") or {})
    engine: Engine
    if settings.get("engine") == "python":
        engine = PlainEngine(executor_kwargs.get("max_print_outputs_length"))
    else:
        engine = InterpreterEngine(executor_kwargs)
    limits = settings.get("limits") or {}
    apply_limits(limits)
    seccomp = "off"
    if settings.get("seccomp"):
        load_seccomp_filter()
        seccomp = "on"
    wire = os.dup(1)
    os.dup2(2, 1)  # stray writes to fd 1 (C code, the code itself) go to stderr, not the protocol
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), line_buffering=True)
    banner = {"engine": settings.get("engine", "interpreter"), "seccomp": seccomp, "pid": os.getpid()}
    serve(Channel(FdTransport(0, wire)), _CpuBudgeted(engine, limits.get("cpu_seconds")), banner)


if __name__ == "__main__":
    main()
