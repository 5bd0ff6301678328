"""Formatting without attribute lookups or huge results: `str.format`, `%`, f-string specs, rendering.

`'{0.__class__}'.format(x)` performs attribute lookups inside C, outside every guard; a format
specification like `{:999999999}` builds a gigabyte string in one call; and rendering a container
whose items are shared references (`[[0] * 10**6] * 1000` holds 8 MB) can produce gigabytes.
"""

from __future__ import annotations

import _string
import re
import string
from typing import Any

from .errors import RefusedError
from .guards import check_load
from .tables import LIMITS

__all__ = [
    "SafeFormatter",
    "check_format_spec",
    "check_rendering",
    "checked_render",
    "guarded_format",
    "guarded_format_value",
    "guarded_mod",
    "guarded_repr",
    "guarded_str_call",
    "safe_format",
    "safe_format_map",
]

_DIGIT_RUN = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_format_spec(spec: str) -> None:
    """Refuse a format specification whose width or precision would build a huge string."""
    for run in _DIGIT_RUN.findall(spec):
        if len(run) > 7 or int(run) > LIMITS.max_format_width:
            raise RefusedError(
                f"Format specification {spec[:40]!r} asks for a width or precision above "
                f"{LIMITS.max_format_width:,}; use a smaller one."
            )


def _check_field_output(template_length: int, fields: int, values: Any) -> None:
    # Each field renders one of the values: the result is at most fields x the longest of them.
    longest = max((len(value) for value in values if isinstance(value, (str, bytes))), default=0)
    for value in values:
        check_rendering(value)
    if template_length + fields * longest > LIMITS.max_sequence_length:
        raise RefusedError(
            f"Formatting would build a string of about {template_length + fields * longest:,} characters "
            f"(the limit is {LIMITS.max_sequence_length:,}); use fewer or shorter fields."
        )


def guarded_mod(a: Any, b: Any) -> Any:
    """Return `a % b`, checking widths and the result size of `%`-formatting."""
    if type(a) is int or type(a) is float:
        return a % b
    if isinstance(a, (str, bytes)):
        text = a if isinstance(a, str) else a.decode("latin-1")
        values = tuple(b.values()) if isinstance(b, dict) else (b if isinstance(b, tuple) else (b,))
        _check_field_output(len(text), text.count("%"), values)
        for match in _PERCENT_SPEC.finditer(text):
            for part in match.groups():
                if part == "*":
                    values = b if isinstance(b, tuple) else (b,)
                    for value in values:
                        if isinstance(value, int) and abs(value) > LIMITS.max_format_width:
                            check_format_spec(str(value))
                elif part:
                    check_format_spec(part)
    return a % b


def guarded_format(value: Any, spec: str = "") -> str:
    """Return `format(value, spec)` after checking the width and precision of `spec`."""
    if type(spec) is str:
        check_format_spec(spec)
    return format(value, spec)


def guarded_format_value(value: Any, conversion: int, spec: str) -> str:
    """Format one f-string field whose specification is computed at run time."""
    if conversion == 114:  # !r
        value = repr(value)
    elif conversion == 115:  # !s
        value = str(value)
    elif conversion == 97:  # !a
        value = ascii(value)
    check_format_spec(spec)
    return format(value, spec)


class SafeFormatter(string.Formatter):
    """A formatter whose `{0.attr}` and `{0[key]}` paths obey the interpreter's attribute rules."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, Any]:
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attribute, key in rest:
            if is_attribute:
                check_load(obj, key)
                obj = getattr(obj, key)
            else:
                obj = obj[key]
        return obj, first

    def format_field(self, value: Any, format_spec: str) -> Any:
        check_format_spec(format_spec)
        return format(value, format_spec)


def _needs_slow_path(template: str, values: Any) -> bool:
    fields = 0
    is_slow = False
    for _literal, field, spec, _conversion in _string.formatter_parser(template):
        if field is None:
            continue
        fields += 1
        if is_slow:
            continue
        if "." in field or "[" in field or (spec and "{" in spec):
            is_slow = True
        elif spec:
            check_format_spec(spec)
    _check_field_output(len(template), fields, values)
    return is_slow


def safe_format(template: Any, *args: Any, **kwargs: Any) -> str:
    """Do `template.format(*args, **kwargs)` without attribute lookups that break the rules."""
    if not isinstance(template, str):
        raise TypeError(
            f"descriptor 'format' requires a 'str' object but received a {type(template).__name__!r}"
        )
    if not _needs_slow_path(template, (*args, *kwargs.values())):
        return str.format(template, *args, **kwargs)
    return SafeFormatter().vformat(str.__str__(template), args, kwargs)


def safe_format_map(template: Any, mapping: Any) -> str:
    """Do `template.format_map(mapping)` with the rules of `safe_format`."""
    if not isinstance(template, str):
        raise TypeError("descriptor 'format_map' requires a 'str' object")
    if not _needs_slow_path(template, tuple(mapping.values()) if isinstance(mapping, dict) else ()):
        return str.format_map(template, mapping)
    return SafeFormatter().vformat(str.__str__(template), (), mapping)


_CONTAINERS = (list, tuple, set, frozenset, dict)


def check_rendering(value: Any, limit: int | None = None) -> None:
    """Refuse to render a container whose text would be huge (shared references repeat in it).

    `[[0] * 10**6] * 1000` holds 8 MB but renders as 3 GB in one C call: count what the
    rendering would visit, stopping as soon as the limit is passed.
    """
    if type(value) not in _CONTAINERS:
        return
    limit = LIMITS.max_sequence_length // 2 if limit is None else limit
    size = 0
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _CONTAINERS:
            size += 2 + len(item)
            if size > limit:
                break
            if kind is dict:
                pending.extend(item.keys())
                pending.extend(item.values())
            else:
                pending.extend(item)
        elif kind is str or kind is bytes:
            size += len(item)
        else:
            size += 1
        if size > limit:
            break
    if size > limit:
        raise RefusedError(
            f"Rendering this {type(value).__name__} as text would take more than {limit:,} characters; "
            "print a summary (its length, a slice) instead."
        )


def checked_render(value: Any) -> Any:
    """Return `value` after `check_rendering` (f-string fields go through this)."""
    if type(value) in _CONTAINERS:
        check_rendering(value)
    return value


def guarded_str_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a call written `str(...)` in the code, refusing containers whose text would be huge.

    `str` itself stays the real type (libraries take it as a dtype, e.g. `astype(str)`); only the
    calls the code writes are checked, whatever the name `str` is bound to at the time.
    """
    if function is str and len(args) == 1 and not kwargs:
        check_rendering(args[0])
    return function(*args, **kwargs)


def guarded_repr(value: Any) -> str:
    """Do `repr(value)`, refusing containers whose text would be huge."""
    check_rendering(value)
    return repr(value)
