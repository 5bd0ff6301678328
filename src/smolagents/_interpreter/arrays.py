"""numpy under the executor's limits: sizes are checked before allocating, heavy work before running.

Once a user authorises numpy its API is the model's to use, but every numpy call is one C call
that the budget's ticks cannot interrupt. So the calls whose result can be far bigger than their
inputs (constructors, ranges, outer products, repetition, broadcasting operators, random
sampling, dtype changes) estimate the bytes they will allocate, and the calls whose work grows
faster than their result (matrix products, decompositions, sorting) estimate their running time;
both are refused when the call's memory allowance or time left cannot cover them.

This module holds the checks, the operators and the array methods; `numpy_functions` holds the
checked stand-ins for numpy's module functions.

The estimates use plain ints taken from the arguments once (`__index__` is called once, and the
converted values are what numpy receives). numpy is imported lazily: this module costs nothing
until model code imports numpy.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from .context import current_budget
from .errors import RefusedError
from .guards import as_index

__all__ = [
    "ARRAY_METHOD_NAMES",
    "array_method",
    "array_operator",
    "array_types",
    "as_array",
    "check_bytes",
    "check_operands",
    "check_product",
    "check_sort",
    "check_work",
    "checked_imatmul",
    "checked_matmul",
    "enable_arrays",
    "plain_shape",
]

_SMALL_BYTES = 1 << 20  # results below this are not worth a system call to check
_SMALL_WORK = 1e7  # operations below this take well under a millisecond
_MAX_DIMENSIONS = 64  # numpy's own limit: longer shapes are numpy's to refuse
_OBJECT_RATE = 1e7  # operations per second on object arrays (a Python call each)

_array_types: tuple[type, ...] = ()
_rates: dict[str, float] = {}


def numpy_module() -> Any:
    return importlib.import_module("numpy")


def array_types() -> tuple[type, ...]:
    """Return `(numpy.ndarray,)` once model code has imported numpy, else `()`."""
    return _array_types


def enable_arrays() -> None:
    """Start checking numpy operands (called once numpy is imported in the process)."""
    global _array_types
    _array_types = (numpy_module().ndarray,)


# -- the two checks ---------------------------------------------------------------------------------
def _size_text(nbytes: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:,.1f} {unit}"
    return f"{nbytes:,.0f} bytes"


def check_bytes(nbytes: float, what: str) -> None:
    """Refuse `what` if allocating `nbytes` would exceed the memory this call may still use."""
    if nbytes <= _SMALL_BYTES:
        return
    left = current_budget().memory_left()
    if left is not None and nbytes > left:
        raise RefusedError(
            f"{what} would allocate {_size_text(nbytes)}, more than the {_size_text(max(left, 0))} of memory "
            "this code may still use; work on smaller arrays or in pieces."
        )


def check_work(operations: float, kind: str, what: str) -> None:
    """Refuse `what` if `operations` of the given kind would take longer than the time left."""
    if operations <= _SMALL_WORK:
        return
    seconds = operations / _rate(kind)
    left = current_budget().remaining_seconds()
    if seconds > left:
        raise RefusedError(
            f"{what} would take about {seconds:,.1f} s ({operations:.1e} operations), more than the "
            f"{left:,.1f} s left; use smaller arrays."
        )


def _best_time(task: Callable[[], Any]) -> float:
    task()
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        task()
        best = min(best, time.perf_counter() - start)
    return max(best, 1e-6)


def _rate(kind: str) -> float:
    """Operations per second of this machine for `kind`, measured once (a few milliseconds)."""
    rate = _rates.get(kind)
    if rate is None:
        np = numpy_module()
        if kind == "blas":  # float matrix products and LAPACK
            a = np.ones((256, 256))
            rate = 2 * 256**3 / _best_time(lambda: a @ a)
        elif kind == "loop":  # integer matrix products: numpy's own loops
            b = np.ones((96, 96), dtype=np.int64)
            rate = 2 * 96**3 / _best_time(lambda: b @ b)
        elif kind == "sort":
            c = np.random.default_rng(0).random(1 << 16)
            rate = (1 << 16) * 16 / _best_time(lambda: np.sort(c))
        else:
            rate = _OBJECT_RATE
        _rates[kind] = rate
    return rate


def work_kind(dtype: Any) -> str:
    letter = getattr(dtype, "kind", "O")
    return "blas" if letter in "fc" else "object" if letter == "O" else "loop"


# -- reading arguments ------------------------------------------------------------------------------
def arg(args: tuple[Any, ...], kwargs: dict[str, Any], position: int, name: str, default: Any = None) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[position] if len(args) > position else default


def with_arg(
    args: tuple[Any, ...], kwargs: dict[str, Any], position: int, name: str, value: Any
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if name in kwargs or len(args) <= position:
        return args, {**kwargs, name: value}
    return (*args[:position], value, *args[position + 1 :]), kwargs


def plain_shape(shape: Any) -> tuple[Any, int | None]:
    """Return (shape as plain ints, element count), or (shape, None) when numpy should judge it."""
    index = as_index(shape)
    if index is not None:
        return index, index if index >= 0 else None
    if not isinstance(shape, (tuple, list)) and not _is_array(shape):
        return shape, None
    if len(shape) > _MAX_DIMENSIONS:
        return shape, None
    dimensions = []
    for item in shape:
        dimension = as_index(item)
        if dimension is None or dimension < 0:
            return shape, None
        dimensions.append(dimension)
    return tuple(dimensions), math.prod(dimensions)


def _is_array(value: Any) -> bool:
    return isinstance(value, _array_types)


def itemsize_of(dtype: Any, default: int = 8) -> int:
    if dtype is None:
        return default
    size = int(numpy_module().dtype(dtype).itemsize)
    return size or default  # flexible dtypes (str, bytes) without a length


def as_array(value: Any) -> Any:
    """Return `value` as an array (arrays unchanged), so it is converted once, not twice."""
    return value if isinstance(value, _array_types) else numpy_module().asanyarray(value)


def _shape_of(value: Any) -> tuple[int, ...] | None:
    if _is_array(value):
        return value.shape  # type: ignore[no-any-return]
    if isinstance(value, (int, float, complex, bool)) or isinstance(value, numpy_module().generic):
        return ()
    return None


def broadcast_size(*shapes: tuple[int, ...]) -> int | None:
    """Return the element count of the shapes broadcast together, or None if they do not fit."""
    ndim = max(map(len, shapes))
    padded = [(1,) * (ndim - len(shape)) + tuple(shape) for shape in shapes]
    elements = 1
    for dimensions in zip(*padded, strict=True):
        sizes = {d for d in dimensions if d != 1}
        if len(sizes) > 1:
            return None
        elements *= sizes.pop() if sizes else 1
    return elements


# -- operators --------------------------------------------------------------------------------------
def check_operands(a: Any, b: Any, symbol: str, is_comparison: bool = False) -> tuple[Any, Any]:
    """Check `a <symbol> b` for an array operand; returns the operands (lists converted once)."""
    if isinstance(a, (list, tuple)):
        a = as_array(a)
    if isinstance(b, (list, tuple)):
        b = as_array(b)
    shape_a, shape_b = _shape_of(a), _shape_of(b)
    if shape_a is None or shape_b is None:
        return a, b
    elements = broadcast_size(shape_a, shape_b)
    if elements is None or elements * 16 <= _SMALL_BYTES:
        return a, b  # numpy raises for shapes that do not broadcast
    itemsize = 1 if is_comparison else numpy_module().result_type(a, b).itemsize
    check_bytes(elements * itemsize, f"The operation {symbol} on arrays of shapes {shape_a} and {shape_b}")
    return a, b


def array_operator(operation: Callable[[Any, Any], Any], symbol: str, is_comparison: bool = False) -> Any:
    """Return `operation` with broadcasting results of numpy operands checked first."""

    def operate(a: Any, b: Any) -> Any:
        if _array_types and (isinstance(a, _array_types) or isinstance(b, _array_types)):
            a, b = check_operands(a, b, symbol, is_comparison)
        return operation(a, b)

    operate.__name__ = getattr(operation, "__name__", symbol)
    return operate


def check_product(a: Any, b: Any, name: str) -> None:
    shape_a, shape_b = a.shape, b.shape
    if not shape_a or not shape_b:
        return  # a scalar operand: numpy raises or multiplies elementwise
    vector_a, vector_b = len(shape_a) == 1, len(shape_b) == 1
    rows = 1 if vector_a else shape_a[-2]
    inner = shape_a[-1]
    columns = 1 if vector_b else shape_b[-1]
    if name == "dot" and not vector_b and len(shape_b) > 2:
        batch = math.prod(shape_a[:-2] if not vector_a else ()) * math.prod(shape_b[:-2])
    else:
        batch = broadcast_size(tuple(shape_a[:-2]), tuple(shape_b[:-2])) or 1
    result = numpy_module().result_type(a, b)
    check_bytes(
        batch * rows * columns * result.itemsize, f"{name} of arrays of shapes {shape_a} and {shape_b}"
    )
    check_work(
        2 * batch * rows * inner * columns,
        work_kind(result),
        f"{name} of arrays of shapes {shape_a} and {shape_b}",
    )


def checked_matmul(a: Any, b: Any) -> Any:
    """Do `a @ b`, checking the size and work of a numpy matrix product first."""
    if _array_types and (isinstance(a, _array_types) or isinstance(b, _array_types)):
        a, b = as_array(a), as_array(b)
        check_product(a, b, "The matrix product @")
    return a @ b


def checked_imatmul(a: Any, b: Any) -> Any:
    """Do `a @= b` with `checked_matmul`'s checks."""
    if _array_types and (isinstance(a, _array_types) or isinstance(b, _array_types)):
        check_product(as_array(a), as_array(b), "The matrix product @=")
    a @= b
    return a


