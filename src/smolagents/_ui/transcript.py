"""The chat view of one run, updated event by event as the run streams."""

from __future__ import annotations

import itertools
from typing import Any

from .._messages import ChatMessageStreamDelta, agglomerate_stream_deltas
from ..memory import ActionStep, FinalAnswerStep, PlanningStep, ToolCall
from .chat_rendering import Message, pending_step_messages, step_messages

__all__ = ["RunTranscript"]

_transcripts = itertools.count(1)


class RunTranscript:
    """The messages of one run: finished steps, plus the block of the step still running.

    Usage: ``transcript.add(event)`` for each streamed event (it returns whether the view
    changed), then show ``transcript.messages``.

    Args:
        first_step: The number of the run's first action step (continued conversations go on
            counting where the previous run stopped).
    """

    def __init__(self, first_step: int = 1) -> None:
        self._prefix = f"run{next(_transcripts)}"
        self._blocks = itertools.count(1)
        self._finished: list[Message] = []
        self._step_number = first_step
        self._deltas: list[ChatMessageStreamDelta] = []
        self._calls: list[ToolCall] = []
        self._pending_id = self._new_id()
        self.final_answer: Any = None
        self.is_finished = False

    def _new_id(self) -> str:
        return f"{self._prefix}-{next(self._blocks)}"

    @property
    def messages(self) -> list[Message]:
        """The messages to show now: finished steps, then the running step if anything is known."""
        if not self._deltas and not self._calls:
            return list(self._finished)
        text = agglomerate_stream_deltas(self._deltas).render_as_markdown()
        title = f"Step {self._step_number}"
        return self._finished + pending_step_messages(title, self._pending_id, text, self._calls)

    def add(self, event: Any) -> bool:
        """Take one streamed event into the view; return whether the messages changed."""
        if isinstance(event, ChatMessageStreamDelta):
            self._deltas.append(event)
            return bool(event.content or event.tool_calls)
        if isinstance(event, ToolCall):
            self._calls.append(event)
            return True
        if isinstance(event, (ActionStep, PlanningStep)):
            self._finished += step_messages(event, self._pending_id)
            if isinstance(event, ActionStep):
                self._step_number = event.step_number + 1
            self._deltas, self._calls, self._pending_id = [], [], self._new_id()
            return True
        if isinstance(event, FinalAnswerStep):
            self.final_answer, self.is_finished = event.output, True
            self._finished += step_messages(event, self._new_id())
            return True
        return False  # tool outputs and action outputs: the step record that follows shows them

    def close_pending(self) -> None:
        """Drop the block of an unfinished step (the run ended without recording it)."""
        self._deltas, self._calls = [], []
