"""One conversation per browser session: its agent session, its chat history, whether it runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .._agent.configuration import next_step_number
from .chat_rendering import Message
from .sessions import open_session

__all__ = ["Conversation", "Conversations"]


@dataclass
class Conversation:
    """The state of one visitor's chat.

    Attributes:
        session: The agent session (own memory and executor state) answering this visitor.
        history: The messages shown in this visitor's chat.
        is_running: Whether a run of this conversation is in progress.
        is_stopping: Whether the visitor asked to stop that run.
    """

    session: Any  # an AgentSession; typed loosely so custom agents with the same API work too
    history: list[Message] = field(default_factory=list)
    is_running: bool = False
    is_stopping: bool = False

    @property
    def next_step_number(self) -> int:
        """The number the next action step of this conversation will have."""
        return next_step_number(self.session.memory)

    def stop(self) -> None:
        """Ask the running run to stop at the end of its current step."""
        if self.is_running:
            self.is_stopping = True
            self.session.interrupt()

    def restart(self) -> None:
        """Start a fresh conversation: empty history, new memory and executor state."""
        self.session.reset()
        self.history = []


class Conversations:
    """The conversations of every browser session of one app, made on first use.

    Args:
        agent: The agent that serves every conversation, each in a session of its own.
    """

    def __init__(self, agent: Any) -> None:
        open_session(agent)  # refuses, now rather than at the first visit, an agent without sessions
        self._agent = agent
        self._by_key: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Conversation:
        """Return the conversation of browser session `key`, starting one if needed."""
        with self._lock:
            conversation = self._by_key.get(key)
            if conversation is None:
                conversation = self._by_key[key] = Conversation(open_session(self._agent))
            return conversation

    def forget(self, key: str) -> None:
        """Drop the conversation of a closed browser session, stopping its run if one is going."""
        with self._lock:
            conversation = self._by_key.pop(key, None)
        if conversation is not None:
            conversation.stop()

    def __len__(self) -> int:
        return len(self._by_key)
