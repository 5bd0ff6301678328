"""`math.lcm`/`math.gcd` keep exact results but fold under the work budget and the integer-size limit."""

from __future__ import annotations

import pytest
from cpu_time import cpu_seconds_at_most

from smolagents.local_python_executor import ExecutionTimeoutError, InterpreterError, LocalPythonExecutor


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("math.lcm(4, 6)", 12),
        ("math.lcm(-4, 6)", 12),
        ("math.lcm()", 1),
        ("math.lcm(0, 5)", 0),
        ("math.gcd(12, 18, 8)", 2),
        ("math.gcd()", 0),
        ("math.gcd(-4, 6)", 2),
        ("math.lcm(*range(1, 21))", 232792560),
        ("from math import gcd\ngcd(2 ** 40, 6 ** 20)", 2**20),
    ],
)
def test_lcm_and_gcd_give_exact_results(code: str, expected: int) -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    assert executor(f"import math\n{code}").output == expected


def test_lcm_of_non_integers_names_the_type() -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    with pytest.raises(
        InterpreterError, match="TypeError: 'float' object cannot be interpreted as an integer"
    ):
        executor("import math\nmath.lcm(2.5, 3)")


def test_lcm_over_a_long_range_stops_at_the_deadline() -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[], timeout_seconds=1)
    with cpu_seconds_at_most(15), pytest.raises(InterpreterError) as raised:  # natively: minutes
        executor("import math\nmath.lcm(*range(1, 3 * 10 ** 5))")
    assert isinstance(raised.value, ExecutionTimeoutError) or "bits" in str(raised.value)


def test_lcm_past_the_integer_limit_is_refused() -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[], timeout_seconds=30)
    with pytest.raises(InterpreterError, match=r"math\.lcm"):
        executor("import math\nmath.lcm(2 ** 600000 + 1, 2 ** 600000 - 1)")
