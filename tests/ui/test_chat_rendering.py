"""How runs look in the chat: step records and live events turned into Chatbot messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smolagents import (
    ChatMessageStreamDelta,
    CodeAgent,
    ScriptedModel,
    ToolCallingAgent,
    tool,
    tool_call_message,
)
from smolagents._errors import AgentExecutionError
from smolagents._ui.chat_rendering import (
    action_step_messages,
    escape_markup,
    final_answer_messages,
    planning_step_messages,
    thought_of,
)
from smolagents._ui.transcript import RunTranscript
from smolagents.memory import ActionStep, FinalAnswerStep, PlanningStep, ToolCall
from smolagents.monitoring import Timing, TokenUsage


def titled(messages: list[dict], title: str) -> dict:
    return next(m for m in messages if m["metadata"].get("title") == title)


@tool
def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: First number.
        b: Second number.
    """
    return a + b


def test_a_code_step_is_a_collapsed_block_with_thought_code_logs_and_output() -> None:
    agent = CodeAgent(
        tools=[add],
        model=ScriptedModel(
            [
                "Thought: I add them <carefully>.\n```py\nprint('adding')\nadd(2, 3)\n```",
                "```py\nfinal_answer(5)\n```",
            ]
        ),
        verbosity_level=-1,
    )
    agent.run("Add 2 and 3")
    step = agent.memory.steps[1]
    messages = action_step_messages(step, "b1")
    block = messages[0]
    assert block["metadata"]["title"] == "Step 1" and block["metadata"]["id"] == "b1"
    assert block["metadata"]["status"] == "done"  # collapsed until opened
    assert block["metadata"]["log"] == (
        f"{step.token_usage.input_tokens:,} input / {step.token_usage.output_tokens:,} output tokens"
    )
    assert block["metadata"]["duration"] == round(step.timing.duration, 2)
    assert block["content"] == "I add them &lt;carefully&gt;."  # the code is not repeated in the thought
    assert all(m["metadata"]["parent_id"] == "b1" for m in messages[1:])
    assert titled(messages, "Code")["content"] == "```python\nprint('adding')\nadd(2, 3)\n```"
    assert titled(messages, "Execution logs")["content"] == "```text\nadding\n```"
    assert titled(messages, "Output")["content"] == "```text\n5\n```"


def test_an_error_is_shown_in_red_with_its_text_escaped() -> None:
    step = ActionStep(
        step_number=3,
        timing=Timing(start_time=0.0, end_time=1.5),
        error=AgentExecutionError("bad <script>alert(1)</script> input"),
    )
    messages = action_step_messages(step, "b3")
    assert messages[0]["metadata"]["title"] == "Step 3 · error"
    error = titled(messages, "Error")
    assert "color:" in error["content"] and "&lt;script&gt;" in error["content"]
    assert "<script>" not in error["content"]


def test_tool_calls_and_observation_images_are_nested_in_their_step() -> None:
    from PIL import Image

    step = ActionStep(
        step_number=1,
        timing=Timing(start_time=0.0, end_time=0.5),
        tool_calls=[ToolCall(name="add", arguments={"a": 2, "b": 3}, id="c1")],
        observations="5",
        observations_images=[Image.new("RGB", (4, 4))],
        token_usage=TokenUsage(10, 2),
    )
    messages = action_step_messages(step, "b1")
    call = titled(messages, "Called tool add")
    assert json.loads(call["content"].removeprefix("```json\n").removesuffix("\n```")) == {"a": 2, "b": 3}
    image = titled(messages, "Image")["content"]
    assert image["mime_type"] == "image/png" and Path(image["path"]).is_file()


