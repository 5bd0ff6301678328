"""Bypasses of the numpy bounds (F31) and of the self-feeding list growth guard (F32).

Each case is one numpy (or builtin) entry point that allocates far more than its inputs, or runs
for many seconds in one C call, without going through the checked stand-ins of
`_interpreter/numpy_functions.py` / `_interpreter/arrays.py`. Every case must be refused by the
executor itself ("would allocate" / "would take about") within the timeout; a `MemoryError` means
the test's rlimit stopped it, i.e. on a real host it would have taken gigabytes.
"""

from __future__ import annotations

import pytest

from ._kit import ExecutorFactory, expect_refused
from .test_attack_resources import TIMEOUT, WALL_SECONDS

_SIX_GIB_BROADCAST = "x = np.arange(3 * 10 ** 4)\n"  # x[:, None] against x: 30000 x 30000 int64 = 6.7 GiB
_VIEW = "v = np.lib.stride_tricks.sliding_window_view(np.ones(10 ** 5), 5 * 10 ** 4)\n"  # 18.6 GiB if copied

MEMORY_BYPASSES = [
    # broadcasting outside the operators: ufunc calls, dunder methods, chained comparisons, C callers
    pytest.param(_SIX_GIB_BROADCAST + "y = np.add(x[:, None], x)", id="ufunc-add-call"),
    pytest.param(_SIX_GIB_BROADCAST + "y = np.multiply(x[:, None], x)", id="ufunc-multiply-call"),
    pytest.param("x = np.arange(6 * 10 ** 4)\ny = np.equal(x[:, None], x)", id="ufunc-equal-call"),
    pytest.param(_SIX_GIB_BROADCAST + "y = x[:, None].__add__(x)", id="dunder-add"),
    pytest.param("x = np.arange(6 * 10 ** 4)\ny = x[:, None].__eq__(x)", id="dunder-eq"),
    pytest.param("x = np.arange(6 * 10 ** 4)\ny = None is not x[:, None] == x", id="chained-comparison"),
    pytest.param("x = np.arange(6 * 10 ** 4)\ny = x in [x[:, None]]", id="list-contains-compares"),
    pytest.param(_SIX_GIB_BROADCAST + "y = sum([x[:, None], x])", id="builtin-sum-of-arrays"),
    pytest.param(
        "import operator\n" + _SIX_GIB_BROADCAST + "y = operator.add(x[:, None], x)", id="operator-add"
    ),
    pytest.param(
        "import operator\nx = np.arange(6 * 10 ** 4)\ny = operator.eq(x[:, None], x)", id="operator-eq"
    ),
    pytest.param(_SIX_GIB_BROADCAST + "y = np.where(True, x[:, None], x)", id="where"),
    pytest.param(_SIX_GIB_BROADCAST + "y = np.select([True], [x[:, None]], x)", id="select"),
    pytest.param(_SIX_GIB_BROADCAST + "y = np.choose(0, [x[:, None], x])", id="choose"),
    pytest.param(
        _SIX_GIB_BROADCAST + "f = np.frompyfunc(lambda a, b: 0, 2, 1)\ny = f(x[:, None], x)", id="frompyfunc"
    ),
    pytest.param(
        _SIX_GIB_BROADCAST + "f = np.vectorize(lambda a, b: 0)\ny = f(x[:, None], x)", id="vectorize"
    ),
    pytest.param(
        _SIX_GIB_BROADCAST + "a, b = np.broadcast_arrays(x[:, None], x)\ny = a.copy()", id="broadcast-arrays"
    ),
    pytest.param(
        "y = np.random.default_rng().normal(np.zeros((3 * 10 ** 4, 1)), np.ones(3 * 10 ** 4))",
        id="random-broadcast-parameters",
    ),
    pytest.param(
        "a = np.ones((10 ** 5, 1, 3))\ny = np.linalg.cross(a, np.ones((10 ** 4, 3)))", id="linalg-cross"
    ),
    pytest.param(
        "a = np.ones((3 * 10 ** 4, 1, 1))\ny = np.linalg.vecdot(a, np.ones((3 * 10 ** 4, 1)))", id="vecdot"
    ),
    # fancy indexing with broadcast index arrays (subscripts are not checked)
    pytest.param(
        "x = np.ones((2, 2))\ni = np.zeros(3 * 10 ** 4, dtype=int)\ny = x[i[:, None], i]", id="fancy-index"
    ),
    pytest.param(
        "x = np.ones((2, 2))\ni = np.zeros(3 * 10 ** 4, dtype=int)\ny = x[np.ix_(i, i)]", id="ix-index"
    ),
    # views far bigger than their base, then materialised
    pytest.param(_VIEW + "y = v.copy()", id="sliding-window-copy"),
    pytest.param(_VIEW + "y = np.zeros_like(v)", id="zeros-like-of-view"),
    pytest.param(_VIEW + "y = np.array(v)", id="array-of-view"),
    # many copies of one array
    pytest.param("x = np.ones(10 ** 6)\ny = np.concatenate([x] * 1000)", id="concatenate"),
    pytest.param("x = np.ones(10 ** 6)\ny = np.stack([x] * 1000)", id="stack"),
    pytest.param("x = np.ones(10 ** 6)\ny = np.block([x] * 1000)", id="block"),
    pytest.param("row = [0.0] * 10 ** 4\ny = np.array([row] * 4 * 10 ** 4)", id="array-of-shared-rows"),
    # sizes given as counts to functions without a stand-in
    pytest.param("y = np.mgrid[0:10 ** 5, 0:10 ** 5]", id="mgrid"),
    pytest.param("y = np.r_[0:10 ** 10]", id="r-"),
    pytest.param("a, b = np.ogrid[0:10 ** 5, 0:10 ** 5]\ny = np.add(a, b)", id="ogrid-add"),
    pytest.param("y = np.diag(np.ones(10 ** 5))", id="diag"),
    pytest.param("y = np.vander(np.ones(10 ** 5))", id="vander"),
    pytest.param("y = np.histogram([1, 2], bins=10 ** 10)", id="histogram-bins"),
    pytest.param("y = np.histogramdd(np.zeros((1, 2)), bins=(10 ** 5, 10 ** 5))", id="histogramdd-bins"),
    pytest.param("y = np.bincount([10 ** 10])", id="bincount-max-value"),
    pytest.param("y = np.isin([0], [0, 10 ** 10], kind='table')", id="isin-table"),
    pytest.param("y = np.tril_indices(10 ** 5)", id="tril-indices"),
    pytest.param("y = np.diag_indices(10 ** 9)", id="diag-indices"),
    pytest.param("y = np.fft.fft(np.ones(4), n=10 ** 9)", id="fft-n"),
    pytest.param("y = np.fft.fftfreq(10 ** 10)", id="fftfreq"),
    pytest.param("y = np.random.default_rng().permutation(10 ** 9)", id="generator-permutation"),
    pytest.param("y = np.random.permutation(10 ** 9)", id="module-permutation"),
    pytest.param("y = np.random.choice(10 ** 9, 5, replace=False)", id="module-choice-without-replacement"),
    pytest.param(
        "y = np.random.default_rng().bit_generator.random_raw(10 ** 9)", id="bit-generator-random-raw"
    ),
    pytest.param("y = np.random.SeedSequence(0).generate_state(10 ** 9)", id="seed-sequence-generate-state"),
    # wide dtypes and strings
    pytest.param("y = np.asarray(np.ones((1, 10 ** 6)), dtype='U1000')", id="asarray-2d-wide-dtype"),
    pytest.param("y = np.astype(np.ones(10 ** 6), 'U1000')", id="astype-function"),
    pytest.param("y = np.char.multiply(np.array(['a'] * 1000), 10 ** 7)", id="char-multiply"),
    pytest.param("y = np.strings.multiply(np.array(['a'] * 1000), 10 ** 6)", id="strings-multiply"),
    pytest.param("y = np.char.ljust(np.array(['a'] * 1000), 10 ** 6)", id="char-ljust"),
    # shape arguments that lie to the one conversion
    pytest.param(
        "class L(list):\n    def __len__(self):\n        return 100\ny = np.zeros(L([10 ** 5, 10 ** 5]))",
        id="shape-list-claiming-too-many-dimensions",
    ),
    # Python-level consumers of arrays (one object per element)
    pytest.param("x = np.zeros(6 * 10 ** 7, dtype=np.uint8)\ny = list(x)", id="list-of-array"),
    pytest.param(
        "y = np.array2string(np.zeros(10 ** 7), threshold=10 ** 8)",
        id="array2string",
        # F34: on a loaded machine the child's rlimit can fire before the executor's memory check.
        marks=pytest.mark.xfail(
            strict=False, reason="open finding F34: see tests/interpreter/attacks/FINDINGS.md"
        ),
    ),
]

