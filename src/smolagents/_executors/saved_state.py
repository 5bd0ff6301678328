"""The code's variables as JSON: exported from an executor with the memory, restored into a new one.

`export_namespace` runs where the variables live (this process for the local interpreter, the
worker for the isolated executor) and sorts each name into:

- ``values``: data `SafeSerializer` encodes (numbers, text, containers, numpy arrays, pandas frames...);
- ``imports``: modules, and functions or classes imported from modules, as the import statement
  that binds them again (run through the new executor, so its import rules still apply);
- ``definitions``: functions and classes the code defined, by their source (the interpreter keeps a
  function's source; a class's or a lambda's is found in the code the agent ran, by the host);
- ``unsaved``: everything else, with the reason (an instance of a class the code defined, a
  closure, a generator...), so that the model can be told what it must compute again.

`restore_state` sends the values, then runs the imports and the definitions in the new executor;
a definition that needs a name defined later is tried again after the others.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Iterable, Mapping
from types import FunctionType, ModuleType
from typing import Any

from ..serialization import SafeSerializer, SerializationError

__all__ = ["STATE_FORMAT", "export_executor_state", "export_namespace", "restore_state"]

STATE_FORMAT = 1
_SKIPPED = frozenset({"_print_outputs", "_operations_count", "final_answer"})
_NO_VALUE = "\nNone"  # a snippet's last value must cross the sandbox boundary: a module cannot
_CODE_MODULE = "__main__"  # the module name the interpreter and the plain engine give code


def export_namespace(namespace: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """Return the JSON-ready saved form of the code's variables in `namespace` (see the module doc)."""
    skipped = _SKIPPED | set(skip)
    values: dict[str, Any] = {}
    imports: list[dict[str, str]] = []
    definitions: list[dict[str, Any]] = []
    unsaved: dict[str, str] = {}
    for name, value in list(namespace.items()):
        if name in skipped or name.startswith("__"):
            continue
        if isinstance(value, ModuleType):
            imports.append({"name": name, "statement": _module_import(name, value)})
        elif isinstance(value, (FunctionType, type)) and getattr(value, "__module__", None) == _CODE_MODULE:
            entry = _definition(name, value)
            if isinstance(entry, str):
                unsaved[name] = entry
            else:
                definitions.append(entry)
        elif (statement := _member_import(name, value)) is not None:
            imports.append({"name": name, "statement": statement})
        else:
            _sort_value(name, value, values, unsaved)
    return {
        "format": STATE_FORMAT,
        "values": values,
        "imports": imports,
        "definitions": definitions,
        "unsaved": unsaved,
    }


def _module_import(name: str, module: ModuleType) -> str:
    real = str(module.__name__)
    if real == name:
        return f"import {real}"
    if real.split(".")[0] == name:  # `import a.b` binds `a`
        return f"import {real}"
    return f"import {real} as {name}"


def _definition(name: str, value: Any) -> dict[str, Any] | str:
    kind = "class" if isinstance(value, type) else "function"
    if kind == "function" and value.__code__.co_freevars:
        return "a closure over variables of the function that made it: its source alone cannot rebuild it"
    source = vars(value).get("__source__") if kind == "function" else None
    defined = str(getattr(value, "__name__", name))
    return {"name": name, "kind": kind, "defines": defined, "source": source}


def _member_import(name: str, value: Any) -> str | None:
    """The `from module import member` statement binding `value`, for functions and classes of modules."""
    if not callable(value) or (not isinstance(value, (type, FunctionType)) and not _is_builtin(value)):
        return None
    module, member = getattr(value, "__module__", None), getattr(value, "__name__", None)
    if not isinstance(module, str) or not isinstance(member, str) or module == _CODE_MODULE:
        return None
    top = module.split(".")[0]
    home = top if getattr(sys.modules.get(top), member, None) is not None else module
    suffix = "" if member == name else f" as {name}"
    return f"from {home} import {member}{suffix}"


def _is_builtin(value: Any) -> bool:
    return type(value).__name__ in ("builtin_function_or_method", "ufunc", "_ArrayFunctionDispatcher")


