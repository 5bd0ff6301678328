"""Run model-written Python locally, fast, treating every line as hostile.

The code is parsed and checked once, rewritten so that sensitive operations (imports, attribute
access on private or internal names, size-sensitive operators, loop iterations and function
entries) go through small guards, compiled, and run by CPython in the executor's own globals with
a curated set of builtins. State persists between calls, like a notebook.
"""

from __future__ import annotations

import builtins
import importlib.util
import logging
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor  # noqa: F401  # 1.26 had it here; tracing instrumentors patch it
from typing import Any

from ._executors.base import CodeOutput, PythonExecutor
from ._interpreter.builtins import BASE_BUILTINS
from ._interpreter.errors import ExecutionTimeoutError, HostAccessDenied, InterpreterError
from ._interpreter.host_access import HostPermissions
from ._interpreter.modules import ImportPolicy
from ._interpreter.runtime import Runtime
from ._interpreter.tables import (
    BASE_BUILTIN_MODULES,
    DANGEROUS_FUNCTIONS,
    DANGEROUS_MODULES,
    HOST_MODULES,
    PROTECTED_BUILTIN_NAMES,
)

__all__ = [
    "BASE_BUILTIN_MODULES",
    "BASE_PYTHON_TOOLS",
    "DANGEROUS_FUNCTIONS",
    "DANGEROUS_MODULES",
    "ALLOWED_DUNDER_METHODS",
    "DEFAULT_MAX_LEN_OUTPUT",
    "MAX_EXECUTION_TIME_SECONDS",
    "MAX_OPERATIONS",
    "MAX_WHILE_ITERATIONS",
    "CodeOutput",
    "ExecutionTimeoutError",
    "HostAccessDenied",
    "InterpreterError",
    "LocalPythonExecutor",
    "PrintContainer",
    "check_import_authorized",
    "fix_final_answer_code",
    "PythonExecutor",
    "YieldException",
    "evaluate_python_code",
]

DEFAULT_MAX_LEN_OUTPUT = 50_000
"""Characters of print output kept in `CodeOutput.logs` unless told otherwise."""

MAX_OPERATIONS = 10_000_000
"""Loop iterations plus function calls allowed in one call of the executor."""

MAX_WHILE_ITERATIONS = 1_000_000
"""Iterations allowed per `while` loop in `evaluate_python_code` (1.26); the executor counts loop
iterations and calls against `max_operations` instead."""

MAX_EXECUTION_TIME_SECONDS = 30
"""Default wall-clock limit of one call, in seconds (1.26's name)."""

ALLOWED_DUNDER_METHODS = ["__init__", "__str__", "__repr__"]
"""1.26's name for the dunder methods its tree walker let code call. Here the interpreter's own
table (`_interpreter/tables.py`) decides which dunder attributes code may read or define."""

DEFAULT_MAX_MEMORY_BYTES = 512 * 2**20
"""Growth of the process's peak memory allowed in one call of the executor."""

BASE_PYTHON_TOOLS: dict[str, Any] = {
    name: builtins.print if name == "print" else BASE_BUILTINS[name]
    for name in sorted(PROTECTED_BUILTIN_NAMES)
}
"""The builtins every executor gives the code and no binding may replace (1.26's table; the guarded
versions where the interpreter guards them). Passing them as tools changes nothing."""


logger = logging.getLogger(__name__)


def _warn_about_host_modules(authorized: list[str]) -> None:
    reaching = sorted({name for name in authorized if name == "*" or name.partition(".")[0] in HOST_MODULES})
    if reaching:
        logger.warning(
            "LocalPythonExecutor authorises %s: model code can use it to act on the host within the "
            "host permissions (allow_read, allow_write, allow_net). Grant only what the task needs.",
            ", ".join(reaching),
        )


