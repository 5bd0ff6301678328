"""Guards against single operations that would build something huge inside one C call.

A cooperative budget cannot interrupt `'a' * 10**10` or `10 ** 10 ** 8`: the work happens in C
between two checks. These guards estimate the size (or work) of the result first and refuse
absurd ones. The guarded methods here (string methods, `list.extend/sort`, `int.to_bytes`...)
are served by the policy registry (`policy.py`) when model code reads them.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, deque
from random import Random
from typing import Any

from .arrays import check_bytes
from .context import current_budget, ticking
from .errors import RefusedError, text_only
from .formatting import check_strftime, safe_format, safe_format_map
from .guards import (
    as_index,
    is_model_function,
    is_owned,
    load_attribute,
    true_length,
)
from .tables import LIMITS

__all__ = [
    "STRING_METHODS",
    "STRING_ROUTES",
    "checked_randbits",
    "checked_randbytes",
    "counter_elements",
    "exception_link",
    "extend",
    "sort_list",
    "strftime_method",
    "to_bytes",
    "translate",
    "counted_items",
    "call_method",
    "guarded_add",
    "guarded_chain_sum",
    "as_index",
    "guarded_bytes",
    "guarded_iadd",
    "guarded_sum",
    "guarded_ilshift",
    "guarded_imul",
    "guarded_ipow",
    "guarded_lshift",
    "guarded_mul",
    "guarded_pow",
]

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_REPEATABLE = (*_SEQUENCES, deque, array)  # `x * n` repeats the items of these
_MAX_MODULAR_WORK = 2e8


def _too_big(what: str, size: float, limit: int) -> RefusedError:
    return RefusedError(
        f"The operation would build {what} of about {size:,.0f} (the limit is {limit:,}); "
        "work with smaller values."
    )


def _item_bytes(kind: Any) -> int:
    # Bytes per item of what the operation builds: a pointer per element of a container.
    return 1 if isinstance(kind, (str, bytes, bytearray)) else 8


def _check_repeat_size(sequence: Any, count: int) -> None:
    size = true_length(sequence) * count
    if size > LIMITS.max_sequence_length:
        raise _too_big(f"a {type(sequence).__name__} of length", size, LIMITS.max_sequence_length)
    # Within the length limit, still within the memory left: many such values in one expression
    # (a tuple display, arguments of one call) are built with no tick in between.
    check_bytes(size * _item_bytes(sequence), f"Building a {type(sequence).__name__} of length {size:,}")


def _repeat(a: Any, b: Any) -> Any:
    # `sequence * n` and `n * sequence` with the count converted once and checked.
    if isinstance(a, _REPEATABLE):
        if not isinstance(b, _REPEATABLE):
            count = as_index(b)
            if count is not None:
                _check_repeat_size(a, count)
                return a * count
    elif isinstance(b, _REPEATABLE):
        multiply = getattr(type(a), "__mul__", None)
        if multiply is not None and not isinstance(a, int):  # the left operand's own __mul__ goes first
            result = multiply(a, b)
            if result is not NotImplemented:
                return result
        count = as_index(a)
        if count is not None:
            _check_repeat_size(b, count)
            return count * b
    elif isinstance(a, int) and isinstance(b, int):
        _check_int_bits(a.bit_length() + b.bit_length())
    return a * b


def guarded_add(a: Any, b: Any) -> Any:
    """Return `a + b`, refusing a sequence longer than the limit (`x = x + x` doubles it)."""
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_sequence_length(a, true_length(a) + true_length(b))
    return a + b


def guarded_chain_sum(*operands: Any) -> Any:
    """Return `a + b + c + ...` (left to right), refusing a sequence longer than the limit."""
    if all(isinstance(operand, _SEQUENCES) for operand in operands):
        size = sum(map(true_length, operands))
        if size > LIMITS.max_sequence_length:
            raise _too_big(f"a {type(operands[0]).__name__} of length", size, LIMITS.max_sequence_length)
    result = operands[0]
    for operand in operands[1:]:
        result = result + operand
    return result


def _check_int_bits(bits: float) -> None:
    if bits > LIMITS.max_int_bits:
        raise _too_big("an integer with a number of bits", bits, LIMITS.max_int_bits)


def guarded_mul(a: Any, b: Any) -> Any:
    """Return `a * b`, refusing huge repetitions and integers."""
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        if a.bit_length() + b.bit_length() > LIMITS.max_int_bits:
            _check_int_bits(a.bit_length() + b.bit_length())
        return a * b
    if ta is float or tb is float:
        return a * b
    return _repeat(a, b)


def guarded_imul(a: Any, b: Any) -> Any:
    """Return the result of `a *= b` (in place for mutable sequences), with `guarded_mul`'s limits."""
    if isinstance(a, (list, bytearray, deque, array)) and not isinstance(b, _REPEATABLE):
        count = as_index(b)
        if count is not None:
            _check_repeat_size(a, count)
            a *= count
            return a
    if type(a) is float or type(b) is float or isinstance(a, (list, bytearray, deque, array)):
        a *= b
        return a
    if isinstance(a, (*_REPEATABLE, int)) or isinstance(b, _REPEATABLE):
        return _repeat(a, b)
    a *= b  # another type's own __imul__ (a class the code defined, a numpy array)
    return a


