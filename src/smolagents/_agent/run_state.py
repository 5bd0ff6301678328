"""The state of one run, kept apart from the agent's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .._usage import Timing, TokenUsage
from ..memory import AgentMemory

__all__ = ["RunResult", "RunState"]

RunOutcome = Literal["success", "max_steps_error"]

Dict = dict  # the records' `dict()` methods shadow the builtin inside class bodies


@dataclass
class RunState:
    """Everything one run changes: its memory, step counter, executor and variables.

    An agent object holds only configuration; each `run`/`arun` works on its own `RunState`, so
    concurrent runs of one agent never share mutable state.
    """

    task: str
    memory: AgentMemory
    max_steps: int
    images: list[Any] | None = None
    additional_args: Dict[str, Any] | None = None
    step_number: int = 1
    first_step: int = 1
    interrupt_requested: bool = False
    executor: Any = None
    variables: Dict[str, Any] = field(default_factory=dict)
    timing: Timing = field(default_factory=Timing.start_now)
    output: Any = None
    outcome: RunOutcome = "success"
    message_cache: Dict[tuple[int, bool], tuple[tuple[int, ...], list[Any]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def steps_left(self) -> int:
        """How many action steps this run may still take."""
        return self.first_step + self.max_steps - self.step_number


@dataclass
class RunResult:
    """Everything a run produced, returned by `run(..., return_full_result=True)`."""

    output: Any
    state: RunOutcome
    steps: list[Dict[str, Any]]
    token_usage: TokenUsage | None
    timing: Timing

    def dict(self) -> Dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "output": self.output,
            "state": self.state,
            "steps": self.steps,
            "token_usage": self.token_usage.dict() if self.token_usage else None,
            "timing": self.timing.dict(),
        }
