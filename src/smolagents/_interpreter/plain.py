"""Turn values handed to host callables into exact built-in types (no model-defined subclasses).

A host tool checks its input the ordinary way (`path.startswith(root)`, `".." not in path`,
`arg.get("key")`). A model-defined `str`/`dict`/... subclass can override those methods and lie,
and its overrides would also run model code inside the tool. So tool and function arguments are
copied into the exact built-in type first, reading them only through the base type's own C
methods (`str.__str__(x)`, `dict.items(x)`, `list.copy(x)`), which a subclass cannot intercept.
Exact containers whose contents are already plain are passed through unchanged (same object), so
a tool that mutates a list it was given keeps working.
"""

from __future__ import annotations

from typing import Any

from .errors import RefusedError

__all__ = ["plain_arguments", "plain_value"]

_MAX_NESTING = 500
"""Containers nested deeper than this are refused rather than walked (the walk recurses)."""

_SCALARS: dict[type, Any] = {
    str: str.__str__,
    int: int.__index__,
    float: float.__float__,
    complex: complex.__complex__,
    bytes: bytes.__bytes__,
    bytearray: lambda value: bytearray(memoryview(value)),
}
"""Scalar base types and the base method that copies a subclass instance into the exact type."""

_SCALAR_BASES = tuple(_SCALARS)
_LEAF_TYPES = frozenset({*_SCALARS, bool, type(None)})


class _Walk:
    """One normalisation pass: remembers containers already converted (shared references, cycles)."""

    def __init__(self) -> None:
        self.done: dict[int, Any] = {}
        self.open: set[int] = set()
        self.keep: list[Any] = []  # keeps originals alive so their ids stay unique during the walk

    def value(self, value: Any, depth: int) -> Any:
        kind = type(value)
        if kind in _LEAF_TYPES:
            return value
        convert = _scalar_converter(kind)
        if convert is not None:
            return convert(value)
        base = _container_base(kind)
        if base is None:
            return value  # not a built-in value type: handed over as is
        key = id(value)
        if key in self.done:
            return self.done[key]
        if key in self.open:
            if kind is not base:
                raise RefusedError(
                    f"A self-referencing {base.__name__} subclass cannot be passed to a tool; "
                    f"pass a plain {base.__name__} instead."
                )
            return value  # a cycle through an exact container: the result is the container itself
        if depth > _MAX_NESTING:
            raise RefusedError(
                f"Values nested more than {_MAX_NESTING} levels deep cannot be passed to a tool; flatten them."
            )
        self.open.add(key)
        self.keep.append(value)
        try:
            result = self._container(value, kind, base, depth + 1)
        finally:
            self.open.discard(key)
        self.done[key] = result
        return result

    def _container(self, value: Any, kind: type, base: type, depth: int) -> Any:
        if base is dict:
            if kind is dict and _all_leaves(dict.keys(value)) and _all_leaves(dict.values(value)):
                return value
            pairs = list(dict.items(value))
            converted = [(self.value(k, depth), self.value(v, depth)) for k, v in pairs]
            if kind is dict and all(
                a is c and b is d for (a, b), (c, d) in zip(pairs, converted, strict=True)
            ):
                return value
            return dict(converted)
        items = _base_items(value, base)
        if kind is base and _all_leaves(items):
            return value
        converted_items = [self.value(item, depth) for item in items]
        if kind is base and all(a is b for a, b in zip(items, converted_items, strict=True)):
            return value
        return base(converted_items)


def _scalar_converter(kind: type) -> Any:
    if not issubclass(kind, _SCALAR_BASES):
        return None
    for base, convert in _SCALARS.items():
        if issubclass(kind, base):
            return convert
    return None  # pragma: no cover - issubclass above guarantees a match


def _container_base(kind: type) -> type | None:
    for base in (list, tuple, dict, set, frozenset):
        if issubclass(kind, base):
            return base
    return None


def _base_items(value: Any, base: type) -> list[Any]:
    # Read through the base type's C methods: a subclass's `__iter__`/`__getitem__` never runs.
    if base is list:
        return list.copy(value)
    if base is tuple:
        return list(tuple.__getitem__(value, slice(None)))
    return list(set.copy(value) if base is set else frozenset.copy(value))


def _all_leaves(items: Any) -> bool:
    return set(map(type, items)) <= _LEAF_TYPES


def plain_value(value: Any) -> Any:
    """Return `value` with every built-in-type subclass instance copied into the exact base type.

    Args:
        value: A value the model code hands to a host callable.

    Returns:
        The same object when it is already plain, else a converted copy.
    """
    if type(value) in _LEAF_TYPES:
        return value
    return _Walk().value(value, 0)


def plain_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Normalise positional and keyword arguments for a host call (see `plain_value`).

    Args:
        args: Positional arguments from the model code.
        kwargs: Keyword arguments from the model code.

    Returns:
        The arguments with model-defined subclasses of built-in types replaced by exact types.
    """
    if _all_leaves(args) and _all_leaves(kwargs.values()) and _all_leaves(kwargs):
        return args, kwargs
    walk = _Walk()
    return (
        tuple(walk.value(arg, 0) for arg in args),
        {str.__str__(name): walk.value(arg, 0) for name, arg in kwargs.items()},
    )
