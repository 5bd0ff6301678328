"""Tools and additional functions receive exact built-in types, never model-defined subclasses."""

from __future__ import annotations

from typing import Any

import pytest

from smolagents.local_python_executor import InterpreterError, LocalPythonExecutor


def _recorder() -> tuple[list[Any], Any]:
    seen: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> str:
        seen.append((args, kwargs))
        return "ok"

    return seen, record


@pytest.mark.parametrize(
    ("setup", "argument", "expected"),
    [
        ("class S(str):\n    def startswith(self, *a):\n        return True", "S('abc')", "abc"),
        ("class I(int):\n    def __eq__(self, o):\n        return True", "I(7)", 7),
        ("class F(float):\n    pass", "F(2.5)", 2.5),
        ("class B(bytes):\n    pass", "B(b'xy')", b"xy"),
        ("class L(list):\n    def __iter__(self):\n        return iter([0])", "L([1, 2])", [1, 2]),
        ("class T(tuple):\n    def __len__(self):\n        return 0", "T((1, 2))", (1, 2)),
        (
            "class D(dict):\n    def get(self, k, d=None):\n        return 'lie'\n"
            "    def keys(self):\n        return ['lie']",
            "D(path='real')",
            {"path": "real"},
        ),
        ("class Z(set):\n    def __contains__(self, x):\n        return True", "Z({1})", {1}),
        ("class S(str):\n    pass", "[{'k': (S('deep'),)}]", [{"k": ("deep",)}]),
        ("class S(str):\n    pass", "{S('key'): 1}", {"key": 1}),
    ],
)
def test_tool_receives_exact_builtin_types(setup: str, argument: str, expected: Any) -> None:
    seen, record = _recorder()
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_tools({"record": record})
    executor(f"{setup}\nrecord({argument}, named={argument})")
    (args, kwargs) = seen[0]
    for value in (args[0], kwargs["named"]):
        assert value == expected
        assert _exact(value)


def _exact(value: Any) -> bool:
    if type(value) in (list, tuple, set, frozenset):
        return all(_exact(item) for item in value)
    if type(value) is dict:
        return all(_exact(k) and _exact(v) for k, v in value.items())
    return type(value) in (str, int, float, bytes, bool, type(None))


def test_plain_containers_are_passed_as_the_same_object() -> None:
    seen, record = _recorder()
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_tools({"record": record})
    executor("data = [1, 'a', {'k': [2]}]\nrecord(data)")
    assert seen[0][0][0] is executor.state["data"]


def test_self_referencing_list_reaches_the_tool_unchanged() -> None:
    seen, record = _recorder()
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_tools({"record": record})
    executor("a = [1]\na.append(a)\nrecord(a)")
    passed = seen[0][0][0]
    assert passed[1] is passed


def test_self_referencing_subclass_is_refused_with_a_clear_error() -> None:
    seen, record = _recorder()
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_tools({"record": record})
    with pytest.raises(InterpreterError, match="self-referencing list subclass"):
        executor("class L(list):\n    pass\na = L([1])\na.append(a)\nrecord(a)")
    assert seen == []


def test_final_answer_receives_plain_string() -> None:
    executor = LocalPythonExecutor(additional_authorized_imports=[])
    executor.send_tools({"final_answer": lambda answer: answer})
    out = executor("class S(str):\n    def __str__(self):\n        return 'lie'\nfinal_answer(S('truth'))")
    assert out.is_final_answer
    assert type(out.output) is str and out.output == "truth"


def test_additional_function_receives_plain_values() -> None:
    seen, record = _recorder()
    executor = LocalPythonExecutor(additional_authorized_imports=[], additional_functions={"record": record})
    executor("class S(str):\n    pass\nrecord(S('x'))")
    assert type(seen[0][0][0]) is str
