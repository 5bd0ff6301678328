"""Open a conversation of its own with an agent, one per browser session of the UI."""

from __future__ import annotations

from typing import Any

__all__ = ["open_session"]


def open_session(agent: Any) -> Any:
    """Return a new conversation with `agent` (its `AgentSession`: own memory, variables, executor).

    Raises:
        TypeError: When `agent` cannot open sessions (not a smolagents agent).
    """
    if callable(getattr(agent, "new_session", None)):
        return agent.new_session()
    raise TypeError(
        f"GradioUI needs an agent with sessions (a smolagents MultiStepAgent), got {type(agent).__name__}."
    )
