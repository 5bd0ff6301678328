"""Approval before an action: which actions need it, how a decision is asked for and applied.

A tool needs approval when its `requires_approval` is true, or is a predicate that returns true
for the call's arguments; a CodeAgent's code needs it when the agent says so
(`code_requires_approval`) or when the code names a tool that needs approval (a predicate cannot
be judged before the code runs, so naming the tool is enough). Before such an action the run
publishes `ApprovalRequested`; the decision comes from the decisions given to `resume`, else
from the approval callback; with neither, the step ends as `AwaitingApproval` and the run stops,
resumable from its memory (even saved to JSON and loaded in another process).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from .._events import ApprovalRequested, ApprovalResolved
from .._threads import in_thread
from ..memory import ApprovalRequest, ToolCall
from .outcomes import AwaitingApproval
from .run_state import RunState

__all__ = [
    "ApprovalCallback",
    "ApprovalDecision",
    "Approve",
    "Decisions",
    "Deny",
    "Edit",
    "PendingApproval",
    "code_approval_reason",
    "decide",
    "denied_observation",
    "edited_note",
    "read_decisions",
    "request_for",
    "tool_approval_reason",
]


@dataclass(frozen=True)
class Approve:
    """Run the action as the model proposed it."""


@dataclass(frozen=True)
class Deny:
    """Do not run the action; the model is told so, with `reason`, and the run goes on."""

    reason: str = "No reason was given."


@dataclass(frozen=True)
class Edit:
    """Run the action changed: a tool call with `arguments`, or a code action with `code`.

    The model is told the action ran changed.
    """

    arguments: dict[str, Any] | None = None
    code: str | None = None


ApprovalDecision = Union[Approve, Deny, Edit]
"""A decision on an action awaiting approval."""

ApprovalCallback = Callable[[ApprovalRequest], Union[ApprovalDecision, bool, Awaitable[Any]]]
"""Decides on one request: returns (or, async, resolves to) a decision; True approves, False denies."""

Decisions = Union[ApprovalDecision, bool, Mapping[str, Union[ApprovalDecision, bool]]]
"""What `resume` takes: one decision for every pending action, or decisions by request id."""

_ALL = "*"


@dataclass
class PendingApproval:
    """What a run stopped before actions awaiting approval returns in place of an answer.

    Resume it with `agent.resume(decision)` (or `session.resume`); the requests are also in
    `agent.memory.pending_approvals`, which `AgentMemory.save` keeps.
    """

    requests: list[ApprovalRequest] = field(default_factory=list)

    @property
    def state(self) -> str:
        """Always ``"awaiting_approval"`` (the name `RunResult.state` uses)."""
        return "awaiting_approval"

    def __str__(self) -> str:
        actions = "; ".join(f"{r.id}: {r.tool_call.name} ({r.reason})" for r in self.requests)
        return f"Awaiting approval of {len(self.requests)} action(s): {actions}"


def tool_approval_reason(name: str, tool: Any, arguments: Any) -> str | None:
    """Return why calling `tool` with `arguments` needs approval, or None when it does not."""
    setting = getattr(tool, "requires_approval", False)  # managed agents have no such setting
    if not callable(setting):
        return f"Tool '{name}' requires approval." if setting else None
    try:
        needed = bool(setting(arguments))
    except Exception as error:  # a failing predicate must not let the action through
        return f"Tool '{name}' requires approval (its requires_approval check failed: {error})."
    return f"Tool '{name}' requires approval for these arguments." if needed else None


def code_approval_reason(setting: Any, code: str, callables: Mapping[str, Any]) -> str | None:
    """Return why running `code` needs approval (the agent's setting, or a tool it names), or None."""
    if callable(setting):
        try:
            if setting(code):
                return "This agent requires approval for this code."
        except Exception as error:
            return f"This agent requires approval for code (its check failed: {error})."
    elif setting:
        return "This agent requires approval for every code action."
    named = [
        name
        for name, tool in callables.items()
        if getattr(tool, "requires_approval", False) and re.search(rf"\b{re.escape(name)}\b", code)
    ]
    if named:
        verb = "requires" if len(named) == 1 else "require"
        return f"The code calls {', '.join(named)}, which {verb} approval."
    return None


def read_decisions(decisions: Decisions | None) -> dict[str, ApprovalDecision]:
    """Return the decisions given to `resume` by request id ("*": one for every request).

    Raises:
        TypeError: When a decision is not an `Approve`, `Deny`, `Edit` or bool.
    """
    if decisions is None:
        return {}
    if isinstance(decisions, Mapping):
        return {str(key): _decision(value) for key, value in decisions.items()}
    return {_ALL: _decision(decisions)}


def _decision(value: Any) -> ApprovalDecision:
    if isinstance(value, (Approve, Deny, Edit)):
        return value
    if isinstance(value, bool):
        return Approve() if value else Deny("The user did not approve this action.")
    raise TypeError(
        f"An approval decision must be Approve(), Deny(reason), Edit(arguments=... or code=...) or a bool, "
        f"got {type(value).__name__}: {value!r}."
    )


async def decide(
    run: RunState, requests: list[ApprovalRequest]
) -> dict[str, ApprovalDecision] | AwaitingApproval:
    """Publish the requests and return a decision for each, or `AwaitingApproval` if one is missing."""
    for request in requests:
        await run.bus.emit(ApprovalRequested(run.run_id, request))
    decided: dict[str, ApprovalDecision] = {}
    for request in requests:
        decision = run.decisions.get(request.id, run.decisions.get(_ALL))
        if decision is None and run.approval_callback is not None:
            decision = await _ask(run.approval_callback, request)
        if decision is None:
            return AwaitingApproval(list(requests))
        _check_fits(decision, request)
        decided[request.id] = decision
        await run.bus.emit(ApprovalResolved(run.run_id, request, decision))
    return decided


async def _ask(callback: ApprovalCallback, request: ApprovalRequest) -> ApprovalDecision:
    # A sync callback may block (a prompt, a UI waiting for a click): it runs on a worker thread.
    if inspect.iscoroutinefunction(callback):
        answer = await callback(request)
    else:
        answer = await in_thread(callback, request)
        if inspect.isawaitable(answer):
            answer = await answer
    return _decision(answer)


def _check_fits(decision: ApprovalDecision, request: ApprovalRequest) -> None:
    if not isinstance(decision, Edit):
        return
    if request.is_code and decision.code is None:
        raise TypeError(f"Request {request.id} is a code action: edit it with Edit(code=...).")
    if not request.is_code and not isinstance(decision.arguments, dict):
        raise TypeError(
            f"Request {request.id} is a call to {request.tool_call.name}: edit it with Edit(arguments={{...}})."
        )


def request_for(step_number: int, index: int, call: ToolCall, reason: str) -> ApprovalRequest:
    """Return the request for the `index`-th action of a step (ids are stable across a resume)."""
    return ApprovalRequest(
        id=f"approval-{step_number}-{index}", step_number=step_number, tool_call=call, reason=reason
    )


def denied_observation(name: str, decision: Deny) -> str:
    """Return what the model is told of a denied action."""
    return f"The user denied the call to {name}; it did not run. Reason: {decision.reason}"


def edited_note(request: ApprovalRequest, decision: Edit) -> str:
    """Return the note telling the model its action ran as the user changed it."""
    if request.is_code:
        return f"Note: the user edited your code before it ran; it ran as:\n{decision.code}\n"
    return f"Note: the user changed the arguments of {request.tool_call.name} to {decision.arguments}.\n"