class LocalPythonExecutor(PythonExecutor):
    """Run model code in this process, within time, operation, memory and size limits.

    Args:
        additional_authorized_imports: Modules the code may import on top of
            `BASE_BUILTIN_MODULES`; `"pkg.*"` authorises a package and its submodules, `"*"`
            every module (those reaching the host get a warning at construction).
        max_print_outputs_length: Characters of print output kept in the logs (default 50,000).
        additional_functions: Extra callables available to the code by name; like tools, the code
            cannot rebind or unwrap them.
        timeout_seconds: Wall-clock limit of one call (None: no limit).
        max_operations: Loop iterations plus function calls allowed in one call.
        max_memory_bytes: Growth of peak memory allowed in one call (None: unchecked).
        allow_read: Files and folders the code (and every library it calls) may read; relative
            paths resolve against the working directory, symlinks and `..` cannot leave them.
            Nothing on the host is readable by default except the installed libraries' own files.
        allow_write: Files and folders the code may create, change or delete (separate from reading).
        allow_net: Whether the code may open network connections (off by default).

    Environment variables, subprocesses, ctypes and native libraries stay closed to model code
    whatever it imports; tools and additional functions are the host's and are not restricted.
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
        allow_read: Sequence[str | os.PathLike[str]] = (),
        allow_write: Sequence[str | os.PathLike[str]] = (),
        allow_net: bool = False,
    ) -> None:
        if isinstance(additional_authorized_imports, str):
            raise TypeError(
                "additional_authorized_imports must be a list of module names, e.g. ['numpy'], not a string."
            )
        _check_timeout(timeout_seconds)
        self.additional_authorized_imports = list(additional_authorized_imports)
        _check_installed(self.additional_authorized_imports)
        _warn_about_host_modules(self.additional_authorized_imports)
        self.authorized_imports = sorted(set(BASE_BUILTIN_MODULES) | set(self.additional_authorized_imports))
        self.max_print_outputs_length = (
            DEFAULT_MAX_LEN_OUTPUT if max_print_outputs_length is None else max_print_outputs_length
        )
        for parameter, paths in (("allow_read", allow_read), ("allow_write", allow_write)):
            if isinstance(paths, (str, bytes, os.PathLike)):
                raise TypeError(
                    f"{parameter} must be a list of paths, e.g. [{os.fspath(paths)!r}], not a single path."
                )
        self.permissions = HostPermissions.build(allow_read, allow_write, allow_net)
        self._runtime = Runtime(
            self.authorized_imports,
            self.max_print_outputs_length,
            timeout_seconds,
            max_operations,
            max_memory_bytes,
            self.permissions,
        )
        self.additional_functions = dict(additional_functions or {})
        if self.additional_functions:
            self._runtime.provide(self.additional_functions, what="Function")

    @property
    def timeout_seconds(self) -> float | None:
        """Wall-clock limit of one call (None: no limit); setting it applies from the next call."""
        return self._runtime.budget.timeout_seconds

    @timeout_seconds.setter
    def timeout_seconds(self, value: float | None) -> None:
        _check_timeout(value)
        self._runtime.budget.timeout_seconds = value

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
        state: Variables to start from; updated in place with the code's variables,
            `_print_outputs` (the printed text) and `_operations_count` (1.26's count of evaluated
            syntax nodes, `{"counter": n}`; the run stops past `MAX_OPERATIONS` of them).
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
    tools = {
        name: tool for name, tool in (static_tools or {}).items() if BASE_PYTHON_TOOLS.get(name) is not tool
    }
    if tools:  # 1.26 callers pass BASE_PYTHON_TOOLS among the tools: those are the builtins already
        runtime.provide(tools, what="Tool")
    variables = {name: value for name, value in state.items() if not name.startswith("_")}
    variables.update(custom_tools or {})
    runtime.set_variables(variables)
    try:
        result = runtime.run(code, node_limit=MAX_OPERATIONS, while_limit=MAX_WHILE_ITERATIONS)
    except InterpreterError as error:
        state["_print_outputs"] = PrintContainer(error.logs)
        raise
    finally:
        state.update(
            (name, value) for name, value in runtime.state.items() if name != "__name__" or name in state
        )
        state["_operations_count"] = {"counter": runtime.tally.operations}  # 1.26's count of evaluated nodes
    state["_print_outputs"] = PrintContainer(result.logs)
    return result.output, result.is_final_answer


class PrintContainer:
    """The printed text of a run, as 1.26's state keeps it under `_print_outputs` (str-like)."""

    def __init__(self, value: str = "") -> None:
        self.value = value

    def append(self, text: str) -> PrintContainer:
        """Add `text` to the printed output."""
        self.value += text
        return self

    def __iadd__(self, other: object) -> PrintContainer:
        self.value += str(other)
        return self

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"PrintContainer({self.value})"  # 1.26's form

    def __len__(self) -> int:
        return len(self.value)

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list


class YieldException(Exception):  # 1.26's name
    """A yielded value, in 1.26's tree walker. Never raised here: generators written by model code are
    compiled and run natively. Kept so that code importing the name keeps working."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


def fix_final_answer_code(code: str) -> str:
    """Rename variables called `final_answer` to `final_answer_variable`, keeping calls of the tool.

    Models sometimes assign `final_answer = ...`, which would shadow the tool; 1.26 rewrites such
    code before running it, and so does this function.
    """
    code = _FINAL_ANSWER_ASSIGNMENT.sub(r"final_answer_variable\1", code)
    return _FINAL_ANSWER_VARIABLE.sub("final_answer_variable", code)


_FINAL_ANSWER_ASSIGNMENT = re.compile(r"(?<![\w.])final_answer(\s*=(?!=))")
_FINAL_ANSWER_VARIABLE = re.compile(r"(?<![\w.])final_answer\b(?!\s*\()")


def check_import_authorized(import_to_check: str, authorized_imports: Sequence[str]) -> bool:
    """Return whether an executor with these `authorized_imports` lets code import `import_to_check`."""
    policy = ImportPolicy(authorized_imports)
    # `pkg` is importable when a submodule is authorised: `import pkg.sub` binds `pkg` (holding `sub`).
    return policy.is_authorized(import_to_check) or any(
        name.startswith(import_to_check + ".") and policy.is_authorized(name) for name in policy.authorized
    )


def _check_installed(authorized: list[str]) -> None:
    # 1.26 refuses, at construction, modules that cannot be imported: a typo fails early.
    missing = [
        name
        for name in authorized
        if name != "*" and importlib.util.find_spec(name.partition(".")[0]) is None
    ]
    if missing:
        raise InterpreterError(
            f"Non-installed authorized modules: {', '.join(missing)}. Install them in this environment or "
            "remove them from additional_authorized_imports."
        )


def _check_timeout(timeout_seconds: float | None) -> None:
    if timeout_seconds is not None and timeout_seconds <= 0:
        raise ValueError(f"timeout_seconds must be positive or None, got {timeout_seconds!r}.")
