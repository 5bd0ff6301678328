"""Imports: the allow-list, and the sanitized module copies model code receives.

An import hands out a fresh module object holding only the public attributes that are safe:
no private names, no submodules the allow-list does not cover, none of the dangerous callables,
and guarded stand-ins where the real function could block or build something huge.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from .arrays import enable_arrays
from .c_openers import PATH_ARGUMENTS, cover_c_openers
from .errors import RefusedError
from .guards import (
    guarded_delattr,
    guarded_getattr,
    guarded_hasattr,
    guarded_setattr,
)
from .host_access import host_boundary
from .module_overrides import PRIVATE_GENERATORS, use_private_generator
from .policy import module_replacements, removed_attributes
from .restricted_modules import RESTRICTED_MODULES, restricted_module
from .tables import ALWAYS_CLOSED_MODULES, CLOSED_FUNCTIONS, HOST_MODULES

__all__ = ["ImportPolicy"]

_DANGEROUS_MODULES = frozenset(HOST_MODULES)
_GUARDED_BUILTINS: dict[int, Any] = {
    id(getattr): guarded_getattr,
    id(setattr): guarded_setattr,
    id(hasattr): guarded_hasattr,
    id(delattr): guarded_delattr,
}


def _dangerous_callable_ids() -> frozenset[int]:
    found = set()
    for dotted in CLOSED_FUNCTIONS:
        module_name, _, name = dotted.rpartition(".")
        try:
            found.add(id(getattr(importlib.import_module(module_name), name)))
        except (ImportError, AttributeError):
            continue
    return frozenset(found)


_DANGEROUS_IDS = _dangerous_callable_ids()


def _is_removed(name: str) -> bool:
    parts = name.split(".")
    for split in range(1, len(parts)):
        removed = removed_attributes(".".join(parts[:split]))
        if parts[split] in removed or ".".join(parts[split:]) in removed:
            return True
    return False


def _allow_pickle_position(function: Any) -> int | None:
    # Library functions taking `allow_pickle` (numpy.load, numpy.lib.format.read_array...) unpickle
    # data the code controls when it is true: found by parameter name, once, at import.
    code = getattr(function, "__code__", None)
    if code is None or not isinstance(getattr(code, "co_varnames", None), tuple):
        return None
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return names.index("allow_pickle") if "allow_pickle" in names else None


def _without_pickle(function: Any, position: int) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("allow_pickle") or (len(args) > position and args[position]):
            raise RefusedError(
                f"{function.__name__}(allow_pickle=True) is not allowed: unpickling runs arbitrary code."
            )
        return function(*args, **kwargs)

    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


def _cover_c_openers_near(name: str) -> None:
    # Libraries that open paths in C are covered when model code may reach them: imported
    # directly, or used inside an authorised package (pandas reads HTML and XML with lxml).
    for module in PATH_ARGUMENTS:
        top = _top(module)
        if top in sys.modules or (_top(name) == "pandas" and importlib.util.find_spec(top) is not None):
            try:
                cover_c_openers(module)
            except ImportError:
                continue


def _top(name: str) -> str:
    return name.partition(".")[0]


class ImportPolicy:
    """Decides which modules model code may import and builds their sanitized copies.

    Args:
        authorized: Module names; `"pkg.*"` authorises pkg and its submodules, `"*"` every
            module except the dangerous ones.
    """

    def __init__(
        self,
        authorized: Iterable[str],
        on_numpy: Callable[[], None] | None = None,
        on_import: Callable[[str | None], None] | None = None,
    ) -> None:
        self.authorized = frozenset(authorized)
        self._copies: dict[str, ModuleType] = {}
        self.runtime_builtins: dict[str, Any] = {}  # the executor's builtins (a restricted `builtins`)
        self.provided_by_id: dict[int, Any] = {}  # id of a callable given as a tool -> what code calls
        self._on_numpy = on_numpy
        self._on_import = on_import

    def is_authorized(self, name: str) -> bool:
        """Return whether `name` may be imported."""
        if name in RESTRICTED_MODULES:  # as a restricted stand-in, when the user named it (or "*")
            return name in self.authorized or "*" in self.authorized
        if _top(name) in ALWAYS_CLOSED_MODULES or name in ALWAYS_CLOSED_MODULES:
            return False
        if name in self.authorized or (name in _MODULE_ALIASES and self.is_authorized(_top(name))):
            return True
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            if ".".join(parts[:end]) + ".*" in self.authorized:
                return True
        return "*" in self.authorized

    def refusal(self, name: str) -> RefusedError:
        """Build the error for an unauthorised import of `name`."""
        if _top(name) in ALWAYS_CLOSED_MODULES or name in ALWAYS_CLOSED_MODULES:
            return RefusedError(
                f"Import of {name} is not allowed. It stays closed even when authorised: it would let code "
                "switch off the interpreter's checks, change state the whole process shares, or act on the "
                "host with no audit. Use a tool for what you need from it."
            )
        return RefusedError(
            f"Import of {name} is not allowed. Authorized imports are: {sorted(self.authorized)}. "
            f"To allow it, create the executor (or agent) with additional_authorized_imports=[{name!r}]"
            + (f" (or [{_top(name) + '.*'!r}] for the whole package)" if "." in name else "")
            + "."
        )

    @host_boundary
    def module(self, name: str) -> ModuleType:
        """Return the sanitized copy of module `name`, refusing unauthorised ones.

        Importing is the host's work (a host boundary): the checks apply to what the module does
        later for the code, not to the import machinery reading installed files.
        """
        if not self.is_authorized(name):
            raise self.refusal(name)
        if _is_removed(name):
            raise RefusedError(
                f"Import of {name} is not allowed: it stays closed even when its package is authorised."
            )
        copy = self._copies.get(name)
        if copy is None and name in RESTRICTED_MODULES:
            copy = self._copies[name] = restricted_module(name, self)
        if copy is None:
            try:
                real = importlib.import_module(name)
            except ImportError:
                real = None
            if real is None:  # raised outside the handler: the error carries no host objects
                raise ModuleNotFoundError(f"No module named {name!r}")
            if self._on_import is not None:
                top = sys.modules.get(_top(name))
                self._on_import(getattr(top, "__file__", None))
            _cover_c_openers_near(name)
            copy = self._sanitize(real, name)
        return copy

    def import_name(self, dotted: str, bind_top: bool) -> Any:
        """Serve `import dotted` (bind_top: the name bound is the top package) or `import dotted as x`."""
        target = self.module(dotted)
        if not bind_top or "." not in dotted:
            return target
        parts = dotted.split(".")
        if self.is_authorized(parts[0]):
            return self.module(parts[0])  # its copy reaches authorised submodules by attribute
        # Authorising `pkg.sub` does not hand out `pkg`: bind a stub holding only the path.
        top = holder = ModuleType(parts[0])
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[: depth + 1])
            child = self.module(prefix) if self.is_authorized(prefix) else ModuleType(prefix)
            if holder.__name__ not in self._copies:
                holder.__dict__[parts[depth]] = child
            holder = child
        return top

    def import_from(self, dotted: str, name: str) -> Any:
        """Serve `from dotted import name`."""
        submodule = f"{dotted}.{name}"
        source = self.module(dotted) if self.is_authorized(dotted) else None
        if source is not None and name in source.__dict__:
            return source.__dict__[name]
        if self.is_authorized(submodule):
            found_module = self._submodule(submodule)
            if found_module is not None:
                return found_module
        if source is None:
            raise self.refusal(dotted)
        found = getattr(source, name, _ABSENT)
        if found is _ABSENT:  # raised outside any handler: the error carries no context
            raise ImportError(f"cannot import name {name!r} from {dotted!r}")
        return found

    def _submodule(self, dotted: str) -> ModuleType | None:
        try:
            found: ModuleType = self.module(dotted)
            return found
        except ModuleNotFoundError:
            return None

    def star_names(self, dotted: str) -> dict[str, Any]:
        """Return the names `from dotted import *` binds."""
        source = self.module(dotted)
        names = getattr(self._real(dotted), "__all__", None)
        found = {key: value for key, value in source.__dict__.items() if not key.startswith("_")}
        if names is not None:
            found = {key: found[key] for key in names if key in found}
        return found

    def _real(self, name: str) -> ModuleType:
        return importlib.import_module(name)

    def _sanitize(self, real: ModuleType, name: str) -> ModuleType:
        copy = ModuleType(name, real.__doc__ if isinstance(real.__doc__, str) else None)
        self._copies[name] = copy  # before recursing: packages refer to each other
        removed = removed_attributes(name)
        overrides = module_replacements(name)
        if "numpy" in sys.modules:  # any authorised package may hand out numpy arrays
            enable_arrays()
            if self._on_numpy is not None:
                self._on_numpy()
        namespace = copy.__dict__
        version = getattr(real, "__version__", None)
        if isinstance(version, str):
            namespace["__version__"] = version
        for key, value in list(vars(real).items()):
            if key.startswith("_") or key in removed:
                continue
            if key in overrides:
                namespace[key] = overrides[key]
                continue
            safe = self._safe_value(value, f"{name}.{key}")
            if safe is not _ABSENT:
                namespace[key] = safe
        for key, value in overrides.items():
            namespace.setdefault(key, value)
        if name in PRIVATE_GENERATORS:
            use_private_generator(namespace, *PRIVATE_GENERATORS[name]())

        def lazy_attribute(attribute: str) -> Any:
            # Lazily loaded attributes (PEP 562) and submodules not imported yet.
            if attribute.startswith("_"):
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            if id(getattr(real, attribute, None)) in self.provided_by_id:  # the user gave it as a tool
                return self.provided_by_id[id(getattr(real, attribute))]
            if attribute in removed or id(getattr(real, attribute, None)) in _DANGEROUS_IDS:
                what = "module" if isinstance(getattr(real, attribute, None), ModuleType) else "function"
                shown = f"{name}.{attribute}" if what == "module" else attribute
                raise RefusedError(
                    f"Forbidden access to {what}: {shown} (module {name!r}): it stays closed to model code."
                )
            submodule = f"{name}.{attribute}"
            if self.is_authorized(submodule):
                try:
                    return self.module(submodule)
                except ModuleNotFoundError:
                    pass
            found = getattr(real, attribute, _ABSENT)
            if found is _ABSENT:  # raised here, outside any handler: the error holds no host object
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            value = self._safe_value(found, submodule)
            if value is _ABSENT:
                if (
                    isinstance(found, ModuleType)
                    and found.__name__ == submodule
                    and not _is_removed(submodule)
                ):
                    raise AttributeError(
                        f"Forbidden access to module: {submodule}: module {name!r} has no attribute "
                        f"{attribute!r} for model code: submodule {submodule!r} is not "
                        f"authorised; add {submodule!r} (or {_top(name) + '.*'!r}) to additional_authorized_imports."
                    )
                if isinstance(found, ModuleType):  # a module it imported: 1.26's words, then ours
                    raise RefusedError(
                        f"Forbidden access to module: {found.__name__} (reached as {submodule}): import what you "
                        "need directly; only authorised modules can be imported."
                    )
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            namespace[attribute] = value
            return value

        namespace["__getattr__"] = lazy_attribute
        return copy

    def _safe_value(self, value: Any, dotted: str) -> Any:
        if type(value) in (dict, list, set):
            return type(value)(value)  # a module-level table: the code may change its own copy only
        if isinstance(value, ModuleType):
            is_that_module = value.__name__ == dotted or _MODULE_ALIASES.get(dotted) == value.__name__
            if is_that_module and self.is_authorized(dotted) and not _is_removed(dotted):
                return self.module(dotted)
            real_name = value.__name__
            if isinstance(real_name, str) and self.is_authorized(real_name) and not _is_removed(real_name):
                return self.module(real_name)  # another module it imported, itself authorised (1.26)
            return _ABSENT
        if id(value) in _GUARDED_BUILTINS:
            return _GUARDED_BUILTINS[id(value)]
        if id(value) in _DANGEROUS_IDS:
            return _ABSENT
        pickle_position = _allow_pickle_position(value)
        if pickle_position is not None:
            return _without_pickle(value, pickle_position)
        owner = getattr(value, "__module__", None) if callable(value) else None
        holder = dotted.rpartition(".")[0]
        if (
            isinstance(owner, str)
            and _top(owner) in _DANGEROUS_MODULES
            and owner != "builtins"
            and not self.is_authorized(owner)
            and not (_top(holder) in _DANGEROUS_MODULES and self.is_authorized(holder))
        ):
            return _ABSENT  # a function of a module the user did not name, re-exported here
        return value


_ABSENT = object()
_MODULE_ALIASES = {"os.path": "posixpath" if os.name == "posix" else "ntpath"}
"""Submodule paths whose real module has another name; authorised with their package."""


host_boundary(importlib._bootstrap._find_and_load)  # type: ignore[attr-defined]  # imports by libraries
