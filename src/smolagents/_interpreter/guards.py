"""Runtime guards for attribute access: the rules for names the checker could not settle statically.

Static attribute names that are public and not in a policy table compile to native access; the
others, and every computed name (`getattr`, `setattr`, `hasattr`, `delattr`), come here.
"""

from __future__ import annotations

import keyword
import operator
import sys
from array import array
from collections import deque
from enum import Enum
from types import BuiltinFunctionType, FunctionType, MemberDescriptorType, MethodType, ModuleType
from typing import Any

from .errors import BudgetExceededSignal, FinalAnswerSignal, RefusedError, text_only
from .tables import (
    ALLOWED_DUNDER_ATTRIBUTES,
    ALLOWED_PRIVATE_ATTRIBUTES,
    CODE_FILENAME,
    DENIED_ATTRIBUTES,
)

__all__ = [
    "as_index",
    "guarded_super",
    "replacement",
    "true_length",
    "checked_match_subject",
    "check_match_args",
    "pattern_attribute_problem",
    "GuardedTypeMeta",
    "real_type",
    "stand_in",
    "check_annotation_names",
    "check_annotations",
    "checked_annotation",
    "OWNED_MARKER",
    "attribute_name",
    "guarded_delattr",
    "guarded_getattr",
    "guarded_hasattr",
    "guarded_setattr",
    "is_model_function",
    "is_owned",
    "load_attribute",
    "mark_owned",
    "set_routed_handler",
    "store_attribute",
]

OWNED_MARKER = "__sg_owned__"
"""Set on every class the model code defines; model code cannot read or write dunder names."""

_MISSING = object()
_routed_handler: Any = None  # set by policy.py: (obj, name) -> value, for the routed names
_routed_names: frozenset[str] = frozenset()


_BASE_LENGTHS: dict[type, Any] = {
    kind: kind.__len__ for kind in (str, bytes, bytearray, list, tuple, dict, set, frozenset, deque, array)
}


def true_length(value: Any) -> int:
    """Return `len(value)` read through its builtin base type (a subclass's __len__ can lie)."""
    length = _BASE_LENGTHS.get(type(value))
    if length is not None:
        return length(value)  # type: ignore[no-any-return]
    for base, length in _BASE_LENGTHS.items():
        if isinstance(value, base):
            return length(value)  # type: ignore[no-any-return]
    return len(value)


def as_index(value: Any) -> int | None:
    """Return `value` as an exact int (calling `__index__` once), or None if it is not an index.

    Guards check this int and pass it on, never the original object: an `__index__` that
    answers small to the check and huge to the C function would otherwise walk through.
    """
    if type(value) is int:
        return value
    if hasattr(type(value), "__index__"):
        return operator.index(value)
    return None


class GuardedTypeMeta(type):
    """Metaclass of stand-ins for builtin types whose constructor needs a guard.

    The stand-in answers `isinstance`/`issubclass` and attribute reads like the real type, and
    calling it runs the guard.
    """

    _real: type
    _factory: Any

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._real)

    def __subclasscheck__(cls, subclass: Any) -> bool:
        return issubclass(subclass._real if isinstance(subclass, GuardedTypeMeta) else subclass, cls._real)

    def __getattr__(cls, name: str) -> Any:
        found = getattr(cls._real, name, _MISSING)
        if found is _MISSING:  # raised here: an error from the lookup would carry the real type
            raise AttributeError(f"type object {cls._real.__name__!r} has no attribute {name!r}")
        return found

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._factory(*args, **kwargs)

    def __repr__(cls) -> str:
        return repr(cls._real)


def stand_in(real: type, factory: Any) -> type:
    """Return a stand-in for builtin type `real` whose calls go through `factory`."""
    return GuardedTypeMeta(real.__name__, (), {"_real": real, "_factory": staticmethod(factory)})


def real_type(obj: Any) -> Any:
    """Return the builtin type behind a stand-in, or `obj` itself."""
    return obj._real if isinstance(obj, GuardedTypeMeta) else obj


def set_routed_handler(handler: Any, routed_names: frozenset[str]) -> None:
    """Install the policy's server of the attribute names it routes (breaks an import cycle)."""
    global _routed_handler, _routed_names
    _routed_handler = handler
    _routed_names = routed_names


_REPLACEMENTS: set[type] = set()


def replacement(cls: type) -> type:
    """Record that `cls` is the interpreter's stand-in for a library class (`super()` may not skip it)."""
    _REPLACEMENTS.add(cls)
    return cls


