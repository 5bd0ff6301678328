"""Agent hooks and behaviours that code written for smolagents 1.26 relies on."""

from __future__ import annotations

import io
from typing import Any
from unittest.mock import MagicMock

import pytest
from agent_helpers import code, quiet_logger
from rich.console import Console

from smolagents import (
    ActionStep,
    AgentLogger,
    AgentText,
    CodeAgent,
    LogLevel,
    Model,
    PlanningStep,
    ScriptedModel,
    TaskStep,
    Timing,
    ToolCallingAgent,
    tool,
    tool_call_message,
)
from smolagents.agent_types import AgentImage
from smolagents.monitoring import Monitor


@tool
def make_image(prompt: str) -> Any:
    """Draw a picture.

    Args:
        prompt: What to draw.
    """
    import PIL.Image

    return PIL.Image.new("RGB", (4, 4))


def test_monitor_is_assignable_and_registered_for_action_steps() -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([code("final_answer(1)")]), logger=quiet_logger())
    own = MagicMock()
    agent.monitor = own
    agent._setup_step_callbacks([])
    agent.run("task")
    steps = [call.args[0] for call in own.update_metrics.call_args_list]
    assert [type(step) for step in steps] == [ActionStep]


def test_finalize_step_runs_the_callbacks_of_the_step_type() -> None:
    seen: list[tuple[str, Any]] = []
    agent = CodeAgent(
        tools=[],
        model=ScriptedModel([]),
        step_callbacks={PlanningStep: lambda step, agent: seen.append(("plan", agent))},
    )
    agent._finalize_step(ActionStep(step_number=1, timing=Timing.start_now()))
    agent._finalize_step(PlanningStep([], MagicMock(), "plan", timing=Timing.start_now()))
    assert seen == [("plan", agent)]


def test_a_monitor_without_memory_tallies_what_it_is_given() -> None:
    monitor = Monitor(None, quiet_logger())
    step = ActionStep(step_number=1, timing=Timing.start_now())
    step.timing.stop()
    monitor.update_metrics(step)
    assert len(monitor.step_durations) == 1
    monitor.reset()
    assert monitor.step_durations == []


def test_initialize_system_prompt_override_is_what_runs_start_with() -> None:
    class Terse(CodeAgent):
        def initialize_system_prompt(self) -> str:
            return "Be terse."

    model = ScriptedModel([code("final_answer('2')")])
    agent = Terse(tools=[], model=model, logger=quiet_logger())
    answer = agent.run("task")
    assert isinstance(answer, AgentText) and answer == "2"
    assert model.calls[0].messages[0].text == "Be terse."
    with pytest.raises(AttributeError, match="read-only"):
        agent.system_prompt = "other"  # type: ignore[misc]


def test_tool_outputs_are_typed_and_images_reachable_under_126_name() -> None:
    model = ScriptedModel(
        [
            tool_call_message(("make_image", {"prompt": "cat"})),
            tool_call_message(("final_answer", "image.png")),  # type: ignore[arg-type]
        ]
    )
    agent = ToolCallingAgent(tools=[make_image], model=model, logger=quiet_logger())
    assert isinstance(agent.run("draw"), AgentImage)


def test_a_bare_text_argument_goes_to_the_single_input() -> None:
    model = ScriptedModel([tool_call_message(("final_answer", "just text"))])  # type: ignore[arg-type]
    agent = ToolCallingAgent(tools=[], model=model, logger=quiet_logger())
    assert agent.run("say it") == "just text"


def test_step_limit_step_holds_the_answer_not_a_model_output() -> None:
    agent = CodeAgent(
        tools=[], model=ScriptedModel(["no code here", "my answer"]), max_steps=1, logger=quiet_logger()
    )
    assert agent.run("task") == "my answer"
    last = agent.memory.steps[-1]
    assert isinstance(last, ActionStep)
    assert last.model_output is None and last.model_output_message is None
    assert last.action_output == "my answer"


