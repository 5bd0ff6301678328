"""Work bounds: each resource attack ends with the executor's own clear error.

Attacks that a regression could turn into a hang or a crash run in a child process with an
address-space cap, a CPU-time cap and a generous kill timer (`_run_capped`), so they fail the test
instead of CI. No test asserts wall-clock times (CI machines are loaded): the error's type and
message show which limit stopped the code, and the child's CPU cap catches work that runs on past
the deadline. Speed is measured in benchmarks/bench_interpreter.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from smolagents.local_python_executor import ExecutionTimeoutError, InterpreterError, LocalPythonExecutor

SRC = str(Path(__file__).resolve().parents[2] / "src")
TIMEOUT = 2.0

_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    # Work that runs on past the executor's deadline burns CPU time: the kernel then kills the child.
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu_seconds}, {cpu_seconds}))
    sys.path.insert(0, {src!r})
    from smolagents.local_python_executor import LocalPythonExecutor
    executor = LocalPythonExecutor({imports!r}, timeout_seconds={timeout!r})
    executor.send_tools({{}})
    try:
        result = executor(sys.stdin.read())
        outcome = {{"error": None, "output": repr(result.output)[:200]}}
    except Exception as error:
        outcome = {{"error": type(error).__name__, "message": str(error)[:500]}}
    print(json.dumps(outcome))
    """
)


