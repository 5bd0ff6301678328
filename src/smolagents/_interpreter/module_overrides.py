"""Stand-ins that sanitized stdlib modules hand out instead of functions that could block, run
unbounded loops in Python or C, or change process-wide state the host shares.
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
import sys
import time
import unicodedata
from functools import partial
from typing import Any

from .arrays import checked_imatmul, checked_matmul
from .context import current_budget, ticking
from .errors import BudgetExceededSignal, RefusedError
from .formatting import SafeFormatter, check_strftime, guarded_mod
from .guards import check_annotation_names, check_annotations, replacement
from .limits import (
    as_index,
    guarded_iadd,
    guarded_ilshift,
    guarded_imul,
    guarded_ipow,
    guarded_lshift,
    guarded_mul,
    guarded_pow,
)
from .numpy_functions import private_numpy_generator
from .stand_ins import ITERTOOLS_CHAIN_TYPES
from .tables import LIMITS

__all__ = ["LAZY_OVERRIDES", "OVERRIDES", "PRIVATE_GENERATORS", "use_private_generator"]


def _sleep(seconds: float) -> None:
    budget = current_budget()
    if seconds > budget.remaining_seconds():
        budget.check()
        if budget.is_running:  # the same stop as running out of time (1.26 raises a timeout here)
            raise BudgetExceededSignal(
                f"{budget.timeout_reason()}: time.sleep({seconds}) would outlast the "
                f"{budget.remaining_seconds():.1f} s left"
            )
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
    return replacement(type(base.__name__, (base,), namespace))


def _ticking_factory(real: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> Any:
        if real.__name__ in _POOLED:
            args, kwargs = _bounded_pools(real.__name__, args, kwargs)
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


def _fold_integers(name: str, step: Any, start: int, integers: tuple[Any, ...]) -> int:
    # One C call over many (or growing) big integers cannot be interrupted: fold pairwise under
    # the ticker, and refuse a result past the integer-size limit before it grows further.
    result = start
    for value in ticking(iter(integers)):
        result = step(result, _index_or_same(value))
        if result.bit_length() > LIMITS.max_int_bits:
            raise RefusedError(
                f"math.{name}(...) would build an integer over {LIMITS.max_int_bits:,} bits; use fewer or smaller values."
            )
    return result


def _lcm(*integers: Any) -> int:
    return _fold_integers("lcm", math.lcm, 1, integers)


def _gcd(*integers: Any) -> int:
    return _fold_integers("gcd", math.gcd, 0, integers)


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
    return random._inst, random.Random()  # the module's shared instance


PRIVATE_GENERATORS: dict[str, Any] = {"random": _random_generators, "numpy.random": private_numpy_generator}
"""Modules whose functions are methods of one process-wide generator: each executor gets its own."""


def use_private_generator(namespace: dict[str, Any], shared: Any, private: Any) -> None:
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


@replacement
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

_POOLED = frozenset({"product", "permutations", "combinations", "combinations_with_replacement"})
_MAX_TEE = 10_000


def _pool(iterable: Any) -> tuple[Any, ...]:
    # The constructors copy every input into a tuple in C: copy it here, counting the items.
    if isinstance(iterable, (list, tuple, str, bytes, range)) and len(iterable) <= LIMITS.max_sequence_length:
        return tuple(iterable)
    pool = []
    for item in ticking(iter(iterable)):
        pool.append(item)
        if len(pool) > LIMITS.max_sequence_length:
            raise RefusedError(
                f"itertools would copy more than {LIMITS.max_sequence_length:,} items; use fewer."
            )
    return tuple(pool)


def _bounded_pools(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    if name == "product":
        repeat = _index_or_same(kwargs.get("repeat", 1))
        pools = tuple(_pool(iterable) for iterable in args)
        if isinstance(repeat, int) and repeat * sum(map(len, pools)) > LIMITS.max_sequence_length:
            raise RefusedError(
                f"itertools.product(..., repeat={repeat}) would copy too many items; use fewer."
            )
        return pools, kwargs
    pool = _pool(args[0]) if args else _pool(kwargs.pop("iterable", ()))
    rest = args[1:]
    size = _index_or_same(rest[0] if rest else kwargs.get("r", len(pool)))
    if isinstance(size, int) and name != "combinations_with_replacement" and size > len(pool):
        return ((), 1), {}  # no r-length arrangement exists: nothing to allocate
    if isinstance(size, int) and size > LIMITS.max_sequence_length:
        raise RefusedError(f"itertools.{name} with r={size:,} is too big; use a smaller r.")
    return (pool, *rest), kwargs


def _tee(iterable: Any, n: Any = 2) -> tuple[Any, ...]:
    count = _index_or_same(n)
    if isinstance(count, int) and count > _MAX_TEE:
        raise RefusedError(
            f"itertools.tee(..., {count:,}) makes too many iterators (the limit is {_MAX_TEE:,})."
        )
    return itertools.tee(iterable, count)


_INFINITE_OR_HUGE_ITERTOOLS = (
    "count", "cycle", "repeat", "product", "permutations", "combinations", "combinations_with_replacement",
)  # fmt: skip


class _BoundedUCD:
    """unicodedata.ucd_3_2_0 whose normalize() is bounded like unicodedata.normalize."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def normalize(self, form: str, text: str) -> str:
        """Normalize `text` with the Unicode 3.2 tables, refusing a huge result."""
        return _normalize(form, text, self._real)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real, name)


