"""numpy under the executor's size and work checks: ordinary code gives numpy's own results, and
the checks follow the executor's memory allowance and time left.

The attacks themselves (huge allocations, broadcasting blow-ups, heavy products) are in
attacks/test_attack_numpy.py, run in capped child processes.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest

from smolagents.local_python_executor import InterpreterError, LocalPythonExecutor

np = pytest.importorskip("numpy")

PROGRAMS = [
    # constructors and ranges
    "np.zeros((2, 3)).shape",
    "np.ones(4, dtype=np.int8).sum()",
    "np.full((2, 2), 7).tolist()",
    "np.full(3, 'ab').tolist()",
    "np.empty((0, 4)).shape",
    "np.zeros_like(np.ones(3), shape=(2, 2)).tolist()",
    "np.full_like(np.ones(2), 3).tolist()",
    "np.arange(10).tolist()",
    "np.arange(1, 2, 0.25).tolist()",
    "np.arange(5, dtype=float).tolist()",
    "np.arange(10, 0, -3).tolist()",
    "np.linspace(0, 1, 5).tolist()",
    "np.linspace(0, 1, num=3, endpoint=False).tolist()",
    "np.logspace(0, 2, 3).tolist()",
    "np.eye(3, 2).tolist()",
    "np.identity(2).tolist()",
    "np.tri(3).tolist()",
    "np.indices((2, 3)).shape",
    "np.fromfunction(lambda i, j: i + j, (2, 3)).tolist()",
    "[a.tolist() for a in np.meshgrid([1, 2], [3, 4, 5])]",
    "[a.shape for a in np.meshgrid([1, 2], [3, 4, 5], sparse=True)]",
    "np.fromiter((i * i for i in range(4)), dtype=int).tolist()",
    "np.fromiter(range(5), float, count=3).tolist()",
    "np.array([1, 2], dtype='U200').tolist()",
    "np.asarray([[1, 2]], dtype=float).tolist()",
    "np.ndarray((2, 3)).shape",
    # repetition and outer products
    "np.outer([1, 2], [3, 4]).tolist()",
    "np.kron([1, 2], [1, 1]).tolist()",
    "np.tile([1, 2], 3).tolist()",
    "np.tile([1, 2], (2, 2)).tolist()",
    "np.repeat([1, 2], 2).tolist()",
    "np.repeat([1, 2], [1, 3]).tolist()",
    "np.array([[1, 2]]).repeat(2, axis=0).tolist()",
    "np.resize([1, 2, 3], (2, 2)).tolist()",
    "np.pad([1, 2], 1).tolist()",
    "np.pad([[1]], ((1, 0), (0, 2))).tolist()",
    "np.broadcast_to([1, 2], (2, 2)).tolist()",
    "np.multiply.outer([1, 2], [1, 2]).tolist()",
    "np.add.reduce([1, 2, 3])",
    "a = np.ones(2)\na.resize(3, refcheck=False)\na.tolist()",
    # products, decompositions, sorting
    "a = np.arange(6).reshape(2, 3)\n(a @ a.T).tolist()",
    "np.dot([1, 2], [3, 4])",
    "np.arange(6).reshape(2, 3).dot(np.ones(3)).tolist()",
    "np.matmul(np.ones((2, 2, 3)), np.ones((3, 2))).shape",
    "np.dot(np.ones((2, 3, 4)), np.ones((5, 4, 6))).shape",
    "np.inner([1, 2], [3, 4])",
    "np.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=1).tolist()",
    "np.einsum('ij,jk->ik', np.eye(2), np.ones((2, 2))).tolist()",
    "np.einsum('ii', np.eye(3))",
    "np.einsum('ij', np.ones((2, 3))).shape",
    "np.einsum('...i,...i', np.ones((2, 3)), np.ones((2, 3))).tolist()",
    "np.convolve([1, 2], [1, 1]).tolist()",
    "np.correlate([1, 2, 3], [0, 1]).tolist()",
    "np.sort([3, 1, 2]).tolist()",
    "np.argsort([3, 1, 2]).tolist()",
    "np.unique([3, 1, 3]).tolist()",
    "a = np.array([3, 1, 2])\na.sort()\na.tolist()",
    "np.array([3, 1, 2]).argsort().tolist()",
    "np.linalg.inv([[2.0, 0], [0, 4]]).tolist()",
    "np.linalg.matrix_power(np.array([[1, 1], [0, 1]]), 3).tolist()",
    "np.linalg.matrix_power(np.array([[2.0, 0], [0, 4]]), -1).tolist()",
    "np.linalg.multi_dot([np.eye(2), np.eye(2), np.ones((2, 1))]).tolist()",
    "round(float(np.linalg.det([[1, 2], [3, 4]])), 6)",
    "np.linalg.svd(np.eye(2))[1].tolist()",
    "np.linalg.solve([[3.0, 1], [1, 2]], [9, 8]).tolist()",
    # operators (every one goes through the broadcast guard)
    "(np.arange(3)[:, None] - np.arange(3)).tolist()",
    "(np.arange(3) == 1).tolist()",
    "(np.array([1, 2]) < [2, 2]).tolist()",
    "(np.array([1, 2]) != 2).tolist()",
    "([1, 2] + np.array([1, 1])).tolist()",
    "(np.array([1, 2]) + [1, 1] + [2, 2]).tolist()",
    "(np.array([1, 2]) * [2, 3]).tolist()",
    "(2 * np.array([1, 2])).tolist()",
    "(np.array([1.0]) / 2).tolist()",
    "(np.arange(7) // 2).tolist()",
    "(np.arange(4) % 3).tolist()",
    "(np.arange(4) ** 2).tolist()",
    "(2 ** np.arange(4)).tolist()",
    "(np.arange(4) << 1).tolist()",
    "(np.arange(4) >> 1).tolist()",
    "(np.arange(4) & 1).tolist()",
    "(np.arange(4) ^ 1).tolist()",
    "(np.array([True, False]) | True).tolist()",
    "(np.uint8(200) + np.arange(3, dtype=np.uint8)).tolist()",
    "(np.arange(3, dtype=np.uint8) * 1.5).dtype.name",
    "a = np.ones(2)\na += 1\na @= np.eye(2)\na.tolist()",
    "(np.ones((2, 2)) @ [1, 1]).tolist()",
    "([1, 1] @ np.ones((2, 2))).tolist()",
    "np.arange(4).astype(np.int8).dtype.name",
    "np.ones(3).astype(str).tolist()",
    "bool((np.arange(3) > 0).any())",
    "0 < np.int64(3) < 5",
    # random sampling: the executor's generators give numpy's own streams
    "np.random.default_rng(42).random(3).tolist()",
    "np.random.default_rng(42).integers(0, 10, size=4).tolist()",
    "rng = np.random.default_rng(7)\nrng.normal(0, 1, (2, 2)).tolist()",
    "rng = np.random.default_rng(7)\nnp.random.default_rng(rng) is rng",
    "np.random.default_rng(np.random.default_rng(5)).random()",
    "np.random.Generator(np.random.PCG64(3)).random(2).tolist()",
    "np.random.RandomState(5).rand(2).tolist()",
    "np.random.RandomState(5).randn(2, 2).shape",
    "np.random.RandomState(5).randint(0, 9, 3).tolist()",
    "np.random.RandomState(1).multivariate_normal([0, 0], np.eye(2), size=2).shape",
    "np.random.default_rng(1).multinomial(10, [0.5, 0.5], size=3).shape",
    "np.random.default_rng(1).bytes(4)",
    "np.random.default_rng(1).choice(5, size=3, replace=False).tolist()",
    "np.random.seed(3)\nnp.random.rand(2).tolist()",
    "np.random.seed(3)\nnp.random.normal(size=2).tolist()",
    "isinstance(np.random.default_rng(), np.random.Generator)",
    "isinstance(np.random.RandomState(), np.random.RandomState)",
    "isinstance(np.zeros(1), np.ndarray)",
    "class Tagged(np.ndarray):\n    pass\nnp.zeros(2).view(Tagged).shape",
]


def _native_value(code: str) -> Any:
    """Run `code` natively with numpy and return the value of its last expression."""
    tree = ast.parse(code)
    namespace: dict[str, Any] = {"np": np, "__name__": "__main__"}
    exec(compile(ast.Module(tree.body[:-1], []), "<native>", "exec"), namespace)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr), "end each program with an expression"
    return eval(compile(ast.Expression(last.value), "<native>", "eval"), namespace)


@pytest.fixture(scope="module")
def executor() -> LocalPythonExecutor:
    return LocalPythonExecutor(["numpy.*"])


@pytest.mark.parametrize("code", PROGRAMS)
def test_numpy_code_gives_numpy_results(executor: LocalPythonExecutor, code: str) -> None:
    ours = executor("import numpy as np\n" + code).output
    assert repr(ours) == repr(_native_value(code))


def test_allocations_follow_the_memory_allowance() -> None:
    executor = LocalPythonExecutor(["numpy"], max_memory_bytes=8 * 2**20)
    executor("import numpy as np")
    assert executor("np.zeros(10 ** 5).size").output == 10**5  # 0.8 MB: within the allowance
    with pytest.raises(InterpreterError) as refused:
        executor("np.zeros(2 * 10 ** 6)")  # 16 MB
    message = str(refused.value)
    assert "an array of shape (2000000,) and type float64 would allocate 15.3 MiB" in message
    assert "its memory allowance is 8.0 MiB" in message
    assert "work on smaller arrays or in pieces" in message
    assert "line 1" in message
    # A uint8 array plus a Python int stays uint8 (numpy's own rule), so this fits.
    assert executor("(np.ones(4 * 10 ** 6, dtype=np.uint8) + 1).dtype.name").output == "uint8"
    # Broadcasting, ufunc calls, fancy indexing and concatenation all allocate through one door.
    executor("x = np.arange(3000)")
    for code in ("x[:, None] + x", "np.add(x[:, None], x)", "np.outer(x, x)", "(x[:, None] == x).sum()"):
        with pytest.raises(InterpreterError, match=r"shape \(3000, 3000\) and type \w+ would allocate"):
            executor(code)
    with pytest.raises(InterpreterError, match=r"shape \(3000000,\) and type int64 would allocate"):
        executor("np.concatenate([x] * 1000)")
    assert executor("np.concatenate([x] * 10).size").output == 30_000
    assert executor("int(x.sum())").output == 4_498_500  # and the executor goes on working


def test_without_a_memory_allowance_sizes_are_not_checked() -> None:
    executor = LocalPythonExecutor(["numpy"], max_memory_bytes=None)
    assert executor("import numpy as np\nnp.zeros(4 * 10 ** 6).nbytes").output == 32_000_000


def test_heavy_products_follow_the_time_left() -> None:
    quick = LocalPythonExecutor(["numpy"], timeout_seconds=0.02)
    quick("import numpy as np\na = np.ones((1500, 1500))")
    with pytest.raises(InterpreterError, match=r"The matrix product @ .* would take about [\d.]+ s"):
        quick("b = a @ a")
    patient = LocalPythonExecutor(["numpy"])
    assert patient("import numpy as np\na = np.ones((1500, 1500))\nfloat((a @ a)[0, 0])").output == 1500.0


def test_dot_of_stacked_matrices_is_estimated_as_dot_not_matmul() -> None:
    """np.dot pairs every matrix of `a` with every matrix of `b`: 20x the work of matmul here."""
    quick = LocalPythonExecutor(["numpy"])
    quick("import numpy as np\na = np.empty((20, 500, 500))\nb = np.empty((20, 500, 50))")
    quick.timeout_seconds = 0.05  # no machine does the 20x work in that time: refused up front
    with pytest.raises(
        InterpreterError, match=r"numpy\.dot of arrays of shapes \(20, 500, 500\) and \(20, 500, 50\)"
    ):
        quick("c = np.dot(a, b)")
    with pytest.raises(InterpreterError, match=r"ndarray\.dot of arrays"):
        quick("c = a.dot(b)")


def test_numpy_checks_do_not_apply_to_the_host() -> None:
    """The stand-ins live in the executor's module copies, the allocator only while code runs."""
    from numpy._core.multiarray import get_handler_name

    executor = LocalPythonExecutor(["numpy.*"], max_memory_bytes=8 * 2**20)
    module = executor("import numpy as np\nnp").output
    assert module is not np
    assert module.dot is not np.dot
    assert get_handler_name() == "default_allocator"
    assert np.zeros(2 * 10**6).nbytes == 16_000_000  # the host is not held to the code's allowance
    kept = executor("kept = np.ones(10 ** 5)\nkept").output
    del executor
    assert float(kept.sum()) == 10**5  # arrays made under the allocator outlive the executor
