"""The events of a run: one typed union, published once to every subscriber.

A run publishes each event exactly once, in order. The logger, step callbacks, tracing,
`run(stream=True)` and `stream_events()` are all subscribers of that one publication.

- `run(stream=True)` keeps the stream shape of smolagents 1.26: `StreamEvent`, i.e. model deltas
  (when `stream_outputs`), `ToolCall`, `ToolOutput`, `ActionOutput`, the step records
  (`PlanningStep`, `ActionStep`) and a last `FinalAnswerStep`.
- `stream_events()` yields every `AgentEvent`: the above plus the start and end of the run, of
  each step, of each model call and of each tool call (or code execution).

Every event names its run (`run_id`), or is a record the run also keeps in memory. Events are
read-only by convention (plain slotted dataclasses: frozen ones cost four times as much to make,
and a run makes about ten per step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args

from ._errors import AgentError
from ._messages import ChatMessage, ChatMessageStreamDelta
from ._usage import TokenUsage
from .memory import ActionStep, ApprovalRequest, ContextSummaryStep, FinalAnswerStep, PlanningStep, ToolCall

__all__ = [
    "STREAM_EVENT_TYPES",
    "ActionOutput",
    "AgentEvent",
    "ContextCompacted",
    "ApprovalRequested",
    "ApprovalResolved",
    "ModelCallFinished",
    "ModelCallStarted",
    "RunFinished",
    "RunStarted",
    "RunStatus",
    "StepKind",
    "StepStarted",
    "StreamEvent",
    "ToolCallFinished",
    "ToolOutput",
]

StepKind = Literal["planning", "action", "final_answer", "summary"]
"""What a step (or a model call) does: write a plan, act, (at the step limit) ask for a final
answer; "summary" is a model call summarising earlier steps to fit the context window."""

RunStatus = Literal["success", "max_steps_error", "error", "interrupted", "awaiting_approval"]
"""How a run ended: an answer, an answer forced at the step limit, a failure, an interruption, or
a stop before an action that awaits approval (the run resumes with `agent.resume`)."""


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


@dataclass(slots=True)
class RunStarted:
    """A run began: its task is in memory and no step has run yet."""

    run_id: str
    task: str
    agent_name: str | None
    model_id: str | None
    model_label: str
    parent_run_id: str | None = None
    images: tuple[Any, ...] = ()


@dataclass(slots=True)
class StepStarted:
    """A step began."""

    run_id: str
    step_number: int
    kind: StepKind = "action"


@dataclass(slots=True)
class ModelCallStarted:
    """The agent is asking the model (for a plan, an action or a final answer)."""

    run_id: str
    step_number: int
    purpose: StepKind
    model_id: str | None
    messages: tuple[ChatMessage, ...]
    stop_sequences: tuple[str, ...] = ()
    tool_names: tuple[str, ...] = ()
    is_streaming: bool = False


@dataclass(slots=True)
class ModelCallFinished:
    """The model answered (`message`) or failed (`error`)."""

    run_id: str
    step_number: int
    purpose: StepKind
    model_id: str | None
    message: ChatMessage | None = None
    error: AgentError | None = None

    @property
    def token_usage(self) -> TokenUsage | None:
        """Tokens the call read and wrote, when the provider said."""
        return self.message.token_usage if self.message is not None else None


@dataclass(slots=True)
class ToolCallFinished:
    """A tool call (or a code action, `python_interpreter`) ended with an output or an error."""

    run_id: str
    step_number: int
    call: ToolCall
    output: Any = None
    error: AgentError | None = None
    is_final_answer: bool = False


@dataclass(slots=True)
class ApprovalRequested:
    """An action needs approval before it runs (published before the approval callback is asked)."""

    run_id: str
    request: ApprovalRequest


@dataclass(slots=True)
class ApprovalResolved:
    """An action awaiting approval was decided: `decision` is an `Approve`, `Deny` or `Edit`."""

    run_id: str
    request: ApprovalRequest
    decision: Any


@dataclass(slots=True)
class RunFinished:
    """A run ended: with an answer (`status` success or max_steps_error) or an `error`."""

    run_id: str
    status: RunStatus
    output: Any = None
    error: BaseException | None = None
    token_usage: TokenUsage = field(default_factory=TokenUsage)
    steps: int = 0

    @property
    def state(self) -> RunStatus:
        """Same as `status` (the name `RunResult` uses)."""
        return self.status


@dataclass(slots=True)
class ContextCompacted:
    """The prompt of a model call was cut to fit the agent's context budget.

    `tokens_before` is what the whole memory would have taken, `tokens_after` what was sent, both
    counted with `counter`. The step numbers say which action steps had their observation
    truncated, were shown through a summary (`summarised_steps`), or were left out.
    """

    run_id: str
    step_number: int
    purpose: StepKind
    budget: int
    tokens_before: int
    tokens_after: int
    counter: str
    truncated_steps: tuple[int, ...] = ()
    summarised_steps: tuple[int, ...] = ()
    dropped_steps: tuple[int, ...] = ()

    @property
    def fits(self) -> bool:
        """Whether the prompt sent fits the budget (it may not when the recent steps alone exceed it)."""
        return self.tokens_after <= self.budget


StreamEvent = Union[
    ChatMessageStreamDelta,
    ToolCall,
    ToolOutput,
    ActionOutput,
    PlanningStep,
    ActionStep,
    FinalAnswerStep,
    ApprovalRequested,
]
"""What `run(stream=True)` yields: smolagents 1.26's events, plus `ApprovalRequested` for actions
that need approval (only agents with such tools or settings publish it)."""

AgentEvent = Union[
    RunStarted,
    StepStarted,
    ModelCallStarted,
    ChatMessageStreamDelta,
    ModelCallFinished,
    ToolCall,
    ToolOutput,
    ToolCallFinished,
    ActionOutput,
    ApprovalRequested,
    ApprovalResolved,
    PlanningStep,
    ActionStep,
    FinalAnswerStep,
    RunFinished,
    ContextCompacted,
    ContextSummaryStep,
]
"""Every event of a run, as `stream_events()` yields them."""

STREAM_EVENT_TYPES: tuple[type, ...] = get_args(StreamEvent)
"""The classes of `StreamEvent`, for isinstance checks (derived from the union, so the two cannot drift)."""
