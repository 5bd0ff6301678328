"""Step callbacks and final-answer checks: user code the loop calls at fixed points."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._errors import AgentError
from ..memory import ActionStep, AgentMemory, CallbackRegistry, MemoryStep

__all__ = ["StepCallbacks", "run_final_answer_checks"]

Callback = Callable[..., Any]


def _accepts_agent(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False  # builtins without a signature: call them with the step only
    return any(p.kind is p.VAR_KEYWORD or p.name == "agent" for p in parameters)


class StepCallbacks(CallbackRegistry):
    """The agent's step callbacks, built from its `step_callbacks` argument.

    A list registers its callables for action steps; a dict maps a step type (e.g.
    `PlanningStep`) to a callable or a list of callables. Each is called as
    ``callback(step, agent=agent)``, or ``callback(step)`` when it takes no `agent`.
    """

    def __init__(
        self, callbacks: list[Callback] | dict[type[MemoryStep], Callback | list[Callback]] | None
    ) -> None:
        super().__init__()
        if callbacks is None:
            return
        if isinstance(callbacks, dict):
            for step_type, registered in callbacks.items():
                for callback in registered if isinstance(registered, list) else [registered]:
                    self.register(step_type, callback)
        elif isinstance(callbacks, (list, tuple)):
            for callback in callbacks:
                self.register(ActionStep, callback)
        else:
            raise TypeError(
                "step_callbacks must be a list of callables or a dict mapping step types to callables, "
                f"got {type(callbacks).__name__}."
            )

    def __call__(self, step: MemoryStep, agent: Any) -> None:
        self.callback(step, agent=agent)

    def subscriber(self, agent: Any) -> Callable[[Any], None]:
        """Return the event subscriber that runs these callbacks on each finished step record.

        Planning, action and final-answer steps are published when they are complete, so a
        callback sees each step once, in order.
        """

        def on_event(event: Any) -> None:
            if self and isinstance(event, MemoryStep):
                self(event, agent)

        return on_event


def run_final_answer_checks(checks: list[Callback], answer: Any, memory: AgentMemory, agent: Any) -> None:
    """Call each check as ``check(answer, memory)`` (plus ``agent=`` when it takes it).

    Raises:
        AgentError: When a check returns a falsy value or raises, naming the check.
    """
    for check in checks:
        name = getattr(check, "__name__", repr(check))
        try:
            accepted = check(answer, memory, agent=agent) if _accepts_agent(check) else check(answer, memory)
        except Exception as error:
            raise AgentError(
                f"Check {name} failed with error: {type(error).__name__}: {error}. "
                f"The answer {answer!r:.200} was not accepted; give an answer that passes the check."
            ) from error
        if not accepted:
            raise AgentError(
                f"Check {name} failed with error: it rejected the answer {answer!r:.200}; "
                "give an answer that passes the check."
            )
