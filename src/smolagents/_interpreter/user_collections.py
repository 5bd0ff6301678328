"""`collections.UserString` and `UserList` whose methods meet the same guards as str and list.

The standard classes forward to the builtin operation on `self.data` from inside library code,
where no guard runs: `UserString('{0.__class__}').format(x)` reaches the native formatter's
attribute lookups, `UserList([0]) * 10**9` and `UserString('x').center(10**9)` build huge
objects, `u.extend(iter(u))` grows forever in one C call. These subclasses route each such
method through the guard of the builtin method; `super()` cannot skip them (see guards.py).
"""

from __future__ import annotations

import collections
from typing import Any

from .formatting import check_rendering, guarded_mod, safe_format, safe_format_map
from .guards import replacement
from .limits import STRING_METHODS, counted_items, guarded_add, guarded_imul, guarded_mul

__all__ = ["UserList", "UserString"]


def _data(value: Any) -> Any:
    return value.data if isinstance(value, (collections.UserString, collections.UserList)) else value


@replacement
class UserString(collections.UserString):
    """collections.UserString with guarded formatting, repetition and padding."""

    def __init__(self, seq: object) -> None:
        check_rendering(seq)  # str(seq) of a container with shared references can be huge
        super().__init__(seq)

    def format(self, /, *args: Any, **kwargs: Any) -> str:
        """Format like str.format, with attribute lookups under the interpreter's rules."""
        return safe_format(self.data, *args, **kwargs)

    def format_map(self, mapping: Any) -> str:
        """Format like str.format_map, with attribute lookups under the interpreter's rules."""
        return safe_format_map(self.data, mapping)

    def __mod__(self, args: Any) -> UserString:
        return self.__class__(guarded_mod(self.data, args))

    def __rmod__(self, template: Any) -> UserString:
        return self.__class__(guarded_mod(str(template), self.data))

    def __mul__(self, count: Any) -> UserString:
        return self.__class__(guarded_mul(self.data, count))

    __rmul__ = __mul__

    def __add__(self, other: Any) -> UserString:
        return self.__class__(
            guarded_add(self.data, _data(other) if isinstance(other, str | UserString) else str(other))
        )

    def __radd__(self, other: Any) -> UserString:
        return self.__class__(guarded_add(str(other), self.data))

    def center(self, width: Any, *args: Any) -> UserString:
        """Center like str.center, refusing a huge width."""
        return self.__class__(STRING_METHODS["center"](self.data, width, *args))

    def ljust(self, width: Any, *args: Any) -> UserString:
        """Left-justify like str.ljust, refusing a huge width."""
        return self.__class__(STRING_METHODS["ljust"](self.data, width, *args))

    def rjust(self, width: Any, *args: Any) -> UserString:
        """Right-justify like str.rjust, refusing a huge width."""
        return self.__class__(STRING_METHODS["rjust"](self.data, width, *args))

    def zfill(self, width: Any) -> UserString:
        """Zero-fill like str.zfill, refusing a huge width."""
        return self.__class__(STRING_METHODS["zfill"](self.data, width))

    def expandtabs(self, tabsize: Any = 8) -> UserString:
        """Expand tabs like str.expandtabs, refusing a huge result."""
        return self.__class__(STRING_METHODS["expandtabs"](self.data, tabsize))

    def replace(self, old: Any, new: Any, maxsplit: Any = -1) -> UserString:
        """Replace like str.replace, refusing a huge result."""
        return self.__class__(STRING_METHODS["replace"](self.data, _data(old), _data(new), maxsplit))

    def join(self, seq: Any) -> str:
        """Join like str.join, refusing a huge result."""
        return STRING_METHODS["join"](self.data, seq)  # type: ignore[no-any-return]

    def translate(self, *args: Any) -> UserString:
        """Translate like str.translate, refusing a huge result."""
        return self.__class__(STRING_METHODS["translate"](self.data, *args))


@replacement
class UserList(collections.UserList):  # type: ignore[type-arg]
    """collections.UserList with guarded repetition and growth."""

    def __init__(self, initlist: Any = None) -> None:
        super().__init__(None if initlist is None else list(counted_items([], _data(initlist))))

    def __mul__(self, count: Any) -> UserList:
        return self.__class__(guarded_mul(self.data, count))

    __rmul__ = __mul__

    def __imul__(self, count: Any) -> UserList:
        self.data = guarded_imul(self.data, count)
        return self

    def __add__(self, other: Any) -> UserList:
        return self.__class__(guarded_add(self.data, list(counted_items(self.data, _data(other)))))

    def __radd__(self, other: Any) -> UserList:
        return self.__class__(guarded_add(list(counted_items(self.data, _data(other))), self.data))

    def __iadd__(self, other: Any) -> UserList:
        self.data.extend(counted_items(self.data, _data(other)))
        return self

    def extend(self, other: Any) -> None:
        """Extend like list.extend; an iterable without a length counts its items against the budget."""
        self.data.extend(counted_items(self.data, _data(other)))
