"""A scripted model for tests: it answers from a queue of replies and records every call.

Use it to test your own agents without a real model::

    model = ScriptedModel(["```py\\nfinal_answer(42)\\n```"])
    agent = CodeAgent(tools=[], model=model)
    assert agent.run("What is the answer?") == 42
    assert "What is the answer?" in model.calls[0].messages[-1].text
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from .._errors import AgentGenerationError
from .._messages import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    ChatMessageToolCallStreamDelta,
    MessageRole,
)
from .._usage import TokenUsage
from ._stops import cut_at_stop_sequences
from .base import Model, ModelRequest

if TYPE_CHECKING:
    from ..tools.base import Tool

__all__ = ["ModelCall", "ScriptedModel", "tool_call_message"]

Reply = Union[str, ChatMessage, BaseException, Callable[[list[ChatMessage]], "str | ChatMessage"]]

_call_ids = itertools.count()


@dataclass
class ModelCall:
    """One call received by a `ScriptedModel`."""

    messages: list[ChatMessage]
    stop_sequences: list[str] | None
    response_format: dict[str, Any] | None
    tools_to_call_from: list[Tool] | None
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools offered in this call."""
        return [tool.name for tool in self.tools_to_call_from or ()]


def tool_call_message(*calls: tuple[str, dict[str, Any]], content: str | None = None) -> ChatMessage:
    """Build an assistant message carrying native tool calls, e.g. ``("final_answer", {"answer": 4})``."""
    return ChatMessage(
        role=MessageRole.ASSISTANT,
        content=content,
        tool_calls=[
            ChatMessageToolCall(
                id=f"call_{next(_call_ids)}",
                function=ChatMessageToolCallFunction(name=name, arguments=arguments),
            )
            for name, arguments in calls
        ],
    )


class ScriptedModel(Model):
    """A model that answers with scripted replies, in order, and records each call.

    Args:
        replies: The replies to give, one per call. Each is a string (the reply text), a
            `ChatMessage` (e.g. from `tool_call_message`), an exception (raised by that call), or a
            callable taking the messages and returning a string or a message. A single callable
            may be given instead of a list: it then answers every call.
        delay: Seconds each call takes; `agenerate` sleeps without blocking the event loop.
        stop_sequences_apply: Cut each text reply at the first stop sequence, as a real provider does.
        **kwargs: Stored like any model's instance kwargs and recorded with every call.

    Raises:
        AgentGenerationError: From a call made after the replies ran out.
    """

    supports_streaming = True

    def __init__(
        self,
        replies: Iterable[Reply] | Callable[[list[ChatMessage]], str | ChatMessage] = (),
        *,
        delay: float = 0.0,
        stop_sequences_apply: bool = True,
        model_id: str = "scripted-model",
        **kwargs: Any,
    ) -> None:
        super().__init__(model_id=model_id, **kwargs)
        self._responder = replies if callable(replies) else None
        self._replies: deque[Reply] = deque() if callable(replies) else deque(replies)
        self.delay = delay
        self.stop_sequences_apply = stop_sequences_apply
        self.calls: list[ModelCall] = []

    @property
    def remaining(self) -> int:
        """How many queued replies are left (0 when a responder answers every call)."""
        return len(self._replies)

    def add_replies(self, *replies: Reply) -> None:
        """Queue more replies."""
        self._replies.extend(replies)

    def _next_message(self, request: ModelRequest) -> ChatMessage:
        messages = list(request.messages)
        self.calls.append(
            ModelCall(
                messages,
                request.stop_sequences,
                request.response_format,
                request.tools_to_call_from,
                {**self.kwargs, **request.options},
            )
        )
        if self._responder is not None:
            reply: Reply = self._responder
        elif self._replies:
            reply = self._replies.popleft()
        else:
            raise AgentGenerationError(
                f"ScriptedModel ran out of replies at call {len(self.calls)}: queue more replies "
                "(ScriptedModel([...]) or model.add_replies(...)) for every model call the run makes."
            )
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply) and not isinstance(reply, ChatMessage):
            reply = reply(messages)
        message = reply if isinstance(reply, ChatMessage) else ChatMessage(MessageRole.ASSISTANT, str(reply))
        stop_sequences = request.stop_sequences
        if self.stop_sequences_apply and stop_sequences and isinstance(message.content, str):
            message = ChatMessage(
                message.role,
                cut_at_stop_sequences(message.content, stop_sequences),
                message.tool_calls,
                message.raw,
                message.token_usage,
            )
        message.token_usage = message.token_usage or TokenUsage(
            input_tokens=sum(_count_tokens(m.text) for m in messages),
            output_tokens=_count_tokens(message.text),
        )
        return message

    def _respond(self, request: ModelRequest) -> ChatMessage:
        """Return the next scripted reply, after `delay` seconds."""
        if self.delay:
            time.sleep(self.delay)
        return self._next_message(request)

    async def _arespond(self, request: ModelRequest) -> ChatMessage:
        """Return the next scripted reply, sleeping `delay` seconds without blocking the loop."""
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._next_message(request)

    def _respond_stream(self, request: ModelRequest) -> Iterator[ChatMessageStreamDelta]:
        """Yield the next scripted reply word by word, then its tool calls and usage."""
        yield from _as_deltas(self._respond(request))

    async def _arespond_stream(self, request: ModelRequest) -> AsyncIterator[ChatMessageStreamDelta]:
        """Async twin of `_respond_stream`."""
        for delta in _as_deltas(await self._arespond(request)):
            yield delta


def _as_deltas(message: ChatMessage) -> Iterator[ChatMessageStreamDelta]:
    text = message.text
    start = 0
    while start < len(text):
        end = text.find(" ", start + 1)
        end = len(text) if end == -1 else end
        yield ChatMessageStreamDelta(content=text[start:end])
        start = end
    for index, call in enumerate(message.tool_calls or ()):
        yield ChatMessageStreamDelta(
            tool_calls=[
                ChatMessageToolCallStreamDelta(
                    index=index, id=call.id, type=call.type, function=call.function
                )
            ]
        )
    yield ChatMessageStreamDelta(token_usage=message.token_usage)


def _count_tokens(text: str) -> int:
    return len(text.split())