def guarded_super(*args: Any) -> Any:
    """Do `super(cls, obj)`, refusing to look past the interpreter's stand-in classes.

    A stand-in (a bounded queue, a depth-counting iterator, a safe formatter) subclasses the
    library class it replaces; `super(StandIn, obj).method` would reach the unbounded original.
    """
    if not args:
        raise RuntimeError("super(): no arguments")
    cls = real_type(args[0])
    if cls in _REPLACEMENTS:
        raise RefusedError(
            f"super() past the interpreter's {cls.__name__} is not allowed: it would reach the unchecked "
            "original. Call the method on the object itself."
        )
    return super(cls, *args[1:])


def mark_owned(cls: type) -> None:
    """Record that model code defined `cls` (its attributes are then the code's to change)."""
    type.__setattr__(cls, OWNED_MARKER, True)


def _is_owned_class(cls: type) -> bool:
    try:
        return OWNED_MARKER in type.__getattribute__(cls, "__dict__")
    except TypeError:
        return False


def is_owned(obj: Any) -> bool:
    """Return whether model code defined `obj` (a class) or the class of `obj` (an instance)."""
    if isinstance(obj, type):
        return _is_owned_class(obj)
    return _is_owned_class(type(obj))


def is_model_function(obj: Any) -> bool:
    """Return whether `obj` is a function (or method of one) written by the model code."""
    if isinstance(obj, MethodType):
        obj = obj.__func__
    return type(obj) is FunctionType and obj.__code__.co_filename == CODE_FILENAME


def attribute_name(name: Any) -> str:
    """Return `name` as a plain `str`, refusing other types (a `str` subclass could lie in checks)."""
    if type(name) is str:
        return name
    if isinstance(name, str):
        return str.__str__(name)  # an exact copy of the characters, whatever the subclass overrides
    raise TypeError(f"attribute name must be a string, not {type(name).__name__!r}")


def _refuse(obj: Any, name: str, why: str) -> RefusedError:
    return RefusedError(f"Access to attribute {name!r} of {_describe(obj)} is not allowed: {why}.")


def _module_behind(obj: Any, name: str) -> str | None:
    # The module a private attribute of a module copy holds in the real module, if any.
    if not isinstance(obj, ModuleType) or not isinstance(obj.__name__, str):
        return None
    real = sys.modules.get(obj.__name__)
    found = real.__dict__.get(name) if real is not None else None
    return found.__name__ if isinstance(found, ModuleType) else None


def _describe(obj: Any) -> str:
    if isinstance(obj, ModuleType):
        return f"module {obj.__name__!r}"
    if isinstance(obj, type):
        return f"class {obj.__name__!r}"
    return f"a {type(obj).__name__!r} object"


def _private_is_allowed(obj: Any, name: str) -> bool:
    # A private name is the model code's own when an instance or class it defined holds it; a
    # library base class's private names stay closed even through a model-defined subclass.
    # The class that actually holds the name (the first in lookup order) must be one it defined.
    if type(obj) is super:
        start = super.__getattribute__(obj, "__thisclass__")
        owner = super.__getattribute__(obj, "__self_class__")
        order = type.__getattribute__(owner, "__mro__") if owner is not None else ()
        classes: tuple[type, ...] = order[order.index(start) + 1 :] if start in order else ()
    elif isinstance(obj, type):
        classes = type.__getattribute__(obj, "__mro__")
    else:
        cls = type(obj)
        try:
            if name in object.__getattribute__(obj, "__dict__"):
                return _is_owned_class(cls)
        except AttributeError:
            pass
        classes = cls.__mro__
    for cls in classes:
        if name in type.__getattribute__(cls, "__dict__"):
            return _is_owned_class(cls)
    return False


def check_load(obj: Any, name: str) -> None:
    """Raise `RefusedError` unless model code may read attribute `name` of `obj`."""
    if name.startswith("_"):
        if name.startswith("__") and name.endswith("__"):
            if name not in ALLOWED_DUNDER_ATTRIBUTES:
                raise RefusedError(
                    f"Forbidden access to dunder attribute: {name}. Reading {name!r} of {_describe(obj)} is not "
                    "allowed: dunder attributes other than a few harmless ones are closed."
                )
        elif name not in ALLOWED_PRIVATE_ATTRIBUTES and not _private_is_allowed(obj, name):
            reached = _module_behind(obj, name)
            if reached is not None:  # `random._os`: 1.26's words name the module reached
                raise RefusedError(
                    f"Forbidden access to module: {reached} (reached as {obj.__name__}.{name}): private "
                    "attributes are not allowed except on objects the code defined; import what you need directly."
                )
            raise _refuse(obj, name, "private attributes are closed except on objects the code defined")
    elif name in DENIED_ATTRIBUTES:
        raise _refuse(obj, name, "interpreter internals (frames, code, class hierarchy) are closed")


