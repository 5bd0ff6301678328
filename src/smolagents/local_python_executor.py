"""Run model-written Python locally, fast, treating every line as hostile.

The code is parsed and checked once, rewritten so that sensitive operations (imports, attribute
access on private or internal names, size-sensitive operators, loop iterations and function
entries) go through small guards, compiled, and run by CPython in the executor's own globals with
a curated set of builtins. State persists between calls, like a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor  # noqa: F401  # 1.26 had it here; tracing instrumentors patch it
from typing import Any

from ._executors.base import CodeOutput, PythonExecutor
from ._interpreter.errors import ExecutionTimeoutError, InterpreterError
from ._interpreter.runtime import Runtime
from ._interpreter.tables import BASE_BUILTIN_MODULES, DANGEROUS_FUNCTIONS, DANGEROUS_MODULES

__all__ = [
    "BASE_BUILTIN_MODULES",
    "DANGEROUS_FUNCTIONS",
    "DANGEROUS_MODULES",
    "DEFAULT_MAX_LEN_OUTPUT",
    "MAX_OPERATIONS",
    "CodeOutput",
    "ExecutionTimeoutError",
    "InterpreterError",
    "LocalPythonExecutor",
    "PythonExecutor",
    "evaluate_python_code",
]

DEFAULT_MAX_LEN_OUTPUT = 50_000
"""Characters of print output kept in `CodeOutput.logs` unless told otherwise."""

MAX_OPERATIONS = 10_000_000
"""Loop iterations plus function calls allowed in one call of the executor."""

DEFAULT_MAX_MEMORY_BYTES = 512 * 2**20
"""Growth of the process's peak memory allowed in one call of the executor."""


class LocalPythonExecutor(PythonExecutor):
    """Run model code in this process, within time, operation, memory and size limits.

    Args:
        additional_authorized_imports: Modules the code may import on top of
            `BASE_BUILTIN_MODULES`; `"pkg.*"` authorises a package and its submodules, `"*"`
            every module except those in `DANGEROUS_MODULES` (which need an exact entry).
        max_print_outputs_length: Characters of print output kept in the logs (default 50,000).
        additional_functions: Extra callables available to the code by name; like tools, the code
            cannot rebind or unwrap them.
        timeout_seconds: Wall-clock limit of one call (None: no limit).
        max_operations: Loop iterations plus function calls allowed in one call.
        max_memory_bytes: Growth of peak memory allowed in one call (None: unchecked).
    """

    def __init__(
        self,
        additional_authorized_imports: Sequence[str] = (),
        max_print_outputs_length: int | None = None,
        additional_functions: dict[str, Any] | None = None,
        timeout_seconds: float | None = 30,
        *,
        max_operations: int = MAX_OPERATIONS,
        max_memory_bytes: int | None = DEFAULT_MAX_MEMORY_BYTES,
    ) -> None:
        if isinstance(additional_authorized_imports, str):
            raise TypeError(
                "additional_authorized_imports must be a list of module names, e.g. ['numpy'], not a string."
            )
        if timeout_seconds is not None and timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive or None, got {timeout_seconds!r}.")
        self.additional_authorized_imports = list(additional_authorized_imports)
        self.authorized_imports = sorted(set(BASE_BUILTIN_MODULES) | set(self.additional_authorized_imports))
        self.max_print_outputs_length = (
            DEFAULT_MAX_LEN_OUTPUT if max_print_outputs_length is None else max_print_outputs_length
        )
        self.timeout_seconds = timeout_seconds
        self._runtime = Runtime(
            self.authorized_imports,
            self.max_print_outputs_length,
            timeout_seconds,
            max_operations,
            max_memory_bytes,
        )
        self.additional_functions = dict(additional_functions or {})
        if self.additional_functions:
            self._runtime.provide(self.additional_functions, what="Function")

    @property
    def state(self) -> dict[str, Any]:
        """The notebook's user variables (a live dict, refreshed after every call; write with `send_variables`)."""
        return self._runtime.state

    def send_tools(self, tools: dict[str, Any]) -> None:
        """Make `tools` (any callables: Tool objects, functions, managed agents) callable by name.

        `final_answer`'s callable receives the answer and returns the value to report.
        """
        self._runtime.provide(dict(tools), what="Tool")

    def send_variables(self, variables: dict[str, Any]) -> None:
        """Make `variables` available to the code as global names."""
        self._runtime.set_variables(dict(variables))

    def __call__(self, code_action: str) -> CodeOutput:
        """Run `code_action`; return its last value (or final answer), print output and whether it ended."""
        result = self._runtime.run(code_action)
        return CodeOutput(output=result.output, logs=result.logs, is_final_answer=result.is_final_answer)


def evaluate_python_code(
    code: str,
    static_tools: dict[str, Any] | None = None,
    custom_tools: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    authorized_imports: Sequence[str] = BASE_BUILTIN_MODULES,
    max_print_outputs_length: int = DEFAULT_MAX_LEN_OUTPUT,
    timeout_seconds: float | None = 30,
) -> tuple[Any, bool]:
    """Run `code` once and return `(result, is_final_answer)`.

    Args:
        code: The code to run.
        static_tools: Callables the code may call but not rebind (tools, `final_answer`).
        custom_tools: Callables the code may call and also rebind (given as variables).
        state: Variables to start from; updated in place with the code's variables and
            `_print_outputs` (the printed text).
        authorized_imports: Every module the code may import (not added to a base list).
        max_print_outputs_length: Characters of print output kept.
        timeout_seconds: Wall-clock limit (None: no limit).
    """
    state = {} if state is None else state
    runtime = Runtime(
        authorized_imports,
        max_print_outputs_length,
        timeout_seconds,
        MAX_OPERATIONS,
        DEFAULT_MAX_MEMORY_BYTES,
    )
    if static_tools:
        runtime.provide(static_tools, what="Tool")
    variables = {name: value for name, value in state.items() if name != "_print_outputs"}
    variables.update(custom_tools or {})
    runtime.set_variables(variables)
    try:
        result = runtime.run(code)
    except InterpreterError as error:
        state["_print_outputs"] = error.logs
        raise
    finally:
        state.update(runtime.state)
    state["_print_outputs"] = result.logs
    return result.output, result.is_final_answer
