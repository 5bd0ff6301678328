"""Open a conversation of its own with an agent: `agent.new_session()`, or a bridge until it exists.

The UI gives every browser session its own conversation. Agents that offer `new_session()` (the
`AgentSession` API of the spine) are used as they are. Until every agent class has it, a
`_BridgeSession` gives one conversation of a `MultiStepAgent` its own memory, executor state and
stop control, built on the agent's per-run state: delete the bridge once `new_session` is on every
`MultiStepAgent`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from .._agent.run_state import RunState
from .._agent.sync import iterate_sync
from ..memory import AgentMemory

__all__ = ["open_session"]

# Starting a run reads and replaces the agent's "latest run" pointer: one start at a time.
_start_lock = threading.Lock()


def open_session(agent: Any) -> Any:
    """Return a new conversation with `agent` (an `AgentSession` or an object with the same API).

    Raises:
        TypeError: When `agent` can neither open sessions nor be bridged (not a smolagents agent).
    """
    if callable(getattr(agent, "new_session", None)):
        return agent.new_session()
    if all(hasattr(agent, name) for name in ("_start_run", "_events", "_current")):
        return _BridgeSession(agent)
    raise TypeError(
        f"GradioUI needs an agent with sessions (a smolagents MultiStepAgent), got {type(agent).__name__}."
    )


class _BridgeSession:
    """One conversation with an agent that has no `new_session()` (the `AgentSession` subset the UI uses)."""

    def __init__(self, agent: Any) -> None:
        self.agent = agent
        self._latest: RunState | None = None
        self._running: RunState | None = None

    @property
    def memory(self) -> AgentMemory:
        """The memory of this conversation (an empty memory before its first run)."""
        if self._latest is None:
            return AgentMemory(self.agent.system_prompt)
        return self._latest.memory

    def run(self, task: str, stream: bool = False, **options: Any) -> Any:
        """Continue this conversation with `task` (streaming only: the UI's use)."""
        if not stream:
            raise NotImplementedError("this bridge runs streamed tasks only")
        agent = self.agent
        with _start_lock:
            shown = agent._current
            agent._current = self._latest
            try:
                run: RunState = agent._start_run(
                    task,
                    self._latest is None,
                    options.get("images"),
                    options.get("additional_args"),
                    options.get("max_steps"),
                )
            finally:
                agent._current = shown  # other conversations' `agent.memory` is left as it was
        self._latest = self._running = run
        return self._events(run)

    def _events(self, run: RunState) -> Iterator[Any]:
        try:
            yield from iterate_sync(self.agent._events(run))
        finally:
            self._running = None

    def reset(self) -> None:
        """Start a fresh conversation: new memory, new variables, a new local executor."""
        self._latest = None

    def interrupt(self) -> None:
        """Stop this conversation's running task at the end of its current step."""
        running = self._running
        if running is not None:
            running.interrupt_requested = True
