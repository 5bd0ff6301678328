"""Restricted stand-ins for modules that stay closed as themselves: sys, builtins, importlib, ...

These modules reach the interpreter's own machinery (frames, the module table, the real import
system, process-wide hooks), so model code never gets the real ones. When the user names one
explicitly in `additional_authorized_imports` (or authorises `"*"`), the code gets a stand-in
holding the harmless parts (an allow-list) and, where 1.26 code relies on it, guarded versions:
`sys.modules` and `importlib.import_module` hand out only authorised modules (as sanitized copies),
`builtins` holds the executor's own curated builtins. Anything else is refused with 1.26's words
("Forbidden access to module: X", "Forbidden access to function: X").
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .context import current_budget
from .errors import RefusedError
from .tables import CLOSED_FUNCTIONS

if TYPE_CHECKING:
    from .modules import ImportPolicy

__all__ = ["RESTRICTED_MODULES", "restricted_module"]

_SYS_NAMES = (
    "version", "version_info", "hexversion", "platform", "maxsize", "maxunicode", "byteorder",
    "float_info", "int_info", "hash_info", "float_repr_style", "api_version", "copyright",
    "getrecursionlimit", "getdefaultencoding", "getfilesystemencoding", "getsizeof", "intern",
    "is_finalizing",
)  # fmt: skip
_INSPECT_NAMES = (
    "isfunction", "ismethod", "isclass", "ismodule", "isgenerator", "isgeneratorfunction",
    "iscoroutine", "iscoroutinefunction", "isasyncgen", "isasyncgenfunction", "isawaitable",
    "isbuiltin", "isroutine", "isabstract", "ismethoddescriptor", "isdatadescriptor", "cleandoc",
)  # fmt: skip
_THREADING_NAMES = ("local", "get_ident", "get_native_id", "TIMEOUT_MAX")
_WARNING_CATEGORIES = (
    "Warning", "UserWarning", "DeprecationWarning", "PendingDeprecationWarning", "SyntaxWarning",
    "RuntimeWarning", "FutureWarning", "ImportWarning", "UnicodeWarning", "BytesWarning",
    "ResourceWarning",
)  # fmt: skip


class _Final:
    """Base of the stand-ins' classes: model code may use them but not subclass them (a subclass
    would own, and so read, their private attributes)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if cls.__module__ != __name__:
            raise TypeError(f"{cls.__bases__[0].__name__} cannot be subclassed by model code.")
        super().__init_subclass__(**kwargs)


class _ModuleTable(_Final, Mapping[str, ModuleType]):
    """`sys.modules` as model code sees it: the authorised modules, as their sanitized copies."""

    def __init__(self, policy: ImportPolicy) -> None:
        if hasattr(self, "_policy"):  # `type(sys.modules).__init__(table, other)` from model code
            raise RefusedError("sys.modules cannot be re-initialised.")
        self._policy = policy

    def __getitem__(self, name: str) -> ModuleType:
        if not isinstance(name, str):
            raise KeyError(name)
        if not self._policy.is_authorized(name):
            raise RefusedError(
                f"Forbidden access to module: {name}: only modules in additional_authorized_imports are "
                "reachable, as their sanitized copies."
            )
        found: ModuleType = self._policy.module(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(name for name in self._policy.authorized if "*" not in name))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in set(self)


def _stand_in(name: str, namespace: dict[str, Any], policy: ImportPolicy) -> ModuleType:
    real = importlib.import_module(name)
    module = ModuleType(name, real.__doc__ if isinstance(real.__doc__, str) else None)
    module.__dict__.update(namespace)

    def missing(attribute: str) -> Any:
        found = getattr(real, attribute, None)
        if isinstance(found, ModuleType):
            dotted = found.__name__
            if policy.is_authorized(dotted):
                return policy.module(dotted)
            raise RefusedError(
                f"Forbidden access to module: {dotted} (reached as {name}.{attribute}): import what you need "
                "directly; only authorised modules can be imported."
            )
        if f"{name}.{attribute}" in _CLOSED or callable(found):
            raise RefusedError(
                f"Forbidden access to function: {attribute} (module {name!r}): model code gets a restricted "
                f"{name} holding only harmless names."
            )
        raise AttributeError(
            f"module {name!r} has no attribute {attribute!r} available to model code (a restricted stand-in)."
        )

    module.__dict__["__getattr__"] = missing
    return module


def _sys(policy: ImportPolicy, provided: dict[int, Any]) -> ModuleType:
    import sys

    namespace = {key: getattr(sys, key) for key in _SYS_NAMES if hasattr(sys, key)}
    namespace.update(modules=_ModuleTable(policy), argv=[""], path=list(sys.path))
    return _stand_in("sys", namespace, policy)


def _builtins(policy: ImportPolicy, provided: dict[int, Any]) -> ModuleType:
    import builtins

    namespace: dict[str, Any] = {
        key: value
        for key, value in policy.runtime_builtins.items()
        if not key.startswith("_") and f"builtins.{key}" not in _CLOSED
    }
    for dotted in _CLOSED:  # a closed builtin the user gave as a tool is served as that tool
        module_name, _, key = dotted.rpartition(".")
        if module_name == "builtins" and id(getattr(builtins, key, None)) in provided:
            namespace[key] = provided[id(getattr(builtins, key))]
    return _stand_in("builtins", namespace, policy)


