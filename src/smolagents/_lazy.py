"""Lazy re-exports, so that importing a package does not import its heavy parts."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, names: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return `__getattr__` and `__dir__` for a package whose names live in submodules.

    Args:
        package: The package's `__name__`.
        names: Exported name -> module (relative to `package`, e.g. ``".models.openai"``) defining it.
    """
    module_globals = importlib.import_module(package).__dict__

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
