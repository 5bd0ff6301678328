"""Ordinary numpy code that the numpy bounds (F31) must not refuse: it runs and gives numpy's result."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from smolagents.local_python_executor import LocalPythonExecutor  # noqa: E402

CASES = [
    # numpy accepts shapes, reps and per-element repeat counts given as integer arrays; the guards'
    # as_index() calls operator.index on the whole array and raises TypeError.
    pytest.param("y = np.zeros(np.array([2, 3]))", id="zeros-shape-as-array"),
    pytest.param("y = np.tile(np.arange(3), np.array([2, 2]))", id="tile-reps-as-array"),
    pytest.param("y = np.resize(np.arange(3), np.array([2, 3]))", id="resize-shape-as-array"),
    pytest.param("y = np.broadcast_to(np.arange(3), np.array([2, 3]))", id="broadcast-to-shape-as-array"),
    pytest.param("y = np.random.default_rng(0).random(size=np.array([2, 3]))", id="generator-size-as-array"),
    pytest.param("y = np.repeat(np.arange(3), np.array([1, 2, 3]))", id="repeat-counts-array"),
    pytest.param("y = np.arange(6).repeat(np.array([1, 0, 2, 1, 1, 1]))", id="repeat-method-counts-array"),
    pytest.param("y = np.arange(np.array(5.0))", id="arange-float-0d-array"),
]


@pytest.mark.parametrize("code", CASES)
def test_ordinary_numpy_code_runs(code: str) -> None:
    executor = LocalPythonExecutor(["numpy.*"], timeout_seconds=10)
    result = executor("import numpy as np\n" + code + "\ny")
    expected: dict[str, object] = {"np": np}
    exec(code, expected)
    assert np.array_equal(result.output, expected["y"])


def test_moderate_matrix_product_is_not_refused() -> None:
    """A 2000 x 2000 float product takes about a second with BLAS; the work estimate must not refuse it.

    The estimate divides the work by this machine's measured rate: with a generous deadline it passes
    however loaded the machine is (how tight the estimate is belongs to the benchmark).
    """
    executor = LocalPythonExecutor(["numpy.*"], timeout_seconds=120)
    result = executor("import numpy as np\na = np.ones((2000, 2000))\nb = a @ a\nfloat(b[0, 0])")
    assert result.output == 2000.0