TIME_BYPASSES = [
    pytest.param("a = np.ones((6000, 6000))\ny = np.linalg.tensordot(a, a, axes=1)", id="linalg-tensordot"),
    pytest.param(
        "a = np.ones((6000, 6000))\ny = np.tensordot(a, a, axes=([1], [0]))", id="tensordot-list-axes"
    ),
    pytest.param("a = np.ones(3000)\ny = np.einsum('...i,...j,...k->...ijk', a, a, a)", id="einsum-ellipsis"),
    pytest.param(
        "a = np.ones(3000)\ny = np.einsum(a, [0], a, [1], a, [2], [0, 1, 2])", id="einsum-list-form"
    ),
    pytest.param("a = np.random.rand(3000, 3000)\ny = np.linalg.norm(a, 2)", id="linalg-norm-2"),
    pytest.param(
        "a = np.random.rand(3000, 3000)\ny = np.linalg.matrix_norm(a, ord='nuc')", id="matrix-norm-nuc"
    ),
    pytest.param("a = np.random.rand(6000, 6000)\ny = np.cov(a)", id="cov"),
    pytest.param(
        "a = np.random.rand(1, 1500, 1500) + np.eye(1500)\ny = np.linalg.solve(a, np.ones((400, 1500, 1)))",
        id="linalg-solve-broadcast-batch",
    ),
    pytest.param("y = np.roots(np.ones(3000))", id="roots"),
    pytest.param("a = np.ones(10 ** 6)\ny = np.polymul(a, a)", id="polymul"),
    pytest.param("x = np.arange(3000.0)\ny = np.polyfit(x, x, 2000)", id="polyfit"),
    pytest.param("x = np.random.rand(3 * 10 ** 7)\ny = np.lexsort([x])", id="lexsort"),
    pytest.param(
        "y = np.apply_along_axis(np.sum, 1, np.zeros((10 ** 7, 1)))",
        id="apply-along-axis",
        # F33 is not fully closed: about half the runs still spend the child's 10 s CPU cap here.
        marks=pytest.mark.xfail(
            strict=False, reason="open finding F33: see tests/interpreter/attacks/FINDINGS.md"
        ),
    ),
]


