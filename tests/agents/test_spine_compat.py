"""Spine behaviours users of smolagents 1.26 rely on, and worker threads that cannot run dry."""

from __future__ import annotations

import json
import threading
from unittest.mock import MagicMock

import pytest
from agent_helpers import code

from smolagents import (
    ActionStep,
    AgentLogger,
    ChatMessage,
    CodeAgent,
    LogLevel,
    MessageRole,
    RunResult,
    ScriptedModel,
    Timing,
    ToolCallingAgent,
    tool,
    tool_call_message,
)
from smolagents._threads import in_thread, submit


@tool
def echo(text: str) -> str:
    """Return the text.

    Args:
        text: The text.
    """
    return text


@pytest.mark.parametrize(
    ("given", "expected"), [(10, LogLevel.DEBUG), (1000, LogLevel.DEBUG), (-5, LogLevel.OFF)]
)
def test_logger_takes_any_integer_level(given: int, expected: LogLevel) -> None:
    assert AgentLogger(level=given).level is expected
    with pytest.raises(TypeError, match="LogLevel or an int"):
        AgentLogger(level="loud")  # type: ignore[arg-type]


def test_duplicate_names_are_refused_with_the_126_sentence() -> None:
    with pytest.raises(ValueError, match="Each tool or managed_agent should have a unique name!"):
        CodeAgent(tools=[echo, echo], model=ScriptedModel([]))
    with pytest.raises(ValueError, match="named 'echo', like one of its tools"):
        CodeAgent(tools=[echo], model=ScriptedModel([]), name="echo", description="d")


def test_run_result_messages_is_the_deprecated_name_of_steps() -> None:
    result = RunResult(output=1, state="success", steps=[{"a": 1}], token_usage=None, timing=Timing(0.0, 1.0))
    with pytest.warns(FutureWarning, match="deprecated"):
        assert result.messages == [{"a": 1}]
    with pytest.warns(FutureWarning, match="deprecated"):
        assert RunResult(output=1, messages=[{"b": 2}]).steps == [{"b": 2}]
    with pytest.raises(ValueError, match="Cannot specify both"):
        RunResult(steps=[], messages=[])


def test_a_model_without_token_usage_gives_no_total(quiet) -> None:
    model = MagicMock()
    model.generate.return_value = ChatMessage(role=MessageRole.ASSISTANT, content=code("final_answer(3)"))
    result = CodeAgent(tools=[], model=model, logger=quiet, return_full_result=True).run("t")
    assert result.output == 3 and result.token_usage is None
    counted = CodeAgent(tools=[], model=ScriptedModel([code("final_answer(3)")]), logger=quiet)
    assert counted.run("t", return_full_result=True).token_usage.total_tokens > 0


def test_state_set_before_a_run_is_seen_by_its_checks(quiet) -> None:
    def matches(answer, memory, agent) -> bool:
        return answer == agent.state["expected"]

    model = ScriptedModel([code("final_answer(1)"), code("final_answer(2)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet, final_answer_checks=[matches])
    agent.state["expected"] = 2
    assert agent.run("t") == 2
    failed = [s for s in agent.memory.steps if isinstance(s, ActionStep) and s.error is not None]
    assert len(failed) == 1 and "Check matches failed" in str(failed[0].error)


def test_managed_agent_report_and_summary_in_126_wording(quiet) -> None:
    helper = ToolCallingAgent(
        tools=[],
        model=ScriptedModel([tool_call_message(("final_answer", {"answer": "42"}))]),
        logger=quiet,
        name="calc",
        description="Computes things.",
        provide_run_summary=True,
    )
    report = helper("6*7")
    assert report.startswith("Here is the final answer from your managed agent 'calc':\n42")
    assert "\n\nFor more detail, find below a summary of this agent's work:\n<summary_of_work>\n" in report
    assert report.endswith("\n---\n</summary_of_work>")


def test_memory_dicts_keep_the_raw_response_json_ready() -> None:
    class Completion:
        def __init__(self) -> None:
            self.id = "chatcmpl-1"

    message = ChatMessage(role=MessageRole.ASSISTANT, content="hi", raw=Completion())
    step = ActionStep(step_number=1, timing=Timing(0.0, 1.0), model_input_messages=[message])
    step.model_output_message = message
    text = json.dumps(step.dict())
    assert "chatcmpl-1" in text and step.dict()["model_input_messages"][0]["raw"]["id"] == "chatcmpl-1"


def test_blocking_tools_of_one_step_all_run_at_once(quiet) -> None:
    # Eight tools that wait for each other: a bounded pool of six (asyncio's default on two cores)
    # would never start the last two, and the barrier would break.
    barrier = threading.Barrier(8, timeout=120)

    @tool
    def meet(n: int) -> int:
        """Wait until the eight calls are all running.

        Args:
            n: Which call.
        """
        barrier.wait()
        return n

    calls = [("meet", {"n": n}) for n in range(8)]
    model = ScriptedModel([tool_call_message(*calls), tool_call_message(("final_answer", {"answer": "met"}))])
    agent = ToolCallingAgent(tools=[meet], model=model, logger=quiet, max_tool_threads=8)
    assert agent.run("meet") == "met"


def test_worker_threads_are_daemons_and_see_the_callers_context() -> None:
    import asyncio
    import contextvars

    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")

    def probe() -> tuple[bool, str]:
        return threading.current_thread().daemon, marker.get()

    async def main() -> tuple[bool, str]:
        marker.set("caller")
        return await in_thread(probe)

    assert asyncio.run(main()) == (True, "caller")
    with pytest.raises(ZeroDivisionError):
        submit(lambda: 1 / 0).result(timeout=60)
