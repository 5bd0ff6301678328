"""The typed outcome of a step, which the run loop matches exhaustively.

A step function takes the agent's configuration and the run state, records what happened in its
step record, and returns one of these. Nothing else tells the loop what to do next: no flag on an
output, no exception for an error the model should see.

New outcomes (e.g. "stopped, awaiting approval of an action") are added here; every `match` over
`StepOutcome` ends in `assert_never`, so mypy lists each place that must handle them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn, Union

from .._errors import AgentError
from ..memory import ApprovalRequest

__all__ = [
    "AwaitingApproval",
    "Continue",
    "FinalAnswer",
    "RunAborted",
    "StepFailed",
    "StepOutcome",
    "assert_never",
]


@dataclass(slots=True)
class Continue:
    """The step ran; its observations are in memory and the run goes on."""


@dataclass(slots=True)
class FinalAnswer:
    """The step produced an answer that passed every final-answer check: the run ends with it."""

    output: Any


@dataclass(slots=True)
class StepFailed:
    """The step failed in a way the model can fix (parsing, a tool, the code, a rejected answer).

    The error is shown to the model at the next step and the run goes on.
    """

    error: AgentError


@dataclass(slots=True)
class RunAborted:
    """The step failed in a way that ends the run (the model call failed); the error is raised."""

    error: AgentError


@dataclass(slots=True)
class AwaitingApproval:
    """The step stopped before actions that need approval and no one was there to decide.

    The step is in memory with the actions it proposed, and `requests` in
    `memory.pending_approvals`; the run ends, resumable with the decisions (`agent.resume`).
    """

    requests: list[ApprovalRequest]


StepOutcome = Union[Continue, FinalAnswer, StepFailed, RunAborted, AwaitingApproval]


def assert_never(value: NoReturn) -> NoReturn:
    """Mark a branch a `match` can never reach; mypy reports a case left unhandled."""
    raise AssertionError(f"Unhandled case: {value!r}")
