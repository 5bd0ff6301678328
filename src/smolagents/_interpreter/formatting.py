"""Formatting without attribute lookups or huge results: `str.format`, `%`, f-string specs, rendering.

`'{0.__class__}'.format(x)` performs attribute lookups inside C, outside every guard; a format
specification like `{:999999999}` builds a gigabyte string in one call; and rendering a container
whose items are shared references (`[[0] * 10**6] * 1000` holds 8 MB) can produce gigabytes.
"""

from __future__ import annotations

import _string
import re
import string
from functools import lru_cache
from typing import Any

from .errors import RefusedError
from .guards import check_load, replacement, true_length
from .tables import LIMITS

__all__ = [
    "SafeFormatter",
    "check_format_spec",
    "check_strftime",
    "check_rendering",
    "checked_render",
    "guarded_format",
    "guarded_format_value",
    "guarded_mod",
    "guarded_repr",
    "guarded_str_call",
    "scalar_percent_bound",
    "safe_format",
    "safe_format_map",
]

_DIGIT_RUN = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


_MAX_SPEC_LENGTH = 1000  # a datetime's spec is a strftime template: each directive can grow ~20x


def check_strftime(template: Any) -> None:
    """Refuse a strftime template long enough to build a huge string (%c expands ~12 times)."""
    if isinstance(template, str) and len(template) * 25 > LIMITS.max_sequence_length:
        raise RefusedError(
            f"strftime with a {len(template):,}-character template is too big; use a shorter one."
        )


def check_format_spec(spec: str) -> None:
    """Refuse a format specification whose width or precision would build a huge string."""
    if len(spec) > _MAX_SPEC_LENGTH:
        raise RefusedError(
            f"Format specification of {len(spec):,} characters is too long (the limit is {_MAX_SPEC_LENGTH})."
        )
    for run in _DIGIT_RUN.findall(spec):
        if len(run) > 7 or int(run) > LIMITS.max_format_width:
            raise RefusedError(
                f"Format specification {spec[:40]!r} asks for a width or precision above "
                f"{LIMITS.max_format_width:,}; use a smaller one."
            )


def _check_field_output(template_length: int, fields: int, values: Any) -> None:
    # Each field renders one of the values: the result is at most fields x the longest of them.
    longest = 0
    for value in values:
        kind = type(value)
        if kind is str or kind is bytes:
            longest = max(longest, len(value))
        elif isinstance(value, (str, bytes)):
            longest = max(longest, true_length(value))
        elif kind in _CONTAINER_TYPES:
            check_rendering(value)
    if template_length + fields * longest > LIMITS.max_sequence_length:
        raise RefusedError(
            f"Formatting would build a string of about {template_length + fields * longest:,} characters "
            f"(the limit is {LIMITS.max_sequence_length:,}); use fewer or shorter fields."
        )


_SCALARS = frozenset({int, float, bool, type(None)})
_SCALAR_TEXT = 4400  # characters a scalar renders to at most (int_max_str_digits is 4300)


def _percent_template(text: str) -> tuple[int, bool, int]:
    """Check the widths written in a %-template; return its fields, whether it uses `*`, and
    a bound on its output when every value is a scalar (None-free numbers, booleans)."""
    has_star = False
    widths = 0
    for match in _PERCENT_SPEC.finditer(text):
        for part in match.groups():
            if part == "*":
                has_star = True
            elif part:
                check_format_spec(part)
                widths += int(part)
    fields = text.count("%")
    return fields, has_star, len(text) + widths + fields * _SCALAR_TEXT


_short_percent_template = lru_cache(maxsize=256)(_percent_template)


def scalar_percent_bound(text: str) -> int | None:
    """Return a bound on `text % numbers` (its widths checked), or None if it takes `*` widths."""
    _fields, has_star, bound = _percent_template(text)
    return None if has_star else bound


