"""numpy under the executor's limits: heavy calls are checked for time before they run.

numpy's API is the model's once a user authorises it, but every numpy call is one C call that the
budget's ticks cannot interrupt. Memory is bounded for every numpy allocation at once by the
allocator the executor installs (`numpy_memory`). Time is bounded here: the calls whose work
grows faster than their result (matrix products, decompositions, sorting) estimate their running
time from the operands' shapes and a measured rate, and are refused when the time left cannot
cover them. `numpy_functions` applies these checks to numpy's module functions; this module holds
the checks, the `@` operator and the array methods served through ROUTED_ATTRIBUTES.
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
from .watchdog import uninterruptible

__all__ = [
    "ARRAY_METHOD_NAMES",
    "array_method",
    "as_array",
    "broadcast_size",
    "check_bytes",
    "check_product",
    "check_sort",
    "check_work",
    "checked_imatmul",
    "checked_matmul",
    "enable_arrays",
    "index_of",
    "numpy_module",
    "size_text",
    "work_kind",
]

_SMALL_BYTES = 1 << 20  # results below this are not worth a system call to check
_SMALL_WORK = 1e7  # operations below this take well under a millisecond
_OBJECT_RATE = 1e7  # operations per second on object arrays (a Python call each)
_FASTEST = {"blas": 2e11, "loop": 2e10, "sort": 5e9, "object": _OBJECT_RATE}
"""Operations per second few CPUs exceed, for the quick bound of `check_work`."""

_array_types: tuple[type, ...] = ()
_rates: dict[str, float] = {}


def numpy_module() -> Any:
    return importlib.import_module("numpy")


def enable_arrays() -> None:
    """Start serving numpy arrays' checked methods and `@` (once numpy is imported in the process)."""
    global _array_types
    _array_types = (numpy_module().ndarray,)


# -- the two checks ---------------------------------------------------------------------------------
def size_text(nbytes: float) -> str:
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
            f"{what} would allocate {size_text(nbytes)}, more than the {size_text(max(left, 0))} of memory "
            "this code may still use; work on smaller arrays or in pieces."
        )


def check_work(operations: float, kind: str, what: str) -> None:
    """Refuse `what` if `operations` of the given kind would take longer than the time left.

    A quick bound first: at a rate few machines reach, work that fits in a tenth of the time left
    passes without measuring. Only bigger work pays for measuring this machine's rate (once per
    process), so ordinary code is never slowed down and never refused on a guess.
    """
    if operations <= _SMALL_WORK:
        return
    left = current_budget().remaining_seconds()
    if operations / _FASTEST[kind] <= left / 10:
        return
    seconds = operations / _rate(kind)
    if seconds > left:
        raise RefusedError(
            f"{what} would take about {seconds:,.1f} s ({operations:.1e} operations), more than the "
            f"{left:,.1f} s left; use smaller arrays."
        )


def _best_rate(operations: float, task: Callable[[], Any]) -> float:
    task()  # warms up caches and BLAS threads
    best = math.inf
    for _ in range(2):
        start = time.perf_counter()
        task()
        best = min(best, time.perf_counter() - start)
    return operations / max(best, 1e-6)


@uninterruptible
def _rate(kind: str) -> float:
    """Operations per second of this machine for `kind`, measured once.

    The samples are big enough to run at full speed (small matrix products measure threading
    overhead, not throughput: 2-3 GFLOP/s instead of 40 on a loaded 2-core machine).
    """
    rate = _rates.get(kind)
    if rate is None:
        np = numpy_module()
        if kind == "blas":  # float matrix products and LAPACK (about 0.1 s)
            a = np.ones((1024, 1024))
            rate = _best_rate(2 * 1024**3, lambda: a @ a)
        elif kind == "loop":  # integer matrix products and einsum: numpy's own loops
            b = np.ones((192, 192), dtype=np.int64)
            rate = _best_rate(2 * 192**3, lambda: b @ b)
        elif kind == "sort":
            c = np.random.default_rng(0).random(1 << 18)
            rate = _best_rate((1 << 18) * 18, lambda: np.sort(c))
        else:
            rate = _OBJECT_RATE
        _rates[kind] = rate
    return rate


