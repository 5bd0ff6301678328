"""Stand-ins for stdlib pieces that could run unbounded inside one C call.

- `re`: with the third-party `regex` package installed (optional: imported only if present),
  every match runs with a timeout equal to the time left, so catastrophic backtracking is cut off;
  `sub` with a string replacement is checked against the size limit as it builds its result.
- Iterator adapters (`map`, `filter`, `zip`, `enumerate`, itertools): nesting them 10**5 deep makes
  CPython recurse in C without a check and crash; the stand-ins count the depth and refuse.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any

from .context import current_budget
from .errors import RefusedError
from .guards import replacement
from .tables import LIMITS

__all__ = [
    "CHAIN_TYPES",
    "ITERTOOLS_CHAIN_TYPES",
    "checked_expand",
    "checked_repl",
    "depth_tracked",
    "regex_overrides",
    "rewrapped_pattern",
]

_MAX_CHAIN_DEPTH = 5_000


def _depth_of(value: Any) -> int:
    try:
        return object.__getattribute__(value, "_sg_depth")  # type: ignore[no-any-return]
    except AttributeError:
        return 0


def depth_tracked(base: type) -> type:
    """Return a subclass of iterator type `base` that refuses chains deeper than a few thousand."""

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        depth = 1 + max((_depth_of(value) for value in (*args, *kwargs.values())), default=0)
        if depth > _MAX_CHAIN_DEPTH:
            raise RefusedError(
                f"{base.__name__}() nested {depth} levels deep would crash the interpreter; "
                f"the limit is {_MAX_CHAIN_DEPTH:,}. Build a list step by step instead."
            )
        instance = base.__new__(cls, *args, **kwargs)
        instance._sg_depth = depth
        return instance

    return replacement(type(base.__name__, (base,), {"__new__": __new__, "__module__": base.__module__}))


CHAIN_TYPES: dict[str, type] = {base.__name__: depth_tracked(base) for base in (map, filter, zip, enumerate)}
"""Builtins that build iterator chains, as depth-tracked subclasses."""

ITERTOOLS_CHAIN_TYPES: dict[str, type] = {
    name: depth_tracked(getattr(itertools, name))
    for name in (
        "accumulate", "chain", "compress", "dropwhile", "filterfalse", "groupby", "islice",
        "pairwise", "starmap", "takewhile", "zip_longest",
    )
}  # fmt: skip
"""itertools adapters as depth-tracked subclasses."""


def _expansion_bound(template: Any, match: Any) -> int:
    # A template copies at most its own text plus, per backslash reference, the whole match.
    separator = "\\" if isinstance(template, str) else b"\\"
    return len(template) + int(template.count(separator)) * len(match.group(0))


def checked_expand(match: Any, template: Any) -> Any:
    """Do `match.expand(template)`, refusing an expansion over the size limit before building it."""
    if isinstance(template, (str, bytes)) and _expansion_bound(template, match) > LIMITS.max_sequence_length:
        raise RefusedError(
            f"Match.expand would build a string longer than {LIMITS.max_sequence_length:,} characters."
        )
    return match.expand(template)


def checked_repl(repl: Any, string: Any) -> Any:
    """Return `repl` for `sub`, or a function that builds the same pieces under the size limit."""
    if (
        not isinstance(repl, (str, bytes))
        or len(repl) * (len(string) + 1) + len(string) <= LIMITS.max_sequence_length
    ):
        return repl
    built = [len(string)]

    def expand(match: Any) -> Any:
        built[0] += _expansion_bound(repl, match)
        if built[0] > LIMITS.max_sequence_length:
            raise RefusedError(
                f"re.sub would build a string longer than {LIMITS.max_sequence_length:,} characters."
            )
        return match.expand(repl)

    return expand


def _regex_overrides() -> dict[str, Any]:
    try:
        import regex  # optional: the stdlib `re` serves without it
    except ImportError:
        return _stdlib_regex_overrides()

    def timeout() -> float:
        return max(0.001, current_budget().remaining_seconds())

    class Pattern:
        """A compiled pattern whose matching stops when the executor's time is up."""

        __slots__ = ("_compiled",)

        def __init__(self, compiled: Any) -> None:
            self._compiled = compiled

        pattern = property(lambda self: self._compiled.pattern)
        flags = property(lambda self: self._compiled.flags)
        groups = property(lambda self: self._compiled.groups)
        groupindex = property(lambda self: self._compiled.groupindex)

        def search(self, string: Any, *args: Any) -> Any:
            return self._compiled.search(string, *args, timeout=timeout())

        def match(self, string: Any, *args: Any) -> Any:
            return self._compiled.match(string, *args, timeout=timeout())

        def fullmatch(self, string: Any, *args: Any) -> Any:
            return self._compiled.fullmatch(string, *args, timeout=timeout())

        def findall(self, string: Any, *args: Any) -> Any:
            return self._compiled.findall(string, *args, timeout=timeout())

        def finditer(self, string: Any, *args: Any) -> Any:
            return self._compiled.finditer(string, *args, timeout=timeout())

        def split(self, string: Any, maxsplit: int = 0) -> Any:
            return self._compiled.split(string, maxsplit, timeout=timeout())

        def sub(self, repl: Any, string: Any, count: int = 0) -> Any:
            return self._compiled.sub(checked_repl(repl, string), string, count, timeout=timeout())

        def subn(self, repl: Any, string: Any, count: int = 0) -> Any:
            return self._compiled.subn(checked_repl(repl, string), string, count, timeout=timeout())

        def __repr__(self) -> str:
            return f"re.compile({self._compiled.pattern!r})"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Pattern) and self._compiled == other._compiled

        def __hash__(self) -> int:
            return hash(self._compiled)

    def compile(pattern: Any, flags: int = 0) -> Pattern:
        if isinstance(pattern, Pattern):
            return pattern
        try:
            return Pattern(regex.compile(pattern, int(flags) | regex.VERSION0))
        except regex.error as error:
            raise re.error(str(error)) from None

    def search(pattern: Any, string: Any, flags: int = 0) -> Any:
        return compile(pattern, flags).search(string)

    def match(pattern: Any, string: Any, flags: int = 0) -> Any:
        return compile(pattern, flags).match(string)

    def fullmatch(pattern: Any, string: Any, flags: int = 0) -> Any:
        return compile(pattern, flags).fullmatch(string)

    def findall(pattern: Any, string: Any, flags: int = 0) -> Any:
        return compile(pattern, flags).findall(string)

    def finditer(pattern: Any, string: Any, flags: int = 0) -> Any:
        return compile(pattern, flags).finditer(string)

    def split(pattern: Any, string: Any, maxsplit: int = 0, flags: int = 0) -> Any:
        return compile(pattern, flags).split(string, maxsplit)

    def sub(pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
        return compile(pattern, flags).sub(repl, string, count)

    def subn(pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
        return compile(pattern, flags).subn(repl, string, count)

    functions = (compile, search, match, fullmatch, findall, finditer, split, sub, subn)
    overrides: dict[str, Any] = {function.__name__: function for function in functions}
    overrides["Pattern"] = Pattern
    return overrides


try:  # the stdlib's own pattern parser, read only (module names changed in Python 3.11)
    from re import _constants, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _constants
    import sre_parse as _parser

_REPEATS = tuple(
    getattr(_constants, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_constants, name)
)


def _star_height(items: Any) -> int:
    # Nesting depth of unbounded repeats: `(a+)+` has 2, the shape of catastrophic backtracking.
    deepest = 0
    for opcode, argument in items:
        if opcode in _REPEATS:
            _low, high, inner = argument
            nested = _star_height(inner)
            deepest = max(deepest, nested + (1 if high == _constants.MAXREPEAT else 0))
        elif opcode == _constants.SUBPATTERN:
            deepest = max(deepest, _star_height(argument[-1]))
        elif opcode == _constants.BRANCH:
            deepest = max(deepest, *(_star_height(branch) for branch in argument[1]))
        elif opcode in (_constants.ASSERT, _constants.ASSERT_NOT):
            deepest = max(deepest, _star_height(argument[1]))
        elif isinstance(argument, _parser.SubPattern):
            deepest = max(deepest, _star_height(argument))
    return deepest


def _stdlib_regex_overrides() -> dict[str, Any]:
    """Without `regex` nothing can interrupt a match: refuse nested unbounded repeats instead."""

    def checked(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, re.Pattern):
            return pattern
        compiled = re.compile(pattern, flags)
        if _star_height(_parser.parse(pattern, flags).data) > 1:
            raise RefusedError(
                f"The pattern {str(pattern)[:60]!r} nests unbounded repeats, which can take exponential "
                "time; simplify it (or install the `regex` package, which bounds matches by the time limit)."
            )
        return compiled

    flag_positions = {"split": 2, "sub": 3, "subn": 3}  # index of `flags` after the pattern

    def wrap(name: str) -> Any:
        real = getattr(re, name)
        position = flag_positions.get(name, 1)

        def call(pattern: Any, *args: Any, **kwargs: Any) -> Any:
            flags = kwargs.get("flags", args[position] if len(args) > position else 0)
            checked(pattern, flags)
            if name in ("sub", "subn") and len(args) >= 2:
                args = (checked_repl(args[0], args[1]), *args[1:])
            return real(pattern, *args, **kwargs)

        call.__name__ = name
        return call

    names = ("search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn")
    overrides = {name: wrap(name) for name in names}
    overrides["compile"] = checked
    return overrides


def _check_star_height(pattern: Any, flags: int = 0) -> None:
    if isinstance(pattern, (str, bytes)) and _star_height(_parser.parse(pattern, flags).data) > 1:
        raise RefusedError(
            f"The pattern {str(pattern)[:60]!r} nests unbounded repeats, which can take exponential "
            "time in a scanner; simplify it."
        )


@replacement
class _Scanner(re.Scanner):  # type: ignore[misc, name-defined]
    """re.Scanner compiles its phrases with the regex engine directly: each is checked first."""

    def __init__(self, lexicon: Any, flags: int = 0) -> None:
        for phrase, _action in lexicon:
            _check_star_height(phrase, flags)
        super().__init__(lexicon, flags)


_Scanner.__name__ = _Scanner.__qualname__ = "Scanner"


@lru_cache(maxsize=1)
def regex_overrides() -> dict[str, Any]:
    """Return the replacements for `re`'s matching functions (built on first `import re`)."""
    return {**_regex_overrides(), "Scanner": _Scanner}


def rewrapped_pattern(raw: Any) -> Any:
    """Return the checked pattern model code gets for a raw compiled pattern (`match.re`)."""
    return regex_overrides()["compile"](raw.pattern, raw.flags)
