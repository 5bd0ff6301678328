"""Checked stand-ins for numpy's module functions: numpy, numpy.linalg and numpy.random.

Each stand-in reads the arguments that decide the size of the result or the work (a shape, a
count, the operands of a product), converts them to plain ints once, checks them with
`arrays.check_bytes` / `arrays.check_work`, and calls numpy with the converted values. Sampling
methods of `Generator` and `RandomState` are checked through subclasses built at first import.
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from .arrays import (
    arg,
    as_array,
    check_bytes,
    check_product,
    check_sort,
    check_work,
    enable_arrays,
    itemsize_of,
    numpy_module,
    plain_shape,
    repeat_bytes,
    with_arg,
    work_kind,
)
from .guards import as_index, stand_in

__all__ = ["ARRAY_OVERRIDES", "private_numpy_generator"]


def _constructor(real: Any, name: str, dtype_position: int, fill_position: int | None = None) -> Any:
    # zeros/ones/empty(shape, dtype), full(shape, fill_value, dtype): the shape is converted once.
    def create(shape: Any, *args: Any, **kwargs: Any) -> Any:
        shape, elements = plain_shape(shape)
        if elements is not None:
            default = 8
            if fill_position is not None:
                default = as_array(arg(args, kwargs, fill_position - 1, "fill_value")).itemsize or 8
            itemsize = itemsize_of(arg(args, kwargs, dtype_position - 1, "dtype"), default)
            check_bytes(elements * itemsize, f"numpy.{name}({shape!r})")
        return real(shape, *args, **kwargs)

    return create


def _like(real: Any, name: str) -> Any:
    # zeros_like(a, ..., shape=None): the size is the input's unless `shape` is given.
    def create(prototype: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("shape") is not None:
            shape, elements = plain_shape(kwargs["shape"])
            kwargs["shape"] = shape
            if elements is not None:
                check_bytes(
                    elements * itemsize_of(kwargs.get("dtype"), as_array(prototype).itemsize), f"numpy.{name}"
                )
        return real(prototype, *args, **kwargs)

    return create


def _number(value: Any) -> float | None:
    index = as_index(value)
    if index is not None:
        return index
    return float(value) if isinstance(value, float) or isinstance(value, numpy_module().floating) else None


def _arange(real: Any) -> Any:
    def arange(*args: Any, **kwargs: Any) -> Any:
        positional = list(args[:3])
        if len(positional) == 1 and "stop" not in kwargs:
            positional = [0, positional[0]]
        start = _number(kwargs.get("start", positional[0] if positional else 0))
        stop = _number(kwargs.get("stop", positional[1] if len(positional) > 1 else None))
        step = _number(kwargs.get("step", positional[2] if len(positional) > 2 else 1))
        if None not in (start, stop, step) and step:
            elements = max(0.0, math.ceil((stop - start) / step))  # type: ignore[operator]
            check_bytes(elements * itemsize_of(arg(args, kwargs, 3, "dtype")), "numpy.arange(...)")
        return real(*args, **kwargs)

    return arange


def _spaced(real: Any, name: str) -> Any:
    # linspace/logspace/geomspace(start, stop, num=50, ...): num points per start/stop pair.
    def spaced(start: Any, stop: Any, *args: Any, **kwargs: Any) -> Any:
        num = as_index(arg(args, kwargs, 0, "num", 50))
        if num is not None:
            args, kwargs = with_arg(args, kwargs, 0, "num", num)
            pairs = max(as_array(start).size, as_array(stop).size)
            check_bytes(num * pairs * 8, f"numpy.{name}(..., num={num})")
        return real(start, stop, *args, **kwargs)

    return spaced


def _square(real: Any, name: str) -> Any:
    # eye/tri(N, M=None, ...), identity(n): an N x M matrix.
    def square(n: Any, *args: Any, **kwargs: Any) -> Any:
        rows = as_index(n)
        columns = rows if name == "identity" else as_index(arg(args, kwargs, 0, "M", n))
        if rows is not None and columns is not None:
            check_bytes(rows * columns * 8, f"numpy.{name}({rows})")
            n = rows
        return real(n, *args, **kwargs)

    return square


def _indices(real: Any) -> Any:
    def indices(dimensions: Any, *args: Any, **kwargs: Any) -> Any:
        dimensions, elements = plain_shape(dimensions)
        if elements is not None:
            count = 1 if isinstance(dimensions, int) else len(dimensions)
            check_bytes(elements * count * 8, f"numpy.indices({dimensions!r})")
        return real(dimensions, *args, **kwargs)

    return indices


def _fromfunction(real: Any) -> Any:
    def fromfunction(function: Any, shape: Any, **kwargs: Any) -> Any:
        shape, elements = plain_shape(shape)
        if elements is not None:
            count = 1 if isinstance(shape, int) else len(shape)
            check_bytes(elements * count * 8, f"numpy.fromfunction(..., {shape!r})")
        return real(function, shape, **kwargs)

    return fromfunction


def _meshgrid(real: Any) -> Any:
    def meshgrid(*arrays: Any, **kwargs: Any) -> Any:
        converted = [as_array(array) for array in arrays]
        sizes = [array.size for array in converted]
        if not kwargs.get("sparse", False):
            check_bytes(math.prod(sizes) * len(sizes) * 8, "numpy.meshgrid(...)")
        return real(*converted, **kwargs)

    return meshgrid


def _pairwise(real: Any, name: str) -> Any:
    # outer(a, b), kron(a, b): every element of one with every element of the other.
    def pairwise(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        a, b = as_array(a), as_array(b)
        itemsize = numpy_module().result_type(a, b).itemsize
        check_bytes(
            a.size * b.size * itemsize, f"numpy.{name} of arrays of {a.size:,} and {b.size:,} elements"
        )
        return real(a, b, *args, **kwargs)

    return pairwise


def _tile(real: Any) -> Any:
    def tile(array: Any, reps: Any) -> Any:
        array = as_array(array)
        reps, copies = plain_shape(reps)
        if copies is not None:
            check_bytes(array.nbytes * copies, f"numpy.tile(..., {reps!r})")
        return real(array, reps)

    return tile


def _repeat(real: Any) -> Any:
    def repeat(array: Any, repeats: Any, *args: Any, **kwargs: Any) -> Any:
        array = as_array(array)
        repeats, nbytes = repeat_bytes(array, repeats)
        if nbytes is not None:
            check_bytes(nbytes, "numpy.repeat(...)")
        return real(array, repeats, *args, **kwargs)

    return repeat


def _resize(real: Any) -> Any:
    def resize(array: Any, new_shape: Any) -> Any:
        array = as_array(array)
        new_shape, elements = plain_shape(new_shape)
        if elements is not None:
            check_bytes(elements * array.itemsize, f"numpy.resize(..., {new_shape!r})")
        return real(array, new_shape)

    return resize


def _pad(real: Any) -> Any:
    def pad(array: Any, pad_width: Any, *args: Any, **kwargs: Any) -> Any:
        array = as_array(array)
        widths = as_array(pad_width)
        if widths.size and widths.dtype.kind in "iu":
            widest = 2 * max(int(widths.max()), 0)
            check_bytes(math.prod(d + widest for d in array.shape) * array.itemsize, "numpy.pad(...)")
        return real(array, widths, *args, **kwargs)

    return pad


def _broadcast_to(real: Any) -> Any:
    # The result is a view, but the next operation on it materialises every element.
    def broadcast_to(array: Any, shape: Any, *args: Any, **kwargs: Any) -> Any:
        array = as_array(array)
        shape, elements = plain_shape(shape)
        if elements is not None:
            check_bytes(elements * array.itemsize, f"numpy.broadcast_to(..., {shape!r})")
        return real(array, shape, *args, **kwargs)

    return broadcast_to


def _fromiter(real: Any) -> Any:
    # count= preallocates the whole result before reading the iterator.
    def fromiter(iterable: Any, dtype: Any, count: Any = -1, **kwargs: Any) -> Any:
        converted = as_index(count)
        if converted is not None:
            count = converted
            check_bytes(count * itemsize_of(dtype), f"numpy.fromiter(..., count={count})")
        return real(iterable, dtype, count, **kwargs)

    return fromiter


def _array_constructor(real: Any, name: str) -> Any:
    # array(items, dtype="U100000"): a wide dtype multiplies every element's size.
    def construct(value: Any, *args: Any, **kwargs: Any) -> Any:
        dtype = arg(args, kwargs, 0, "dtype")
        if dtype is not None and itemsize_of(dtype) > 64 and hasattr(value, "__len__"):
            check_bytes(len(value) * itemsize_of(dtype), f"numpy.{name}(..., dtype={dtype!r})")
        return real(value, *args, **kwargs)

    return construct


def _product(real: Any, name: str) -> Any:
    def product(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        a, b = as_array(a), as_array(b)
        check_product(a, b, f"numpy.{name}")
        return real(a, b, *args, **kwargs)

    return product


def _inner(real: Any) -> Any:
    def inner(a: Any, b: Any) -> Any:
        a, b = as_array(a), as_array(b)
        if a.ndim and b.ndim:
            elements = math.prod(a.shape[:-1]) * math.prod(b.shape[:-1])
            check_bytes(elements * 8, "numpy.inner(...)")
            check_work(
                2 * elements * a.shape[-1], work_kind(numpy_module().result_type(a, b)), "numpy.inner(...)"
            )
        return real(a, b)

    return inner


def _tensordot(real: Any) -> Any:
    def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
        a, b = as_array(a), as_array(b)
        count = as_index(axes)
        if count is not None and 0 <= count <= min(a.ndim, b.ndim):
            summed = math.prod(a.shape[a.ndim - count :])
            free = (a.size // max(summed, 1)) * (b.size // max(summed, 1))
            check_bytes(free * 8, "numpy.tensordot(...)")
            check_work(2 * free * summed, work_kind(numpy_module().result_type(a, b)), "numpy.tensordot(...)")
            axes = count
        return real(a, b, axes)

    return tensordot


def _einsum(real: Any) -> Any:
    # The naive cost of einsum is the product of the sizes of all its labels.
    def einsum(subscripts: Any, *operands: Any, **kwargs: Any) -> Any:
        if isinstance(subscripts, str) and "..." not in subscripts:
            operands = tuple(as_array(operand) for operand in operands)
            inputs, arrow, output = subscripts.replace(" ", "").partition("->")
            sizes: dict[str, int] = {}
            for labels, operand in zip(inputs.split(","), operands, strict=False):
                for label, size in zip(labels, operand.shape, strict=False):
                    sizes[label] = max(sizes.get(label, 1), size)
            if not arrow:  # implicit output: the labels used once, in alphabetical order
                output = "".join(sorted(label for label in sizes if inputs.count(label) == 1))
            what = f"numpy.einsum({subscripts!r}, ...)"
            check_bytes(math.prod(sizes.get(label, 1) for label in output) * 8, what)
            check_work(math.prod(sizes.values()), "loop", what)
        return real(subscripts, *operands, **kwargs)

    return einsum


def _sliding(real: Any, name: str) -> Any:
    # convolve/correlate(a, v): every element of one against every element of the other.
    def sliding(a: Any, v: Any, *args: Any, **kwargs: Any) -> Any:
        a, v = as_array(a), as_array(v)
        check_work(2 * a.size * v.size, work_kind(numpy_module().result_type(a, v)), f"numpy.{name}(...)")
        return real(a, v, *args, **kwargs)

    return sliding


def _sorting(real: Any, name: str) -> Any:
    def sort(array: Any, *args: Any, **kwargs: Any) -> Any:
        array = as_array(array)
        check_sort(array, f"numpy.{name}")
        return real(array, *args, **kwargs)

    return sort


_LINALG_COST = {
    "solve": 1, "inv": 2, "det": 1, "slogdet": 1, "cholesky": 1, "qr": 2, "lstsq": 10, "pinv": 10,
    "matrix_rank": 10, "eig": 25, "eigvals": 10, "eigh": 10, "eigvalsh": 4, "svd": 20, "svdvals": 10,
    "cond": 20, "tensorinv": 2, "tensorsolve": 1,
}  # fmt: skip
"""Floating-point operations of each decomposition, in units of n**3 for an n x n matrix."""


def _decomposition(real: Any, name: str) -> Any:
    def decompose(a: Any, *args: Any, **kwargs: Any) -> Any:
        a = as_array(a)
        if a.ndim >= 2:
            n = max(a.shape[-2], a.shape[-1])
            work = _LINALG_COST[name] * math.prod(a.shape[:-2]) * n**3
            check_work(work, "blas", f"numpy.linalg.{name} of an array of shape {a.shape}")
        return real(a, *args, **kwargs)

    return decompose


def _matrix_power(real: Any) -> Any:
    def matrix_power(a: Any, n: Any) -> Any:
        a = as_array(a)
        power = as_index(n)
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


def _numpy_overrides(np: Any) -> dict[str, Any]:
    wrappers: dict[str, Callable[[Any], Any]] = {
        "zeros": lambda f: _constructor(f, "zeros", 1),
        "ones": lambda f: _constructor(f, "ones", 1),
        "empty": lambda f: _constructor(f, "empty", 1),
        "full": lambda f: _constructor(f, "full", 2, fill_position=1),
        "zeros_like": lambda f: _like(f, "zeros_like"),
        "ones_like": lambda f: _like(f, "ones_like"),
        "empty_like": lambda f: _like(f, "empty_like"),
        "full_like": lambda f: _like(f, "full_like"),
        "arange": _arange,
        "linspace": lambda f: _spaced(f, "linspace"),
        "logspace": lambda f: _spaced(f, "logspace"),
        "geomspace": lambda f: _spaced(f, "geomspace"),
        "eye": lambda f: _square(f, "eye"),
        "identity": lambda f: _square(f, "identity"),
        "tri": lambda f: _square(f, "tri"),
        "indices": _indices,
        "fromfunction": _fromfunction,
        "meshgrid": _meshgrid,
        "outer": lambda f: _pairwise(f, "outer"),
        "kron": lambda f: _pairwise(f, "kron"),
        "tile": _tile,
        "repeat": _repeat,
        "resize": _resize,
        "pad": _pad,
        "broadcast_to": _broadcast_to,
        "fromiter": _fromiter,
        "array": lambda f: _array_constructor(f, "array"),
        "asarray": lambda f: _array_constructor(f, "asarray"),
        "matmul": lambda f: _product(f, "matmul"),
        "dot": lambda f: _product(f, "dot"),
        "inner": _inner,
        "tensordot": _tensordot,
        "einsum": _einsum,
        "convolve": lambda f: _sliding(f, "convolve"),
        "correlate": lambda f: _sliding(f, "correlate"),
        "sort": lambda f: _sorting(f, "sort"),
        "argsort": lambda f: _sorting(f, "argsort"),
        "unique": lambda f: _sorting(f, "unique"),
    }
    overrides = {name: wrap(getattr(np, name)) for name, wrap in wrappers.items() if hasattr(np, name)}
    overrides["ndarray"] = stand_in(np.ndarray, _ndarray_factory(np.ndarray))
    return overrides


def _ndarray_factory(real: type) -> Any:
    def ndarray(shape: Any, dtype: Any = float, *args: Any, **kwargs: Any) -> Any:
        shape, elements = plain_shape(shape)
        if elements is not None and kwargs.get("buffer", args[0] if args else None) is None:
            check_bytes(elements * itemsize_of(dtype), f"numpy.ndarray({shape!r})")
        return real(shape, dtype, *args, **kwargs)

    return ndarray


def _linalg_overrides(linalg: Any) -> dict[str, Any]:
    overrides = {
        name: _decomposition(getattr(linalg, name), name) for name in _LINALG_COST if hasattr(linalg, name)
    }
    overrides["matrix_power"] = _matrix_power(linalg.matrix_power)
    overrides["multi_dot"] = _multi_dot(linalg.multi_dot)
    for name in ("matmul", "outer"):
        if hasattr(linalg, name):
            overrides[name] = (_product if name == "matmul" else _pairwise)(getattr(linalg, name), name)
    return overrides


# -- random sampling --------------------------------------------------------------------------------
_EXTRA_DIMENSION = {"multivariate_normal": "mean", "multinomial": "pvals", "dirichlet": "alpha"}


def _sampler(method: Any, name: str) -> Any:
    # Generator/RandomState methods taking `size`: the size is converted once and checked.
    parameters = list(inspect.signature(method).parameters)[1:]
    position = parameters.index("size")
    extra = _EXTRA_DIMENSION.get(name)
    extra_position = parameters.index(extra) if extra in parameters else None

    def sample(self: Any, *args: Any, **kwargs: Any) -> Any:
        size, elements = plain_shape(arg(args, kwargs, position, "size"))
        if elements is not None:
            args, kwargs = with_arg(args, kwargs, position, "size", size)
            if extra_position is not None:
                elements *= max(as_array(arg(args, kwargs, extra_position, extra)).size, 1)  # type: ignore[arg-type]
            check_bytes(elements * 8, f"{name}(size={size!r})")
        return method(self, *args, **kwargs)

    sample.__name__ = name
    sample.__doc__ = getattr(method, "__doc__", None)
    return sample


def _dimensions_sampler(method: Any, name: str) -> Any:
    # RandomState.rand(d0, d1, ...) / randn(...): the shape is given as separate arguments.
    def sample(self: Any, *dimensions: Any) -> Any:
        shape, elements = plain_shape(list(dimensions))
        if elements is not None:
            check_bytes(elements * 8, f"{name}{tuple(shape)!r}")
            dimensions = tuple(shape)
        return method(self, *dimensions)

    sample.__name__ = name
    return sample


def _length_sampler(method: Any, name: str) -> Any:
    def sample(self: Any, length: Any) -> Any:
        converted = as_index(length)
        if converted is not None:
            length = converted
            check_bytes(length, f"{name}({length})")
        return method(self, length)

    sample.__name__ = name
    return sample


def _checked_sampler_class(base: type) -> type:
    """Return a subclass of numpy's Generator or RandomState whose sampling methods check sizes."""
    namespace: dict[str, Any] = {"__module__": base.__module__, "__qualname__": base.__qualname__}
    for name, method in vars(base).items():
        if name.startswith("_") or not callable(method):
            continue
        if name in ("rand", "randn"):
            namespace[name] = _dimensions_sampler(method, name)
        elif name in ("bytes", "tomaxint"):
            namespace[name] = _length_sampler(method, name)
        else:
            try:
                parameters = inspect.signature(method).parameters
            except (TypeError, ValueError):
                continue
            if "size" in parameters:
                namespace[name] = _sampler(method, name)
    return type(base.__name__, (base,), namespace)