def guarded_iadd(a: Any, b: Any) -> Any:
    """Return the result of `a += b`: sizes checked, and an iterator feeding a list counts its items.

    `items += iter(items)` would otherwise grow the list from its own iterator forever, in one C call.
    """
    kind = type(a)
    if kind is int or kind is float:
        a += b
        return a
    if isinstance(a, _GROWABLE):
        b = counted_items(a, b)
    elif isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_sequence_length(a, true_length(a) + true_length(b))
    a += b
    return a


def guarded_sum(iterable: Any, /, start: Any = 0) -> Any:
    """Do `sum(...)`; summing sequences builds the result once instead of copying it per item.

    `sum(lists, [])` copies the growing result at every step (quadratic work in one C call); with a
    list or tuple start the items are joined in place under the length limit, with the same errors
    as `sum` for items of another type.
    """
    if not isinstance(start, (list, tuple)):
        return sum(iterable, start)
    result = list(start)
    items = ticking(iter(iterable))
    for item in items:
        if not isinstance(item, type(start)):  # TypeError as `sum` gives, or a type with __radd__
            return sum(items, (result if isinstance(start, list) else tuple(result)) + item)
        _check_sequence_length(result, len(result) + true_length(item))
        result.extend(item)
    return result if isinstance(start, list) else tuple(result)


def _check_sequence_length(kind: Any, size: int) -> None:
    # `kind`: the sequence being built (or one of its type), named in the refusal.
    if size > LIMITS.max_sequence_length:
        raise _too_big(f"a {type(kind).__name__} of length", size, LIMITS.max_sequence_length)
    check_bytes(size * _item_bytes(kind), f"Building a {type(kind).__name__} of length {size:,}")


