"""With numpy authorised, its API is the user's, but its paths back to code execution stay closed."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest

from ._kit import Canary, ExecutorFactory, expect_refused

np = pytest.importorskip("numpy")

ENV = "SMOLAGENTS_CANARY"


class _TouchOnLoad:
    """Unpickling this object creates a file: the proof that pickle loading ran host code."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        return (os.open, (self.path, os.O_WRONLY | os.O_CREAT))


def _write_pickle(directory: Path, canary: Canary) -> Path:
    path = directory / "data.pkl"
    path.write_bytes(pickle.dumps(_TouchOnLoad(canary.marker)))
    return path


def _write_object_npy(directory: Path, canary: Canary) -> Path:
    path = directory / "data.npy"
    array = np.empty(1, dtype=object)
    array[0] = _TouchOnLoad(canary.marker)
    np.save(path, array, allow_pickle=True)
    return path


PICKLE_LOADS = [
    pytest.param("np.load(PKL, allow_pickle=True)", id="load-pickle-keyword"),
    pytest.param("np.load(PKL, None, True)", id="load-pickle-positional"),
    pytest.param("np.load(PKL, **{'allow_pickle': True})", id="load-pickle-kwargs-dict"),
    pytest.param("kw = dict(allow_pickle=True)\nnp.load(PKL, **kw)", id="load-pickle-kwargs-variable"),
    pytest.param("np.load(NPY, allow_pickle=True)", id="load-object-npy"),
    pytest.param("getattr(np, 'lo' + 'ad')(PKL, allow_pickle=True)", id="load-through-getattr"),
    pytest.param("f = np.load\nf(PKL, allow_pickle=True)", id="load-aliased"),
    pytest.param("list(map(lambda p: np.load(p, allow_pickle=True), [PKL]))", id="load-in-lambda"),
    pytest.param(
        "np.lib.format.read_array(np.lib.npyio.DataSource().open(NPY, 'rb'), allow_pickle=True)",
        id="read-array",
    ),
]


@pytest.mark.parametrize("code", PICKLE_LOADS)
def test_numpy_pickle_loading_is_refused(
    make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, code: str
) -> None:
    pkl = _write_pickle(tmp_path, canary)
    npy = _write_object_npy(tmp_path, canary)
    code = code.replace("PKL", repr(str(pkl))).replace("NPY", repr(str(npy)))
    expect_refused(make_executor(["numpy"]), "import numpy as np\n" + code, canary)
    assert not canary.marker.exists()


NUMPY_ESCAPES = [
    pytest.param(
        "lib = np.ctypeslib.ctypes.CDLL(None)\nget = lib.getenv\nget.restype = np.ctypeslib.ctypes.c_char_p\n"
        f"final_answer(get(b'{ENV}'))",
        id="ctypeslib-ctypes",
    ),
    pytest.param(
        f"final_answer(np.ma.core.builtins.eval(\"__import__('os').environ['{ENV}']\"))",
        id="ma-core-builtins",
    ),
    pytest.param("final_answer(np.ma.core.inspect.currentframe().f_back.f_globals)", id="ma-core-inspect"),
    pytest.param(f"final_answer(np.f2py.os.environ['{ENV}'])", id="f2py-os"),
    pytest.param("np.f2py.subprocess.run(['true'])", id="f2py-subprocess"),
    pytest.param(f"final_answer(np.testing.extbuild.os.environ['{ENV}'])", id="testing-extbuild-os"),
    pytest.param("np.testing.run_threaded(lambda: None, 2)", id="testing-run-threaded"),
    pytest.param("final_answer(np.zeros(1).ctypes._ctypes)", id="array-ctypes-private"),
]


@pytest.mark.parametrize("code", NUMPY_ESCAPES)
def test_numpy_paths_to_code_execution_are_closed(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(["numpy"]), "import numpy as np\n" + code, canary)


@pytest.mark.parametrize("imports", [["numpy"], ["numpy.*"]])
def test_numpy_wildcard_does_not_open_dangerous_submodules(
    make_executor: ExecutorFactory, canary: Canary, imports: list[str]
) -> None:
    executor = make_executor(imports)
    for module in ["numpy.ctypeslib", "numpy.f2py", "numpy.testing.extbuild", "numpy.distutils"]:
        expect_refused(executor, f"import {module}", canary)