def _expect_bounded(make_executor: ExecutorFactory, code: str) -> None:
    executor = make_executor(["numpy.*", "operator"], timeout_seconds=TIMEOUT)
    error = expect_refused(executor, "import numpy as np\n" + code)
    message = str(error)
    assert "MemoryError" not in message, f"stopped by the test's rlimit, not the executor: {message[:300]}"
    bounded_by = ("would allocate", "would take about", "time limit", "max number of operations")
    assert any(reason in message for reason in bounded_by), f"refused for another reason: {message[:300]}"


@pytest.mark.limits(wall_seconds=WALL_SECONDS, cpu_seconds=20)
@pytest.mark.parametrize("code", MEMORY_BYPASSES)
def test_numpy_allocation_bypasses_are_bounded(make_executor: ExecutorFactory, code: str) -> None:
    """No numpy entry point may allocate far beyond the call's memory allowance."""
    _expect_bounded(make_executor, code)


# Each call runs natively for many CPU seconds; bounded, the child uses a few (its CPU cap is the check).
@pytest.mark.limits(wall_seconds=WALL_SECONDS, cpu_seconds=10)
@pytest.mark.parametrize("code", TIME_BYPASSES)
def test_numpy_long_calls_are_bounded(make_executor: ExecutorFactory, code: str) -> None:
    """No single numpy call may run for many times the timeout."""
    _expect_bounded(make_executor, code)


GROWTH_BYPASSES = [
    pytest.param((), "x = [1]\nx.__iadd__(iter(x))", id="iadd-dunder-method"),
    pytest.param((), "x = [1]\nlist.__iadd__(x, iter(x))", id="iadd-dunder-via-type"),
    pytest.param((), "x = [1]\ngetattr(x, '__iadd__')(iter(x))", id="iadd-dunder-via-getattr"),
    pytest.param(("array",), "import array\na = array.array('b', [1])\na.extend(iter(a))", id="array-extend"),
    pytest.param((), "y = sum([[0] * 10 ** 6] * 10 ** 4, [])", id="builtin-sum-of-lists"),
]


@pytest.mark.limits(wall_seconds=WALL_SECONDS, cpu_seconds=10)
@pytest.mark.parametrize(("imports", "code"), GROWTH_BYPASSES)
def test_self_feeding_growth_is_bounded(
    make_executor: ExecutorFactory, imports: tuple[str, ...], code: str
) -> None:
    """A container fed from its own iterator (or grown quadratically in C) must stop at the budget."""
    executor = make_executor([*imports, "numpy.*"], timeout_seconds=TIMEOUT)
    error = expect_refused(executor, code)
    assert "MemoryError" not in str(error), f"stopped by the test's rlimit, not the executor: {error}"
