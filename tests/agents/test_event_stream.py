"""One typed event stream per run: its order, the 1.26 shape of run(stream=True), subscribers."""

from __future__ import annotations

import pytest
from agent_helpers import code

from smolagents import (
    ActionOutput,
    ActionStep,
    AgentGenerationError,
    ChatMessageStreamDelta,
    CodeAgent,
    FinalAnswerStep,
    ModelCallFinished,
    ModelCallStarted,
    PlanningStep,
    RunFinished,
    RunStarted,
    ScriptedModel,
    StepStarted,
    TaskStep,
    Timing,
    ToolCall,
    ToolCallFinished,
    ToolCallingAgent,
    ToolOutput,
    tool_call_message,
)


def kinds(events: list[object]) -> list[str]:
    return [type(event).__name__ for event in events]


def test_stream_events_gives_every_event_in_order(quiet) -> None:
    model = ScriptedModel([code("print('hi')"), code("final_answer(3)")])
    events = list(CodeAgent(tools=[], model=model, logger=quiet).stream_events("t"))
    one_step = [
        "StepStarted",
        "ModelCallStarted",
        "ModelCallFinished",
        "ToolCall",
        "ToolCallFinished",
        "ActionOutput",
        "ActionStep",
    ]
    assert kinds(events) == ["RunStarted", *one_step, *one_step, "FinalAnswerStep", "RunFinished"]
    started, finished = events[0], events[-1]
    assert isinstance(started, RunStarted) and started.task == "t" and started.model_id == "scripted-model"
    assert isinstance(finished, RunFinished) and finished.status == "success" and finished.output == 3
    assert {e.run_id for e in events if hasattr(e, "run_id")} == {started.run_id}
    call_end = events[3 + 7]
    assert isinstance(call_end, ModelCallFinished) and call_end.token_usage.output_tokens > 0
    tool_end = events[5 + 7]
    assert isinstance(tool_end, ToolCallFinished) and tool_end.is_final_answer and tool_end.output == 3


def test_run_stream_keeps_the_shape_of_1_26(quiet) -> None:
    model = ScriptedModel(["plan<end_plan>", tool_call_message(("final_answer", {"answer": "x"}))])
    agent = ToolCallingAgent(tools=[], model=model, logger=quiet, planning_interval=2, stream_outputs=True)
    events = list(agent.run("t", stream=True))
    allowed = (
        ChatMessageStreamDelta,
        ToolCall,
        ToolOutput,
        ActionOutput,
        PlanningStep,
        ActionStep,
        FinalAnswerStep,
    )
    assert all(isinstance(event, allowed) for event in events), kinds(events)
    assert kinds(events)[-5:] == ["ToolCall", "ToolOutput", "ActionOutput", "ActionStep", "FinalAnswerStep"]
    assert isinstance(events[0], ChatMessageStreamDelta)  # the plan streams first


def test_a_consumer_that_stops_early_stops_the_run(quiet) -> None:
    model = ScriptedModel([code("print(1)"), code("print(2)"), code("final_answer(3)")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    events = agent.run("t", stream=True)
    for event in events:
        if isinstance(event, ActionStep):
            break
    events.close()
    assert len(model.calls) == 1 and model.remaining == 2
    assert [type(s) for s in agent.memory.steps] == [TaskStep, ActionStep]


def test_subscribers_see_each_event_once_even_when_the_run_fails(quiet) -> None:
    model = ScriptedModel([code("print(1)"), ConnectionError("down")])
    agent = CodeAgent(tools=[], model=model, logger=quiet)
    seen: list[object] = []
    agent.subscribe(seen.append)
    streamed: list[object] = []
    with pytest.raises(AgentGenerationError, match="down"):
        for event in agent.stream_events("t"):
            streamed.append(event)
    assert streamed == seen[: len(streamed)]
    assert len(seen) == len(streamed) + 1  # the closing RunFinished reaches subscribers only
    last = seen[-1]
    assert (
        isinstance(last, RunFinished)
        and last.status == "error"
        and isinstance(last.error, AgentGenerationError)
    )
    failed_call = [e for e in seen if isinstance(e, ModelCallFinished)][-1]
    assert failed_call.message is None and "down" in failed_call.error.message


def test_events_of_a_planning_step_and_the_step_limit(quiet) -> None:
    model = ScriptedModel(["plan<end_plan>", code("print(1)"), "the answer is 4"])
    agent = CodeAgent(tools=[], model=model, logger=quiet, planning_interval=5, max_steps=1)
    events = list(agent.stream_events("t"))
    steps = [e for e in events if isinstance(e, StepStarted)]
    assert [s.kind for s in steps] == ["planning", "action", "final_answer"]
    purposes = [e.purpose for e in events if isinstance(e, ModelCallStarted)]
    assert purposes == ["planning", "action", "final_answer"]
    assert isinstance(events[-1], RunFinished) and events[-1].status == "max_steps_error"
    assert events[-1].output == "the answer is 4"


def test_step_applies_final_answer_checks_like_a_run(quiet) -> None:
    model = ScriptedModel([code("final_answer('no')"), code("final_answer('yes')")])
    agent = CodeAgent(
        tools=[], model=model, logger=quiet, final_answer_checks=[lambda answer, memory: answer == "yes"]
    )
    first = ActionStep(step_number=1, timing=Timing.start_now())
    assert agent.step(first) is None
    assert first.error is not None and "rejected" in first.error.message and not first.is_final_answer
    second = ActionStep(step_number=2, timing=Timing.start_now())
    assert agent.step(second) == "yes" and second.is_final_answer


async def test_async_event_stream_of_a_tool_calling_run(quiet) -> None:
    model = ScriptedModel([tool_call_message(("final_answer", {"answer": 1}))])
    agent = ToolCallingAgent(tools=[], model=model, logger=quiet)
    events = [event async for event in agent.astream_events("t")]
    assert kinds(events) == [
        "RunStarted",
        "StepStarted",
        "ModelCallStarted",
        "ModelCallFinished",
        "ToolCall",
        "ToolCallFinished",
        "ToolOutput",
        "ActionOutput",
        "ActionStep",
        "FinalAnswerStep",
        "RunFinished",
    ]
    assert events[2].tool_names == ("final_answer",)