@pytest.mark.parametrize(
    "imports",
    [["numpy.*"], ["numpy", "numpy.lib.stride_tricks", "numpy.lib.array_utils"]],
    ids=["wildcard", "named"],
)
def test_numpy_as_strided_cannot_write_host_memory(
    make_executor: ExecutorFactory, canary: Canary, imports: list[str]
) -> None:
    """`as_strided` with a crafted stride addresses any byte of the process: a memory-write primitive.

    The canary is an immutable bytes object owned by the host: changing it proves arbitrary writes.
    """
    secret = bytes([65] * 8)  # a fresh object: a shared constant would hide the write
    data_offset = sys.getsizeof(b"") - 1  # where a bytes object's payload starts on this build
    code = (
        "import numpy as np\n"
        "import numpy.lib.stride_tricks as tricks\n"
        "a = np.zeros(1, dtype=np.uint8)\n"
        f"target = id(secret) + {data_offset}\n"
        "import numpy.lib.array_utils as utils\n"
        "base = utils.byte_bounds(a)[0]\n"
        "v = tricks.as_strided(a, shape=(2,), strides=(target - base,))\n"
        "v[1] = 66\n"
    )
    executor = make_executor(imports, variables={"secret": secret})
    expect_refused(executor, code, canary)
    assert secret == bytes([65] * 8), "model code wrote to host memory"


def test_numpy_ordinary_use_still_works(make_executor: ExecutorFactory) -> None:
    """Control: the refusals above must not come from refusing numpy altogether."""
    code = "import numpy as np\nfloat(np.arange(10).reshape(2, 5).sum(axis=1).mean())"
    assert make_executor(["numpy"])(code).output == 22.5


def test_numpy_ctypes_types_cannot_write_host_memory(make_executor: ExecutorFactory, canary: Canary) -> None:
    """`arr.ctypes.shape` is a ctypes array: its type's `from_address` reads and writes any address."""
    secret = bytes([65] * 8)  # a fresh object: a shared constant would hide the write
    data_offset = sys.getsizeof(b"") - 1
    code = (
        "import numpy as np\n"
        "T = type(np.zeros(1).ctypes.shape)\n"
        f"T.from_address(id(secret) + {data_offset})[0] = 0x4242424242424242\n"
    )
    executor = make_executor(["numpy"], variables={"secret": secret})
    expect_refused(executor, code, canary)
    assert secret == bytes([65] * 8), "model code wrote to host memory"


# A file-like object written by the model: `read_array` unpickles whatever bytes it returns.
_CRAFTED_NPY_READER = """
class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0
    def read(self, n=-1):
        if n is None or n < 0:
            n = len(self.data) - self.pos
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        return chunk
    def readline(self):
        end = self.data.find(b'\\n', self.pos)
        end = len(self.data) if end < 0 else end + 1
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk
header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
header = header + ' ' * (63 - (10 + len(header)) % 64) + '\\n'
payload = b"cbuiltins\\nopen\\n(VMARKER\\nVw\\ntR."
data = b'\\x93NUMPY\\x01\\x00' + len(header).to_bytes(2, 'little') + header.encode() + payload
"""


@pytest.mark.parametrize(
    "call",
    [
        "numpy.lib.format.read_array(Reader(data), allow_pickle=True)",
        "numpy.lib.format.read_array(Reader(data), True)",
        "numpy.load(Reader(data), allow_pickle=True)",
    ],
)
def test_numpy_cannot_unpickle_bytes_crafted_by_the_model(
    make_executor: ExecutorFactory, canary: Canary, call: str
) -> None:
    """No file needed: a model-defined reader feeds a pickle that calls `builtins.open`."""
    reader = _CRAFTED_NPY_READER.replace("MARKER", str(canary.marker))
    code = "import numpy\nimport numpy.lib.format\n" + reader + call
    expect_refused(make_executor(["numpy.*"]), code, canary)