def guarded_mod(a: Any, b: Any) -> Any:
    """Return `a % b`, checking widths and the result size of `%`-formatting."""
    kind = type(a)
    if kind is int or kind is float:
        return a % b
    if kind is str or kind is bytes or isinstance(a, (str, bytes)):
        text = str.__str__(a) if isinstance(a, str) else bytes(a).decode("latin-1")
        fields, has_star, scalar_bound = (
            _short_percent_template(text) if len(text) <= 512 else _percent_template(text)
        )
        values = tuple(b.values()) if isinstance(b, dict) else (b if type(b) is tuple else (b,))
        if (
            not has_star
            and scalar_bound <= LIMITS.max_sequence_length
            and _SCALARS.issuperset(map(type, values))
        ):
            return a % b  # numbers into a template of checked widths: small by construction
        _check_field_output(len(text) + scalar_bound, fields, values)
        if has_star:
            for value in values:
                if isinstance(value, int) and abs(value) > LIMITS.max_format_width:
                    check_format_spec(str(value))
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


@replacement
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


def _parse_template(template: str) -> tuple[int, bool]:
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
    return fields, is_slow


_parse_short_template = lru_cache(maxsize=256)(_parse_template)


def _needs_slow_path(template: str, values: Any) -> bool:
    text = str.__str__(template)
    fields, is_slow = _parse_short_template(text) if len(text) <= 512 else _parse_template(text)
    _check_field_output(len(text), fields, values)
    return is_slow


def _small_values(values: tuple[Any, ...], template_length: int, fields: int) -> bool:
    longest = _SCALAR_TEXT
    for value in values:
        kind = type(value)
        if kind is str:
            longest = max(longest, len(value))
        elif kind not in _SCALARS:
            return False
    return template_length + fields * longest <= LIMITS.max_sequence_length


def safe_format(template: Any, *args: Any, **kwargs: Any) -> str:
    """Do `template.format(*args, **kwargs)` without attribute lookups that break the rules."""
    if not isinstance(template, str):
        raise TypeError(
            f"descriptor 'format' requires a 'str' object but received a {type(template).__name__!r}"
        )
    if type(template) is str and not kwargs and len(template) <= 512:
        fields, is_slow = _parse_short_template(template)
        if not is_slow and _small_values(args, len(template), fields):
            return str.format(template, *args)  # numbers and strings into checked specs, measured
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
_CONTAINER_TYPES = frozenset(_CONTAINERS)
_TEXTS = frozenset({str, bytes})


def check_rendering(value: Any, limit: int | None = None) -> None:
    """Refuse to render a container whose text would be huge (shared references repeat in it).

    `[[0] * 10**6] * 1000` holds 8 MB but renders as 3 GB in one C call: count what the
    rendering would visit, stopping as soon as the limit is passed. Containers of scalars or
    strings are measured in C (their item types first), without visiting items one by one.
    """
    if type(value) not in _CONTAINER_TYPES:
        return
    limit = LIMITS.max_sequence_length // 2 if limit is None else limit
    size = 0
    pending = [value]
    while pending and size <= limit:
        item = pending.pop()
        kind = type(item)
        if kind not in _CONTAINER_TYPES:
            size += len(item) if kind in _TEXTS else 1
            continue
        size += 2 + 2 * len(item)  # brackets, and at least one character and a separator per item
        if size > limit:
            break
        members = [*item.keys(), *item.values()] if kind is dict else item
        kinds = set(map(type, members))
        if kinds <= _TEXTS:
            size += sum(map(len, members))
        elif kinds & _CONTAINER_TYPES or kinds & _TEXTS:
            pending.extend(members)
    if size > limit:
        raise RefusedError(
            f"Rendering this {type(value).__name__} as text would take more than {limit:,} characters; "
            "print a summary (its length, a slice) instead."
        )


def checked_render(value: Any, fields: int = 1) -> Any:
    """Return an f-string field's value after checking its text stays small.

    Args:
        value: The field's value.
        fields: How many fields the f-string has: each may repeat the same long string.
    """
    if type(value) in _CONTAINERS:
        check_rendering(value)
    elif isinstance(value, (str, bytes)) and true_length(value) * fields > LIMITS.max_sequence_length:
        raise RefusedError(
            f"This f-string would build about {true_length(value) * fields:,} characters from {fields} fields "
            f"(the limit is {LIMITS.max_sequence_length:,}); use fewer or shorter fields."
        )
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
