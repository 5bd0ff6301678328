"""What an agent remembers of a run: step records and the memory that holds them.

Every record turns itself into chat messages for the model (`to_messages`) and into a JSON-ready
dict (`dict`); `AgentMemory` saves to JSON and loads back, so a run can be inspected, replayed or
resumed.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ._errors import AgentError
from ._messages import ChatMessage, MessageRole
from ._usage import Timing, TokenUsage


class StepRenderer(Protocol):
    """What `AgentMemory.replay` draws with (an `AgentLogger`, which lives a layer above)."""

    def replay(self, memory: AgentMemory, detailed: bool = False) -> None:
        """Render every step of `memory`."""
        ...


__all__ = [
    "ActionStep",
    "ApprovalRequest",
    "AgentMemory",
    "CallbackRegistry",
    "ContextSummaryStep",
    "FinalAnswerStep",
    "MemoryStep",
    "PlanningStep",
    "SystemPromptStep",
    "TaskStep",
    "ToolCall",
]

MEMORY_FORMAT_VERSION = 1


def _text_message(role: MessageRole, text: str, images: list[Any] | None = None) -> ChatMessage:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    content.extend({"type": "image", "image": image} for image in images or ())
    return ChatMessage(role=role, content=content)


Dict = dict  # the records' `dict()` methods shadow the builtin inside class bodies


@dataclass
class ToolCall:
    """A tool call made during a step."""

    name: str
    arguments: Any
    id: str

    def dict(self) -> Dict[str, Any]:
        """Return the call in the OpenAI wire shape."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ToolCall:
        """Rebuild a call from `dict()` output."""
        return cls(name=data["function"]["name"], arguments=data["function"]["arguments"], id=data["id"])


