"""Turn a run's records into chat messages: plain dicts in the shape Gradio's Chatbot displays.

Each step becomes one collapsible block (a Chatbot "thought": metadata with a title and an id)
holding the model's thought, with nested blocks for the code or tool calls, the execution logs,
images and errors. Nothing here imports Gradio, so the rendering is cheap to test and reuse.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from .._text import bounded_text
from .._usage import TokenUsage
from ..agent_types import AgentAudio, AgentImage
from ..memory import ActionStep, FinalAnswerStep, PlanningStep, ToolCall

__all__ = [
    "Message",
    "action_step_messages",
    "error_message",
    "final_answer_messages",
    "notice_message",
    "pending_step_messages",
    "planning_step_messages",
    "step_messages",
    "thought_of",
]

Message = dict[str, Any]
"""A chat message: ``{"role", "content", "metadata"}``, as Gradio's Chatbot takes it."""

_ERROR_STYLE = "color: var(--color-red-500, #dc2626); white-space: pre-wrap;"
_MAX_OUTPUT_CHARS = 5_000
_NOTICE_STYLE = "color: var(--body-text-color-subdued, #6b7280); font-style: italic;"
# The fence line that opens a code block (```py, ```python, <code>...) at the end of a thought.
_OPENING_FENCE = re.compile(r"(?:```[\w+-]*|<code>)\s*$")
_FENCED = re.compile(r"(```.*?(?:```|$))", re.DOTALL)
_CODE_BLOCK = re.compile(r"```[\w+-]*\n.*?(?:```|$)|<code>.*?(?:</code>|$)", re.DOTALL)


def _message(content: Any, **metadata: Any) -> Message:
    return {"role": "assistant", "content": content, "metadata": metadata}


def escape_markup(text: str) -> str:
    """Return model text safe to show as markdown: angle brackets outside code fences are shown
    as characters, not read as HTML tags (inside fences they are shown as they are anyway)."""
    parts = _FENCED.split(text)
    return "".join(
        part if index % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
        for index, part in enumerate(parts)
    )


def thought_of(model_output: str | None, code: str | None) -> str:
    """Return the model's reasoning with its code block cut out (the code is shown on its own)."""
    text = (model_output or "").strip()
    if code and code.strip() and code.strip() in text:
        text = text[: text.index(code.strip())]
        text = _OPENING_FENCE.sub("", text.rstrip())
    else:
        text = _CODE_BLOCK.sub("", text)
    text = re.sub(r"^\s*Thought:\s*", "", text.strip())
    return text.strip()


def usage_label(token_usage: TokenUsage | None) -> str:
    """Return e.g. ``"1,204 input / 37 output tokens"`` (empty without usage)."""
    if token_usage is None:
        return ""
    return f"{token_usage.input_tokens:,} input / {token_usage.output_tokens:,} output tokens"


def _block(title: str, block_id: str, content: str, log: str = "", duration: float | None = None) -> Message:
    metadata: dict[str, Any] = {"title": title, "id": block_id, "status": "done"}
    if log:
        metadata["log"] = log
    if duration is not None:
        metadata["duration"] = round(duration, 2)
    return _message(content, **metadata)


def _child(title: str, parent_id: str, content: Any) -> Message:
    return _message(content, title=title, parent_id=parent_id)


def error_message(text: str, title: str = "Error", parent_id: str | None = None) -> Message:
    """Return an error shown in red, nested under `parent_id` when given."""
    body = f'<span style="{_ERROR_STYLE}">{html.escape(text)}</span>'
    if parent_id is None:
        return _message(body, title=title)
    return _child(title, parent_id, body)


def notice_message(text: str) -> Message:
    """Return a short, subdued line about the run itself (e.g. that it was stopped)."""
    return _message(f'<span style="{_NOTICE_STYLE}">{html.escape(text)}</span>')


def _code_markdown(code: str, language: str = "python") -> str:
    fence = "````" if "```" in code else "```"
    return f"{fence}{language}\n{code.strip()}\n{fence}"


def _call_messages(calls: list[ToolCall], parent_id: str, code_title: str = "Code") -> list[Message]:
    messages: list[Message] = []
    for call in calls:
        if call.name == "python_interpreter" and isinstance(call.arguments, str):
            messages.append(_child(code_title, parent_id, _code_markdown(call.arguments)))
            continue
        arguments = call.arguments
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, indent=2, ensure_ascii=False, default=str)
        messages.append(_child(f"Called tool {call.name}", parent_id, _code_markdown(arguments, "json")))
    return messages