def _run_capped(code: str, imports: tuple[str, ...] = (), timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run `code` in a fresh executor in a child process capped at 3 GiB and 15 CPU seconds."""
    script = _CHILD.format(src=SRC, imports=list(imports), timeout=timeout, cpu_seconds=15)
    completed = subprocess.run(
        [sys.executable, "-c", script], input=code, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, (
        f"the child died (code {completed.returncode}): {completed.stderr[-500:]}"
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


RESOURCE_ATTACKS = [
    pytest.param("while True:\n    pass", "ExecutionTimeoutError", id="endless-while"),
    pytest.param("for i in iter(int, 1):\n    pass", "ExecutionTimeoutError", id="endless-for"),
    pytest.param("def f():\n    return f() + f()\nf()", "InterpreterError", id="exponential-recursion"),
    pytest.param("def f(n):\n    return f(n + 1)\nf(0)", "InterpreterError", id="infinite-recursion"),
    pytest.param("x = [1 for _ in iter(int, 1)]", "ExecutionTimeoutError", id="endless-comprehension"),
    pytest.param("'a' * 10 ** 10", "RefusedError", id="str-repeat"),
    pytest.param("[0] * 10 ** 10", "RefusedError", id="list-repeat"),
    pytest.param("x = 'ab'\nx *= 10 ** 10", "RefusedError", id="inplace-repeat"),
    pytest.param("10 ** 10 ** 8", "RefusedError", id="huge-power"),
    pytest.param("pow(7, 10 ** 9)", "RefusedError", id="huge-pow-builtin"),
    pytest.param("1 << 10 ** 10", "RefusedError", id="huge-shift"),
    pytest.param("x = 3\nwhile True:\n    x = x * x", "RefusedError", id="repeated-squaring"),
    pytest.param("list(range(10 ** 10))", "RefusedError", id="materialise-huge-range"),
    pytest.param("sum(range(10 ** 12))", "ExecutionTimeoutError", id="sum-huge-range"),
    pytest.param("import itertools\nlist(itertools.count())", "ExecutionTimeoutError", id="count-forever"),
    pytest.param("import itertools\nlist(itertools.repeat(0))", "ExecutionTimeoutError", id="repeat-forever"),
    pytest.param("''.join(['a' * 10 ** 6] * 10 ** 3)", "RefusedError", id="join-huge"),
    pytest.param("('a' * 10 ** 6).replace('a', 'b' * 1000)", "RefusedError", id="replace-huge"),
    pytest.param("'x'.ljust(10 ** 10)", "RefusedError", id="ljust-huge"),
    pytest.param("bytes(10 ** 10)", "RefusedError", id="bytes-huge"),
    pytest.param("import math\nmath.factorial(10 ** 8)", "RefusedError", id="factorial-huge"),
    pytest.param("int('9' * 10 ** 6)", "InterpreterError", id="int-parse-huge"),
    pytest.param("f'{1:{10 ** 9}}'", "RefusedError", id="fstring-width"),
    pytest.param("'{:999999999}'.format(1)", "RefusedError", id="format-width"),
    pytest.param("'%*d' % (10 ** 9, 1)", "RefusedError", id="percent-width"),
    pytest.param("while True:\n    print('spam' * 1000)", "RefusedError", id="endless-print"),
    pytest.param("import time\ntime.sleep(10 ** 6)", "ExecutionTimeoutError", id="long-sleep"),
    pytest.param("import queue\nqueue.Queue().get()", "InterpreterError", id="queue-get-blocks"),
    pytest.param(
        "x = iter([1])\nfor _ in range(100000):\n    x = map(abs, x)\nnext(x)", "RefusedError", id="map-chain"
    ),
    pytest.param("s = [0]\nfor _ in range(60):\n    s.extend(s)", "RefusedError", id="list-doubling"),
    pytest.param("import random\nrandom.choices([1], k=10 ** 10)", "RefusedError", id="random-choices-k"),
    pytest.param("pow(3, 2 ** 999000, 10 ** 300000)", "RefusedError", id="modular-pow-work"),
    pytest.param("(1).to_bytes(10 ** 10, 'big')", "RefusedError", id="int-to-bytes"),
    pytest.param("x = [[0] * 10 ** 6] * 1000\ns = str(x)", "RefusedError", id="str-of-shared-references"),
    pytest.param("x = [[0] * 10 ** 6] * 1000\ns = f'{x}'", "RefusedError", id="fstring-of-shared-references"),
    pytest.param("x = [[0] * 10 ** 6] * 1000\nprint(x)", "RefusedError", id="print-of-shared-references"),
    pytest.param(
        "import statistics\nstatistics.variance(list(range(2 * 10 ** 6)))",
        "RefusedError",
        id="statistics-loop",
    ),
    pytest.param("import random\nl = [0] * 10 ** 7\nrandom.shuffle(l)", "RefusedError", id="shuffle-loop"),
    pytest.param(
        "s = 'a' * 10 ** 7\n" + "s = s + s + s + s + s + s + s + s + s + s\n" * 3,
        "RefusedError",
        id="concat-chain",
    ),
    pytest.param(
        "class N:\n    def __index__(self):\n        return 10 ** 10\n'a' * N()",
        "RefusedError",
        id="index-repeat",
    ),
    pytest.param(
        "l = [i * 0.5 for i in range(3 * 10 ** 6)]\nfor _ in range(100):\n    sorted(l, key=str)",
        "ExecutionTimeoutError",
        id="sort-with-c-key",
    ),
]


@pytest.mark.parametrize(("code", "expected_error"), RESOURCE_ATTACKS)
def test_resource_attack_is_stopped_with_a_clear_error(code: str, expected_error: str) -> None:
    outcome = _run_capped(code)
    assert outcome["error"] == expected_error, outcome
    assert "MemoryError" not in outcome["message"]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("(" * 500 + ")" * 500, id="parentheses"),
        pytest.param("-" * 100_000 + "1", id="unary-chain"),
        pytest.param("x = " + "[" * 300 + "]" * 300, id="nested-lists"),
        pytest.param("1" + " + 1" * 200_000, id="long-binop-chain"),
        pytest.param(
            "".join(f"{'    ' * depth}if True:\n" for depth in range(150)) + "    " * 150 + "pass",
            id="deep-ifs",
        ),
    ],
)
def test_deeply_nested_source_gives_a_clear_error_not_a_crash(source: str) -> None:
    outcome = _run_capped(source)
    assert outcome["error"] in ("CompileRefusal", "InterpreterError"), outcome
    assert "nested" in outcome["message"] or "too" in outcome["message"] or "parsing" in outcome["message"]


def test_timeout_error_names_the_line_and_the_limit() -> None:
    executor = LocalPythonExecutor([], timeout_seconds=0.5, max_operations=10**12)
    with pytest.raises(ExecutionTimeoutError) as caught:
        executor("x = 0\nwhile True:\n    x += 1")
    assert "0.5 s time limit" in str(caught.value) and "line" in str(caught.value)


def test_operation_budget_is_reported_clearly() -> None:
    executor = LocalPythonExecutor([], max_operations=10_000)
    with pytest.raises(ExecutionTimeoutError, match="Reached the max number of operations \\(10,000"):
        executor("for i in range(100_000):\n    pass")


def test_timeout_cannot_be_swallowed_by_model_code() -> None:
    executor = LocalPythonExecutor([], timeout_seconds=0.3, max_operations=10**12)
    code = "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass"
    with pytest.raises(ExecutionTimeoutError):
        executor(code)


def test_executor_is_usable_after_a_timeout() -> None:
    executor = LocalPythonExecutor([], timeout_seconds=0.3, max_operations=10**12)
    executor.send_tools({})
    with pytest.raises(ExecutionTimeoutError):
        executor("while True:\n    pass")
    assert executor("sum(range(10))").output == 45


def test_no_work_keeps_running_after_a_timeout() -> None:
    executor = LocalPythonExecutor([], timeout_seconds=0.3, max_operations=10**12)
    executor.send_tools({})
    executor("len([])")  # starts the executor's code thread, which every later call reuses
    code_threads = {thread for thread in threading.enumerate() if thread.name == "smolagents-code"}
    with pytest.raises(ExecutionTimeoutError):
        executor("counter = [0]\nwhile True:\n    counter[0] += 1")
    seen = executor.state["counter"][0]
    executor.timeout_seconds = 120  # the check below must not time out on a loaded machine
    # Another call runs on the same code thread: a loop still running there would be seen moving.
    assert executor("total = 0\nfor i in range(100_000):\n    total += i\ntotal").output == 4999950000
    assert executor.state["counter"][0] == seen, "the loop kept running after the call returned"
    started = {thread for thread in threading.enumerate() if thread.name == "smolagents-code"} - code_threads
    assert not started, "the timeout left a thread behind and started another"


def test_model_functions_called_after_the_run_stay_bounded() -> None:
    executor = LocalPythonExecutor([], timeout_seconds=5)
    executor.send_tools({})
    spin = executor("def spin():\n    while True:\n        pass\nspin").output
    with pytest.raises(ExecutionTimeoutError, match="after the run"):
        spin()


def test_output_repr_that_loops_forever_is_bounded() -> None:
    executor = LocalPythonExecutor([], timeout_seconds=5)
    executor.send_tools({})
    output = executor(
        "class Evil:\n    def __repr__(self):\n        while True:\n            pass\nEvil()"
    ).output
    with pytest.raises(ExecutionTimeoutError):
        repr(output)


def test_output_repr_raising_systemexit_gives_an_ordinary_exception() -> None:
    executor = LocalPythonExecutor([])
    executor.send_tools({})
    output = executor("class Evil:\n    def __str__(self):\n        raise SystemExit(1)\nEvil()").output
    with pytest.raises(Exception) as caught:
        str(output)
    assert isinstance(caught.value, Exception)  # an agent's `except Exception` catches it


@pytest.mark.parametrize(
    "code",
    [
        "raise SystemExit(0)",
        "raise KeyboardInterrupt",
        "raise GeneratorExit",
        "def g():\n    yield 1\nx = g()\nnext(x)\nx.close()\nraise BaseException('b')",
    ],
)
def test_model_code_cannot_raise_base_exceptions_out_of_the_executor(code: str) -> None:
    executor = LocalPythonExecutor([])
    executor.send_tools({})
    with pytest.raises(InterpreterError):
        executor(code)


def test_print_output_is_capped_in_memory() -> None:
    executor = LocalPythonExecutor([], max_print_outputs_length=1000)
    executor.send_tools({})
    with pytest.raises(InterpreterError, match="printed more than"):
        executor("for i in range(10 ** 6):\n    print('x' * 100)")


def test_without_the_regex_package_nested_unbounded_repeats_are_refused() -> None:
    from smolagents._interpreter.stand_ins import _stdlib_regex_overrides

    stdlib_re = _stdlib_regex_overrides()
    assert stdlib_re["findall"](r"\d+", "a1b22", 0) == ["1", "22"]
    assert stdlib_re["sub"]("x", "y", "XaX", 0, 2) == "yay"  # positional flags (re.I) are honoured
    with pytest.raises(InterpreterError, match="nests unbounded repeats"):
        stdlib_re["match"](r"(a+)+$", "a" * 40 + "b")


def test_catastrophic_regex_is_answered_or_stopped_by_a_limit() -> None:
    outcome = _run_capped("import re\nre.match(r'(a+)+$', 'a' * 40 + 'b')")
    if outcome["error"] is None:
        assert outcome["output"] == "None", outcome
    else:  # refused (stdlib) or stopped at the deadline (regex)
        assert "repeats" in outcome["message"] or "time limit" in outcome["message"], outcome


def test_index_objects_are_converted_once_and_the_checked_value_is_used() -> None:
    executor = LocalPythonExecutor([])
    executor.send_tools({})
    code = (
        "class N:\n    calls = 0\n    def __index__(self):\n        N.calls += 1\n"
        "        return 1 if N.calls == 1 else 10 ** 10\n"
        "bytes(N()), 'ab'.ljust(N()), N.calls"
    )
    with pytest.raises(InterpreterError, match="string of length"):
        executor(code)  # the second object answers 10**10 at its single conversion
    assert executor("N.calls = 0\nbytes(N()), N.calls").output == (b"\x00", 1)


def test_libraries_imported_for_the_first_time_under_the_permissions_work() -> None:
    """A fresh process: pandas and numpy load their own files while model code imports them."""
    pytest.importorskip("pandas")
    code = "import numpy as np\nimport pandas as pd\nint(pd.DataFrame({'a': np.arange(4)}).a.sum())"
    outcome = _run_capped(code, imports=("numpy", "pandas"), timeout=60)
    assert outcome == {"error": None, "output": "6"}, outcome
