"""Build the executor an agent's `executor_type` names: the one place the agent asks for one."""

from __future__ import annotations

import importlib
from typing import Any

from ..local_python_executor import LocalPythonExecutor
from .base import PythonExecutor

__all__ = ["EXECUTOR_TYPES", "build_executor", "check_executor_type", "check_tools"]

EXECUTOR_TYPES: dict[str, str] = {
    "local": "the in-process interpreter (LocalPythonExecutor)",
    "isolated": "the interpreter in a local worker process confined by bubblewrap (IsolatedPythonExecutor)",
    "docker": "a Docker container (DockerExecutor)",
    "wasm": "Pyodide in a Deno process (WasmExecutor)",
    "e2b": "an E2B cloud sandbox (E2BExecutor)",
    "modal": "a Modal cloud sandbox (ModalExecutor)",
    "blaxel": "a Blaxel cloud sandbox (BlaxelExecutor)",
}
"""Every `executor_type` and what it runs the code in."""

_CLASSES = {
    "isolated": ("isolated", "IsolatedPythonExecutor"),
    "docker": ("docker", "DockerExecutor"),
    "wasm": ("wasm", "WasmExecutor"),
    "e2b": ("e2b", "E2BExecutor"),
    "modal": ("modal", "ModalExecutor"),
    "blaxel": ("blaxel", "BlaxelExecutor"),
}
_SHIPS_TOOLS = {"e2b", "modal", "blaxel"}


def check_executor_type(executor_type: str, executor: Any) -> None:
    """Refuse an unknown `executor_type`, naming the known ones (an `executor` instance needs none)."""
    if executor is not None:
        return
    if executor_type not in EXECUTOR_TYPES:
        known = ", ".join(f"{name!r} ({what})" for name, what in EXECUTOR_TYPES.items())
        raise ValueError(f"Unknown executor_type {executor_type!r}: use one of {known}.")


def executor_class(executor_type: str) -> type[PythonExecutor]:
    """Return the class that implements `executor_type` (not for "local")."""
    module, name = _CLASSES[executor_type]
    loaded: type[PythonExecutor] = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    return loaded


def check_tools(executor_type: str, tools: dict[str, Any]) -> None:
    """Refuse, before anything runs, tools that `executor_type` cannot offer the code (with the reason).

    Cloud sandboxes have no channel back to this process, so their tools are shipped as source code;
    a tool whose code cannot be written out standalone (or a managed agent) cannot go there.
    """
    if executor_type in _SHIPS_TOOLS:
        from .shipping import check_shippable

        check_shippable(tools, executor_type)


def build_executor(
    executor_type: str,
    additional_authorized_imports: list[str],
    logger: Any,
    max_print_outputs_length: int | None,
    executor_kwargs: dict[str, Any],
) -> PythonExecutor:
    """Return a new executor of `executor_type`, configured with the agent's settings.

    Args:
        executor_type: One of `EXECUTOR_TYPES`.
        additional_authorized_imports: The agent's extra imports (for sandboxes that install
            packages, what they install: wildcard entries are left out there).
        logger: The agent's `AgentLogger`.
        max_print_outputs_length: Characters of print output kept per call (None: default).
        executor_kwargs: Further keyword arguments of the executor's class, passed as they are.
    """
    check_executor_type(executor_type, None)
    kwargs = dict(executor_kwargs)
    if executor_type == "local":
        return LocalPythonExecutor(
            additional_authorized_imports, max_print_outputs_length=max_print_outputs_length, **kwargs
        )
    if executor_type in ("isolated", "docker", "wasm"):
        kwargs.setdefault("max_print_outputs_length", max_print_outputs_length)
    imports = list(additional_authorized_imports)
    if executor_type != "isolated":  # packages to install: "pkg.*" and "*" name no package
        imports = [name for name in imports if "*" not in name]
    executor_class_ = executor_class(executor_type)
    return executor_class_(imports, logger, **kwargs)  # type: ignore[call-arg]  # remote signatures