def _sort_value(name: str, value: Any, values: dict[str, Any], unsaved: dict[str, str]) -> None:
    kind = type(value)
    if getattr(kind, "__module__", None) == _CODE_MODULE:
        unsaved[name] = f"an instance of {kind.__name__}, a class the code defined (it has no JSON form)"
        return
    if dataclasses.is_dataclass(value):
        unsaved[name] = f"a {kind.__name__} dataclass instance (JSON would give it back as a plain dict)"
        return
    try:
        values[name] = SafeSerializer.to_json_safe(value)
    except SerializationError:
        unsaved[name] = f"a {kind.__name__} value, which has no JSON form"


def export_executor_state(executor: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Return the saved form of `executor`'s variables (in-process, or asked of the isolated worker).

    An executor that cannot tell its variables gives a saved form whose ``unsaved`` says so.
    """
    from .streamed import StreamedExecutor

    if isinstance(executor, StreamedExecutor):
        if executor._connection is None:  # never started, or lost: nothing lives there
            return export_namespace({})
        reply = executor._request({"op": "export_state"})
        if reply.get("ok") and isinstance(reply.get("output"), dict):
            return dict(reply["output"])
        message = (reply.get("error") or {}).get("message", "it refused")
        return _nothing_saved(f"the sandbox could not export its variables: {message}")
    state = getattr(executor, "state", None)
    if isinstance(state, dict):
        return export_namespace(state, skip)
    return _nothing_saved(f"{type(executor).__name__} cannot export its variables")


def _nothing_saved(reason: str) -> dict[str, Any]:
    saved = export_namespace({})
    saved["unsaved"] = {"*": reason}
    return saved


def restore_state(executor: Any, saved: Mapping[str, Any], history: Iterable[str] = ()) -> dict[str, str]:
    """Restore saved variables into `executor`; return the names not restored, with the reason.

    Args:
        executor: A fresh executor with the agent's tools.
        saved: What `export_namespace` returned (read back from JSON).
        history: The code the agent ran, oldest first: where the sources of classes and lambdas
            are found.
    """
    missing = {str(name): str(reason) for name, reason in dict(saved.get("unsaved") or {}).items()}
    values: dict[str, Any] = {}
    for name, data in dict(saved.get("values") or {}).items():
        try:
            values[name] = SafeSerializer.from_json_safe(data)
        except SerializationError as error:
            missing[name] = f"its saved value could not be read back: {error}"
    if values:
        executor.send_variables(values)
    for entry in saved.get("imports") or ():
        _run_or_note(executor, str(entry["statement"]), str(entry["name"]), missing)
    sources = _latest_definitions(history)
    waiting: list[tuple[str, str]] = []
    for entry in saved.get("definitions") or ():
        name, defined = str(entry["name"]), str(entry.get("defines") or entry["name"])
        source = entry.get("source") or sources.get(defined if defined != "<lambda>" else name)
        if not source:
            missing[name] = f"the source of this {entry.get('kind', 'definition')} was not found"
            continue
        if defined not in (name, "<lambda>"):
            source += f"\n{name} = {defined}"
        waiting.append((name, source))
    _define(executor, waiting, missing)
    return missing


def _define(executor: Any, waiting: list[tuple[str, str]], missing: dict[str, str]) -> None:
    """Run the definitions; those failing are tried again while another one succeeds."""
    errors: dict[str, str] = {}
    while waiting:
        failed = []
        for name, source in waiting:
            try:
                executor(source + _NO_VALUE)
            except Exception as error:  # the executor's own errors: kept as the reason
                errors[name] = f"redefining it failed: {error}"
                failed.append((name, source))
        if len(failed) == len(waiting):
            break
        waiting = failed
    for name, _ in waiting:  # left only when none of them could be defined any more
        missing[name] = errors[name]


def _run_or_note(executor: Any, statement: str, name: str, missing: dict[str, str]) -> None:
    try:
        executor(statement + _NO_VALUE)
    except Exception as error:  # e.g. the new executor does not authorise the import
        missing[name] = f"`{statement}` failed: {error}"


def _latest_definitions(history: Iterable[str]) -> dict[str, str]:
    """The source of the last top-level def, class or lambda assignment of each name in `history`."""
    found: dict[str, str] = {}
    for code in history:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[node.name] = ast.unparse(node)
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Lambda)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                found[node.targets[0].id] = ast.unparse(node)
    return found
