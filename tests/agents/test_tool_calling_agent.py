"""ToolCallingAgent behaviour, driven by the scripted model."""

from __future__ import annotations

import asyncio
import threading

import pytest

from smolagents import (
    ActionStep,
    AgentParsingError,
    AgentToolCallError,
    AgentToolExecutionError,
    ScriptedModel,
    ToolCallingAgent,
    ToolOutput,
    tool,
    tool_call_message,
)


@tool
def get_weather(city: str) -> str:
    """Return the weather of a city.

    Args:
        city: The city name.
    """
    return {"Paris": "sunny", "Rome": "cloudy"}.get(city, "unknown")


@tool
def fail_always(reason: str) -> str:
    """A tool that always raises.

    Args:
        reason: Why it fails.
    """
    raise RuntimeError(f"broken: {reason}")


def steps(agent: ToolCallingAgent) -> list[ActionStep]:
    return [step for step in agent.memory.steps if isinstance(step, ActionStep)]


def test_tool_calling_agent_calls_tools_then_answers(quiet) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("get_weather", {"city": "Paris"})),
            tool_call_message(("final_answer", {"answer": "Paris is sunny"})),
        ]
    )
    agent = ToolCallingAgent(tools=[get_weather], model=model, logger=quiet)
    assert agent.run("Weather in Paris?") == "Paris is sunny"
    assert model.calls[0].tool_names == ["get_weather", "final_answer"]
    assert "sunny" in steps(agent)[0].observations
    assert "sunny" in model.calls[1].messages[-1].text


def test_tool_calls_of_one_step_run_concurrently(quiet) -> None:
    barrier = threading.Barrier(2, timeout=5)

    @tool
    def meet(name: str) -> str:
        """Wait until the other call arrives too.

        Args:
            name: Who arrives.
        """
        barrier.wait()  # raises BrokenBarrierError unless both calls run at the same time
        return f"{name} met"

    model = ScriptedModel(
        [
            tool_call_message(("meet", {"name": "a"}), ("meet", {"name": "b"})),
            tool_call_message(("final_answer", {"answer": "done"})),
        ]
    )
    agent = ToolCallingAgent(tools=[meet], model=model, logger=quiet)
    assert agent.run("Meet") == "done"
    observations = steps(agent)[0].observations
    assert "a met" in observations and "b met" in observations


def test_async_tools_are_awaited_concurrently(quiet) -> None:
    arrived: list[str] = []
    both = asyncio.Event()

    @tool
    async def async_meet(name: str) -> str:
        """Wait asynchronously until both calls arrived.

        Args:
            name: Who arrives.
        """
        arrived.append(name)
        if len(arrived) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), timeout=5)
        return f"{name} ok"

    model = ScriptedModel(
        [
            tool_call_message(("async_meet", {"name": "x"}), ("async_meet", {"name": "y"})),
            tool_call_message(("final_answer", {"answer": "fine"})),
        ]
    )
    agent = ToolCallingAgent(tools=[async_meet], model=model, logger=quiet)
    assert agent.run("t") == "fine"
    assert "x ok" in steps(agent)[0].observations


def test_unknown_tool_is_reported_to_the_model_and_the_run_goes_on(quiet) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("get_wether", {"city": "Paris"})),
            tool_call_message(("final_answer", {"answer": "x"})),
        ]
    )
    agent = ToolCallingAgent(tools=[get_weather], model=model, logger=quiet)
    assert agent.run("t") == "x"
    error = steps(agent)[0].error
    assert isinstance(error, AgentToolCallError)
    assert "get_wether" in error.message and "get_weather" in error.message
    assert "get_wether" in model.calls[1].messages[-1].text


def test_wrong_arguments_are_reported_with_the_expected_schema(quiet) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("get_weather", {"town": "Paris"})),
            tool_call_message(("final_answer", {"answer": "x"})),
        ]
    )
    agent = ToolCallingAgent(tools=[get_weather], model=model, logger=quiet)
    agent.run("t")
    error = steps(agent)[0].error
    assert isinstance(error, AgentToolCallError)
    assert "town" in error.message and "city" in error.message


def test_a_tool_that_raises_gives_an_execution_error_and_memory_keeps_the_step(quiet) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("fail_always", {"reason": "disk"})),
            tool_call_message(("final_answer", {"answer": "ok"})),
        ]
    )
    agent = ToolCallingAgent(tools=[fail_always], model=model, logger=quiet)
    assert agent.run("t") == "ok"
    error = steps(agent)[0].error
    assert isinstance(error, AgentToolExecutionError)
    assert "RuntimeError" in error.message and "broken: disk" in error.message
    assert len(steps(agent)) == 2


def test_final_answer_with_other_calls_in_one_step_is_refused(quiet) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("get_weather", {"city": "Rome"}), ("final_answer", {"answer": "early"})),
            tool_call_message(("final_answer", {"answer": "late"})),
        ]
    )
    agent = ToolCallingAgent(tools=[get_weather], model=model, logger=quiet)
    assert agent.run("t") == "late"
    assert "final_answer" in steps(agent)[0].error.message


def test_tool_calls_written_as_text_json_are_parsed(quiet) -> None:
    model = ScriptedModel(['Action:\n{"name": "final_answer", "arguments": {"answer": "from text"}}'])
    agent = ToolCallingAgent(tools=[], model=model, logger=quiet)
    assert agent.run("t") == "from text"


def test_output_without_any_tool_call_is_a_parsing_error_shown_to_the_model(quiet) -> None:
    model = ScriptedModel(["I am not sure.", tool_call_message(("final_answer", {"answer": 1}))])
    agent = ToolCallingAgent(tools=[], model=model, logger=quiet)
    assert agent.run("t") == 1
    assert isinstance(steps(agent)[0].error, AgentParsingError)


def test_arguments_given_as_a_json_string_are_decoded(quiet) -> None:
    model = ScriptedModel([tool_call_message(("final_answer", '{"answer": "decoded"}'))])
    assert ToolCallingAgent(tools=[], model=model, logger=quiet).run("t") == "decoded"


def test_stream_yields_tool_calls_outputs_and_steps(quiet) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("get_weather", {"city": "Rome"})),
            tool_call_message(("final_answer", {"answer": "c"})),
        ]
    )
    agent = ToolCallingAgent(tools=[get_weather], model=model, logger=quiet)
    events = list(agent.run("t", stream=True))
    outputs = [event for event in events if isinstance(event, ToolOutput)]
    assert outputs[0].output == "cloudy" and outputs[-1].is_final_answer
    assert type(events[-1]).__name__ == "FinalAnswerStep" and events[-1].output == "c"


def test_execute_tool_call_validates_and_runs_a_tool(quiet) -> None:
    agent = ToolCallingAgent(tools=[get_weather], model=ScriptedModel([]), logger=quiet)
    assert agent.execute_tool_call("get_weather", {"city": "Paris"}) == "sunny"
    with pytest.raises(AgentToolCallError):
        agent.execute_tool_call("get_weather", {"city": 3})


def test_max_tool_threads_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_tool_threads"):
        ToolCallingAgent(tools=[], model=ScriptedModel([]), max_tool_threads=0)
