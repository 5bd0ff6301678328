"""Time-checked stand-ins for numpy's heavy module functions (numpy and numpy.linalg).

Each stand-in reads the operands' shapes, estimates the operations the call will do, and refuses
it (`arrays.check_work`) when the time left cannot cover them; then it calls numpy with the same
arguments (list operands converted once). Memory needs no stand-in: the allocator installed
while model code runs (`numpy_memory`) refuses every oversized numpy allocation.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from .arrays import (
    as_array,
    broadcast_size,
    check_bytes,
    check_product,
    check_sort,
    check_work,
    enable_arrays,
    index_of,
    numpy_module,
    work_kind,
)

__all__ = ["ARRAY_OVERRIDES", "private_numpy_generator"]


def _kind(*arrays: Any) -> str:
    return work_kind(numpy_module().result_type(*arrays))


def _product(real: Any, name: str) -> Any:
    def product(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        a, b = as_array(a), as_array(b)
        check_product(a, b, f"numpy.{name}", dot=name == "dot")
        return real(a, b, *args, **kwargs)

    return product


def _inner(real: Any) -> Any:
    def inner(a: Any, b: Any) -> Any:
        a, b = as_array(a), as_array(b)
        if a.ndim and b.ndim:
            elements = math.prod(a.shape[:-1]) * math.prod(b.shape[:-1])
            check_work(2 * elements * a.shape[-1], _kind(a, b), "numpy.inner(...)")
        return real(a, b)

    return inner


def _summed_axes(a: Any, axes: Any) -> tuple[int, ...] | None:
    count = index_of(axes)
    if count is not None:
        return tuple(range(a.ndim - count, a.ndim)) if 0 <= count <= a.ndim else None
    try:
        first = axes[0]
        listed = [first] if index_of(first) is not None else list(first)
        return tuple(index_of(axis) % a.ndim for axis in listed)
    except (TypeError, IndexError, ZeroDivisionError):
        return None  # numpy will say what is wrong with `axes`


def _tensordot(real: Any, name: str) -> Any:
    def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
        a, b = as_array(a), as_array(b)
        summed_axes = _summed_axes(a, axes)
        if summed_axes is not None:
            summed = math.prod(a.shape[axis] for axis in summed_axes)
            free = (a.size // max(summed, 1)) * (b.size // max(summed, 1))
            check_work(2 * free * summed, _kind(a, b), f"numpy.{name}(...)")
        return real(a, b, axes)

    return tensordot


def _einsum_work(subscripts: str, operands: tuple[Any, ...]) -> float:
    # The naive cost is the product of the sizes of all labels; `...` counts as one more label
    # whose size is the broadcast of the dimensions it stands for.
    inputs = subscripts.replace(" ", "").partition("->")[0].split(",")
    sizes: dict[str, int] = {}
    ellipsis_shapes = []
    for labels, operand in zip(inputs, operands, strict=False):
        named = labels.replace("...", "")
        covered = operand.ndim - len(named)
        head, _, tail = labels.partition("...")
        if "..." in labels:
            ellipsis_shapes.append(operand.shape[len(head) : len(head) + covered])
            dimensions = (*operand.shape[: len(head)], *operand.shape[len(head) + covered :])
        else:
            dimensions = operand.shape
        for label, size in zip(head + tail if "..." in labels else labels, dimensions, strict=False):
            sizes[label] = max(sizes.get(label, 1), size)
    broadcast = broadcast_size(*ellipsis_shapes) if ellipsis_shapes else 1
    return float(math.prod(sizes.values()) * (broadcast or 1))


def _einsum(real: Any) -> Any:
    def einsum(subscripts: Any, *operands: Any, **kwargs: Any) -> Any:
        if isinstance(subscripts, str):
            operands = tuple(as_array(operand) for operand in operands)
            check_work(_einsum_work(subscripts, operands), "loop", f"numpy.einsum({subscripts!r}, ...)")
        else:  # the operand-list form: einsum(a, [0, 1], b, [1, 2], ...)
            arrays = [as_array(item) for item in (subscripts, *operands)[::2]]
            check_work(math.prod(array.size for array in arrays), "loop", "numpy.einsum(...)")
        return real(subscripts, *operands, **kwargs)

    return einsum


def _sliding(real: Any, name: str) -> Any:
    # convolve/correlate/polymul(a, v): every element of one against every element of the other.
    def sliding(a: Any, v: Any, *args: Any, **kwargs: Any) -> Any:
        a, v = as_array(a), as_array(v)
        check_work(2 * a.size * v.size, _kind(a, v), f"numpy.{name}(...)")
        return real(a, v, *args, **kwargs)

    return sliding


def _sorting(real: Any, name: str) -> Any:
    def sort(array: Any, *args: Any, **kwargs: Any) -> Any:
        array = as_array(array)  # lexsort's keys too: the work grows with all of them
        check_sort(array, f"numpy.{name}")
        return real(array, *args, **kwargs)

    return sort


def _covariance(real: Any, name: str) -> Any:
    # cov/corrcoef(m): a product of the variables with themselves over the observations.
    def covariance(m: Any, *args: Any, **kwargs: Any) -> Any:
        m = as_array(m)
        if m.ndim == 2:
            rows, columns = m.shape
            variables, observations = (columns, rows) if kwargs.get("rowvar") is False else (rows, columns)
            check_work(2 * variables**2 * observations, "blas", f"numpy.{name} of shape {m.shape}")
        return real(m, *args, **kwargs)

    return covariance


def _roots(real: Any) -> Any:
    def roots(coefficients: Any) -> Any:
        coefficients = as_array(coefficients)
        check_work(25 * coefficients.size**3, "blas", f"numpy.roots of {coefficients.size:,} coefficients")
        return real(coefficients)

    return roots


def _polyfit(real: Any) -> Any:
    def polyfit(x: Any, y: Any, deg: Any, *args: Any, **kwargs: Any) -> Any:
        x, y = as_array(x), as_array(y)
        degree = index_of(deg)
        if degree is not None:
            terms = degree + 1
            check_work(10 * x.size * terms**2 + 20 * terms**3, "blas", f"numpy.polyfit(..., deg={degree})")
        return real(x, y, deg, *args, **kwargs)

    return polyfit


_LINALG_COST = {
    "solve": 1, "inv": 2, "det": 1, "slogdet": 1, "cholesky": 1, "qr": 2, "lstsq": 10, "pinv": 10,
    "matrix_rank": 10, "eig": 25, "eigvals": 10, "eigh": 10, "eigvalsh": 4, "svd": 20, "svdvals": 10,
    "cond": 20, "tensorinv": 2, "tensorsolve": 1, "norm": 20, "matrix_norm": 20,
}  # fmt: skip
"""Floating-point operations of each routine, in units of n**3 for an n x n matrix."""

_CHEAP_NORMS = (None, 1, -1, math.inf, -math.inf, "fro")  # linear in the size: no decomposition


def _decomposition(real: Any, name: str) -> Any:
    def decompose(a: Any, *args: Any, **kwargs: Any) -> Any:
        a = as_array(a)
        if name in ("norm", "matrix_norm") and kwargs.get("ord", args[0] if args else None) in _CHEAP_NORMS:
            return real(a, *args, **kwargs)
        if a.ndim >= 2:
            n = max(a.shape[-2], a.shape[-1])
            batch = math.prod(a.shape[:-2])
            if name in ("solve", "lstsq") and args:  # the right-hand side may add batches
                other = as_array(args[0])
                batch = broadcast_size(a.shape[:-2], other.shape[:-2]) or batch
                args = (other, *args[1:])
            work = _LINALG_COST[name] * batch * n**3
            check_work(work, "blas", f"numpy.linalg.{name} of an array of shape {a.shape}")
        return real(a, *args, **kwargs)

    return decompose


def _matrix_power(real: Any) -> Any:
    def matrix_power(a: Any, n: Any) -> Any:
        a = as_array(a)
        power = index_of(n)
        if power is not None and a.ndim >= 2:
            steps = 2 * max(abs(power), 1).bit_length() + (2 if power < 0 else 0)
            work = steps * 2 * math.prod(a.shape[:-2]) * a.shape[-1] ** 3
            check_work(work, work_kind(a.dtype), f"numpy.linalg.matrix_power(..., {power})")
            n = power
        return real(a, n)

    return matrix_power


def _multi_dot(real: Any) -> Any:
    def multi_dot(arrays: Any, **kwargs: Any) -> Any:
        arrays = [as_array(array) for array in arrays]
        work = 0.0
        for left, right in pairwise(arrays):
            if left.ndim and right.ndim:
                work += 2 * (left.shape[0] if left.ndim > 1 else 1) * left.shape[-1] * right.shape[-1]
        check_work(work, "blas", "numpy.linalg.multi_dot(...)")
        return real(arrays, **kwargs)

    return multi_dot


def _matvec(real: Any, name: str) -> Any:
    # matvec(x1 (..., m, n), x2 (..., n)) and vecmat(x1 (..., n), x2 (..., n, m)): a product per batch.
    def product(x1: Any, x2: Any, *args: Any, **kwargs: Any) -> Any:
        x1, x2 = as_array(x1), as_array(x2)
        matrix, vector = (x1, x2) if name == "matvec" else (x2, x1)
        if matrix.ndim >= 2 and vector.ndim >= 1:
            batch = broadcast_size(matrix.shape[:-2], vector.shape[:-1]) or 1
            work = 2 * batch * matrix.shape[-2] * matrix.shape[-1]
            check_work(work, _kind(x1, x2), f"numpy.{name} of arrays of shapes {x1.shape} and {x2.shape}")
        return real(x1, x2, *args, **kwargs)

    return product


def _resize(real: Any) -> Any:
    # numpy.resize builds a Python tuple with one reference per repetition before concatenating.
    def resize(array: Any, new_shape: Any) -> Any:
        array = as_array(array)
        dimensions = [new_shape] if index_of(new_shape) is not None else list(new_shape)
        sizes = [index_of(dimension) for dimension in dimensions]
        if all(size is not None and size >= 0 for size in sizes):
            elements = math.prod(sizes)  # type: ignore[arg-type]
            check_bytes(elements * max(array.itemsize, 8), f"numpy.resize(..., {tuple(sizes)})")
            new_shape = tuple(sizes)
        return real(array, new_shape)

    return resize


def _nested_elements(value: Any) -> int:
    # The size a nested list describes, read along its first items: numpy walks every element
    # in one C call before allocating, so `[row] * 10**5` of a shared row costs seconds.
    elements = 1
    for _ in range(64):
        if not isinstance(value, (list, tuple)):
            break
        if not value:
            return 0
        elements *= len(value)
        value = value[0]
    return elements * (value.size if isinstance(value, numpy_module().ndarray) else 1)


def _from_nested(real: Any, name: str) -> Any:
    def convert(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, (list, tuple)):
            elements = _nested_elements(value)
            check_bytes(elements * 8, f"numpy.{name} of nested sequences describing {elements:,} elements")
        return real(value, *args, **kwargs)

    return convert


def _numpy_overrides(np: Any) -> dict[str, Any]:
    wrappers: dict[str, Callable[[Any], Any]] = {
        "matmul": lambda f: _product(f, "matmul"),
        "dot": lambda f: _product(f, "dot"),
        "matvec": lambda f: _matvec(f, "matvec"),
        "vecmat": lambda f: _matvec(f, "vecmat"),
        "resize": _resize,
        "array": lambda f: _from_nested(f, "array"),
        "asarray": lambda f: _from_nested(f, "asarray"),
        "inner": _inner,
        "tensordot": lambda f: _tensordot(f, "tensordot"),
        "einsum": _einsum,
        "convolve": lambda f: _sliding(f, "convolve"),
        "correlate": lambda f: _sliding(f, "correlate"),
        "polymul": lambda f: _sliding(f, "polymul"),
        "sort": lambda f: _sorting(f, "sort"),
        "argsort": lambda f: _sorting(f, "argsort"),
        "unique": lambda f: _sorting(f, "unique"),
        "lexsort": lambda f: _sorting(f, "lexsort"),
        "cov": lambda f: _covariance(f, "cov"),
        "corrcoef": lambda f: _covariance(f, "corrcoef"),
        "roots": _roots,
        "polyfit": _polyfit,
    }
    return {name: wrap(getattr(np, name)) for name, wrap in wrappers.items() if hasattr(np, name)}


def _linalg_overrides(linalg: Any) -> dict[str, Any]:
    overrides = {
        name: _decomposition(getattr(linalg, name), name) for name in _LINALG_COST if hasattr(linalg, name)
    }
    overrides["matrix_power"] = _matrix_power(linalg.matrix_power)
    overrides["multi_dot"] = _multi_dot(linalg.multi_dot)
    if hasattr(linalg, "matmul"):
        overrides["matmul"] = _product(linalg.matmul, "linalg.matmul")
    if hasattr(linalg, "tensordot"):
        overrides["tensordot"] = _tensordot(linalg.tensordot, "linalg.tensordot")
    return overrides


def private_numpy_generator() -> tuple[Any, Any]:
    """Return numpy's process-wide RandomState and a private one for an executor."""
    mtrand = importlib.import_module("numpy.random.mtrand")
    return mtrand._rand, mtrand.RandomState()


def _overrides_for(build: Callable[[Any], dict[str, Any]], module: str) -> Callable[[], dict[str, Any]]:
    def overrides() -> dict[str, Any]:
        enable_arrays()
        return build(importlib.import_module(module))

    return overrides


ARRAY_OVERRIDES: dict[str, Callable[[], dict[str, Any]]] = {
    "numpy": _overrides_for(_numpy_overrides, "numpy"),
    "numpy.linalg": _overrides_for(_linalg_overrides, "numpy.linalg"),
}
"""Time-checked stand-ins for numpy functions, built when model code imports numpy."""
