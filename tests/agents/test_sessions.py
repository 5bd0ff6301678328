"""Sessions: one agent, many conversations that never share memory, variables or events."""

from __future__ import annotations

import asyncio

import pytest
from agent_helpers import code

from smolagents import (
    ActionStep,
    AgentInterruptedError,
    AgentSession,
    ChatMessage,
    CodeAgent,
    RunStarted,
    ScriptedModel,
)


def by_task(messages: list[ChatMessage]) -> str:
    """Answer from the latest task: 'set NAME=V' stores a variable, 'get NAME' returns it."""
    task = [m.text for m in messages if m.text.startswith("New task:")][-1].removeprefix("New task:\n")
    verb, argument = task.split(" ", 1)
    if verb == "set":
        name, value = argument.split("=")
        return code(f"{name} = {value}\nfinal_answer({value})")
    return code(f"final_answer({argument})")


async def test_two_sessions_running_at_once_never_share_memory_variables_or_events(quiet) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel(by_task, delay=0.01), logger=quiet)
    first, second = agent.new_session(), agent.new_session()
    assert isinstance(first, AgentSession)
    seen: dict[str, list[str]] = {"first": [], "second": []}
    first.subscribe(lambda e: seen["first"].append(e.task) if isinstance(e, RunStarted) else None)
    second.subscribe(lambda e: seen["second"].append(e.task) if isinstance(e, RunStarted) else None)

    assert await asyncio.gather(first.arun("set x=1"), second.arun("set x=2")) == [1, 2]
    assert await asyncio.gather(first.arun("get x"), second.arun("get x")) == [1, 2]

    def tasks(session: AgentSession) -> list[str]:
        return [s.task for s in session.memory.steps if hasattr(s, "task")]

    assert tasks(first) == ["set x=1", "get x"] and tasks(second) == ["set x=2", "get x"]
    assert seen == {"first": ["set x=1", "get x"], "second": ["set x=2", "get x"]}
    assert first.memory is not second.memory and first.memory is not agent.memory


def test_a_session_continues_its_conversation_and_reset_starts_a_new_one(quiet) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel(by_task), logger=quiet)
    session = agent.new_session()
    session.run("set y=5")
    assert session.run("get y") == 5
    steps = [s.step_number for s in session.memory.steps if isinstance(s, ActionStep)]
    assert steps == [1, 2]
    session.reset()
    assert session.memory.steps == []
    result = session.run("get y", max_steps=1, return_full_result=True)
    assert result.state == "max_steps_error"  # the variable went with the old conversation
    first = next(s for s in session.memory.steps if isinstance(s, ActionStep))
    assert "y" in first.error.message


async def test_interrupting_a_session_stops_only_its_run(quiet) -> None:
    agent = CodeAgent(
        tools=[],
        model=ScriptedModel(lambda messages: code("print('working')"), delay=0.01),
        logger=quiet,
        max_steps=4,
    )
    stopped, other = agent.new_session(), agent.new_session()
    stopped.subscribe(lambda event: stopped.interrupt() if isinstance(event, ActionStep) else None)
    results = await asyncio.gather(stopped.arun("t"), other.arun("t"), return_exceptions=True)
    assert isinstance(results[0], AgentInterruptedError)
    assert len([s for s in stopped.memory.steps if isinstance(s, ActionStep)]) == 1
    assert len([s for s in other.memory.steps if isinstance(s, ActionStep)]) == 5  # 4 steps + the limit


async def test_a_session_runs_one_task_at_a_time(quiet) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel(by_task, delay=0.05), logger=quiet)
    session = agent.new_session()
    session.run("set z=1")
    running = asyncio.ensure_future(session.arun("get z"))
    await asyncio.sleep(0)  # let it start its first step
    with pytest.raises(RuntimeError, match="already running"):
        await session.arun("get z")
    assert await running == 1


def test_session_stream_yields_the_1_26_shape_and_stream_events_everything(quiet) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel(by_task), logger=quiet)
    session = agent.new_session()
    shaped = list(session.run("set a=3", stream=True))
    assert type(shaped[-1]).__name__ == "FinalAnswerStep" and shaped[-1].output == 3
    everything = list(session.stream_events("get a"))
    assert type(everything[0]).__name__ == "RunStarted" and type(everything[-1]).__name__ == "RunFinished"
    assert everything[-1].output == 3