def _importlib(policy: ImportPolicy, provided: dict[int, Any]) -> ModuleType:
    def import_module(name: str, package: str | None = None) -> ModuleType:
        if not isinstance(name, str) or name.startswith("."):
            raise RefusedError("importlib.import_module takes an absolute module name, e.g. 'math'.")
        if not policy.is_authorized(name):
            raise RefusedError(
                f"Forbidden access to module: {name}: add it to additional_authorized_imports to import it."
            )
        found: ModuleType = policy.module(name)
        return found

    return _stand_in("importlib", {"import_module": import_module}, policy)


def _inspect(policy: ImportPolicy, provided: dict[int, Any]) -> ModuleType:
    import inspect

    return _stand_in("inspect", {key: getattr(inspect, key) for key in _INSPECT_NAMES}, policy)


def _wait_bound(timeout: float | None) -> float:
    # A wait in C cannot be interrupted by the time limit: it ends with the time left at most.
    left = current_budget().remaining_seconds()
    bound = left if timeout is None or timeout < 0 else min(timeout, left)
    return min(bound, threading.TIMEOUT_MAX)


class _Lock(_Final):
    """`threading.Lock` for model code: blocking waits end at the time limit."""

    def __init__(self) -> None:
        self._lock = self._make()

    @staticmethod
    def _make() -> Any:
        return threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock (waiting at most `timeout`, and never past the time limit)."""
        if not blocking:
            return bool(self._lock.acquire(False))
        taken = bool(self._lock.acquire(True, _wait_bound(timeout)))
        if not taken and (timeout is None or timeout < 0):
            current_budget().check()
            raise RefusedError("A lock wait reached the time limit: the lock was never released.")
        return taken

    def release(self) -> None:
        """Release the lock."""
        self._lock.release()

    def locked(self) -> bool:
        """Whether the lock is held."""
        return bool(self._lock.locked()) if hasattr(self._lock, "locked") else False

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class _RLock(_Lock):
    """`threading.RLock` for model code: blocking waits end at the time limit."""

    @staticmethod
    def _make() -> Any:
        return threading.RLock()


class _Event(_Final):
    """`threading.Event` for model code: `wait()` ends at the time limit."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Set the flag."""
        self._event.set()

    def clear(self) -> None:
        """Clear the flag."""
        self._event.clear()

    def is_set(self) -> bool:
        """Whether the flag is set."""
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the flag, at most `timeout` and never past the time limit."""
        return self._event.wait(_wait_bound(timeout))


def _threading(policy: ImportPolicy, provided: dict[int, Any]) -> ModuleType:
    # No Thread or Timer: a thread would outlive the call and its limits. No waits past it either.
    namespace: dict[str, Any] = {key: getattr(threading, key) for key in _THREADING_NAMES}
    namespace.update(Lock=_Lock, RLock=_RLock, Event=_Event)
    return _stand_in("threading", namespace, policy)


class _NoWarningFilters:
    """`warnings.catch_warnings()` for model code: warning filters are process-wide, so left alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.log: list[Any] = []

    def __enter__(self) -> list[Any]:
        return self.log

    def __exit__(self, *exc: object) -> None:
        return None


def _warnings(policy: ImportPolicy, provided: dict[int, Any]) -> ModuleType:
    printer = policy.runtime_builtins["print"]

    def warn(message: Any, category: Any = None, stacklevel: int = 1, source: Any = None) -> None:
        kind = getattr(category, "__name__", "UserWarning") if isinstance(category, type) else "UserWarning"
        printer(f"{kind}: {message}")

    def no_filter(*args: Any, **kwargs: Any) -> None:
        return None  # filters are process-wide: model code's warnings are printed, never filtered

    import builtins

    namespace: dict[str, Any] = {key: getattr(builtins, key) for key in _WARNING_CATEGORIES}
    namespace.update(
        warn=warn, filterwarnings=no_filter, simplefilter=no_filter, resetwarnings=no_filter,
        catch_warnings=_NoWarningFilters,
    )  # fmt: skip
    return _stand_in("warnings", namespace, policy)


_CLOSED = frozenset(CLOSED_FUNCTIONS)
RESTRICTED_MODULES: dict[str, Callable[[ImportPolicy, dict[int, Any]], ModuleType]] = {
    "sys": _sys,
    "builtins": _builtins,
    "importlib": _importlib,
    "inspect": _inspect,
    "threading": _threading,
    "warnings": _warnings,
}
"""Closed modules that have a restricted stand-in when named explicitly (or under `"*"`)."""


def restricted_module(name: str, policy: ImportPolicy) -> ModuleType:
    """Build the stand-in of `name` for the executor whose imports `policy` decides."""
    return RESTRICTED_MODULES[name](policy, policy.provided_by_id)