def _logs_of(observations: str | None) -> str:
    """Return what the step's code printed: the observations without their headings and the output."""
    text = (observations or "").strip()
    text = re.sub(r"^Execution logs:\s*", "", text)
    return text.split("Last output from code snippet:")[0].strip()


def _file_message(value: Any, parent_id: str | None, title: str) -> Message:
    if isinstance(value, AgentAudio):
        content: Any = {"path": value.to_string(), "mime_type": "audio/wav"}
    else:
        content = {"path": AgentImage(value).to_string(), "mime_type": "image/png"}
    if parent_id is None:
        return _message(content)
    return _child(title, parent_id, content)


def action_step_messages(step: ActionStep, block_id: str, skip_model_outputs: bool = False) -> list[Message]:
    """Return an action step as a collapsed block: thought, code or tool calls, logs, images, error."""
    title = f"Step {step.step_number}" + (" · error" if step.error is not None else "")
    thought = (
        "" if skip_model_outputs else escape_markup(thought_of(_text(step.model_output), step.code_action))
    )
    messages = [
        _block(title, block_id, thought, usage_label(step.token_usage), step.timing.duration),
        *_call_messages(step.tool_calls or [], block_id),
    ]
    logs = _logs_of(step.observations)
    if logs:
        messages.append(_child("Execution logs", block_id, _code_markdown(logs, "text")))
    if step.action_output is not None and not step.is_final_answer and step.code_action is not None:
        output = bounded_text(step.action_output, _MAX_OUTPUT_CHARS)
        messages.append(_child("Output", block_id, _code_markdown(output, "text")))
    for image in step.observations_images or ():
        messages.append(_file_message(image, block_id, "Image"))
    if step.error is not None:
        messages.append(error_message(str(step.error), parent_id=block_id))
    return messages


def planning_step_messages(
    step: PlanningStep, block_id: str, skip_model_outputs: bool = False
) -> list[Message]:
    """Return a planning step as a collapsed block holding the plan."""
    plan = "" if skip_model_outputs else escape_markup(step.plan)
    return [_block("Plan", block_id, plan, usage_label(step.token_usage), step.timing.duration)]


def final_answer_messages(output: Any) -> list[Message]:
    """Return the final answer: text in bold, or the image or sound itself."""
    if isinstance(output, (AgentImage, AgentAudio)) or _is_image(output):
        return [_message("**Final answer:**"), _file_message(output, None, "")]
    return [_message(f"**Final answer:** {escape_markup(_text(output))}")]


def step_messages(step: Any, block_id: str, skip_model_outputs: bool = False) -> list[Message]:
    """Return the messages of any step record a run streams."""
    if isinstance(step, ActionStep):
        return action_step_messages(step, block_id, skip_model_outputs)
    if isinstance(step, PlanningStep):
        return planning_step_messages(step, block_id, skip_model_outputs)
    if isinstance(step, FinalAnswerStep):
        return final_answer_messages(step.output)
    raise TypeError(
        f"Cannot display a {type(step).__name__}: expected an ActionStep, PlanningStep or FinalAnswerStep."
    )


def pending_step_messages(
    title: str, block_id: str, streamed_text: str, calls: list[ToolCall]
) -> list[Message]:
    """Return the block of a step still running: open, with a spinner, what is known so far."""
    code = next((c.arguments for c in calls if c.name == "python_interpreter"), None)
    # Before the code is known, show the streamed text whole, code being written included.
    thought = escape_markup(
        thought_of(streamed_text, code) if isinstance(code, str) else streamed_text.strip()
    )
    if not calls and not thought:
        thought = "Thinking…"
    return [
        _message(thought, title=title, id=block_id, status="pending"),
        *_call_messages(calls, block_id, code_title="Code (running)"),
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # list content of a message: keep its text parts
        return "\n".join(str(part.get("text", "")) for part in value if isinstance(part, dict))
    return str(value)


def _is_image(value: Any) -> bool:
    return any(cls.__module__.startswith("PIL.") and cls.__name__ == "Image" for cls in type(value).__mro__)
