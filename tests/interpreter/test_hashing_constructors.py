"""`set`/`frozenset`/`dict`/`dict.fromkeys` keep their behaviour but count large inputs against the budget."""

from __future__ import annotations

import pytest
from cpu_time import cpu_seconds_at_most

from smolagents.local_python_executor import ExecutionTimeoutError, LocalPythonExecutor


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("len(set(range(5000)))", 5000),
        ("sorted(frozenset([3, 1, 3]))", [1, 3]),
        ("dict(a=1)", {"a": 1}),
        ("dict({1: 2}, x=3)", {1: 2, "x": 3}),
        ("dict([(1, 2)])", {1: 2}),
        ("len(dict(zip(range(3000), range(3000))))", 3000),
        ("len(dict({i: i for i in range(3000)}))", 3000),
        ("dict.fromkeys('ab', 0)", {"a": 0, "b": 0}),
        ("len(dict.fromkeys(range(4000)))", 4000),
        ("set()", set()),
        ("type(set()) is set and type({}) is dict", True),
        ("isinstance(frozenset(), frozenset) and issubclass(dict, dict)", True),
        ("class D(dict):\n    pass\nisinstance(D(a=1), dict)", True),
        ("set.union({1}, {2})", {1, 2}),
        ("str(dict[str, int])", "dict[str, int]"),
    ],
)
def test_hashing_constructors_behave_like_the_builtins(code: str, expected: object) -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    assert executor(code).output == expected


@pytest.mark.parametrize(
    "code",
    [
        "set(range(0, M * 10 ** 5, M))",
        "frozenset(range(0, M * 10 ** 5, M))",
        "dict.fromkeys(range(0, M * 10 ** 5, M))",
        "dict(zip(range(0, M * 10 ** 5, M), range(10 ** 5)))",
        "keys = [i * M for i in range(10 ** 5)]\nset(keys)",
    ],
)
def test_colliding_hashes_are_stopped_at_the_deadline(code: str) -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[], timeout_seconds=1)
    with cpu_seconds_at_most(15), pytest.raises(ExecutionTimeoutError):  # natively: minutes
        executor(f"M = 2 ** 61 - 1\n{code}")
