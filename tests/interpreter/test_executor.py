"""The executor's interface: outputs, logs, notebook state, tools, final_answer, error messages."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from smolagents.local_python_executor import (
    BASE_BUILTIN_MODULES,
    DANGEROUS_FUNCTIONS,
    DANGEROUS_MODULES,
    CodeOutput,
    ExecutionTimeoutError,
    InterpreterError,
    LocalPythonExecutor,
    PythonExecutor,
    evaluate_python_code,
)


def make_executor(imports: list[str] | None = None, **kwargs: Any) -> LocalPythonExecutor:
    executor = LocalPythonExecutor(imports or [], **kwargs)
    executor.send_tools({})
    return executor


def test_call_returns_last_value_and_printed_logs() -> None:
    result = make_executor()("x = 1\nprint(x)\nx + 1")
    assert result == CodeOutput(output=2, logs="1\n", is_final_answer=False)


def test_executor_is_a_python_executor() -> None:
    assert isinstance(make_executor(), PythonExecutor)


def test_public_tables_are_data() -> None:
    assert BASE_BUILTIN_MODULES == sorted(BASE_BUILTIN_MODULES)
    assert {"os", "sys", "subprocess", "socket", "builtins"} <= set(DANGEROUS_MODULES)
    assert "builtins.eval" in DANGEROUS_FUNCTIONS


def test_statement_without_value_gives_none() -> None:
    assert make_executor()("def f():\n    return 1").output is None
    assert make_executor()("for i in range(0):\n    i").output is None


def test_a_loop_gives_the_value_of_its_last_pass() -> None:
    # 1.26 reports the last statement evaluated inside a final loop.
    assert make_executor()("for i in range(3):\n    y = i * 10").output == 20
    assert make_executor()("n = 0\nwhile n < 4:\n    n += 1").output == 4
    assert make_executor()("for a, b in [(1, 'x'), (2, 'y')]:\n    b.upper()").output == "Y"


def test_state_persists_between_calls_like_a_notebook() -> None:
    executor = make_executor()
    executor("import math\ndef area(r):\n    return math.pi * r ** 2\ncount = 1")
    assert executor("count += 1\nround(area(1), 2), count").output == (3.14, 2)
    assert executor.state["count"] == 2
    assert "__builtins__" not in executor.state


def test_state_is_the_same_live_dict_after_each_call() -> None:
    executor = make_executor()
    state = executor.state
    executor("y = 5")
    assert state["y"] == 5


def test_send_variables_makes_values_available() -> None:
    executor = make_executor()
    executor.send_variables({"data": [1, 2, 3]})
    assert executor("sum(data)").output == 6


def test_send_variables_refuses_names_of_tools() -> None:
    executor = make_executor()
    executor.send_tools({"search": lambda q: q})
    with pytest.raises(ValueError, match="already a tool"):
        executor.send_variables({"search": 1})


def test_send_variables_refuses_reserved_names() -> None:
    with pytest.raises(ValueError, match="reserved"):
        make_executor().send_variables({"__builtins__": {}})


def test_tools_are_called_with_the_codes_arguments() -> None:
    calls: list[tuple[Any, ...]] = []

    def search(query: str, limit: int = 3) -> str:
        calls.append((query, limit))
        return f"found {query}"

    executor = make_executor()
    executor.send_tools({"search": search})
    assert executor("search('cats', limit=2)").output == "found cats"
    assert calls == [("cats", 2)]


def test_tool_exception_becomes_interpreter_error_with_cause() -> None:
    def broken(x: int) -> int:
        raise RuntimeError("tool is down")

    executor = make_executor()
    executor.send_tools({"broken": broken})
    with pytest.raises(InterpreterError) as caught:
        executor("print('before')\nbroken(1)")
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert "RuntimeError: tool is down" in str(caught.value)
    assert "line 2" in str(caught.value) and "broken(1)" in str(caught.value)
    assert caught.value.logs == "before\n"


def test_model_code_can_catch_tool_exceptions() -> None:
    def broken() -> None:
        raise KeyError("missing")

    executor = make_executor()
    executor.send_tools({"broken": broken})
    assert executor("try:\n    broken()\nexcept KeyError as e:\n    r = 'handled'\nr").output == "handled"


def test_final_answer_ends_the_code() -> None:
    executor = make_executor()
    result = executor("print('a')\nfinal_answer(42)\nprint('never')")
    assert result == CodeOutput(output=42, logs="a\n", is_final_answer=True)


def test_final_answer_uses_the_value_returned_by_the_tool() -> None:
    executor = make_executor()
    executor.send_tools({"final_answer": lambda answer: f"<{answer}>"})
    assert executor("final_answer('x')").output == "<x>"


def test_final_answer_cannot_be_caught_by_model_code() -> None:
    code = "try:\n    final_answer(1)\nexcept:\n    pass\nfinal_answer(2)"
    assert make_executor()(code).output == 1
    code = "try:\n    final_answer(1)\nexcept BaseException:\n    x = 'caught'\nx = 'after'"
    assert make_executor()(code).output == 1


def test_final_answer_inside_a_function_and_loop() -> None:
    code = (
        "def solve():\n    for i in range(10):\n        if i == 3:\n            final_answer(i * 10)\nsolve()"
    )
    assert make_executor()(code) == CodeOutput(output=30, logs="", is_final_answer=True)


def test_final_answer_called_after_the_run_raises_an_ordinary_error() -> None:
    executor = make_executor()
    keep = executor("def later():\n    final_answer(1)\nlater").output
    with pytest.raises(InterpreterError, match="only be called while the code runs"):
        keep()


@pytest.mark.parametrize(
    "code",
    [
        "search = 1",
        "search += 1",
        "search: int = 1",
        "(search := 1)",
        "for search in range(2):\n    pass",
        "import math as search",
        "from math import sqrt as search",
        "def search():\n    pass",
        "class search:\n    pass",
        "del search",
        "try:\n    1 / 0\nexcept Exception as search:\n    pass",
        "with open_thing() as search:\n    pass",
        "[0 for search in range(2)]",
        "def f(search):\n    return search",
        "def f():\n    global search\n    search = 2",
        "match 1:\n    case search:\n        pass",
        "final_answer = print",
    ],
)
def test_tools_cannot_be_rebound_by_any_binding_form(code: str) -> None:
    executor = make_executor()
    executor.send_tools({"search": lambda q: q})
    with pytest.raises(InterpreterError, match="cannot be rebound"):
        executor(code)
    assert executor("search('ok')").output == "ok"


def test_additional_functions_are_callable_and_protected() -> None:
    executor = LocalPythonExecutor([], additional_functions={"double": lambda x: 2 * x})
    executor.send_tools({})
    assert executor("double(4)").output == 8
    with pytest.raises(InterpreterError, match="cannot be rebound"):
        executor("double = 3")


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(InterpreterError, match=r"line 2 .*SyntaxError") as caught:
        make_executor()("x = 1\nx = = 2")
    assert "x = = 2" in str(caught.value)


def test_runtime_error_names_line_code_and_exception() -> None:
    with pytest.raises(InterpreterError) as caught:
        make_executor()("a = 1\nb = a / 0\nc = 3")
    message = str(caught.value)
    assert "line 2" in message and "'b = a / 0'" in message
    assert "ZeroDivisionError: division by zero" in message
    assert caught.value.lineno == 2


def test_error_inside_function_points_at_the_failing_line() -> None:
    with pytest.raises(InterpreterError, match=r"line 'return \{\}\[key\]' \(line 2\).*KeyError"):
        make_executor()("def get(key):\n    return {}[key]\nget('k')")


def test_unauthorised_import_says_which_and_how_to_authorise() -> None:
    with pytest.raises(InterpreterError) as caught:
        make_executor()("import math\nimport os")
    message = str(caught.value)
    assert "line 2" in message and "'os'" in message
    assert "additional_authorized_imports=['os']" in message


def test_submodule_needs_its_own_authorisation() -> None:
    with pytest.raises(InterpreterError, match=r"'numpy.linalg'.*numpy\.\*"):
        make_executor(["numpy"])("import numpy.linalg")
    assert make_executor(["numpy.*"])("import numpy.linalg\nnumpy.linalg.det([[1, 0], [0, 1]])").output == 1.0


def test_authorising_a_submodule_does_not_hand_out_the_package() -> None:
    executor = make_executor(["numpy.linalg"])
    assert executor("import numpy.linalg\nfloat(numpy.linalg.det([[2, 0], [0, 1]]))").output == 2.0
    with pytest.raises(InterpreterError, match="has no attribute 'array'"):
        executor("numpy.array([1])")
    with pytest.raises(InterpreterError, match="Import of numpy is not allowed"):
        executor("import numpy")


def test_wildcard_authorises_modules_but_not_the_always_closed_ones() -> None:
    executor = make_executor(["*"])
    assert executor("import json\njson.dumps([1])").output == "[1]"
    executor("import subprocess")  # honoured; what it does meets the host permissions
    with pytest.raises(InterpreterError, match="Import of subprocess is not allowed"):
        make_executor(["json"])("import subprocess")
    with pytest.raises(InterpreterError, match=r"Import of signal is not allowed\. It stays closed"):
        executor("import signal")


def test_print_output_is_truncated_to_the_configured_length() -> None:
    logs = make_executor(max_print_outputs_length=100)("for i in range(1000):\n    print(i)").logs
    assert len(logs) < 200 and "truncated" in logs
    assert logs.startswith("0\n1\n") and logs.endswith("999\n")


def test_print_accepts_sep_and_end() -> None:
    assert make_executor()("print(1, 2, sep='-', end='!')\nprint('x')").logs == "1-2!x\n"


def test_logs_are_reset_each_call() -> None:
    executor = make_executor()
    executor("print('first')")
    assert executor("print('second')").logs == "second\n"


def test_code_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="code must be a string"):
        make_executor()(b"x = 1")  # type: ignore[arg-type]


def test_bad_constructor_arguments_are_explained() -> None:
    with pytest.raises(TypeError, match="list of module names"):
        LocalPythonExecutor("numpy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout_seconds"):
        LocalPythonExecutor([], timeout_seconds=0)


def test_evaluate_python_code_returns_result_and_updates_state() -> None:
    state: dict[str, Any] = {"base": 10}
    result, is_final = evaluate_python_code("print('hi')\ny = base + 1", state=state)
    assert (result, is_final) == (11, False)
    assert state["y"] == 11 and state["_print_outputs"] == "hi\n"


def test_evaluate_python_code_static_and_custom_tools() -> None:
    result, is_final = evaluate_python_code(
        "final_answer(add(1, 2))",
        static_tools={"final_answer": lambda x: x, "add": lambda a, b: a + b},
    )
    assert (result, is_final) == (3, True)
    result, _ = evaluate_python_code("helper = lambda: 5\nhelper()", custom_tools={"helper": lambda: 1})
    assert result == 5


def test_evaluate_python_code_uses_authorized_imports_as_the_whole_list() -> None:
    with pytest.raises(InterpreterError, match="Import of math is not allowed"):
        evaluate_python_code("import math", authorized_imports=["random"])


def test_executor_runs_in_a_worker_thread() -> None:
    results: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        executor = make_executor(timeout_seconds=1, max_operations=10**12)
        results.append(executor("sum(i * i for i in range(1000))").output)
        try:
            executor("while True:\n    pass")
        except ExecutionTimeoutError as error:
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)  # generous: only a hang reaches it
    assert not thread.is_alive()
    assert results == [332833500]
    assert len(errors) == 1 and "time limit" in str(errors[0])


async def test_executor_runs_inside_an_asyncio_loop() -> None:
    executor = make_executor(timeout_seconds=1)
    assert executor("[x for x in range(3)]").output == [0, 1, 2]
    with pytest.raises(ExecutionTimeoutError):
        executor("while True:\n    pass")
    await asyncio.sleep(0)  # the loop is still usable


def test_executors_on_two_threads_keep_separate_state() -> None:
    outputs: dict[int, Any] = {}

    def work(number: int) -> None:
        executor = make_executor()
        executor(f"value = {number}")
        outputs[number] = executor("total = 0\nfor i in range(20000):\n    total += value\ntotal").output

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)  # generous: only a hang reaches it
    assert outputs == {1: 20000, 2: 40000}


def test_return_in_finally_swallows_ordinary_errors_but_not_the_final_answer() -> None:
    executor = make_executor()
    assert (
        executor("def f():\n    try:\n        1 / 0\n    finally:\n        return 'swallowed'\nf()").output
        == "swallowed"
    )
    code = "def f():\n    try:\n        final_answer('first')\n    finally:\n        return 'late'\nf()\nfinal_answer('second')"
    assert executor(code) == CodeOutput(output="first", logs="", is_final_answer=True)


def test_sleep_past_the_time_left_is_a_timeout_like_running_out_of_time() -> None:
    executor = make_executor(["time"], timeout_seconds=2)
    with pytest.raises(ExecutionTimeoutError, match=r"time\.sleep\(100\) would outlast"):
        executor("import time\ntime.sleep(100)")
    assert executor("time.sleep(0)\n'awake'").output == "awake"


def test_state_has_the_main_module_name() -> None:
    executor = make_executor()
    executor("x = 1")
    assert executor.state["__name__"] == "__main__"
    assert executor("if __name__ == '__main__':\n    y = 2\ny").output == 2


def test_naming_a_module_that_reaches_the_host_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="smolagents.local_python_executor"):
        LocalPythonExecutor(["os", "numpy"])
        LocalPythonExecutor(["numpy"])
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and "os" in warnings[0] and "allow_read" in warnings[0]


def test_user_classes_define_their_own_operators_and_protocols() -> None:
    code = """