@dataclass
class ApprovalRequest:
    """An action that waits for a person's approval before it runs.

    Attributes:
        id: Identifies the request among the run's pending ones (decisions are keyed by it).
        step_number: The action step the action belongs to.
        tool_call: The call awaiting approval: a tool's call, or the code of a CodeAgent
            (name ``python_interpreter``, the code as its arguments).
        reason: Why approval is needed (the tool's setting, the agent's, a tool the code calls).
    """

    id: str
    step_number: int
    tool_call: ToolCall
    reason: str

    @property
    def is_code(self) -> bool:
        """Whether the action is a code action (its code is `code`)."""
        return self.tool_call.name == "python_interpreter"

    @property
    def code(self) -> str | None:
        """The code awaiting approval (None for a tool call)."""
        return str(self.tool_call.arguments) if self.is_code else None

    def dict(self) -> Dict[str, Any]:
        """Return the request as a JSON-ready dict."""
        return {
            "id": self.id,
            "step_number": self.step_number,
            "tool_call": self.tool_call.dict(),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ApprovalRequest:
        """Rebuild a request from `dict()` output."""
        return cls(
            id=data["id"],
            step_number=data["step_number"],
            tool_call=ToolCall.from_dict(data["tool_call"]),
            reason=data.get("reason", ""),
        )


@dataclass
class MemoryStep:
    """Base class of step records."""

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict (empty for this base: subclasses add their fields)."""
        return {}

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the chat messages this step contributes to the model's context."""
        raise NotImplementedError


@dataclass
class ActionStep(MemoryStep):
    """One action of the agent: the model's output, what ran, and what came back."""

    step_number: int
    timing: Timing
    model_input_messages: list[ChatMessage] | None = None
    tool_calls: list[ToolCall] | None = None
    error: AgentError | None = None
    model_output_message: ChatMessage | None = None
    model_output: str | list[Dict[str, Any]] | None = None
    code_action: str | None = None
    observations: str | None = None
    observations_images: list[Any] | None = None
    action_output: Any = None
    token_usage: TokenUsage | None = None
    is_final_answer: bool = False

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {
            "type": "action",
            "step_number": self.step_number,
            "timing": self.timing.dict(),
            "model_input_messages": _messages_dict(self.model_input_messages),
            "tool_calls": [call.dict() for call in self.tool_calls] if self.tool_calls else [],
            "error": self.error.dict() if self.error else None,
            "model_output_message": _message_dict(self.model_output_message)
            if self.model_output_message
            else None,
            "model_output": self.model_output,
            "code_action": self.code_action,
            "observations": self.observations,
            "observations_images": _images_dict(self.observations_images),
            "action_output": _jsonable(self.action_output),
            "token_usage": self.token_usage.dict() if self.token_usage else None,
            "is_final_answer": self.is_final_answer,
        }

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the model's output, the tool calls, observations and error as messages."""
        messages: list[ChatMessage] = []
        if self.model_output is not None and not summary_mode:
            text = (
                self.model_output
                if isinstance(self.model_output, str)
                else ChatMessage(MessageRole.ASSISTANT, self.model_output).text
            )
            messages.append(_text_message(MessageRole.ASSISTANT, text.strip()))
        if self.tool_calls:
            calls = json.dumps([call.dict() for call in self.tool_calls], default=str)
            messages.append(_text_message(MessageRole.TOOL_CALL, f"Calling tools:\n{calls}"))
        if self.observations_images:
            messages.append(
                ChatMessage(
                    MessageRole.USER,
                    [{"type": "image", "image": image} for image in self.observations_images],
                )
            )
        if self.observations is not None:
            messages.append(_text_message(MessageRole.TOOL_RESPONSE, f"Observation:\n{self.observations}"))
        if self.error is not None:
            call_id = f"Call id: {self.tool_calls[0].id}\n" if self.tool_calls else ""
            messages.append(
                _text_message(
                    MessageRole.TOOL_RESPONSE,
                    f"{call_id}Error:\n{self.error.message}\n"
                    "Fix the cause of this error in your next action; do not repeat the same call.",
                )
            )
        return messages

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ActionStep:
        """Rebuild a step from `dict()` output."""
        return cls(
            step_number=data["step_number"],
            timing=Timing.from_dict(data["timing"]) or Timing(0.0),
            model_input_messages=_messages_from(data.get("model_input_messages")),
            tool_calls=[ToolCall.from_dict(call) for call in data.get("tool_calls") or ()] or None,
            error=AgentError.from_dict(data["error"]) if data.get("error") else None,
            model_output_message=ChatMessage.from_dict(data["model_output_message"])
            if data.get("model_output_message")
            else None,
            model_output=data.get("model_output"),
            code_action=data.get("code_action"),
            observations=data.get("observations"),
            observations_images=data.get("observations_images"),
            action_output=data.get("action_output"),
            token_usage=TokenUsage.from_dict(data.get("token_usage")),
            is_final_answer=bool(data.get("is_final_answer")),
        )


@dataclass
class PlanningStep(MemoryStep):
    """A plan the model wrote (or updated) before acting."""

    model_input_messages: list[ChatMessage]
    model_output_message: ChatMessage
    plan: str
    timing: Timing
    token_usage: TokenUsage | None = None

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {
            "type": "planning",
            "model_input_messages": _messages_dict(self.model_input_messages),
            "model_output_message": _message_dict(self.model_output_message),
            "plan": self.plan,
            "timing": self.timing.dict(),
            "token_usage": self.token_usage.dict() if self.token_usage else None,
        }

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the plan, then the instruction to carry it out (nothing in summary mode)."""
        if summary_mode:
            return []
        return [
            _text_message(MessageRole.ASSISTANT, self.plan.strip()),
            _text_message(MessageRole.USER, "Now carry out this plan, one step at a time."),
        ]

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> PlanningStep:
        """Rebuild a step from `dict()` output."""
        return cls(
            model_input_messages=_messages_from(data.get("model_input_messages")) or [],
            model_output_message=ChatMessage.from_dict(data["model_output_message"]),
            plan=data["plan"],
            timing=Timing.from_dict(data["timing"]) or Timing(0.0),
            token_usage=TokenUsage.from_dict(data.get("token_usage")),
        )


@dataclass
class TaskStep(MemoryStep):
    """The task given to the agent, with its images."""

    task: str
    task_images: list[Any] | None = None

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {"type": "task", "task": self.task, "task_images": _images_dict(self.task_images)}

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the task as a user message."""
        return [_text_message(MessageRole.USER, f"New task:\n{self.task}", self.task_images)]

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> TaskStep:
        """Rebuild a step from `dict()` output."""
        return cls(task=data["task"], task_images=data.get("task_images"))


@dataclass
class SystemPromptStep(MemoryStep):
    """The system prompt of the run."""

    system_prompt: str

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {"type": "system_prompt", "system_prompt": self.system_prompt}

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the system prompt as a system message (nothing in summary mode)."""
        return [] if summary_mode else [_text_message(MessageRole.SYSTEM, self.system_prompt)]


@dataclass
class FinalAnswerStep(MemoryStep):
    """The final answer of a run (yielded last when streaming)."""

    output: Any

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {"type": "final_answer", "output": _jsonable(self.output)}

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """A final answer adds nothing to the model's context."""
        return []


@dataclass
class ContextSummaryStep(MemoryStep):
    """A summary of earlier steps, written by the model when the prompt outgrew its budget.

    The agent's context policy shows it in the prompt in place of the steps it covers; the steps
    themselves stay in memory. It adds nothing to `AgentMemory.to_messages` (the whole history).

    Args:
        summary: The summary the model wrote.
        covered_steps: How many steps of the memory, from the first, this summary stands for
            (counting task, planning and action steps; summaries are not counted).
        first_step_number: Number of the first action step covered (None if none was).
        last_step_number: Number of the last action step covered.
        model_input_messages: What the model was asked.
        model_output_message: What it answered.
    """

    summary: str
    covered_steps: int
    first_step_number: int | None
    last_step_number: int | None
    timing: Timing
    model_input_messages: list[ChatMessage] | None = None
    model_output_message: ChatMessage | None = None
    token_usage: TokenUsage | None = None

    def dict(self) -> Dict[str, Any]:
        """Return the step as a JSON-ready dict."""
        return {
            "type": "context_summary",
            "summary": self.summary,
            "covered_steps": self.covered_steps,
            "first_step_number": self.first_step_number,
            "last_step_number": self.last_step_number,
            "timing": self.timing.dict(),
            "model_input_messages": _messages_dict(self.model_input_messages),
            "model_output_message": _message_dict(self.model_output_message)
            if self.model_output_message
            else None,
            "token_usage": self.token_usage.dict() if self.token_usage else None,
        }

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """A summary is shown by the context policy, in place of the steps it covers, not here."""
        return []

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ContextSummaryStep:
        """Rebuild a step from `dict()` output."""
        return cls(
            summary=data["summary"],
            covered_steps=int(data["covered_steps"]),
            first_step_number=data.get("first_step_number"),
            last_step_number=data.get("last_step_number"),
            timing=Timing.from_dict(data.get("timing")) or Timing(0.0),
            model_input_messages=_messages_from(data.get("model_input_messages")),
            model_output_message=ChatMessage.from_dict(data["model_output_message"])
            if data.get("model_output_message")
            else None,
            token_usage=TokenUsage.from_dict(data.get("token_usage")),
        )


_STEP_TYPES: Dict[str, Any] = {
    "action": ActionStep,
    "planning": PlanningStep,
    "task": TaskStep,
    "final_answer": FinalAnswerStep,
    "context_summary": ContextSummaryStep,
}


class AgentMemory:
    """The system prompt and the steps of a run."""

    def __init__(self, system_prompt: str | SystemPromptStep, steps: list[Any] | None = None) -> None:
        self.system_prompt = (
            system_prompt if isinstance(system_prompt, SystemPromptStep) else SystemPromptStep(system_prompt)
        )
        self.steps: list[TaskStep | ActionStep | PlanningStep | ContextSummaryStep] = list(steps or ())
        # Actions of the last step awaiting approval: the run resumes from them (`agent.resume`).
        self.pending_approvals: list[ApprovalRequest] = []
        # The code's variables as saved with the memory (see _executors/saved_state.py), restored
        # into a fresh executor when the conversation goes on; `executor_state_source` gives the
        # live executor's state when the memory is saved while its conversation holds one.
        self.executor_state: Dict[str, Any] | None = None
        self.executor_state_source: Callable[[], Dict[str, Any] | None] | None = None
        # (step id, summary mode) -> (step, ids of its field values, its messages)
        self._message_cache: Dict[
            tuple[int, bool], tuple[MemoryStep, tuple[int, ...], list[ChatMessage]]
        ] = {}

    def __repr__(self) -> str:
        return f"AgentMemory(steps={len(self.steps)})"

    def reset(self) -> None:
        """Forget every step (the system prompt stays)."""
        self.steps = []
        self.pending_approvals = []
        self._message_cache.clear()

    def to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the memory as the chat messages the model sees: system prompt, then each step.

        Args:
            summary_mode: Leave out the system prompt, plans and model outputs (used to update
                a plan from a summary of the run).
        """
        messages = self.system_prompt.to_messages(summary_mode=summary_mode)
        for step in self.steps:
            messages.extend(self.step_messages(step, summary_mode))
        return messages

    def step_messages(self, step: MemoryStep, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the messages of one step (cached: the same list while the step is unchanged)."""
        # A step's messages are rebuilt only when one of its fields was reassigned (a callback
        # may drop old images, say); otherwise every step would be converted again at each step.
        key = (id(step), summary_mode)
        fingerprint = tuple(map(id, vars(step).values()))
        cached = self._message_cache.get(key)
        if cached is None or cached[0] is not step or cached[1] != fingerprint:
            cached = self._message_cache[key] = (
                step,
                fingerprint,
                step.to_messages(summary_mode=summary_mode),
            )
        return cached[2]

    def get_succinct_steps(self) -> list[Dict[str, Any]]:
        """Return the steps as dicts without the model input messages."""
        return [{k: v for k, v in step.dict().items() if k != "model_input_messages"} for step in self.steps]

    def get_full_steps(self) -> list[Dict[str, Any]]:
        """Return the steps as complete dicts."""
        return [step.dict() for step in self.steps]

    def return_full_code(self) -> str:
        """Return the code of every action step, joined in order."""
        return "\n\n".join(
            step.code_action for step in self.steps if isinstance(step, ActionStep) and step.code_action
        )

    @property
    def token_usage(self) -> TokenUsage:
        """Total tokens over every step that recorded usage."""
        total = TokenUsage()
        for step in self.steps:
            usage = getattr(step, "token_usage", None)
            if usage is not None:
                total = total + usage
        return total

    def replay(self, logger: StepRenderer, detailed: bool = False) -> None:
        """Render every step again through `logger`; `detailed` also shows each step's model input."""
        logger.replay(self, detailed=detailed)

    def to_dict(self) -> Dict[str, Any]:
        """Return the whole memory as a JSON-ready dict.

        Besides 1.26's keys, it holds the actions awaiting approval (``pending_approvals``) and
        the code's variables (``executor_state``) when there are any.
        """
        data: Dict[str, Any] = {
            "format_version": MEMORY_FORMAT_VERSION,
            "system_prompt": self.system_prompt.system_prompt,
            "steps": self.get_full_steps(),
            "token_usage": self.token_usage.dict(),
        }
        if self.pending_approvals:
            data["pending_approvals"] = [request.dict() for request in self.pending_approvals]
        source = self.executor_state_source
        state = source() if source is not None else self.executor_state
        if state:
            data["executor_state"] = state
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """Return the memory as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def save(self, path: str | Path) -> Path:
        """Write the memory to a JSON file and return its path."""
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> AgentMemory:
        """Rebuild a memory from `to_dict()` output.

        Raises:
            ValueError: When the data is not a saved memory or has an unknown step type.
        """
        if "steps" not in data or "system_prompt" not in data:
            raise ValueError(
                "This is not a saved agent memory: expected the keys 'system_prompt' and 'steps'."
            )
        steps = []
        for step in data["steps"]:
            step_type = _STEP_TYPES.get(step.get("type"))
            if step_type is None:
                raise ValueError(
                    f"Unknown step type {step.get('type')!r} in saved memory; known: {sorted(_STEP_TYPES)}."
                )
            steps.append(step_type.from_dict(step))
        memory = cls(data["system_prompt"], steps)
        memory.pending_approvals = [
            ApprovalRequest.from_dict(request) for request in data.get("pending_approvals") or ()
        ]
        memory.executor_state = data.get("executor_state") or None
        return memory

    @classmethod
    def load(cls, path: str | Path) -> AgentMemory:
        """Read a memory written by `save`."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _messages_dict(messages: list[ChatMessage] | None) -> list[Dict[str, Any]] | None:
    return None if messages is None else [_message_dict(message) for message in messages]


def _message_dict(message: ChatMessage) -> Dict[str, Any]:
    """A message as 1.26's memory writes it: the provider's raw response kept, made JSON-ready."""
    from .utils import make_json_serializable

    return {**message.dict(), "raw": make_json_serializable(message.raw)}


def _messages_from(data: list[Dict[str, Any]] | None) -> list[ChatMessage] | None:
    return None if data is None else [ChatMessage.from_dict(message) for message in data]


def _images_dict(images: list[Any] | None) -> list[Any] | None:
    if not images:
        return None
    from .agent_types import AgentImage  # images are encoded only when present

    return [image if isinstance(image, str) else AgentImage(image).to_base64() for image in images]


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


class CallbackRegistry:
    """Callbacks run after agent steps, chosen by the step's class.

    A callback registered for a class runs for steps of that class and of its subclasses (one
    registered for `MemoryStep` runs for every step). It is called as ``callback(step)``, plus
    the keyword arguments of `callback` it accepts (by name, or through ``**kwargs``).
    """

    def __init__(self) -> None:
        self._callbacks: Dict[type[MemoryStep], list[Callable[..., Any]]] = {}

    def register(self, step_cls: type[MemoryStep], callback: Callable[..., Any]) -> None:
        """Run `callback` after every step of `step_cls` (or a subclass).

        Raises:
            TypeError: If `callback` is not callable.
        """
        if not callable(callback):
            raise TypeError(f"Step callback {callback!r} for {step_cls.__name__} is not callable.")
        self._callbacks.setdefault(step_cls, []).append(callback)

    def callback(self, memory_step: MemoryStep, **kwargs: Any) -> None:
        """Call the callbacks registered for the class of `memory_step` and its parent classes."""
        for cls in type(memory_step).__mro__:
            for callback in self._callbacks.get(cls, ()):
                callback(memory_step, **_accepted(callback, kwargs))

    def __bool__(self) -> bool:
        return any(self._callbacks.values())


def _accepted(function: Callable[..., Any], kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """The subset of `kwargs` that `function` takes (all of them if it has ``**kwargs``)."""
    if not kwargs:
        return kwargs
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}  # builtins without a signature get the step only
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return kwargs
    return {key: value for key, value in kwargs.items() if key in parameters}
