"""Asking the model, for a plan, an action or a final answer, and the record of its reply.

The model is called as smolagents 1.26 calls it: the messages positionally, then only the
keywords in use (`stop_sequences`; `response_format` and `tools_to_call_from` only when the agent
uses them). Any object with a `generate` method works: our `Model`s are awaited natively, anything
else (a model that implements only `generate`, a duck-typed object, a `unittest.mock` model) runs
on a worker thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import AgentGenerationError
from .._events import ModelCallFinished, ModelCallStarted, StepKind
from .._messages import ChatMessage, ChatMessageStreamDelta, MessageRole, agglomerate_stream_deltas
from .._threads import in_thread
from .._usage import TokenUsage
from ..memory import ActionStep
from ..models.base import Model
from .config import AgentConfig
from .run_state import RunState
from .sync import closing

__all__ = ["ModelReply", "as_chat_message", "ask_model", "model_id_of", "model_label"]


@dataclass
class ModelReply:
    """One model call: what the model was given and what it answered."""

    input_messages: list[ChatMessage]
    message: ChatMessage

    def record(self, step: ActionStep) -> ChatMessage:
        """Store the call on an action step (input, output, usage) and return the answer."""
        step.model_input_messages = self.input_messages
        step.model_output_message = self.message
        step.model_output = self.message.text or None
        step.token_usage = self.message.token_usage
        return self.message


async def ask_model(
    config: AgentConfig,
    run: RunState,
    purpose: StepKind,
    messages: list[ChatMessage],
    *,
    stop_sequences: Sequence[str] | None = None,
    response_format: dict[str, Any] | None = None,
    tools: Sequence[Any] | None = None,
    options: Mapping[str, Any] | None = None,
) -> ModelReply:
    """Call the model once, publishing the call's start, deltas (when streaming) and end.

    Raises:
        AgentGenerationError: The model failed or answered with something that is not a message.
    """
    keywords: dict[str, Any] = {}
    if stop_sequences is not None:
        keywords["stop_sequences"] = list(stop_sequences)
    if response_format is not None:
        keywords["response_format"] = response_format
    if tools is not None:
        keywords["tools_to_call_from"] = list(tools)
    keywords.update(options or {})  # keywords only some models take (they declare it)
    # A summary of earlier steps is not part of the answer a streaming reader shows.
    is_streaming = config.stream_outputs and purpose not in ("final_answer", "summary")
    started = ModelCallStarted(
        run_id=run.run_id,
        step_number=run.step_number,
        purpose=purpose,
        model_id=config.model_id,
        messages=tuple(messages),
        stop_sequences=tuple(stop_sequences or ()),
        tool_names=tuple(getattr(tool, "name", "") for tool in tools or ()),
        is_streaming=is_streaming,
    )
    bus = run.bus
    await bus.emit(started)
    try:
        with bus.scope(started):
            if is_streaming:
                message = await _stream(config.model, messages, keywords, run)
            else:
                message = await _complete(config.model, messages, keywords)
    except Exception as failure:
        error = failure if isinstance(failure, AgentGenerationError) else _generation_error(failure)
        await bus.emit(_finished(started, error=error))
        if error is failure:
            raise
        raise error from failure
    await bus.emit(_finished(started, message=message))
    return ModelReply(messages, message)


def _finished(
    started: ModelCallStarted, message: ChatMessage | None = None, error: AgentGenerationError | None = None
) -> ModelCallFinished:
    return ModelCallFinished(
        run_id=started.run_id,
        step_number=started.step_number,
        purpose=started.purpose,
        model_id=started.model_id,
        message=message,
        error=error,
    )


def _is_our_model(model: Any) -> bool:
    # The real type, not `isinstance`: a `MagicMock(spec=Model)` claims to be a Model.
    return issubclass(type(model), Model)


async def _complete(model: Any, messages: list[ChatMessage], keywords: dict[str, Any]) -> ChatMessage:
    if _is_our_model(model):
        reply = await model.agenerate(messages, **keywords)
    else:
        reply = await in_thread(model.generate, messages, **keywords)
    return as_chat_message(reply)


async def _stream(
    model: Any, messages: list[ChatMessage], keywords: dict[str, Any], run: RunState
) -> ChatMessage:
    received: list[ChatMessageStreamDelta] = []
    async for delta in _deltas(model, messages, keywords):
        received.append(delta)
        await run.bus.emit(delta)
    return agglomerate_stream_deltas(received)


async def _deltas(
    model: Any, messages: list[ChatMessage], keywords: dict[str, Any]
) -> AsyncIterator[ChatMessageStreamDelta]:
    if _is_our_model(model):
        async with closing(model.agenerate_stream(messages, **keywords)) as stream:
            async for delta in stream:
                yield delta
        return
    if getattr(type(model), "generate_stream", None) is None:  # a duck-typed model that cannot stream
        message = await _complete(model, messages, keywords)
        yield ChatMessageStreamDelta(content=message.text or None, token_usage=message.token_usage)
        return
    chunks: Iterator[Any] = iter(await in_thread(model.generate_stream, messages, **keywords))
    done = object()
    while (delta := await in_thread(next, chunks, done)) is not done:
        yield delta


def as_chat_message(reply: Any) -> ChatMessage:
    """Return a model's reply as a `ChatMessage`.

    Accepts a `ChatMessage`, a string, a message dict, or an object with a string `content`
    (a message class of another library).

    Raises:
        AgentGenerationError: For anything else, e.g. the `MagicMock` an unconfigured mock returns.
    """
    if isinstance(reply, ChatMessage):
        return reply
    if isinstance(reply, str):
        return ChatMessage(MessageRole.ASSISTANT, reply)
    if isinstance(reply, dict) and "role" in reply:
        return ChatMessage.from_dict(reply)
    content = getattr(reply, "content", None)
    if isinstance(content, (str, list)):
        calls = getattr(reply, "tool_calls", None)
        usage = getattr(reply, "token_usage", None)
        return ChatMessage(
            MessageRole.ASSISTANT,
            content,
            tool_calls=calls if isinstance(calls, list) else None,
            raw=reply,
            token_usage=usage if isinstance(usage, TokenUsage) else None,
        )
    raise AgentGenerationError(
        f"The model's generate() returned a {type(reply).__name__}, not a ChatMessage. Make it return "
        "ChatMessage(role='assistant', content='...'); with a unittest.mock model, set "
        "model.generate.return_value (or side_effect) to ChatMessage objects."
    )


def _generation_error(error: Exception) -> AgentGenerationError:
    return AgentGenerationError(
        f"Error while generating output:\nThe model call failed with {type(error).__name__}: {error}"
    )


def model_id_of(model: Any) -> str | None:
    """Return the model's `model_id` when it has a string one (custom models may have none)."""
    model_id = getattr(model, "model_id", None)
    return model_id if isinstance(model_id, str) else None


def model_label(model: Any) -> str:
    """Return ``ClassName - model_id`` (or the class name alone), to show which model runs."""
    model_id = model_id_of(model)
    return f"{type(model).__name__} - {model_id}" if model_id else type(model).__name__