class Bag:
    def __init__(self):
        self.items = []
    def __iadd__(self, item):
        self.items.append(item)
        return self
    def __imul__(self, n):
        self.items = self.items * n
        return self
    def __getitem__(self, i):
        return self.items[i]
    def __setitem__(self, i, v):
        self.items[i] = v
    def __contains__(self, v):
        return v in self.items
    def __iter__(self):
        return iter(self.items)
    def __len__(self):
        return len(self.items)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.items.append('closed')
        return False
    def __eq__(self, other):
        return list(self) == list(other)
    def __hash__(self):
        return 7
    def __lt__(self, other):
        return len(self) < len(other)
b = Bag()
b += 1
b += 2
b *= 2
b[0] = 9
with b:
    pass
(list(b), 2 in b, b[1], hash(b), Bag() < b, b == list(b))
"""
    assert make_executor()(code).output == ([9, 2, 1, 2, "closed"], True, 2, 7, True, True)


def test_timeout_can_be_changed_between_calls_and_is_checked() -> None:
    executor = LocalPythonExecutor([])
    assert executor.timeout_seconds == 30
    with pytest.raises(ValueError, match="timeout_seconds must be positive"):
        executor.timeout_seconds = 0
    executor.timeout_seconds = 0.2
    with pytest.raises(
        InterpreterError, match=r"maximum execution time of 0\.2 seconds: .*longer than the 0\.2 s time limit"
    ):
        executor("while True:\n    pass")