def _strftime(template: Any, *args: Any) -> str:
    check_strftime(template)
    return time.strftime(template, *args)


def _normalize(form: str, text: str, tables: Any = unicodedata) -> str:
    # Compatibility forms expand one character to up to 18 ("\ufdfa"), canonical ones to 4.
    if isinstance(text, str):
        factor = 18 if isinstance(form, str) and form.startswith("NFK") else 4
        if len(text) * factor > LIMITS.max_sequence_length // 4:  # slow per character in C too
            raise RefusedError(
                f"unicodedata.normalize of {len(text):,} characters could build a string over the limit; "
                "normalize smaller pieces."
            )
    return tables.normalize(form, text)  # type: ignore[no-any-return]  # the C function checks the form


OVERRIDES: dict[str, dict[str, Any]] = {
    "unicodedata": {"normalize": _normalize, "ucd_3_2_0": _BoundedUCD(unicodedata.ucd_3_2_0)},
    "numpy": {
        **{
            name: _refuse_global_setting(name)
            for name in ("seterr", "seterrcall", "set_printoptions", "setbufsize", "set_string_function")
        },
    },
    "time": {"sleep": _sleep, "strftime": _strftime},
    "queue": {
        "Queue": _bounded_queue(queue.Queue),
        "LifoQueue": _bounded_queue(queue.LifoQueue),
        "PriorityQueue": _bounded_queue(queue.PriorityQueue),
        "SimpleQueue": _bounded_queue(queue.SimpleQueue),
    },
    "itertools": {
        **ITERTOOLS_CHAIN_TYPES,
        **{name: _ticking_factory(getattr(itertools, name)) for name in _INFINITE_OR_HUGE_ITERTOOLS},
        "tee": _tee,
    },
    "math": {"factorial": _factorial, "comb": _comb, "perm": _perm, "prod": _prod, "lcm": _lcm, "gcd": _gcd},
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
        "iadd": guarded_iadd,
        "matmul": checked_matmul,
        "imatmul": checked_imatmul,
        "mod": guarded_mod,
        "getitem": operator.getitem,
    },
}


def _sqlite_overrides() -> dict[str, Any]:
    # Every connection model code opens gets an authorizer: ATTACH (and VACUUM INTO) open database
    # files in C, which the audit hook never sees.
    sqlite3 = importlib.import_module("sqlite3")
    from .host_access import HostPermissions, model_permissions, sqlite_authorizer

    @replacement
    class Connection(sqlite3.Connection):  # type: ignore[misc, name-defined]
        """A sqlite3 connection whose ATTACH statements obey the executor's file grants."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            grants = model_permissions(sys._getframe(1))
            self.set_authorizer(sqlite_authorizer(grants if grants is not None else HostPermissions()))

    Connection.__module__ = "sqlite3"

    def connect(*args: Any, **kwargs: Any) -> Any:
        factory = kwargs.get("factory", Connection)
        if not (isinstance(factory, type) and issubclass(factory, Connection)):
            raise RefusedError("sqlite3.connect(factory=...) must be sqlite3.Connection or a subclass of it.")
        kwargs["factory"] = factory
        return sqlite3.connect(*args, **kwargs)

    connect.__doc__ = sqlite3.connect.__doc__
    return {"connect": connect, "Connection": Connection}


def _collections_overrides() -> dict[str, Any]:
    from .user_collections import UserList, UserString

    return {"UserString": UserString, "UserList": UserList}


LAZY_OVERRIDES: dict[str, Any] = {"sqlite3": _sqlite_overrides, "collections": _collections_overrides}
"""Overrides built when model code first imports the module (the module is not imported before)."""
