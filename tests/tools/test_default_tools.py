"""The base tools: final_answer, user_input, python_interpreter, and the add_base_tools registry."""

import io

import pytest

from smolagents import (
    FinalAnswerTool,
    PythonInterpreterTool,
    SpeechToTextTool,
    UserInputTool,
    VisitWebpageTool,
    WebSearchTool,
)
from smolagents.default_tools import TOOL_MAPPING, base_tools
from smolagents.local_python_executor import InterpreterError


def test_final_answer_returns_its_argument_unchanged() -> None:
    final_answer = FinalAnswerTool()
    answer = {"rows": [1, 2]}
    assert final_answer(answer) is answer
    assert final_answer(answer="done") == "done"
    assert final_answer.name == "final_answer"
    assert final_answer.inputs["answer"]["type"] == "any"
    assert final_answer.output_type == "any"


def test_user_input_asks_on_stdout_and_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Paris\n"))
    assert UserInputTool()(question="Which city?") == "Paris"
    assert "Which city? => Type your answer here:" in capsys.readouterr().out


def test_registry_is_the_tours_toolbox_and_leaves_python_out_for_code_agents() -> None:
    assert TOOL_MAPPING["python_interpreter"] is PythonInterpreterTool
    assert TOOL_MAPPING["web_search"] is WebSearchTool
    assert TOOL_MAPPING["visit_webpage"] is VisitWebpageTool
    assert TOOL_MAPPING["transcriber"] is SpeechToTextTool
    assert [tool.name for tool in base_tools(for_code_agent=False)] == [
        "python_interpreter",
        "web_search",
        "visit_webpage",
        "transcriber",
    ]
    assert [tool.name for tool in base_tools(for_code_agent=True)] == [
        "web_search",
        "visit_webpage",
        "transcriber",
    ]


def test_add_base_tools_gives_agents_the_toolbox() -> None:
    from smolagents import CodeAgent, ScriptedModel, ToolCallingAgent

    code_agent = CodeAgent(tools=[], model=ScriptedModel(), add_base_tools=True)
    assert sorted(code_agent.tools) == ["final_answer", "transcriber", "visit_webpage", "web_search"]
    tool_agent = ToolCallingAgent(tools=[], model=ScriptedModel(), add_base_tools=True)
    assert "python_interpreter" in tool_agent.tools


def test_python_interpreter_returns_prints_and_last_value() -> None:
    pytest.importorskip("smolagents.local_python_executor", reason="the local interpreter has not landed yet")
    interpreter = PythonInterpreterTool()
    result = interpreter(code="total = sum(range(5))\nprint('sum is', total)\ntotal * 2")
    assert result == "Stdout:\nsum is 10\n\nOutput: 20"


def test_python_interpreter_starts_fresh_on_every_call() -> None:
    pytest.importorskip("smolagents.local_python_executor", reason="the local interpreter has not landed yet")
    interpreter = PythonInterpreterTool()
    interpreter(code="x = 1")
    with pytest.raises(InterpreterError, match="NameError: name 'x' is not defined"):
        interpreter(code="x")


def test_python_interpreter_raises_on_forbidden_imports_as_1_26_does() -> None:
    pytest.importorskip("smolagents.local_python_executor", reason="the local interpreter has not landed yet")
    with pytest.raises(InterpreterError, match="Import of os is not allowed"):
        PythonInterpreterTool()(code="import os\nos.getcwd()")


def test_python_interpreter_stops_endless_loops_with_a_timeout_error() -> None:
    pytest.importorskip("smolagents.local_python_executor", reason="the local interpreter has not landed yet")
    from smolagents.local_python_executor import ExecutionTimeoutError

    with pytest.raises(ExecutionTimeoutError):
        PythonInterpreterTool(timeout_seconds=5)(code="while True:\n    pass")


def test_python_interpreter_description_lists_authorized_imports() -> None:
    pytest.importorskip("smolagents.local_python_executor", reason="the local interpreter has not landed yet")
    interpreter = PythonInterpreterTool(authorized_imports=["numpy"])
    assert "numpy" in interpreter.authorized_imports
    assert "math" in interpreter.authorized_imports
    assert "numpy" in interpreter.description
    assert interpreter(code="import math\nmath.sqrt(16)").endswith("Output: 4.0")


def test_python_interpreter_round_trips_through_to_dict_with_absolute_imports() -> None:
    pytest.importorskip("smolagents.local_python_executor", reason="the local interpreter has not landed yet")
    from smolagents import Tool

    data = PythonInterpreterTool().to_dict()
    assert data["code"].startswith("from __future__ import annotations\n\nfrom smolagents import Tool\n")
    assert "from smolagents.local_python_executor import LocalPythonExecutor" in data["code"]
    assert "from ." not in data["code"]
    assert data["requirements"] == ["smolagents"]
    assert Tool.from_dict(data)(code="6 * 7").endswith("Output: 42")
