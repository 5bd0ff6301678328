"""Events of a run besides the step records: what the loop emits to subscribers and streams."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .memory import ToolCall

__all__ = ["ActionOutput", "RunFinished", "RunStarted", "StepStarted", "ToolOutput"]


@dataclass
class ActionOutput:
    """The outcome of one action: its output and whether it is the final answer."""

    output: Any
    is_final_answer: bool


@dataclass
class ToolOutput:
    """The result of one tool call of a ToolCallingAgent step."""

    id: str
    output: Any
    is_final_answer: bool
    observation: str
    tool_call: ToolCall


@dataclass
class RunStarted:
    """A run began (rendered as the task panel)."""

    task: str
    title: str
    subtitle: str


@dataclass
class StepStarted:
    """An action step began (rendered as the step rule)."""

    step_number: int


@dataclass
class RunFinished:
    """A run ended with `output` (rendered as the final answer)."""

    output: Any
    state: str