# -- estimates shared with numpy_functions ---------------------------------------------------------
def repeat_bytes(array: Any, repeats: Any) -> tuple[Any, float | None]:
    count = as_index(repeats)
    if count is not None:
        return count, array.nbytes * max(count, 0)
    repeats = as_array(repeats)
    if repeats.size and repeats.dtype.kind in "iu":
        return repeats, array.nbytes * max(int(repeats.max()), 0)
    return repeats, None


def check_sort(array: Any, what: str) -> None:
    size = array.size
    kind = "object" if array.dtype.kind == "O" else "sort"
    check_work(size * max(math.log2(max(size, 2)), 1), kind, f"{what} of {size:,} elements")


# -- array methods (served through ROUTED_ATTRIBUTES) -----------------------------------------------
def _method_repeat(array: Any, repeats: Any, *args: Any, **kwargs: Any) -> Any:
    repeats, nbytes = repeat_bytes(array, repeats)
    if nbytes is not None:
        check_bytes(nbytes, "ndarray.repeat(...)")
    return array.repeat(repeats, *args, **kwargs)


def _method_dot(array: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
    other = as_array(other)
    check_product(array, other, "ndarray.dot")
    return array.dot(other, *args, **kwargs)


def _method_astype(array: Any, dtype: Any, *args: Any, **kwargs: Any) -> Any:
    check_bytes(array.size * itemsize_of(dtype, array.itemsize), f"ndarray.astype({dtype!r})")
    return array.astype(dtype, *args, **kwargs)


def _method_tolist(array: Any) -> Any:
    check_bytes(array.size * 32, "ndarray.tolist()")  # a Python object and a list slot per element
    return array.tolist()


def _method_resize(array: Any, *shape: Any, **kwargs: Any) -> Any:
    plain, elements = plain_shape(shape[0] if len(shape) == 1 else list(shape))
    if elements is not None:
        check_bytes(elements * array.itemsize, f"ndarray.resize({plain!r})")
        shape = (plain,)
    return array.resize(*shape, **kwargs)


def _method_sorting(name: str) -> Any:
    def sort(array: Any, *args: Any, **kwargs: Any) -> Any:
        check_sort(array, f"ndarray.{name}")
        return getattr(array, name)(*args, **kwargs)

    return sort


def _ufunc_outer(ufunc: Any) -> Any:
    def outer(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        a, b = as_array(a), as_array(b)
        check_bytes(
            a.size * b.size * 8, f"{ufunc.__name__}.outer of arrays of {a.size:,} and {b.size:,} elements"
        )
        return ufunc.outer(a, b, *args, **kwargs)

    return outer


_METHODS: dict[str, Callable[..., Any]] = {
    "repeat": _method_repeat,
    "dot": _method_dot,
    "astype": _method_astype,
    "tolist": _method_tolist,
    "resize": _method_resize,
    "sort": _method_sorting("sort"),
    "argsort": _method_sorting("argsort"),
}


ARRAY_METHOD_NAMES = frozenset({*_METHODS, "outer"})
"""Attribute names `array_method` serves (they are listed in ROUTED_ATTRIBUTES)."""


def array_method(obj: Any, name: str) -> Any:
    """Serve `obj.name` for numpy arrays, ufuncs and the ndarray class; None if not numpy's."""
    if not _array_types:
        return None
    if isinstance(obj, _array_types):
        method = _METHODS.get(name)
        return None if method is None else partial(method, obj)
    if name == "outer" and isinstance(obj, numpy_module().ufunc):
        return _ufunc_outer(obj)
    if isinstance(obj, type) and issubclass(obj, _array_types):
        return _METHODS.get(name)
    return None
