"""The names and wording of 1.26's local_python_executor that user code and models rely on."""

from __future__ import annotations

import pytest

from smolagents.local_python_executor import (
    BASE_PYTHON_TOOLS,
    InterpreterError,
    LocalPythonExecutor,
    PrintContainer,
    YieldException,
    check_import_authorized,
    evaluate_python_code,
    fix_final_answer_code,
)
from smolagents.utils import get_source


def test_print_container_behaves_like_growing_text() -> None:
    printed = PrintContainer()
    printed += "a"
    printed.append("b\n")
    assert str(printed) == "ab\n" and len(printed) == 3 and printed == "ab\n"
    assert repr(PrintContainer("hi")) == "PrintContainer(hi)"


def test_evaluate_python_code_keeps_prints_in_a_print_container() -> None:
    state: dict[str, object] = {}
    assert evaluate_python_code("print('hello')\n3", state=state) == (3, False)
    assert isinstance(state["_print_outputs"], PrintContainer)
    assert str(state["_print_outputs"]) == "hello\n"


def test_base_python_tools_passed_as_tools_are_the_builtins() -> None:
    state: dict[str, object] = {}
    result, _ = evaluate_python_code("x = sorted([3, 1, 2])\nlen(x) + sum(x)", BASE_PYTHON_TOOLS, state=state)
    assert result == 9
    assert "print" in BASE_PYTHON_TOOLS and "len" in BASE_PYTHON_TOOLS
    from smolagents.default_tools import BASE_PYTHON_TOOLS as re_exported

    assert re_exported is BASE_PYTHON_TOOLS


@pytest.mark.parametrize(
    ("code", "fixed"),
    [
        (
            "final_answer = 3\nfinal_answer(final_answer)",
            "final_answer_variable = 3\nfinal_answer(final_answer_variable)",
        ),
        ("final_answer(x == 2)", "final_answer(x == 2)"),
        ("obj.final_answer = 1", "obj.final_answer = 1"),
    ],
)
def test_fix_final_answer_code_renames_the_variable_not_the_tool(code: str, fixed: str) -> None:
    assert fix_final_answer_code(code) == fixed


def test_check_import_authorized_answers_as_the_executor_does() -> None:
    assert check_import_authorized("math", ["math"])
    assert check_import_authorized("numpy.linalg", ["numpy.*"])
    assert not check_import_authorized("os", ["math"])
    assert check_import_authorized("json", ["*"])


def test_a_function_keeps_its_source_for_get_source() -> None:
    executor = LocalPythonExecutor([])
    function = executor('@staticmethod\ndef greet(name):\n    return "hi " + name\ngreet').output
    assert get_source(function.__func__) == "@staticmethod\ndef greet(name):\n    return 'hi ' + name"
    assert executor("def f():\n    return 1\nf").output.__source__ == "def f():\n    return 1"


def test_the_state_is_a_main_module_from_the_start() -> None:
    assert LocalPythonExecutor([]).state["__name__"] == "__main__"


def test_annotations_name_the_real_types() -> None:
    code = "class T:\n    a: dict = {}\n    b: list[int] = []\nimport dataclasses\nT"
    cls = LocalPythonExecutor(["dataclasses"])(code).output
    assert cls.__annotations__ == {"a": dict, "b": list[int]}


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("a, b = (1, 2, 3)", "Cannot unpack tuple of wrong size"),
        ("def f(**k):\n    return k\nf(**[1])", "Cannot unpack non-dict value in **kwargs: list"),
        ("y = x + 1", "The variable `x` is not defined"),
        ("import os", "Import of os is not allowed. Authorized imports are: ["),
        ("(1).__class__", "Forbidden access to dunder attribute: __class__"),
        ("import queue\nqueue.threading", "Forbidden access to module: threading"),
        ("a = ;", "Code parsing failed on line 1 due to: SyntaxError: invalid syntax\na = ;\n    ^"),
    ],
)
def test_errors_lead_with_the_words_of_1_26(code: str, words: str) -> None:
    with pytest.raises(InterpreterError) as caught:
        LocalPythonExecutor(["queue"] if "queue" in code else [])(code)
    assert words in str(caught.value)


def test_closed_functions_of_an_authorised_module_are_named() -> None:
    with pytest.raises(InterpreterError, match="Forbidden access to function: system"):
        LocalPythonExecutor(["os"])("import os\nos.system")


def test_yield_exception_carries_a_value() -> None:
    assert YieldException(3).value == 3  # never raised here: generators run natively
    code = "def g():\n    yield 1\n    yield 2\nlist(g())"
    assert LocalPythonExecutor([])(code).output == [1, 2]
