"""Imports: the allow-list, and the sanitized module copies model code receives.

An import hands out a fresh module object holding only the public attributes that are safe:
no private names, no submodules the allow-list does not cover, none of the dangerous callables,
and guarded stand-ins where the real function could block or build something huge.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import itertools
import math
import operator
import queue
import random
import statistics
import time
from collections.abc import Iterable
from functools import partial
from types import ModuleType
from typing import Any

from .context import current_budget, ticking
from .errors import RefusedError
from .guards import (
    check_annotation_names,
    check_annotations,
    guarded_delattr,
    guarded_getattr,
    guarded_hasattr,
    guarded_setattr,
)
from .limits import (
    SafeFormatter,
    as_index,
    guarded_ilshift,
    guarded_imul,
    guarded_ipow,
    guarded_lshift,
    guarded_mod,
    guarded_mul,
    guarded_pow,
)
from .stand_ins import ITERTOOLS_CHAIN_TYPES, regex_overrides
from .tables import DANGEROUS_FUNCTIONS, DANGEROUS_MODULES, LIMITS, MODULE_REMOVED_ATTRIBUTES

__all__ = ["ImportPolicy"]

_DANGEROUS_MODULES = frozenset(DANGEROUS_MODULES)
_GUARDED_BUILTINS: dict[int, Any] = {
    id(getattr): guarded_getattr,
    id(setattr): guarded_setattr,
    id(hasattr): guarded_hasattr,
    id(delattr): guarded_delattr,
}


def _dangerous_callable_ids() -> frozenset[int]:
    found = set()
    for dotted in DANGEROUS_FUNCTIONS:
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
        removed = MODULE_REMOVED_ATTRIBUTES.get(".".join(parts[:split]), frozenset())
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


def _top(name: str) -> str:
    return name.partition(".")[0]


class ImportPolicy:
    """Decides which modules model code may import and builds their sanitized copies.

    Args:
        authorized: Module names; `"pkg.*"` authorises pkg and its submodules, `"*"` every
            module except the dangerous ones.
    """

    def __init__(self, authorized: Iterable[str]) -> None:
        self.authorized = frozenset(authorized)
        self._copies: dict[str, ModuleType] = {}

    def is_authorized(self, name: str) -> bool:
        """Return whether `name` may be imported."""
        if name in self.authorized:
            return True
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            if ".".join(parts[:end]) + ".*" in self.authorized:
                return True
        return "*" in self.authorized and _top(name) not in _DANGEROUS_MODULES and not name.startswith("_")

    def refusal(self, name: str) -> RefusedError:
        """Build the error for an unauthorised import of `name`."""
        return RefusedError(
            f"Import of {name!r} is not allowed. Authorized imports are: {sorted(self.authorized)}. "
            f"To allow it, create the executor (or agent) with additional_authorized_imports=[{name!r}]"
            + (f" (or [{_top(name) + '.*'!r}] for the whole package)" if "." in name else "")
            + "."
        )

    def module(self, name: str) -> ModuleType:
        """Return the sanitized copy of module `name`, refusing unauthorised ones."""
        if not self.is_authorized(name):
            raise self.refusal(name)
        if _is_removed(name):
            raise RefusedError(
                f"Import of {name!r} is not allowed: it stays closed even when its package is authorised."
            )
        copy = self._copies.get(name)
        if copy is None:
            try:
                real = importlib.import_module(name)
            except ImportError as error:
                raise ModuleNotFoundError(f"No module named {name!r}") from error
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
            try:
                return self.module(submodule)
            except ModuleNotFoundError:
                pass
        if source is None:
            raise self.refusal(dotted)
        try:
            return getattr(source, name)
        except AttributeError:
            raise ImportError(f"cannot import name {name!r} from {dotted!r}") from None

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
        removed = MODULE_REMOVED_ATTRIBUTES.get(name, frozenset())
        overrides = regex_overrides() if name == "re" else _OVERRIDES.get(name, {})
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
        if name in _PRIVATE_GENERATORS:
            _use_private_generator(namespace, *_PRIVATE_GENERATORS[name]())

        def lazy_attribute(attribute: str) -> Any:
            # Lazily loaded attributes (PEP 562) and submodules not imported yet.
            if attribute.startswith("_") or attribute in removed:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            submodule = f"{name}.{attribute}"
            if self.is_authorized(submodule):
                try:
                    return self.module(submodule)
                except ModuleNotFoundError:
                    pass
            found = getattr(real, attribute)
            value = self._safe_value(found, submodule)
            if value is _ABSENT:
                if (
                    isinstance(found, ModuleType)
                    and found.__name__ == submodule
                    and not _is_removed(submodule)
                ):
                    raise AttributeError(
                        f"module {name!r} has no attribute {attribute!r}: submodule {submodule!r} is not "
                        f"authorised; add {submodule!r} (or {_top(name) + '.*'!r}) to additional_authorized_imports."
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
            if value.__name__ == dotted and self.is_authorized(dotted) and not _is_removed(dotted):
                return self.module(dotted)
            return _ABSENT
        if id(value) in _GUARDED_BUILTINS:
            return _GUARDED_BUILTINS[id(value)]
        if id(value) in _DANGEROUS_IDS:
            return _ABSENT
        pickle_position = _allow_pickle_position(value)
        if pickle_position is not None:
            return _without_pickle(value, pickle_position)
        owner = getattr(value, "__module__", None) if callable(value) else None
        if isinstance(owner, str) and _top(owner) in _DANGEROUS_MODULES and owner != "builtins":
            return _ABSENT
        return value


_ABSENT = object()


# --- stand-ins for functions that could block, or build something huge in one call -------------


def _sleep(seconds: float) -> None:
    budget = current_budget()
    if seconds > budget.remaining_seconds():
        budget.check()
        raise RefusedError(
            f"time.sleep({seconds}) would outlast the time left ({budget.remaining_seconds():.1f} s); sleep less."
        )
    time.sleep(seconds)


def _bounded_timeout(block: bool, timeout: float | None) -> float | None:
    if not block:
        return timeout
    left = current_budget().remaining_seconds()
    return left if timeout is None else min(timeout, left)


def _bounded_queue(base: Any) -> type:
    def get(self: Any, block: bool = True, timeout: float | None = None) -> Any:
        return base.get(self, block, _bounded_timeout(block, timeout))

    def put(self: Any, item: Any, block: bool = True, timeout: float | None = None) -> None:
        base.put(self, item, block, _bounded_timeout(block, timeout))

    def join(self: Any) -> None:
        with self.all_tasks_done:
            while self.unfinished_tasks:
                left = current_budget().remaining_seconds()
                if left <= 0 or not self.all_tasks_done.wait(left):
                    current_budget().check()
                    raise RefusedError("Queue.join() waited until the time limit: no task_done() came.")

    namespace: dict[str, Any] = {"get": get, "put": put, "__module__": "queue"}
    if hasattr(base, "join"):
        namespace["join"] = join
    return type(base.__name__, (base,), namespace)


def _ticking_factory(real: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> Any:
        return ticking(real(*args, **kwargs))

    factory.__name__ = real.__name__
    factory.__doc__ = real.__doc__
    return factory


def _index_or_same(value: Any) -> Any:
    converted = as_index(value)
    return value if converted is None else converted


def _factorial(n: Any) -> int:
    n = _index_or_same(n)
    if isinstance(n, int) and n > LIMITS.max_factorial:
        raise RefusedError(f"math.factorial({n}) is too big (the limit is {LIMITS.max_factorial:,}).")
    return math.factorial(n)


def _check_choose(n: Any, k: Any) -> None:
    if isinstance(n, int) and isinstance(k, int) and n > LIMITS.max_factorial and 0 < k:
        smaller = min(k, n - k) if k <= n else k
        if smaller * math.log2(max(n, 2)) > LIMITS.max_int_bits:
            raise RefusedError(f"comb/perm with n={n}, k={k} is too big; use smaller values.")


def _comb(n: Any, k: Any) -> int:
    n, k = _index_or_same(n), _index_or_same(k)
    _check_choose(n, k)
    return math.comb(n, k)


def _perm(n: Any, k: Any = None) -> int:
    n, k = _index_or_same(n), (None if k is None else _index_or_same(k))
    _check_choose(n, n if k is None else k)
    return math.perm(n, k)


def _prod(iterable: Any, *, start: Any = 1) -> Any:
    result = start
    for item in ticking(iter(iterable)):
        result = guarded_mul(result, item)
    return result


def _choices(
    population: Any, weights: Any = None, *, cum_weights: Any = None, k: int = 1, generator: Any = random
) -> list[Any]:
    k = _index_or_same(k)
    _check_sample_size("choices", k)
    return generator.choices(population, weights, cum_weights=cum_weights, k=k)  # type: ignore[no-any-return]


def _sample(population: Any, k: int, *, counts: Any = None, generator: Any = random) -> list[Any]:
    k = _index_or_same(k)
    _check_sample_size("sample", k)
    return generator.sample(population, k, counts=counts)  # type: ignore[no-any-return]


def _check_sample_size(name: str, k: Any) -> None:
    # sample/choices/shuffle loop in Python inside the stdlib, where no tick reaches them.
    if isinstance(k, int) and k > _MAX_STDLIB_LOOP:
        raise RefusedError(f"random.{name} with {k:,} items is too big (the limit is {_MAX_STDLIB_LOOP:,}).")


def _shuffle(items: Any, *, generator: Any) -> None:
    _check_sample_size("shuffle", len(items))
    generator.shuffle(items)


def _statistics_function(function: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        checked = []
        for data in args:
            if not hasattr(data, "__len__") and hasattr(data, "__iter__"):
                data = list(ticking(iter(data)))
            if hasattr(data, "__len__") and len(data) > _MAX_STDLIB_LOOP:
                raise RefusedError(
                    f"statistics.{function.__name__} over {len(data):,} values is too slow (the limit is "
                    f"{_MAX_STDLIB_LOOP:,}); use math.fsum or numpy for big data."
                )
            checked.append(data)
        return function(*checked, **kwargs)

    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


def _random_generators() -> tuple[Any, Any]:
    return random._inst, random.Random()  # type: ignore[attr-defined]  # the module's shared instance


def _numpy_generators() -> tuple[Any, Any]:
    mtrand = importlib.import_module("numpy.random.mtrand")
    return mtrand._rand, mtrand.RandomState()


_PRIVATE_GENERATORS: dict[str, Any] = {"random": _random_generators, "numpy.random": _numpy_generators}
"""Modules whose functions are methods of one process-wide generator: each executor gets its own."""


def _use_private_generator(namespace: dict[str, Any], shared: Any, private: Any) -> None:
    # Seeding or drawing from the shared generator would change (or predict) the host's randomness.
    for key, value in list(namespace.items()):
        if getattr(value, "__self__", None) is shared:
            namespace[key] = getattr(private, value.__name__)
        elif key in ("seed", "get_state", "set_state") and hasattr(private, key):
            namespace[key] = getattr(private, key)  # numpy's module-level wrappers of the shared one
    if "choices" in namespace and isinstance(private, random.Random):
        namespace["choices"] = partial(_choices, generator=private)
        namespace["sample"] = partial(_sample, generator=private)
        namespace["shuffle"] = partial(_shuffle, generator=private)


def _refuse_global_setting(name: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RefusedError(
            f"numpy.{name} changes numpy's process-wide settings; use the context managers "
            "numpy.errstate(...) / numpy.printoptions(...) instead."
        )

    refuse.__name__ = name
    return refuse


def _checked_register(register: Any) -> Any:
    def checked(cls: Any, func: Any = None) -> Any:
        # register() reads the implementation's annotations with typing.get_type_hints (eval).
        for candidate in (cls, func):
            if callable(candidate) and not isinstance(candidate, type):
                check_annotations(candidate)
        return register(cls, func) if func is not None else register(cls)

    return checked


def _dataclass(cls: Any = None, /, **kwargs: Any) -> Any:
    # dataclasses writes field names into generated source and exec()s it: names must be identifiers.
    def wrap(target: Any) -> Any:
        check_annotation_names(target)
        return dataclasses.dataclass(target, **kwargs)

    return wrap if cls is None else wrap(cls)


def _singledispatch(func: Any) -> Any:
    check_annotations(func)
    dispatcher = functools.singledispatch(func)
    dispatcher.register = _checked_register(dispatcher.register)  # type: ignore[method-assign]  # our wrapper
    return dispatcher


class _SingleDispatchMethod(functools.singledispatchmethod):  # type: ignore[type-arg]
    """singledispatchmethod whose register() refuses string annotations."""

    def register(self, cls: Any, method: Any = None) -> Any:
        return _checked_register(super().register)(cls, method)


_MAX_STDLIB_LOOP = 1_000_000
_STATISTICS_FUNCTIONS = (
    "mean", "fmean", "geometric_mean", "harmonic_mean", "median", "median_low", "median_high",
    "median_grouped", "mode", "multimode", "quantiles", "pstdev", "pvariance", "stdev", "variance",
    "covariance", "correlation", "linear_regression",
)  # fmt: skip

_INFINITE_OR_HUGE_ITERTOOLS = (
    "count", "cycle", "repeat", "product", "permutations", "combinations", "combinations_with_replacement",
)  # fmt: skip

_OVERRIDES: dict[str, dict[str, Any]] = {
    "numpy": {
        **{
            name: _refuse_global_setting(name)
            for name in ("seterr", "seterrcall", "set_printoptions", "setbufsize", "set_string_function")
        },
    },
    "time": {"sleep": _sleep},
    "queue": {
        "Queue": _bounded_queue(queue.Queue),
        "LifoQueue": _bounded_queue(queue.LifoQueue),
        "PriorityQueue": _bounded_queue(queue.PriorityQueue),
        "SimpleQueue": _bounded_queue(queue.SimpleQueue),
    },
    "itertools": {
        **ITERTOOLS_CHAIN_TYPES,
        **{name: _ticking_factory(getattr(itertools, name)) for name in _INFINITE_OR_HUGE_ITERTOOLS},
    },
    "math": {"factorial": _factorial, "comb": _comb, "perm": _perm, "prod": _prod},
    "random": {"choices": _choices, "sample": _sample},
    "dataclasses": {"dataclass": _dataclass},
    "statistics": {name: _statistics_function(getattr(statistics, name)) for name in _STATISTICS_FUNCTIONS},
    "functools": {"singledispatch": _singledispatch, "singledispatchmethod": _SingleDispatchMethod},
    "string": {"Formatter": SafeFormatter},
    "operator": {
        "mul": guarded_mul,
        "imul": guarded_imul,
        "pow": guarded_pow,
        "ipow": guarded_ipow,
        "lshift": guarded_lshift,
        "ilshift": guarded_ilshift,
        "mod": guarded_mod,
        "getitem": operator.getitem,
    },
}