def test_a_plan_and_final_answers_of_each_kind() -> None:
    from PIL import Image

    from smolagents import AgentAudio, ChatMessage

    plan = PlanningStep(
        model_input_messages=[],
        model_output_message=ChatMessage("assistant", "1. Look\n2. Answer"),
        plan="1. Look\n2. Answer",
        timing=Timing(0.0, 2.0),
    )
    assert planning_step_messages(plan, "p")[0]["metadata"]["title"] == "Plan"
    assert final_answer_messages("a <b>") == [
        {"role": "assistant", "content": "**Final answer:** a &lt;b&gt;", "metadata": {}}
    ]
    image = final_answer_messages(Image.new("RGB", (4, 4)))[1]["content"]
    assert image["mime_type"] == "image/png" and Path(image["path"]).is_file()
    import numpy as np

    audio = final_answer_messages(AgentAudio(np.zeros(800, dtype=np.float32), samplerate=8000))[1]["content"]
    assert audio["mime_type"] == "audio/wav" and Path(audio["path"]).is_file()


@pytest.mark.parametrize(
    ("output", "code", "thought"),
    [
        ("Thought: go\n```py\nx = 1\n```", "x = 1", "go"),
        ("Thinking first.\n```python\nx = 1\n```\n", "x = 1", "Thinking first."),
        ("Plan it\n<code>\nx = 1\n</code>", "x = 1", "Plan it"),
        ("No code at all", None, "No code at all"),
        ("Half written\n```py\nx = ", None, "Half written"),
    ],
)
def test_the_thought_is_the_text_before_the_code(output: str, code: str | None, thought: str) -> None:
    assert thought_of(output, code) == thought


def test_markup_is_escaped_outside_code_fences_only() -> None:
    assert escape_markup("a <end_code> b\n```py\nif a < b: pass\n```") == (
        "a &lt;end_code&gt; b\n```py\nif a < b: pass\n```"
    )


def test_a_transcript_shows_the_running_step_then_replaces_it_with_the_finished_one() -> None:
    transcript = RunTranscript(first_step=4)
    assert transcript.add(ChatMessageStreamDelta(content="Thought: let me ")) is True
    running = transcript.messages
    assert running[0]["metadata"] == {
        "title": "Step 4",
        "id": running[0]["metadata"]["id"],
        "status": "pending",
    }
    assert running[0]["content"] == "Thought: let me"
    assert transcript.add(ToolCall(name="python_interpreter", arguments="x = 1", id="c")) is True
    assert transcript.messages[1]["metadata"]["title"] == "Code (running)"
    assert transcript.add(ChatMessageStreamDelta(token_usage=TokenUsage(1, 1))) is False
    step = ActionStep(
        step_number=4, timing=Timing(0.0, 1.0), code_action="x = 1", model_output="```py\nx = 1\n```"
    )
    transcript.add(step)
    assert [m["metadata"].get("status") for m in transcript.messages if "id" in m["metadata"]] == ["done"]
    transcript.add(FinalAnswerStep(output=7))
    assert transcript.messages[-1]["content"] == "**Final answer:** 7"
    assert transcript.final_answer == 7 and transcript.is_finished


def test_pull_messages_and_stream_to_gradio_speak_gradio() -> None:
    pytest.importorskip("gradio")  # the gradio extra: optional for the rest of this module
    import gradio as gr

    from smolagents.gradio_ui import pull_messages_from_step, stream_to_gradio

    model = ScriptedModel([tool_call_message(("final_answer", {"answer": "done"}), content="Finishing.")])
    agent = ToolCallingAgent(tools=[], model=model, stream_outputs=True, verbosity_level=-1)
    events = list(stream_to_gradio(agent, "Finish"))
    assert any(isinstance(event, str) and "Finishing." in event for event in events)
    messages = [event for event in events if isinstance(event, gr.ChatMessage)]
    # The model's text was streamed, so the step starts with its tool call, not with a header.
    assert messages[0].metadata["title"] == "🛠️ Used tool final_answer"
    assert messages[0].content == "done"
    assert messages[-1].content == "**Final answer:**\ndone\n"  # a text answer (AgentText), as 1.26 renders it
    again = list(pull_messages_from_step(agent.memory.steps[1]))
    assert [m.content for m in again[:2]] == ["**Step 1**", "Finishing."]