def _check_pow(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        magnitude = abs(base)
        if magnitude > 1:
            _check_int_bits(exponent * math.log2(magnitude))


def guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    """Return `base ** exponent` (or `pow(base, exponent, modulus)`), refusing huge integers."""
    if modulus is not None:
        if isinstance(exponent, int) and isinstance(modulus, int) and exponent > 0:
            # Square-and-multiply: one modular multiplication per exponent bit, each costing
            # about (modulus digits) ** 1.6; the result is small but the work is not.
            work = exponent.bit_length() * (max(abs(modulus).bit_length(), 60) / 30) ** 1.6
            if work > _MAX_MODULAR_WORK:
                raise RefusedError(
                    f"pow() with a {exponent.bit_length():,}-bit exponent and a {modulus.bit_length():,}-bit "
                    "modulus would run too long in one step; use smaller numbers."
                )
        return pow(base, exponent, modulus)
    _check_pow(base, exponent)
    return base**exponent


def guarded_ipow(base: Any, exponent: Any) -> Any:
    """Return the result of `base **= exponent` with `guarded_pow`'s limits."""
    _check_pow(base, exponent)
    base **= exponent
    return base


def guarded_lshift(a: Any, b: Any) -> Any:
    """Return `a << b`, refusing huge integers."""
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a:
        _check_int_bits(a.bit_length() + b)
    return a << b


def guarded_ilshift(a: Any, b: Any) -> Any:
    """Return the result of `a <<= b` with `guarded_lshift`'s limits."""
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a:
        _check_int_bits(a.bit_length() + b)
    a <<= b
    return a


def _base_of(text: Any) -> Any:
    kind = type(text)
    if kind is str or kind is bytes or kind is bytearray:
        return kind
    for base in (str, bytes, bytearray):
        if isinstance(text, base):
            return base
    raise TypeError(f"expected str, bytes or bytearray, got {type(text).__name__!r}")


def _check_length(size: int) -> None:
    if size > LIMITS.max_sequence_length:
        raise _too_big("a string of length", size, LIMITS.max_sequence_length)
    check_bytes(size, f"Building a string of length {size:,}")


def _join(separator: Any, iterable: Any) -> Any:
    base = _base_of(separator)
    items = iterable if type(iterable) is list or type(iterable) is tuple else list(iterable)
    try:
        # Read lengths through the base type: a subclass's __len__ could report them small.
        lengths = map(str.__len__, items) if base is str else (memoryview(item).nbytes for item in items)
        size = sum(lengths) + true_length(separator) * max(len(items) - 1, 0)
    except TypeError:
        size = 0  # a non-string item: the native join raises the proper TypeError
    _check_length(size)
    return base.join(separator, items)


def _replace(text: Any, old: Any, new: Any, count: Any = -1) -> Any:
    base = _base_of(text)
    grows = true_length(new) - true_length(old)
    if grows > 0:
        hits = base.count(text, old)
        count = as_index(count)
        if count is not None and count >= 0:
            hits = min(hits, count)
        _check_length(true_length(text) + hits * grows)
    return base.replace(text, old, new, -1 if count is None else count)


def _padder(name: str) -> Any:
    def pad(text: Any, width: Any, *fill: Any) -> Any:
        converted = as_index(width)
        if converted is not None:
            width = converted
            _check_length(width)
        return getattr(_base_of(text), name)(text, width, *fill)

    pad.__name__ = name
    return pad


def _expandtabs(text: Any, tabsize: int = 8) -> Any:
    base = _base_of(text)
    converted = as_index(tabsize)
    tabsize = tabsize if converted is None else converted
    if isinstance(tabsize, int) and tabsize > 1:
        tab = "\t" if base is str else b"\t"
        _check_length(true_length(text) + base.count(text, tab) * tabsize)
    return base.expandtabs(text, tabsize)


_STRING_METHODS: dict[str, Any] = {
    "format": safe_format,
    "format_map": safe_format_map,
    "join": _join,
    "replace": _replace,
    "ljust": _padder("ljust"),
    "rjust": _padder("rjust"),
    "center": _padder("center"),
    "zfill": _padder("zfill"),
    "expandtabs": _expandtabs,
}


def checked_randbits(generator: Random, bits: Any) -> int:
    converted = as_index(bits)
    if converted is not None:
        bits = converted
        _check_int_bits(bits)
    return generator.getrandbits(bits)


def checked_randbytes(generator: Random, size: Any) -> bytes:
    converted = as_index(size)
    if converted is not None:
        size = converted
        _check_length(size)
    return generator.randbytes(size)


def _fast_methods() -> dict[tuple[type, str], Any]:
    # Routed methods of exact builtin types, served without building a bound object.
    table: dict[tuple[type, str], Any] = {}
    kind: type
    for kind in (str, bytes, bytearray):
        for name, function in _STRING_METHODS.items():
            if hasattr(kind, name) and not (name.startswith("format") and kind is not str):
                table[kind, name] = function
    table[str, "translate"] = translate
    table[int, "to_bytes"] = to_bytes
    for kind in (list, bytearray, deque, array):
        table[kind, "extend"] = extend
    table[list, "sort"] = sort_list
    return table


def exception_link(error: BaseException, name: str) -> Any:
    """Read `error.obj` / `__context__` / `__cause__` without handing model code a host object.

    Libraries raise exceptions that point at their internals: `AttributeError.obj` is whatever a
    lookup failed on (a real module, say), and a chained exception carries its own. Objects the
    code defined, and plain values, come back as they are; anything else as None or a text copy.
    """
    value = getattr(error, name, None)
    if value is None or is_owned(value) or type(value) in _PLAIN_LINKS:
        return value
    if isinstance(value, BaseException):
        return text_only(value)
    return None


_PLAIN_LINKS = frozenset({str, bytes, int, float, bool, complex})


def call_method(obj: Any, name: str, /, *args: Any, **kwargs: Any) -> Any:
    """Do `obj.name(*args, **kwargs)` for a name the checker routes through the guards."""
    function = _FAST_METHODS.get((type(obj), name))
    if function is not None:
        return function(obj, *args, **kwargs)
    return load_attribute(obj, name)(*args, **kwargs)


_SIZED = (list, tuple, str, bytes, bytearray, dict, set, frozenset, range)
_GROWABLE = (list, bytearray, deque, array)


def counted_items(target: Any, items: Any) -> Any:
    # Sized items are checked against the length limit; any other iterable is consumed through
    # the ticker, so `items.extend(iter(items))` (fed by its own growth) ends at the budget.
    if isinstance(items, _SIZED):
        _check_sequence_length(target, true_length(target) + true_length(items))
        return items
    return ticking(iter(items))


def extend(target: Any, items: Any) -> None:
    target.extend(counted_items(target, items))


def ticking_key(key: Any) -> Any:
    """Return `key` so that each call counts against the budget (model functions already tick)."""
    if key is None or is_model_function(key):
        return key
    tick = current_budget().tick

    def counted(item: Any) -> Any:
        tick()
        return key(item)

    return counted


def guarded_min(*args: Any, key: Any = None, **kwargs: Any) -> Any:
    """Do `min(...)`; a C key function counts each call against the budget."""
    return min(*args, key=ticking_key(key), **kwargs)


def guarded_max(*args: Any, key: Any = None, **kwargs: Any) -> Any:
    """Do `max(...)`; a C key function counts each call against the budget."""
    return max(*args, key=ticking_key(key), **kwargs)


def sort_list(target: list[Any], *, key: Any = None, reverse: bool = False) -> None:
    target.sort(key=ticking_key(key), reverse=reverse)


def guarded_sorted(iterable: Any, /, *, key: Any = None, reverse: bool = False) -> list[Any]:
    """Do `sorted(...)`; a C key function (e.g. `key=str`) counts each call against the budget."""
    if not isinstance(iterable, (list, tuple, str, dict, set, frozenset)):
        iterable = ticking(iter(iterable))  # a numpy array or an iterator: one object per item
    return sorted(iterable, key=ticking_key(key), reverse=reverse)


def strftime_method(moment: Any, template: Any) -> str:
    check_strftime(template)
    return moment.strftime(template)  # type: ignore[no-any-return]


def translate(text: str, table: Any) -> str:
    if isinstance(table, dict):
        longest = max((true_length(value) for value in table.values() if isinstance(value, str)), default=1)
        _check_length(true_length(text) * longest)
    return text.translate(table)


def to_bytes(number: int, length: Any = 1, *args: Any, **kwargs: Any) -> bytes:
    converted = as_index(length)
    if converted is not None:
        length = converted
        _check_length(length)
    return number.to_bytes(length, *args, **kwargs)


def counter_elements(counter: Counter[Any]) -> Any:
    _check_length(sum(count for count in counter.values() if count > 0))
    return counter.elements()


def guarded_bytes(source: Any = b"", *args: Any) -> bytes:
    """Build `bytes(...)`, refusing a huge zero-filled length."""
    if not hasattr(type(source), "__bytes__"):
        converted = as_index(source)
        if converted is not None:
            source = converted
            _check_length(source)
    return bytes(source, *args)


def guarded_bytearray(source: Any = b"", *args: Any) -> bytearray:
    """Build `bytearray(...)`, refusing a huge zero-filled length."""
    converted = as_index(source)
    if converted is not None:
        source = converted
        _check_length(source)
    return bytearray(source, *args)


_FAST_METHODS = _fast_methods()
STRING_METHODS: dict[str, Any] = {**_STRING_METHODS, "translate": translate}
"""Guarded methods of exact `str` objects, called directly by checked code (`obj.join(...)`)."""
STRING_ROUTES = _STRING_METHODS
"""Guarded str/bytes methods by name (the policy routes reads of these names here)."""
