"""The contract every executor keeps, run against each kind (see kinds.py)."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
from shippable_tools import CounterTool, FailingTool

from smolagents.local_python_executor import ExecutionTimeoutError, InterpreterError
from smolagents.remote_executors import SandboxError
from smolagents.serialization import SerializationError


def test_state_persists_across_calls(make_executor: Any) -> None:
    executor = make_executor()
    executor("total = 40")
    executor("total += 2")
    assert executor("total").output == 42


def test_prints_are_captured_and_the_last_expression_is_the_output(make_executor: Any) -> None:
    executor = make_executor()
    result = executor("for i in range(3):\n    print('line', i)\n'done'")
    assert result.logs == "line 0\nline 1\nline 2\n"
    assert result.output == "done"
    assert result.is_final_answer is False


def test_prints_of_each_call_are_kept_apart(make_executor: Any) -> None:
    executor = make_executor()
    executor("print('first')")
    assert executor("print('second')").logs == "second\n"


def test_final_answer_ends_the_code_and_goes_through_the_host_tool(make_executor: Any) -> None:
    executor = make_executor()
    seen: list[Any] = []

    def final_answer(answer: Any) -> Any:
        seen.append(answer)
        return f"answer: {answer}"

    executor.send_tools({"final_answer": final_answer})
    result = executor("print('before')\nfinal_answer(6 * 7)\nprint('never')")
    assert result.is_final_answer is True
    assert result.output == "answer: 42"
    assert result.logs == "before\n"
    assert seen == [42]


def test_variables_sent_in_are_usable_with_their_types(make_executor: Any) -> None:
    executor = make_executor()
    executor.send_variables(
        {
            "when": datetime.date(2024, 5, 17),
            "pair": (1, "a"),
            "blob": b"\x00\xff",
            "table": {"k": [1.5, None]},
        }
    )
    result = executor("(when.year, type(pair).__name__, len(blob), table['k'][0])")
    assert result.output == (2024, "tuple", 2, 1.5)


def test_an_image_and_a_frame_come_out_as_themselves(make_executor: Any, kind: Any) -> None:
    if not kind.has_data_libraries:
        pytest.skip(f"{kind.name}: numpy, pandas and PIL are not available inside (stdlib only offline)")
    executor = make_executor()
    image = executor("from PIL import Image\nImage.new('RGB', (4, 3), (255, 0, 0))").output
    assert image.size == (4, 3)
    assert image.getpixel((0, 0)) == (255, 0, 0)
    frame = executor("import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})").output
    assert list(frame.columns) == ["a", "b"]
    assert frame["a"].tolist() == [1, 2]
    assert frame["b"].tolist() == ["x", "y"]
    array = executor("import numpy as np\nnp.arange(6, dtype='float32').reshape(2, 3)").output
    assert array.shape == (2, 3)
    assert str(array.dtype) == "float32"
    assert array[1, 2] == 5.0


def test_an_error_names_its_line_and_keeps_what_was_printed(make_executor: Any) -> None:
    executor = make_executor()
    with pytest.raises(InterpreterError) as raised:
        executor("print('got here')\nx = 1\ny = {}['missing']\nprint('not here')")
    assert raised.value.lineno == 3
    assert "line 3" in str(raised.value)
    assert "KeyError" in str(raised.value)
    assert raised.value.logs == "got here\n"
    assert executor("x").output == 1  # what ran before the error is kept


def test_a_runaway_loop_times_out_and_the_variables_from_before_are_kept(make_executor: Any) -> None:
    executor = make_executor(timeout=2)
    executor("before = 'kept'")
    with pytest.raises(ExecutionTimeoutError, match=r"stopped at line [23] |\(line [23]\)") as raised:
        executor("n = 0\nwhile True:\n    n += 1")
    assert not isinstance(raised.value, SandboxError)  # stopped inside, not by killing the sandbox
    assert executor("before").output == "kept"
    assert executor("n > 0").output is True  # what the loop did before it was stopped is there too


def test_a_tool_is_called_from_the_code(make_executor: Any, kind: Any) -> None:
    executor = make_executor()
    counter = CounterTool()
    executor.send_tools({"counter": counter})
    assert executor("counter(step=1) + counter(2)").output == 303
    if kind.tools_on_host:
        assert counter.calls == 2  # the tool ran here, with its state


def test_a_failing_tool_raises_inside_the_code_where_it_can_be_caught(make_executor: Any) -> None:
    executor = make_executor()
    executor.send_tools({"failing": FailingTool()})
    code = "try:\n    failing(what='this')\nexcept Exception as error:\n    caught = str(error)\ncaught"
    assert "failing tool refused this" in executor(code).output


def test_a_value_that_cannot_be_serialised_is_a_clear_error(make_executor: Any, kind: Any) -> None:
    if not kind.has_boundary:
        pytest.skip("the in-process executor hands values over as they are")
    executor = make_executor()
    with pytest.raises(SerializationError, match="Cannot safely serialize object of type"):
        executor("class Opaque:\n    pass\nOpaque()")
    with pytest.raises(SerializationError, match="Cannot send variables"):
        executor.send_variables({"lock": __import__("threading").Lock()})
    assert executor("1 + 1").output == 2


def test_cleanup_leaves_no_process_or_directory_behind(make_executor: Any, kind: Any) -> None:
    executor = make_executor(fresh=True, last_use=True)
    executor("print('hello')")
    held = kind.held(executor)
    assert held or not kind.holds_processes
    work_dir = getattr(executor, "work_dir", None)
    executor.cleanup()
    executor.cleanup()  # twice is fine
    assert [item for item in held if kind.is_alive(item)] == []
    if work_dir is not None:
        assert not os.path.exists(work_dir)
