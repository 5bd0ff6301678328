"""The curated builtins model code sees: safe ones as they are, sensitive ones guarded, the rest absent."""

from __future__ import annotations

import builtins as _builtins
import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from .context import ticking
from .errors import RefusedError
from .formatting import guarded_format, guarded_repr
from .guards import (
    GuardedTypeMeta,
    check_annotation_names,
    check_match_args,
    checked_annotation,
    guarded_delattr,
    guarded_getattr,
    guarded_hasattr,
    guarded_setattr,
    guarded_super,
    mark_owned,
    stand_in,
)
from .limits import (
    guarded_bytearray,
    guarded_bytes,
    guarded_max,
    guarded_min,
    guarded_pow,
    guarded_sorted,
    guarded_sum,
)
from .stand_ins import CHAIN_TYPES
from .tables import DEFINABLE_DUNDERS, FORBIDDEN_METHOD_DEFINITIONS, LIMITS

__all__ = ["BASE_BUILTINS", "build_class"]

_SAFE_NAMES = (
    "abs all any ascii bin bool callable chr classmethod complex dict dir divmod enumerate filter float "
    "frozenset hash hex id int isinstance issubclass len list map max min next object oct ord property "
    "repr reversed round set slice sorted staticmethod str sum super tuple type zip "
    "NotImplemented Ellipsis"
).split()

_BIG_RANGE = 1_000_000  # longer ranges count their items against the budget when iterated


class _BigRange(Sequence):  # type: ignore[type-arg]  # mirrors range, whose items are ints
    """A range too long to hand to C consumers unchecked: iterating it counts against the budget."""

    __slots__ = ("_range",)

    def __init__(self, real: range) -> None:
        self._range = real

    start = property(lambda self: self._range.start)
    stop = property(lambda self: self._range.stop)
    step = property(lambda self: self._range.step)

    def __iter__(self) -> Any:
        return ticking(iter(self._range))

    def __reversed__(self) -> Any:
        return ticking(reversed(self._range))

    def __len__(self) -> int:
        # list(), tuple() and friends size their result from len(): refuse instead of allocating.
        length = len(self._range)
        if length > LIMITS.max_sequence_length:
            raise RefusedError(
                f"A range of {length:,} items is too long to use as a whole (the limit is "
                f"{LIMITS.max_sequence_length:,}); iterate over it in a loop or use a shorter range."
            )
        return length

    def __getitem__(self, index: Any) -> Any:
        item = self._range[index]
        return _make_range(item) if isinstance(item, range) else item

    def __contains__(self, value: object) -> bool:
        return value in self._range

    def __eq__(self, other: object) -> bool:
        return self._range == (other._range if isinstance(other, _BigRange) else other)

    def __hash__(self) -> int:
        return hash(self._range)

    def __repr__(self) -> str:
        return repr(self._range)

    def index(self, value: Any) -> int:  # type: ignore[override]  # range.index takes no bounds
        """Return the position of `value`."""
        return self._range.index(value)

    def count(self, value: Any) -> int:
        """Return how often `value` occurs (0 or 1)."""
        return self._range.count(value)


def _make_range(*args: Any) -> Any:
    real = args[0] if len(args) == 1 and isinstance(args[0], range) else range(*args)
    if real.start == real.stop:
        return real
    try:
        length = len(real)
    except OverflowError:  # longer than sys.maxsize
        length = _BIG_RANGE + 1
    return real if length <= _BIG_RANGE else _BigRange(real)


def guarded_iter(obj: Any, *sentinel: Any) -> Any:
    """Do `iter(obj)`; the two-argument form counts each call of `obj` against the budget."""
    if sentinel:
        return ticking(iter(obj, *sentinel))
    return iter(obj)