def _lookup(obj: Any, name: str) -> Any:
    # The lookup a guard does for model code: whatever it raises reaches the code as a fresh
    # exception holding only text (an AttributeError would carry the real object in `.obj`).
    try:
        if name in _routed_names:
            return _routed_handler(obj, name)
        return getattr(obj, name)
    except (FinalAnswerSignal, BudgetExceededSignal):
        raise
    except BaseException as error:
        if is_owned(error):
            raise  # the model's own exception, raised by its own property
        failure = text_only(error)
    raise failure


def load_attribute(obj: Any, name: str) -> Any:
    """Read `obj.name` for a static name the checker routed here (private or policy-table names)."""
    check_load(obj, name)
    return _lookup(obj, name)


def guarded_getattr(obj: Any, name: Any, *default: Any) -> Any:
    """Apply the attribute rules to `getattr(obj, name[, default])` with a computed name."""
    if len(default) > 1:
        raise TypeError(f"getattr expected at most 3 arguments, got {2 + len(default)}")
    name = attribute_name(name)
    check_load(obj, name)
    try:
        return _lookup(obj, name)
    except AttributeError:
        if not default:
            raise
    return default[0]


def guarded_hasattr(obj: Any, name: Any) -> bool:
    """Apply the attribute rules to `hasattr(obj, name)`."""
    name = attribute_name(name)
    check_load(obj, name)
    try:
        _lookup(obj, name)
    except AttributeError:
        return False
    return True


def check_store(obj: Any, name: str) -> None:
    """Raise `RefusedError` unless model code may set or delete attribute `name` of `obj`."""
    if name.startswith("__") and name.endswith("__"):
        raise _refuse(obj, name, "dunder attributes cannot be set or deleted")
    if name in DENIED_ATTRIBUTES:
        raise _refuse(obj, name, "interpreter internals are closed")
    if is_owned(obj) or is_model_function(obj):
        return
    if isinstance(obj, (ModuleType, type, FunctionType, BuiltinFunctionType, MethodType)):
        raise RefusedError(
            f"Setting or deleting attribute {name!r} of {_describe(obj)} is not allowed: the code may "
            "change only objects it defined, so shared modules, classes and functions stay intact."
        )
    if name.startswith("_"):
        raise _refuse(obj, name, "private attributes of objects the code did not define are closed")
    class_attribute = getattr(type(obj), name, _MISSING)
    if isinstance(class_attribute, MemberDescriptorType):
        # A __slots__ field of a library object is its internal state (dataclasses.Field.name is
        # read back with the real getattr by asdict/astuple): only properties are public setters.
        raise RefusedError(
            f"Setting attribute {name!r} of {_describe(obj)} is not allowed: it is internal state of a "
            "class the code did not define."
        )
    if class_attribute is not _MISSING and not hasattr(type(class_attribute), "__set__"):
        raise RefusedError(
            f"Setting attribute {name!r} of {_describe(obj)} is not allowed: it would shadow a method or "
            "class attribute of a class the code did not define."
        )
    if class_attribute is _MISSING:
        # A new attribute on an object of a library class: it may be a process-wide singleton
        # (re.IGNORECASE, an Enum member); only its existing state and properties are the code's.
        try:
            has_it = name in object.__getattribute__(obj, "__dict__")
        except AttributeError:
            has_it = False
        if not has_it or isinstance(obj, Enum):
            raise RefusedError(
                f"Adding attribute {name!r} to {_describe(obj)} is not allowed: the code may add attributes "
                "only to objects of classes it defined."
            )


def store_attribute(value: Any, obj: Any, name: str) -> None:
    """Run `obj.name = value` for a static name the checker accepted (value first: Python's order)."""
    if OWNED_MARKER not in type(obj).__dict__:  # fast path: an instance of a class the code defined
        check_store(obj, name)
    setattr(obj, name, value)


def guarded_setattr(obj: Any, name: Any, value: Any) -> None:
    """Apply the attribute rules to `setattr(obj, name, value)`."""
    name = attribute_name(name)
    check_store(obj, name)
    setattr(obj, name, value)


