"""Turning values from model code or tools into text without letting them hang the host."""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["bounded_text"]

_CONTAINERS = (list, tuple, set, frozenset, dict)
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxset = 2, 20, 20, 20
_SHORT.maxfrozenset, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 20, 20, 300, 300


def bounded_text(value: Any, max_chars: int = 20_000, max_items: int = 100_000) -> str:
    """Return `str(value)`, cut to `max_chars`, without building an unbounded text first.

    Containers whose nested items (counted with repetition, as `str` would print them) exceed
    `max_items` are shown abbreviated: a list repeating one big list a thousand times prints as
    little as it stores. A `__str__` that raises is reported instead of propagated.
    """
    try:
        if isinstance(value, _CONTAINERS) and _exceeds(value, max_items):
            text = f"[abbreviated: more than {max_items:,} items] " + _SHORT.repr(value)
        else:
            text = value if isinstance(value, str) else str(value)
    except Exception as error:  # a user-defined __str__ may fail; say why instead of failing
        text = f"<unprintable {type(value).__name__}: {type(error).__name__}: {error}>"
    if len(text) > max_chars:
        text = text[:max_chars] + f"\n[... cut: {len(text) - max_chars:,} more characters]"
    return text


def _exceeds(value: Any, limit: int) -> bool:
    """Whether printing `value` would visit more than `limit` items (shared items count each time).

    Only the exact built-in container types are walked, so no code of the value's own runs here.
    """
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind not in _CONTAINERS:
            continue
        seen += len(item) * (2 if kind is dict else 1)
        if seen > limit:
            return True
        if kind is dict:
            stack.extend(dict.keys(item))
            stack.extend(dict.values(item))
        else:
            stack.extend(item)
    return False
