"""Step callbacks and final-answer checks: user code the loop calls at fixed points."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._errors import AgentError
from ..memory import ActionStep, AgentMemory, MemoryStep

__all__ = ["StepCallbacks", "run_final_answer_checks"]

Callback = Callable[..., Any]


def _accepts_agent(function: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False  # builtins without a signature: call them with the step only
    return any(p.kind is p.VAR_KEYWORD or p.name == "agent" for p in parameters)


class StepCallbacks:
    """Callables run after each step, chosen by the step's type.

    A list registers its callables for action steps; a dict maps a step type (e.g.
    `PlanningStep`) to a callable or a list of callables. Each is called as
    ``callback(step, agent=agent)``, or ``callback(step)`` when it takes no `agent`.
    """

    def __init__(
        self, callbacks: list[Callback] | dict[type[MemoryStep], Callback | list[Callback]] | None
    ) -> None:
        self._by_type: dict[type, list[tuple[Callback, bool]]] = {}
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

    def register(self, step_type: type, callback: Callback) -> None:
        """Run `callback` after every step of `step_type` (or a subclass)."""
        if not callable(callback):
            raise TypeError(f"Step callback {callback!r} for {step_type.__name__} is not callable.")
        self._by_type.setdefault(step_type, []).append((callback, _accepts_agent(callback)))

    def __bool__(self) -> bool:
        return bool(self._by_type)

    def __call__(self, step: MemoryStep, agent: Any) -> None:
        for step_type, callbacks in self._by_type.items():
            if isinstance(step, step_type):
                for callback, takes_agent in callbacks:
                    if takes_agent:
                        callback(step, agent=agent)
                    else:
                        callback(step)

    def subscriber(self, agent: Any) -> Callable[[Any], None]:
        """Return the event subscriber that runs these callbacks on each finished step record.

        Planning, action and final-answer steps are published when they are complete, so a
        callback sees each step once, in order.
        """

        def on_event(event: Any) -> None:
            if self._by_type and isinstance(event, MemoryStep):
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
                f"Final answer check '{name}' failed with {type(error).__name__}: {error}. "
                f"The answer {answer!r:.200} was not accepted; give an answer that passes the check."
            ) from error
        if not accepted:
            raise AgentError(
                f"Final answer check '{name}' rejected the answer {answer!r:.200}; "
                "give an answer that passes the check."
            )
