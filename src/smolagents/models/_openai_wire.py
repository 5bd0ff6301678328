"""The OpenAI chat-completions wire format, shared by the OpenAI, Azure, LiteLLM and HF backends.

The SDKs of those backends return objects with the same attribute names (`choices[0].message`,
`usage.prompt_tokens`, ...), so one mapping serves them all.
"""

from __future__ import annotations

import json
from typing import Any

from .._messages import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    ChatMessageToolCallStreamDelta,
    MessageRole,
)
from .._usage import TokenUsage
from ._retry import ProviderFailure, failure_from_status, parse_retry_after

__all__ = [
    "classify_openai_error",
    "delta_from_chunk",
    "message_from_completion",
    "to_wire_messages",
    "usage_from",
]


def to_wire_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make cleaned messages valid for the wire: tool-call arguments must be JSON text."""
    wire = []
    for message in messages:
        calls = message.get("tool_calls")
        if calls:
            message = {
                **message,
                "tool_calls": [
                    {
                        **call,
                        "function": {
                            **call["function"],
                            "arguments": _arguments_text(call["function"].get("arguments")),
                        },
                    }
                    for call in calls
                ],
            }
        wire.append(message)
    return wire


def _arguments_text(arguments: Any) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments if arguments is not None else {})


def usage_from(usage: Any) -> TokenUsage | None:
    """Read `prompt_tokens`/`completion_tokens` from a usage object, if there is one."""
    if usage is None:
        return None
    return TokenUsage(
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )


def message_from_completion(response: Any, raw: Any, provider: str) -> ChatMessage:
    """Map a chat completion to a `ChatMessage`.

    Raises:
        MalformedResponse: The response has no choices or no message.
    """
    choices = getattr(response, "choices", None)
    if not choices or getattr(choices[0], "message", None) is None:
        raise MalformedResponse(f"the {provider} response has no choices[0].message: {str(raw)[:300]}")
    message = choices[0].message
    tool_calls = [
        ChatMessageToolCall(
            function=ChatMessageToolCallFunction(name=call.function.name, arguments=call.function.arguments),
            id=call.id,
            type=getattr(call, "type", None) or "function",
        )
        for call in (getattr(message, "tool_calls", None) or ())
    ]
    return ChatMessage(
        role=MessageRole.ASSISTANT,
        content=message.content,
        tool_calls=tool_calls or None,
        raw=raw,
        token_usage=usage_from(getattr(response, "usage", None)),
    )


def delta_from_chunk(chunk: Any) -> ChatMessageStreamDelta | None:
    """Map a chat.completion.chunk to a delta; chunks without content or usage give None."""
    usage = usage_from(getattr(chunk, "usage", None))
    choices = getattr(chunk, "choices", None)
    if not choices:
        return ChatMessageStreamDelta(token_usage=usage) if usage is not None else None
    delta = choices[0].delta
    if delta is None:
        return ChatMessageStreamDelta(token_usage=usage) if usage is not None else None
    calls = [
        ChatMessageToolCallStreamDelta(
            index=call.index,
            id=call.id,
            type=call.type,
            function=ChatMessageToolCallFunction(
                name=call.function.name or "", arguments=call.function.arguments or ""
            )
            if call.function is not None
            else None,
        )
        for call in (getattr(delta, "tool_calls", None) or ())
    ]
    return ChatMessageStreamDelta(content=delta.content or None, tool_calls=calls or None, token_usage=usage)


class MalformedResponse(ValueError):
    """The provider answered with something that is not a completion."""


def classify_openai_error(error: BaseException) -> ProviderFailure | None:
    """Classify exceptions of the openai SDK (LiteLLM's exceptions derive from them too)."""
    import openai

    if isinstance(error, MalformedResponse):
        return ProviderFailure("malformed", detail=str(error))
    if isinstance(error, json.JSONDecodeError):
        return ProviderFailure("malformed", detail=f"the response body is not valid JSON ({error})")
    if isinstance(error, openai.APITimeoutError):  # before APIConnectionError, its parent
        return ProviderFailure("timeout", detail="no answer before the client timeout")
    if isinstance(error, openai.APIStatusError):
        return failure_from_status(
            error.status_code,
            detail=_status_detail(error),
            retry_after=parse_retry_after(error.response.headers.get("retry-after")),
        )
    if isinstance(error, openai.APIConnectionError):
        return ProviderFailure("connection", detail=str(error))
    if isinstance(error, openai.APIResponseValidationError):
        return ProviderFailure("malformed", detail=str(error))
    if isinstance(error, openai.APIError):  # an error event inside a stream
        return ProviderFailure("server", detail=str(error.message))
    return _classify_transport_error(error)


def _classify_transport_error(error: BaseException) -> ProviderFailure | None:
    # Transport errors that an SDK lets through unwrapped (e.g. while a streamed body is read).
    # openai 3.5x runs on the `httpx2` fork, older releases and LiteLLM on `httpx`: check both.
    import sys

    for module_name in ("httpx", "httpx2"):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        if isinstance(error, module.TimeoutException):
            return ProviderFailure("timeout", detail=str(error) or "no answer before the client timeout")
        if isinstance(error, module.TransportError):
            return ProviderFailure("connection", detail=str(error))
    return None


def _status_detail(error: Any) -> str:
    body = error.body
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if isinstance(message, dict):
            message = message.get("message")
        if message:
            return str(message)
    return str(error.message)