def work_kind(dtype: Any) -> str:
    letter = getattr(dtype, "kind", "O")
    return "blas" if letter in "fc" else "object" if letter == "O" else "loop"


# -- reading arguments ------------------------------------------------------------------------------
def index_of(value: Any) -> int | None:
    """Return `value` as a plain int (numpy integers and 0-d integer arrays too), or None."""
    if _is_array(value):
        return int(value) if value.ndim == 0 and value.dtype.kind in "iu" else None
    try:
        return as_index(value)
    except TypeError:  # an `__index__` that refuses: numpy will say what is wrong
        return None


def _is_array(value: Any) -> bool:
    return isinstance(value, _array_types)


def as_array(value: Any) -> Any:
    """Return `value` as an array (arrays unchanged), so it is converted once, not twice."""
    return value if isinstance(value, _array_types) else numpy_module().asanyarray(value)


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


def check_product(a: Any, b: Any, name: str, dot: bool = False) -> None:
    """Refuse a matrix product whose work the time left cannot cover.

    Args:
        a, b: The operands, as arrays.
        name: How the refusal names the call.
        dot: numpy.dot semantics (every row of `a` against every matrix of `b`) instead of
            matmul's broadcast batches.
    """
    shape_a, shape_b = a.shape, b.shape
    if not shape_a or not shape_b:
        return  # a scalar operand: numpy raises or multiplies elementwise
    vector_a, vector_b = len(shape_a) == 1, len(shape_b) == 1
    rows = 1 if vector_a else shape_a[-2]
    inner = shape_a[-1]
    columns = 1 if vector_b else shape_b[-1]
    if dot and not vector_b and len(shape_b) > 2:
        batch = math.prod(shape_a[:-2] if not vector_a else ()) * math.prod(shape_b[:-2])
    else:
        batch = broadcast_size(tuple(shape_a[:-2]), tuple(shape_b[:-2])) or 1
    result = numpy_module().result_type(a, b)
    check_work(
        2 * batch * rows * inner * columns,
        work_kind(result),
        f"{name} of arrays of shapes {shape_a} and {shape_b}",
    )


def checked_matmul(a: Any, b: Any) -> Any:
    """Do `a @ b`, checking the work of a numpy matrix product first."""
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
def check_sort(array: Any, what: str) -> None:
    size = array.size
    kind = "object" if array.dtype.kind == "O" else "sort"
    check_work(size * max(math.log2(max(size, 2)), 1), kind, f"{what} of {size:,} elements")


# -- array methods (served through ROUTED_ATTRIBUTES) -----------------------------------------------
def _method_dot(array: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
    other = as_array(other)
    check_product(array, other, "ndarray.dot", dot=True)
    return array.dot(other, *args, **kwargs)


def _method_tolist(array: Any) -> Any:
    check_bytes(array.size * 32, "ndarray.tolist()")  # a Python object and a list slot per element
    return array.tolist()


def _method_sorting(name: str) -> Any:
    def sort(array: Any, *args: Any, **kwargs: Any) -> Any:
        check_sort(array, f"ndarray.{name}")
        return getattr(array, name)(*args, **kwargs)

    return sort


_METHODS: dict[str, Callable[..., Any]] = {
    "dot": _method_dot,
    "tolist": _method_tolist,
    "sort": _method_sorting("sort"),
    "argsort": _method_sorting("argsort"),
}


ARRAY_METHOD_NAMES = frozenset(_METHODS)
"""Attribute names `array_method` serves (they are listed in ROUTED_ATTRIBUTES)."""


def array_method(obj: Any, name: str) -> Any:
    """Serve `obj.name` for numpy arrays and the ndarray class; None if not numpy's."""
    if not _array_types:
        return None
    if isinstance(obj, _array_types):
        method = _METHODS.get(name)
        return None if method is None else partial(method, obj)
    if isinstance(obj, type) and issubclass(obj, _array_types):
        return _METHODS.get(name)
    return None