@pytest.mark.limits(wall_seconds=20, cpu_seconds=20)
@pytest.mark.parametrize(
    "code",
    [
        pytest.param("x = np.ones(3 * 10 ** 9, dtype=np.uint8)\nint(x[-1])", id="three-gigabyte-array"),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = np.outer(x, x)", id="outer-product-blowup"),
        pytest.param("a = np.ones((4000, 4000))\nb = a @ a @ a @ a", id="matmul-chain"),
        pytest.param("x = np.zeros((10 ** 5, 10 ** 5))\nfloat(x.sum())", id="lazily-zeroed-array-touched"),
        pytest.param(
            "x = np.arange(3 * 10 ** 4)\ny = (x[:, None] - x[None, :]).sum()", id="broadcast-subtract"
        ),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = (x[:, None] == x).sum()", id="broadcast-compare"),
        pytest.param("x = np.arange(3 * 10 ** 4.0)\ny = (x[:, None] / x).sum()", id="broadcast-divide"),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = (x.reshape(-1, 1) * x).sum()", id="broadcast-multiply"),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = x[:, None] + x + x", id="broadcast-add-chain"),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = np.add(x[:, None], 0) ** x", id="broadcast-power"),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = np.multiply.outer(x, x)", id="ufunc-outer"),
        pytest.param("x = np.arange(3 * 10 ** 4)\ny = np.kron(x, x)", id="kron"),
        pytest.param("y = np.tile(np.arange(10), (10 ** 5, 10 ** 4))", id="tile"),
        pytest.param("y = np.arange(10).repeat(10 ** 9).sum()", id="repeat-method"),
        pytest.param("y = np.repeat(np.arange(10), 10 ** 9)", id="repeat-function"),
        pytest.param("y = np.full((10 ** 5, 10 ** 5), 7.0)", id="full"),
        pytest.param("y = np.zeros_like(np.ones(3), shape=(10 ** 5, 10 ** 5))", id="zeros-like-shape"),
        pytest.param("y = np.ndarray((10 ** 5, 10 ** 5))\ny.fill(1)", id="ndarray-constructor"),
        pytest.param("y = np.broadcast_to(np.ones(1), (10 ** 5, 10 ** 5)).copy()", id="broadcast-to-copy"),
        pytest.param("y = np.arange(0, 10 ** 10, 1)", id="arange"),
        pytest.param("y = np.linspace(0, 1, 10 ** 10)", id="linspace"),
        pytest.param("y = np.eye(10 ** 5)", id="eye"),
        pytest.param("a, b = np.meshgrid(np.arange(10 ** 5), np.arange(10 ** 5))", id="meshgrid"),
        pytest.param("y = np.fromiter(iter([1]), dtype=float, count=10 ** 10)", id="fromiter-count"),
        pytest.param("y = np.arange(10 ** 6).astype('U10000')", id="astype-wide-strings"),
        pytest.param("y = np.array(['a'] * 10 ** 5, dtype='U100000')", id="array-wide-strings"),
        pytest.param("y = np.pad(np.ones(1), 10 ** 10)", id="pad"),
        pytest.param("y = np.resize(np.ones(1), (10 ** 5, 10 ** 5))", id="resize-function"),
        pytest.param("y = np.ones(1)\ny.resize((10 ** 5, 10 ** 5), refcheck=False)", id="resize-method"),
        pytest.param("y = np.ones(6 * 10 ** 7, dtype=np.uint8).tolist()", id="tolist"),
        pytest.param("y = np.random.default_rng(0).normal(size=(10 ** 5, 10 ** 5))", id="generator-size"),
        pytest.param("y = np.random.rand(10 ** 5, 10 ** 5)", id="module-rand"),
        pytest.param("y = np.random.randint(0, 9, size=10 ** 11)", id="module-randint"),
        pytest.param("y = np.random.RandomState(1).random_sample((10 ** 5, 10 ** 5))", id="randomstate-size"),
        pytest.param("y = np.random.Generator(np.random.PCG64(1)).bytes(10 ** 11)", id="generator-bytes"),
        pytest.param("a = np.ones((6000, 6000))\ny = np.linalg.inv(a)", id="linalg-inv"),
        pytest.param("a = np.ones((5000, 5000))\ny = np.linalg.svd(a)", id="linalg-svd"),
        pytest.param("a = np.ones((4000, 4000))\ny = np.linalg.matrix_power(a, 100)", id="matrix-power"),
        pytest.param("a = np.ones((4000, 4000))\ny = np.dot(a, a)", id="dot-function"),
        pytest.param("a = np.ones((4000, 4000))\ny = a.dot(a)", id="dot-method"),
        pytest.param("a = np.ones((4000, 4000))\na @= a", id="matmul-in-place"),
        pytest.param("a = np.ones(3000)\ny = np.einsum('i,j,k->ijk', a, a, a)", id="einsum"),
        pytest.param("a = np.ones(10 ** 6)\ny = np.convolve(a, a)", id="convolve"),
        pytest.param("a = np.random.rand(6 * 10 ** 7)\na.sort()", id="sort-method"),
        pytest.param(
            "class Shape:\n    calls = 0\n    def __index__(self):\n        Shape.calls += 1\n"
            "        return 2 if Shape.calls == 1 else 10 ** 11\ny = np.ones((Shape(), 10 ** 5))\nz = np.ones(Shape())",
            id="index-answers-small-then-huge",
        ),
    ],
)
def test_numpy_allocations_and_heavy_calls_are_bounded(make_executor: ExecutorFactory, code: str) -> None:
    """numpy's API is the user's, but one call must not take the machine's memory or minutes of CPU."""
    from .test_attack_resources import TIMEOUT

    executor = make_executor(["numpy.*"], timeout_seconds=TIMEOUT)
    error = expect_refused(executor, "import numpy as np\n" + code)
    assert "MemoryError" not in str(error), f"stopped by the test's rlimit, not the executor: {error}"
    # The executor's own stops: a refusal before the call, or the deadline (a big array takes
    # time to fill on a loaded machine, so the deadline may pass before the heavy line).
    assert any(reason in str(error) for reason in ("would allocate", "would take about", "time limit")), (
        f"refused for another reason: {error}"
    )