def test_a_continued_conversation_gets_a_plan_update() -> None:
    model = ScriptedModel(["plan<end_plan>", code("final_answer(1)")])
    agent = CodeAgent(tools=[], model=model, planning_interval=1, logger=quiet_logger())
    agent.memory.steps.append(TaskStep(task="earlier request"))
    agent.run("now this", reset=False)
    plan_messages = model.calls[0].messages
    assert plan_messages[0].role == "system"
    assert "earlier request" in " ".join(message.text for message in plan_messages)


def test_unauthorized_import_advises_the_user() -> None:
    console = Console(file=io.StringIO(), width=200)
    agent = CodeAgent(
        tools=[],
        model=ScriptedModel([code("import shutil"), code("final_answer(0)")]),
        logger=AgentLogger(level=LogLevel.INFO, console=console),
    )
    agent.run("task")
    assert "`additional_authorized_imports`" in console.file.getvalue()  # type: ignore[attr-defined]


def test_log_task_shows_payloads_as_plain_text() -> None:
    console = Console(record=True, width=120, file=io.StringIO())
    AgentLogger(console=console).log_task(content=b"a [/b]\x00", subtitle={"k": 1}, title="[x")
    text = console.export_text()
    assert "a [/b]\\x00" in text and "'k': 1" in text and "[x" in text


def test_constructor_kwargs_win_and_reasoning_models_get_no_stop() -> None:
    from smolagents.models import REMOVE_PARAMETER

    model = Model(model_id="openai/o3", max_tokens=100, top_p=REMOVE_PARAMETER)
    wire = model._prepare_completion_kwargs(
        [{"role": "user", "content": "hi"}], stop_sequences=["x"], max_tokens=5, top_p=0.9, seed=1
    )
    assert wire["max_tokens"] == 100 and "top_p" not in wire and wire["seed"] == 1
    assert "stop" not in wire
    assert "stop" in Model(model_id="gpt-4o")._prepare_completion_kwargs([], stop_sequences=["x"])


@tool
def shout(text: str) -> str:
    """Repeat a text loudly.

    Args:
        text: What to repeat.
    """
    if text == "boom":
        raise ValueError("too loud")
    return text.upper() + "!"


def test_process_tool_calls_runs_the_calls_and_records_them_in_the_step() -> None:
    from smolagents import (
        ChatMessage,
        ChatMessageToolCall,
        ChatMessageToolCallFunction,
        MessageRole,
        ToolCall,
    )
    from smolagents._errors import AgentToolExecutionError
    from smolagents.agents import ToolOutput

    agent = ToolCallingAgent(tools=[shout], model=ScriptedModel([]), logger=quiet_logger())
    calls = [
        ChatMessageToolCall(
            id=f"call_{n}", type="function", function=ChatMessageToolCallFunction("shout", {"text": t})
        )
        for n, t in ((2, "b"), (1, "a"))
    ]
    step = ActionStep(step_number=1, timing=Timing.start_now())
    events = list(agent.process_tool_calls(ChatMessage(MessageRole.ASSISTANT, "", tool_calls=calls), step))
    assert [type(event) for event in events] == [ToolCall, ToolCall, ToolOutput, ToolOutput]
    assert [event.output for event in events if isinstance(event, ToolOutput)] == ["B!", "A!"]
    assert [call.id for call in step.tool_calls or ()] == ["call_1", "call_2"]
    assert step.observations == "A!\nB!"  # the outputs alone, ordered by call id, as 1.26 shows them

    failing = ChatMessageToolCall(
        id="x", type="function", function=ChatMessageToolCallFunction("shout", {"text": "boom"})
    )
    with pytest.raises(AgentToolExecutionError, match="too loud"):
        list(agent.process_tool_calls(ChatMessage(MessageRole.ASSISTANT, "", tool_calls=[failing]), step))