_checked_classes: dict[str, type] = {}


def _checked_class(name: str) -> type:
    found = _checked_classes.get(name)
    if found is None:
        found = _checked_classes[name] = _checked_sampler_class(getattr(numpy_module().random, name))
    return found


def private_numpy_generator() -> tuple[Any, Any]:
    """Return numpy's process-wide RandomState and a private, size-checked one for an executor."""
    mtrand = importlib.import_module("numpy.random.mtrand")
    return mtrand._rand, _checked_class("RandomState")()


def _random_overrides(random: Any) -> dict[str, Any]:
    generator, random_state = _checked_class("Generator"), _checked_class("RandomState")

    def default_rng(seed: Any = None) -> Any:
        if isinstance(seed, generator):
            return seed
        if isinstance(seed, random.Generator):
            return generator(seed.bit_generator)
        return generator(random.default_rng(seed).bit_generator)

    return {
        "default_rng": default_rng,
        "Generator": stand_in(random.Generator, generator),
        "RandomState": stand_in(random.RandomState, random_state),
    }


def _overrides_for(build: Callable[[Any], dict[str, Any]], module: str) -> Callable[[], dict[str, Any]]:
    def overrides() -> dict[str, Any]:
        enable_arrays()
        return build(importlib.import_module(module))

    return overrides


ARRAY_OVERRIDES: dict[str, Callable[[], dict[str, Any]]] = {
    "numpy": _overrides_for(_numpy_overrides, "numpy"),
    "numpy.linalg": _overrides_for(_linalg_overrides, "numpy.linalg"),
    "numpy.random": _overrides_for(_random_overrides, "numpy.random"),
}
"""Size- and work-checked stand-ins for numpy functions, built when model code imports numpy."""
