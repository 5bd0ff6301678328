"""1.26 behaviour around closed modules, tools, refusal wording and evaluate_python_code's counters.

Closed modules named explicitly (sys, builtins, importlib, ...) are honoured as restricted
stand-ins: what they hand out stays within the executor's authorised modules and builtins.
"""

from __future__ import annotations

import builtins
import os

import pytest

from smolagents.local_python_executor import (
    DANGEROUS_FUNCTIONS,
    DANGEROUS_MODULES,
    ExecutionTimeoutError,
    InterpreterError,
    LocalPythonExecutor,
    check_import_authorized,
    evaluate_python_code,
)


def executor(imports: list[str]) -> LocalPythonExecutor:
    made = LocalPythonExecutor(imports)
    made.send_tools({})
    return made


def test_public_tables_hold_126_values() -> None:
    assert DANGEROUS_MODULES == sorted(DANGEROUS_MODULES) and "sys" in DANGEROUS_MODULES
    assert len(DANGEROUS_MODULES) == 10 and "os.system" in DANGEROUS_FUNCTIONS


def test_sys_named_explicitly_is_a_stand_in_whose_modules_are_the_authorised_copies() -> None:
    run = executor(["sys", "math"])
    assert run("import sys\nsys.maxsize > 2 ** 31, sys.version_info[0]").output == (True, 3)
    assert run("import sys\nsys.modules['math'].sqrt(16)").output == 4.0
    for module in ("os", "subprocess", "builtins_missing_name"):
        with pytest.raises(InterpreterError, match=f"Forbidden access to module: {module}"):
            run(f"import sys\nsys.modules[{module!r}]")
    with pytest.raises(InterpreterError, match="_getframe"):
        run("import sys\nsys._getframe()")
    with pytest.raises(InterpreterError, match="Forbidden access to function: settrace"):
        run("import sys\nsys.settrace")


def test_sys_stays_closed_unless_named() -> None:
    with pytest.raises(InterpreterError, match="Import of sys is not allowed"):
        executor(["math"])("import sys")


def test_builtins_stand_in_holds_the_executors_builtins_and_refuses_the_closed_ones() -> None:
    run = executor(["builtins"])
    assert run("import builtins\nbuiltins.print('hi')\nbuiltins.len([1, 2])").logs == "hi\n"
    assert run("import builtins\nbuiltins.sorted([2, 1])").output == [1, 2]
    for name in ("exec", "eval", "compile", "open", "globals"):
        with pytest.raises(InterpreterError, match=f"Forbidden access to function: {name}"):
            run(f"import builtins\nbuiltins.{name}")
    with pytest.raises(InterpreterError, match="Forbidden access to dunder attribute: __import__"):
        run("import builtins\nbuiltins.__import__")


def test_a_closed_function_given_as_a_tool_is_served_as_that_tool() -> None:
    run = LocalPythonExecutor(["builtins", "os"])
    with pytest.raises(InterpreterError, match="Forbidden access to function: popen"):
        run("import os\nos.popen")
    run.send_tools({"exec": builtins.exec, "popen": os.popen})  # the user's decision (1.26)
    assert run("import builtins\nbuiltins.exec is exec").output is True
    assert run("import os\nos.popen is popen").output is True


def test_a_tool_may_be_called_dunder_import_but_not_other_dunders() -> None:
    run = LocalPythonExecutor([])
    run.send_tools({"__import__": lambda name: name.upper()})
    with pytest.raises(ValueError, match="reserved"):
        run.send_tools({"__builtins__": print})


def test_importlib_imports_only_authorised_modules() -> None:
    run = executor(["importlib", "json"])
    assert run("import importlib\nimportlib.import_module('json').dumps([1])").output == "[1]"
    with pytest.raises(InterpreterError, match="Forbidden access to module: os"):
        run("import importlib\nimportlib.import_module('os')")


def test_threading_stand_in_has_locks_but_no_threads() -> None:
    run = executor(["threading"])
    assert run("import threading\nlock = threading.Lock()\nwith lock:\n    x = 1\nx").output == 1
    with pytest.raises(InterpreterError, match="Forbidden access to function: Thread"):
        run("import threading\nthreading.Thread")


def test_warnings_are_printed_and_filters_left_alone() -> None:
    run = executor(["warnings"])
    logs = run("import warnings\nwarnings.simplefilter('ignore')\nwarnings.warn('careful')").logs
    assert "UserWarning: careful" in logs
    with pytest.raises(InterpreterError, match="Forbidden access to module: sys"):
        run("import warnings\nwarnings.sys")