def guarded_delattr(obj: Any, name: Any) -> None:
    """Apply the attribute rules to `delattr(obj, name)` and `del obj.name`."""
    name = attribute_name(name)
    check_store(obj, name)
    delattr(obj, name)


class AttributeSlot:
    """Stands for `obj.name` as a subscript target, so every binding form goes through the guards.

    The checker rewrites attribute targets it cannot turn into a plain call (tuple targets, `for`,
    `with ... as`, augmented assignment on a complex object) into `__sg_attr__(obj)["name"]`.
    """

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __getitem__(self, name: str) -> Any:
        return load_attribute(self._obj, name)

    def __setitem__(self, name: str, value: Any) -> None:
        check_store(self._obj, name)
        setattr(self._obj, name, value)

    def __delitem__(self, name: str) -> None:
        guarded_delattr(self._obj, name)


def checked_annotation(value: Any) -> Any:
    """Return annotation `value`, refusing strings anywhere in it (libraries eval them unchecked)."""
    # Libraries eval() string annotations (typing.get_type_hints, functools.singledispatch) without
    # any check. Literal strings are dropped by the checker; a computed one is refused here.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, (str, bytes)) or type(item).__name__ == "ForwardRef":
            raise RefusedError(
                "Annotations computed as strings are not allowed (libraries evaluate them unchecked); "
                "annotate with the type itself."
            )
        arguments = getattr(item, "__args__", None) if not isinstance(item, type) else None
        if isinstance(arguments, tuple):
            pending.extend(arguments)
    # The code's `dict`, `list`... are bounded stand-ins; annotations name the real types, which is
    # what dataclasses, pydantic and `__annotations__` readers compare against.
    return value._real if isinstance(value, GuardedTypeMeta) else value


def pattern_attribute_problem(attribute: Any) -> str | None:
    """Say why class patterns may not read `attribute` natively (None when they may)."""
    if type(attribute) is not str:
        return f"{attribute!r} is not a string"
    if attribute.startswith("_") and attribute not in ALLOWED_PRIVATE_ATTRIBUTES:
        return f"{attribute!r} is private or dunder"
    if attribute in DENIED_ATTRIBUTES or attribute in _routed_names:
        return f"{attribute!r} is an attribute the interpreter guards"
    return None


def check_match_args(value: Any) -> None:
    """Refuse a `__match_args__` naming attributes that class patterns would read unguarded."""
    if not isinstance(value, tuple):
        raise RefusedError("__match_args__ must be a tuple of attribute names.")
    for attribute in value:
        problem = pattern_attribute_problem(attribute)
        if problem:
            raise RefusedError(f"__match_args__ may not name {problem}.")


def _static_lookup(cls: type, name: str) -> Any:
    # Where Python's attribute lookup on a class would find `name`, without running descriptors.
    for owner in (*type.__getattribute__(cls, "__mro__"), *type.__getattribute__(type(cls), "__mro__")):
        namespace = type.__getattribute__(owner, "__dict__")
        if name in namespace:
            return namespace[name]
    return _MISSING


def checked_match_subject(subject: Any, classes: tuple[tuple[Any, Any], ...]) -> Any:
    """Check the classes a `match` uses in positional patterns, then return the subject."""
    for root, cls in classes:
        if not isinstance(cls, type):
            continue  # Python raises its own TypeError for a non-class pattern
        if root is not cls and not isinstance(root, ModuleType):
            raise RefusedError("Positional class patterns must name a class directly or through a module.")
        metaclass = type(cls)
        if metaclass.__getattribute__ is not type.__getattribute__ or hasattr(metaclass, "__getattr__"):
            raise RefusedError(
                f"Class {cls.__name__!r} computes its attributes: it cannot be used in a positional pattern."
            )
        found = _static_lookup(cls, "__match_args__")
        if found is not _MISSING:
            check_match_args(found)
    return subject


def check_annotation_names(cls: Any) -> None:
    """Refuse a class whose annotation keys are not identifiers (dataclasses builds source from them)."""
    try:
        annotations = type.__getattribute__(cls, "__dict__").get("__annotations__")
    except TypeError:
        return
    if isinstance(annotations, dict):
        for key in annotations:
            if not (type(key) is str and key.isidentifier() and not keyword.iskeyword(key)):
                raise RefusedError(f"Annotation name {str(key)[:40]!r} is not a Python identifier.")


def check_annotations(function: Any) -> None:
    """Refuse `function` if any annotation it carries is, or contains, a string."""
    annotations = getattr(function, "__annotations__", None)
    if isinstance(annotations, dict):
        for value in annotations.values():
            checked_annotation(value)
