"""The environment as model code sees it: a few harmless locale and terminal variables, nothing else.

Reading `os.environ` raises no audit event, and any library may read it on the model's behalf
(`os.path.expandvars("$OPENAI_API_KEY")`, `os.getenv`, a config loader). So the process's
`os._Environ` mapping is taught, once, to answer model code (found on the stack the same way as
the audit hook does) as if the environment held only `VISIBLE_VARIABLES`, and to refuse changes.
The host sees no difference. `/proc/self/environ` is a file outside every grant.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .errors import HostAccessDenied
from .host_access import model_permissions

__all__ = ["VISIBLE_VARIABLES", "scrub_environment_for_model_code"]

VISIBLE_VARIABLES = frozenset(
    {
        "LANG", "LANGUAGE", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MESSAGES", "LC_MONETARY",
        "LC_NUMERIC", "LC_TIME", "TZ", "TERM", "COLUMNS", "LINES", "NO_COLOR",
    }
)  # fmt: skip
"""Environment variables model code may read: locale and terminal settings libraries consult."""

_VISIBLE_BYTES = frozenset(name.encode() for name in VISIBLE_VARIABLES)
_patching = threading.Lock()
_patched = False


def _in_model_code() -> bool:
    return model_permissions(sys._getframe(2)) is not None


def _visible(key: Any) -> bool:
    return key in VISIBLE_VARIABLES or key in _VISIBLE_BYTES


def _refused_change() -> HostAccessDenied:
    return HostAccessDenied(
        "Changing environment variables is not allowed from model code: the environment is the host's."
    )


def _reader(original: Callable[..., Any]) -> Callable[..., Any]:
    def read(self: Any, key: Any) -> Any:
        if not _visible(key) and _in_model_code():
            raise KeyError(key)
        return original(self, key)

    return read


def _writer(original: Callable[..., Any]) -> Callable[..., Any]:
    def write(self: Any, *args: Any) -> Any:
        if _in_model_code():
            raise _refused_change()
        return original(self, *args)

    return write


def scrub_environment_for_model_code() -> None:
    """Patch `os._Environ` (os.environ, os.environb) once so that model code sees a scrubbed copy."""
    global _patched
    with _patching:
        if _patched:
            return
        environ_type = type(os.environ)
        original_iter = environ_type.__iter__
        original_len = environ_type.__len__
        original_repr = environ_type.__repr__

        def iterate(self: Any) -> Iterator[Any]:
            if _in_model_code():
                return iter([key for key in original_iter(self) if _visible(key)])
            return original_iter(self)

        def length(self: Any) -> int:
            if _in_model_code():
                return sum(1 for key in original_iter(self) if _visible(key))
            return original_len(self)

        def represent(self: Any) -> str:
            if _in_model_code():
                return repr({key: self._data[key] for key in self._data if _visible(self.decodekey(key))})
            return original_repr(self)

        environ_type.__getitem__ = _reader(environ_type.__getitem__)  # type: ignore[method-assign]
        environ_type.__iter__ = iterate  # type: ignore[method-assign]
        environ_type.__len__ = length  # type: ignore[method-assign]
        environ_type.__repr__ = represent  # type: ignore[method-assign]
        for name in ("__setitem__", "__delitem__"):
            setattr(environ_type, name, _writer(getattr(environ_type, name)))
        _patched = True