def test_modules_reached_through_other_modules_name_the_module() -> None:
    with pytest.raises(InterpreterError, match="Forbidden access to module: os"):
        executor([])("import random\nrandom._os")
    run = executor(["threading"])
    with pytest.raises(InterpreterError, match="Forbidden access to module: os"):
        run("import queue\nqueue.threading._os")
    assert run("import queue\nqueue.threading.Lock is not None").output is True


def test_dunder_chains_and_calls_are_refused_naming_each_attribute() -> None:
    with pytest.raises(InterpreterError) as caught:
        executor([])("().__class__.__base__.__subclasses__()")
    message = str(caught.value)
    assert message.startswith("Forbidden call to dunder function: __subclasses__")
    for name in ("__class__", "__base__", "__subclasses__"):
        assert f"Forbidden access to dunder attribute: {name}" in message


def test_non_installed_authorised_module_is_refused_at_construction() -> None:
    with pytest.raises(InterpreterError, match="Non-installed authorized modules: no_such_module_here"):
        LocalPythonExecutor(["math", "no_such_module_here.*"])
    LocalPythonExecutor(["*", "os.*"])


def test_authorising_a_submodule_makes_its_package_importable_by_name() -> None:
    assert check_import_authorized("os", ["os.path"]) is True
    assert check_import_authorized("os", ["json"]) is False


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("x = {}\ndel x['k']", "Could not index {} with 'k'"),
        ("d = {'Bhutan': 1}\nd['Butan']", "Maybe you meant one of these indexes instead: ['Bhutan']"),
        ("del nothing_here", "Cannot delete name 'nothing_here': name is not defined"),
        ("items = [1]\nitems += 1", "Cannot add non-list value 1 to a list."),
        ("not_a_tool(3)", "Forbidden function evaluation: 'not_a_tool'"),
        ("a = 1\nb = a + 'x'", "Code execution failed at line 'b = a + 'x'' (line 2) due to: TypeError"),
    ],
)
def test_runtime_errors_lead_with_126_words(code: str, words: str) -> None:
    with pytest.raises(InterpreterError) as caught:
        executor([])(code)
    assert words in str(caught.value)


def test_timeouts_lead_with_126_words_and_keep_the_limit() -> None:
    run = LocalPythonExecutor([], timeout_seconds=1)
    with pytest.raises(ExecutionTimeoutError) as caught:
        run("import time\ntime.sleep(5)")
    assert str(caught.value).startswith("Code execution exceeded the maximum execution time of 1 seconds")
    assert "1 s time limit" in str(caught.value)


def test_evaluate_python_code_counts_evaluated_nodes_like_126() -> None:
    state: dict[str, object] = {}
    evaluate_python_code("x = 3", state=state)
    assert state["_operations_count"] == {"counter": 2}  # the assignment and the constant
    state = {}
    evaluate_python_code("total = 0\nfor i in range(2):\n    total = total + i", state=state)
    # 2 (first line) + for, call, 2 + 2 passes x (assignment, binop, two names)
    assert state["_operations_count"] == {"counter": 2 + 3 + 2 * 4}
    assert state["total"] == 1


def test_evaluate_python_code_stops_past_its_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import smolagents.local_python_executor as front

    monkeypatch.setattr(front, "MAX_WHILE_ITERATIONS", 10)
    with pytest.raises(InterpreterError, match="Maximum number of 10 iterations in While loop exceeded"):
        evaluate_python_code("i = 0\nwhile i < 20:\n    i += 1")
    assert evaluate_python_code("i = 0\nwhile i < 5:\n    i += 1\ni")[0] == 5
    monkeypatch.setattr(front, "MAX_OPERATIONS", 50)
    with pytest.raises(InterpreterError, match="Reached the max number of operations"):
        evaluate_python_code("for i in range(100):\n    i")


def test_yield_outside_a_function_is_refused_with_126_words() -> None:
    with pytest.raises(
        InterpreterError, match="Yield statements are only allowed inside generator functions"
    ):
        executor([])("yield 1")
    assert executor([])("def g():\n    yield 1\n    yield from [2]\nlist(g())").output == [1, 2]


def test_stand_in_waits_end_at_the_time_limit_and_their_classes_stay_closed() -> None:
    run = LocalPythonExecutor(["threading", "sys"], timeout_seconds=1)
    run.send_tools({})
    with pytest.raises(ExecutionTimeoutError):
        run("import threading\nlock = threading.Lock()\nlock.acquire()\nlock.acquire()")
    assert run("import threading\nthreading.Event().wait(0.01)").output is False
    with pytest.raises(InterpreterError, match="cannot be subclassed"):
        run("import threading\nclass L(threading.Lock):\n    pass")
    with pytest.raises(InterpreterError, match="cannot be subclassed"):
        run("import sys\nclass M(type(sys.modules)):\n    pass")
    with pytest.raises(InterpreterError, match="private attributes"):
        run("import sys\nsys.modules._policy")
