"""The state of one run, kept apart from the agent's configuration."""

from __future__ import annotations

import itertools
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from .._events import RunStatus
from .._usage import Timing, TokenUsage
from ..memory import AgentMemory
from .bus import EventBus

__all__ = ["RunResult", "RunState", "current_run", "new_run_id"]

Dict = dict  # the records' `dict()` methods shadow the builtin inside class bodies

_run_numbers = itertools.count(1)

current_run: ContextVar[RunState | None] = ContextVar("smolagents_current_run", default=None)
"""The run whose step is executing here (copied into the tasks and threads the step starts)."""


ResultState = Literal["success", "max_steps_error", "awaiting_approval"]
"""How a run that returned ended: with an answer, at the step limit, or awaiting approval."""


def new_run_id() -> str:
    """Return an identifier for a new run, unique in this process."""
    return f"run-{next(_run_numbers)}"


@dataclass
class RunState:
    """Everything one run changes: its memory, step counter, executor and variables.

    An agent object holds only configuration; each run works on its own `RunState`, so
    concurrent runs of one agent never share mutable state.
    """

    task: str
    memory: AgentMemory
    max_steps: int
    run_id: str = field(default_factory=new_run_id)
    parent_run_id: str | None = None
    images: list[Any] | None = None
    additional_args: Dict[str, Any] | None = None
    step_number: int = 1
    first_step: int = 1
    interrupt_requested: bool = False
    executor: Any = None
    variables: Dict[str, Any] = field(default_factory=dict)
    timing: Timing = field(default_factory=Timing.start_now)
    output: Any = None
    status: RunStatus = "success"
    bus: EventBus = field(default_factory=EventBus, repr=False)
    # The agent configuration this run was started with (an `AgentConfig`).
    config: Any = field(default=None, repr=False)
    # Approval: who decides (an `ApprovalCallback`), the decisions given to `resume` (by request
    # id, "*" for all), and the step awaiting approval a resumed run finishes first.
    approval_callback: Any = field(default=None, repr=False)
    decisions: Dict[str, Any] = field(default_factory=dict, repr=False)
    resumed_step: Any = field(default=None, repr=False)

    @property
    def steps_left(self) -> int:
        """How many action steps this run may still take."""
        return self.first_step + self.max_steps - self.step_number

    @property
    def outcome(self) -> ResultState:
        """The state a `RunResult` reports for this run."""
        if self.status in ("max_steps_error", "awaiting_approval"):
            return self.status
        return "success"


@dataclass(init=False)
class RunResult:
    """Everything a run produced, returned by `run(..., return_full_result=True)`."""

    output: Any
    state: ResultState
    steps: list[Dict[str, Any]]
    token_usage: TokenUsage | None
    timing: Timing

    def __init__(
        self,
        output: Any = None,
        state: ResultState = "success",
        steps: list[Dict[str, Any]] | None = None,
        token_usage: TokenUsage | None = None,
        timing: Timing | None = None,
        messages: list[Dict[str, Any]] | None = None,
    ) -> None:
        if messages is not None:  # 1.26's deprecated name for `steps`
            if steps is not None:
                raise ValueError(
                    "Cannot specify both 'messages' and 'steps' parameters. Use 'steps' instead."
                )
            _warn_messages_deprecated()
            steps = messages
        self.output = output
        self.state = state
        self.steps = steps if steps is not None else []
        self.token_usage = token_usage
        self.timing = timing if timing is not None else Timing.start_now()

    @property
    def pending_approvals(self) -> list[Any]:
        """The actions awaiting approval when `state` is ``"awaiting_approval"`` (else empty)."""
        return list(getattr(self.output, "requests", ())) if self.state == "awaiting_approval" else []

    @property
    def messages(self) -> list[Dict[str, Any]]:
        """The steps, under the name 1.26 deprecated in favour of `steps` (warns)."""
        _warn_messages_deprecated()
        return self.steps

    def dict(self) -> Dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        pending = self.pending_approvals
        return {
            "output": {"pending_approvals": [request.dict() for request in pending]}
            if pending
            else self.output,
            "state": self.state,
            "steps": self.steps,
            "token_usage": self.token_usage.dict() if self.token_usage else None,
            "timing": self.timing.dict(),
        }


def _warn_messages_deprecated() -> None:
    import warnings

    warnings.warn(
        "RunResult.messages is deprecated (as in smolagents 1.26): use RunResult.steps.",
        FutureWarning,
        stacklevel=3,
    )