def _real_bases(bases: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(base._real if isinstance(base, GuardedTypeMeta) else base for base in bases)


def _adopt(cls: Any, name: str) -> Any:
    if isinstance(cls, type):
        if issubclass(cls, BaseException) and not issubclass(cls, Exception):
            raise RefusedError(
                f"Class {name!r} may not derive from BaseException directly; derive from Exception."
            )
        mark_owned(cls)
        if issubclass(cls, type):
            _guard_metaclass(cls)
    return cls


def check_class_namespace(namespace: Any) -> None:
    """Refuse a class namespace holding dunder names outside `DEFINABLE_DUNDERS`.

    One rule for every way a class is made (class statement, `type(name, bases, ns)`, a
    metaclass): protocol attributes such as numpy's `__array_interface__` would otherwise let
    a library act on whatever the code puts there (any address as a writable array).
    """
    names = [name for name in namespace if isinstance(name, str)]
    forbidden = sorted(FORBIDDEN_METHOD_DEFINITIONS.intersection(names))
    if forbidden:
        raise RefusedError(f"Defining {forbidden} is not allowed (the host would call it later).")
    if any(not isinstance(name, str) for name in namespace):
        raise RefusedError("Class attribute names must be strings.")
    closed = sorted(
        name
        for name in names
        if name.startswith("__") and name.endswith("__") and name not in DEFINABLE_DUNDERS
    )
    if closed:
        raise RefusedError(
            f"Defining {closed} in a class is not allowed: libraries and the interpreter give these names "
            "a meaning of their own."
        )
    if "__match_args__" in namespace:
        check_match_args(namespace["__match_args__"])
    slots = namespace.get("__slots__", ())
    for slot in (
        [slots] if isinstance(slots, str) else list(slots) if isinstance(slots, (tuple, list)) else []
    ):
        if isinstance(slot, str) and slot.startswith("__") and slot.endswith("__") and slot != "__dict__":
            raise RefusedError(f"A slot may not be named {slot!r}.")


def _dunder_blind(getattr_method: Any) -> Any:
    # A model-defined __getattr__ is never asked for dunder names: libraries look protocols up on
    # instances (numpy's __array_interface__) and would take whatever it answered.
    def __getattr__(self: Any, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr_method(self, name)

    __getattr__.__sg_blind__ = True  # type: ignore[attr-defined]
    return __getattr__


def _check_created_class(cls: type) -> None:
    namespace = type.__getattribute__(cls, "__dict__")
    check_class_namespace(
        {key: value for key, value in namespace.items() if key not in _IMPLICIT_CLASS_NAMES}
    )
    check_annotation_names(cls)
    _blind_getattr(cls)


def _blind_getattr(cls: type) -> None:
    found = type.__getattribute__(cls, "__dict__").get("__getattr__")
    if found is not None and not getattr(found, "__sg_blind__", False):
        type.__setattr__(cls, "__getattr__", _dunder_blind(found))


_IMPLICIT_CLASS_NAMES = frozenset(
    {
        "__dict__",
        "__weakref__",
        "__module__",
        "__qualname__",
        "__doc__",
        "__abstractmethods__",
        "__parameters__",
    }
)
"""Names the standard metaclasses (type, ABCMeta, Generic) put into the classes they create."""


def _guard_metaclass(metaclass: type) -> None:
    # A metaclass the code wrote can put anything into the namespace of the classes it builds
    # (hooks, __match_args__): its __new__ checks each class it returns.
    original = type.__getattribute__(metaclass, "__dict__").get("__new__")

    def __new__(mcs: Any, *args: Any, **kwargs: Any) -> Any:
        if original is None:
            cls = super(metaclass, mcs).__new__(mcs, *args, **kwargs)  # type: ignore[arg-type]  # a metaclass
        else:
            cls = (original.__func__ if isinstance(original, staticmethod) else original)(
                mcs, *args, **kwargs
            )
        if isinstance(cls, type):
            _check_created_class(cls)
            mark_owned(cls)
        return cls

    type.__setattr__(metaclass, "__new__", staticmethod(__new__))


def build_class(func: Any, name: str, *bases: Any, **kwargs: Any) -> Any:
    """Create a class for a `class` statement and mark it as defined by the model code."""
    if isinstance(kwargs.get("metaclass"), GuardedTypeMeta):
        kwargs["metaclass"] = kwargs["metaclass"]._real
    cls = _builtins.__build_class__(func, name, *_real_bases(bases), **kwargs)
    if isinstance(cls, type):  # the body's names were checked with the code; a __getattr__ is wrapped
        _blind_getattr(cls)
    return _adopt(cls, name)


def guarded_type(*args: Any, **kwargs: Any) -> Any:
    """Do `type(obj)`, or create a class with `type(name, bases, namespace)` under the class rules."""
    if len(args) != 3:
        found = type(*args, **kwargs)
        # `type(int)` is `type` itself: hand out the stand-in, or its 3-argument form would be unchecked.
        return _TYPE if found is type or found is GuardedTypeMeta else _STAND_INS.get(found, found)
    name, bases, namespace = args
    if not isinstance(namespace, dict):
        raise TypeError(f"type() argument 3 must be dict, not {type(namespace).__name__}")
    namespace = dict(namespace)  # checked and used as one snapshot
    check_class_namespace(
        {key: value for key, value in namespace.items() if key not in _IMPLICIT_CLASS_NAMES}
    )
    if isinstance(namespace.get("__annotations__"), dict):
        for value in namespace["__annotations__"].values():
            checked_annotation(value)
    cls = type(name, _real_bases(tuple(bases)), namespace, **kwargs)
    _check_created_class(cls)
    return _adopt(cls, str(name))


_TICK_ABOVE = 2048
"""Hashing containers built from more items than this take them through the ticker (F28)."""


def _ticked(iterable: Any) -> Any:
    # One `set(...)`/`dict(...)` call inserts every item in C; with colliding hashes each insertion
    # probes all earlier ones, so a large input must count its items against the budget. Sized
    # inputs below the threshold keep the native fast path (e.g. `set(other_set)` copies a table).
    try:
        size = len(iterable)
    except TypeError:  # an iterator or generator: its length is unknown
        size = _TICK_ABOVE + 1
    return ticking(iter(iterable)) if size > _TICK_ABOVE else iterable


_BUILTIN_SOURCES = frozenset({list, tuple, str, bytes, bytearray, dict, set, frozenset, range})


def _sequence_factory(real: type) -> Any:
    # `list(x)` of a builtin container copies it in C (fast, bounded by what exists); a foreign
    # one (a numpy array: one Python object per element, 30x its memory) or an iterator is taken
    # through the ticker, so the budget sees the time and memory it costs.
    def make(*args: Any) -> Any:
        if len(args) == 1 and type(args[0]) not in _BUILTIN_SOURCES and type(args[0]) is not _BigRange:
            return real(_ticked(args[0]))
        return real(*args)

    make.__name__ = real.__name__
    return make


def _hashing_factory(real: type) -> Any:
    def make(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1:
            source = args[0]
            if real is dict and isinstance(source, dict):
                source = dict.items(source) if len(source) > _TICK_ABOVE else source
            elif real is dict and hasattr(source, "keys"):
                return real(*args, **kwargs)  # a mapping: read through its own keys()/[]
            return real(_ticked(source), **kwargs)
        return real(*args, **kwargs)

    make.__name__ = real.__name__
    return make


def _fromkeys(iterable: Any, value: Any = None) -> dict[Any, Any]:
    return dict.fromkeys(_ticked(iterable), value)


def _hashing_stand_in(real: type, **extra: Any) -> type:
    namespace = {"_real": real, "_factory": staticmethod(_hashing_factory(real)), **extra}
    return GuardedTypeMeta(real.__name__, (), namespace)


_MAX_CHAIN = 2000
"""Deepest chain of slices/properties/class- or staticmethods the code may build.

These builtins free their contents by recursing in C with no depth check: a chain of a few
hundred thousand, built well within the memory allowance, crashes the process when the host
frees it (after the run, on a thread with an ordinary stack)."""

_LINKS: dict[type, tuple[str, ...]] = {
    slice: ("start", "stop", "step"),
    property: ("fget", "fset", "fdel"),
    classmethod: ("__func__",),
    staticmethod: ("__func__",),
}


_known_depths: OrderedDict[int, tuple[Any, int]] = OrderedDict()  # id -> (object kept alive, depth)


def _depth_of(value: Any, kind: type, budget: int = _MAX_CHAIN) -> int:
    if type(value) is not kind:
        return 0
    known = _known_depths.get(id(value))
    if known is not None and known[0] is value:
        return known[1]
    if budget <= 0:
        return _MAX_CHAIN  # deeper than we walk: treated as too deep
    links = (getattr(value, name, None) for name in _LINKS[kind])
    return 1 + max((_depth_of(link, kind, budget - 1) for link in links), default=0)


def _chain_depth(values: tuple[Any, ...], kind: type) -> int:
    return 1 + max((_depth_of(value, kind) for value in values), default=0)


def _remember(value: Any, depth: int) -> None:
    _known_depths[id(value)] = (value, depth)
    if len(_known_depths) > 4096:
        _known_depths.popitem(last=False)


def _chain_bounded(kind: type) -> Any:
    def make(*args: Any, **kwargs: Any) -> Any:
        depth = _chain_depth((*args, *kwargs.values()), kind)
        if depth >= _MAX_CHAIN:
            raise RefusedError(
                f"{kind.__name__} objects nested {_MAX_CHAIN:,} deep would crash the process when freed; "
                "build a flat structure instead."
            )
        made = kind(*args, **kwargs)
        if depth > 1:
            _remember(made, depth)
        return made

    make.__name__ = kind.__name__
    return make


_TYPE = stand_in(type, guarded_type)
_SUPER = stand_in(super, guarded_super)
_STAND_INS: dict[type, type] = {
    bytes: stand_in(bytes, guarded_bytes),
    bytearray: stand_in(bytearray, guarded_bytearray),
    range: stand_in(range, _make_range),
    set: _hashing_stand_in(set),
    frozenset: _hashing_stand_in(frozenset),
    dict: _hashing_stand_in(dict, fromkeys=staticmethod(_fromkeys)),
    super: _SUPER,
    list: stand_in(list, _sequence_factory(list)),
    tuple: stand_in(tuple, _sequence_factory(tuple)),
    **{kind: stand_in(kind, _chain_bounded(kind)) for kind in _LINKS},
}
"""Builtin types whose constructor is guarded; `type(x)` answers with the stand-in too."""


def _exceptions() -> dict[str, Any]:
    # Only Exception subclasses are handed out: model code can never raise or catch the
    # BaseException-only kinds (SystemExit, KeyboardInterrupt, GeneratorExit) of the host.
    found = {
        name: value
        for name, value in vars(_builtins).items()
        if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
    }
    found["BaseException"] = Exception
    for name in ("SystemExit", "KeyboardInterrupt", "GeneratorExit"):
        found[name] = type(name, (Exception,), {"__module__": "builtins"})
    return found


_MATH_NAMES = (
    "ceil",
    "floor",
    "log",
    "exp",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "degrees",
    "radians",
    "sqrt",
)
"""math functions 1.26 gives the code without an import."""


def _base_builtins() -> dict[str, Any]:
    table = {name: getattr(_builtins, name) for name in _SAFE_NAMES}
    table.update({name: getattr(math, name) for name in _MATH_NAMES})
    table.update(_exceptions())
    table.update(CHAIN_TYPES)
    table.update(
        {
            "getattr": guarded_getattr,
            "setattr": guarded_setattr,
            "hasattr": guarded_hasattr,
            "delattr": guarded_delattr,
            "pow": guarded_pow,
            "format": guarded_format,
            "sorted": guarded_sorted,
            "sum": guarded_sum,
            "repr": guarded_repr,
            "min": guarded_min,
            "max": guarded_max,
            "iter": guarded_iter,
            **{real.__name__: replacement for real, replacement in _STAND_INS.items()},
            "type": _TYPE,
            "__build_class__": build_class,
            # C code (numpy's ndarray.sum, time.strptime) imports through the calling frame's
            # builtins. Model code cannot reach it: the checker refuses the name `__import__`
            # and nothing hands out this dict.
            "__import__": _builtins.__import__,
        }
    )
    return table


BASE_BUILTINS: dict[str, Any] = _base_builtins()
"""Builtins shared by every executor; each adds its own print, tools and guards to a copy."""

assert LIMITS.max_sequence_length > _BIG_RANGE  # a big range is iterated, never materialised at once
