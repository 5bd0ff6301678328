"""Lazy re-exports, so that importing a package does not import its heavy parts.

This module imports nothing beyond `importlib` and `sys`: it runs on every `import smolagents`.
"""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs more than this whole import
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def lazy_exports(package: str, names: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return `__getattr__` and `__dir__` for a package whose names live in submodules.

    Args:
        package: The package's `__name__`.
        names: Exported name -> module (relative to `package`, e.g. ``".models.openai"``) defining it.
    """
    module_globals = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module_name = names.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name, package), name)
        module_globals[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(module_globals) | set(names))

    return __getattr__, __dir__


def materialize_on_vars(package: str, names: dict[str, str]) -> None:
    """Make `vars(package)` (and `package.__dict__`) hold every export, loading what is not yet loaded.

    Tools written for the original library list a package's namespace to find its classes (the
    OpenInference instrumentor wraps every `Model` subclass it finds in ``vars(smolagents)``);
    lazily exported names would otherwise be missing. Attribute access and imports do not go
    through this, so the package stays lazy for everyone else.
    """
    module = sys.modules[package]
    module.__class__ = type(
        "LazyPackage",
        (types.ModuleType,),
        {"__dict__": property(_namespace_getter(names)), "__module__": __name__},
    )


def _namespace_getter(names: dict[str, str]) -> Callable[[types.ModuleType], dict[str, Any]]:
    loading = False

    def namespace(module: types.ModuleType) -> dict[str, Any]:
        nonlocal loading
        real: dict[str, Any] = vars(types.ModuleType)["__dict__"].__get__(module)
        if loading:
            return real
        loading = True
        try:
            for name in names:
                if name not in real:
                    try:
                        getattr(module, name)
                    except (ImportError, AttributeError):
                        continue  # an export whose optional dependency is missing stays unlisted
        finally:
            loading = False
        return real

    return namespace
