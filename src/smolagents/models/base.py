"""The model interface every backend implements, and the request assembly they share."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .._messages import (
    ChatMessage,
    ChatMessageStreamDelta,
    MessageRole,
)
from .conversion import get_clean_message_list, get_tool_call_from_text, tool_role_conversions

if TYPE_CHECKING:
    from ..tools.base import Tool

__all__ = ["REMOVE_PARAMETER", "Model", "get_tool_json_schema"]


class _RemoveParameter:
    """Sentinel type: a keyword argument set to it is left out of the provider call."""

    _instance: _RemoveParameter | None = None

    def __new__(cls) -> _RemoveParameter:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REMOVE_PARAMETER"

    def __reduce__(self) -> str:
        return "REMOVE_PARAMETER"


REMOVE_PARAMETER = _RemoveParameter()


def get_tool_json_schema(tool: Tool) -> dict[str, Any]:
    """Return the OpenAI function-calling schema of a tool."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, spec in tool.inputs.items():
        prop = {key: value for key, value in spec.items() if key != "nullable"}
        if prop.get("type") in ("image", "audio"):
            prop["type"] = "string"
        elif prop.get("type") == "any":
            prop.pop("type")
        if spec.get("nullable"):
            prop["nullable"] = True
        else:
            required.append(name)
        properties[name] = prop
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


class Model:
    """Base class of model backends.

    Subclasses implement `generate` (and `generate_stream` when they can stream); the async
    twins default to running the sync calls on a worker thread, and backends with a native
    async client override them.

    Args:
        flatten_messages_as_text: Send message content as plain strings instead of lists of parts.
        tool_name_key: Key naming the tool in JSON tool calls written as text.
        tool_arguments_key: Key holding the arguments in JSON tool calls written as text.
        model_id: The model identifier used by the backend.
        **kwargs: Forwarded to every completion call (e.g. ``temperature=0.2``); per-call keyword
            arguments win, and a value of `REMOVE_PARAMETER` leaves the key out entirely.
    """

    supports_streaming: bool = False
    supports_native_tool_calls: bool = True
    # Whether `generate` takes `code_block_tags=(opening, closing)`: CodeAgent passes it to such
    # models to say that it asks for a code action, and in which tags (local models use it to
    # constrain decoding); other models receive only 1.26's keywords.
    accepts_code_block_tags: bool = False

    def __init__(
        self,
        flatten_messages_as_text: bool = False,
        tool_name_key: str = "name",
        tool_arguments_key: str = "arguments",
        model_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.flatten_messages_as_text = flatten_messages_as_text
        self.tool_name_key = tool_name_key
        self.tool_arguments_key = tool_arguments_key
        self.model_id = model_id
        self.kwargs = kwargs

    @property
    def supports_stop_parameter(self) -> bool:
        """Whether the provider accepts stop sequences (otherwise they are applied client-side)."""
        return True

    def _prepare_completion_kwargs(
        self,
        messages: list[ChatMessage] | list[dict[str, Any]],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        convert_images_to_image_urls: bool = False,
        tool_choice: str | dict[str, Any] | None = "required",
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Assemble the request: messages, stop, tools, then instance kwargs, then per-call kwargs.

        Keys whose final value is `REMOVE_PARAMETER` are dropped.
        """
        role_conversions = custom_role_conversions or tool_role_conversions
        completion: dict[str, Any] = {
            "messages": get_clean_message_list(
                messages,
                role_conversions=role_conversions,
                convert_images_to_image_urls=convert_images_to_image_urls,
                flatten_messages_as_text=self.flatten_messages_as_text,
            )
        }
        if stop_sequences is not None and self.supports_stop_parameter:
            completion["stop"] = stop_sequences
        if response_format is not None:
            completion["response_format"] = response_format
        if tools_to_call_from:
            completion["tools"] = [get_tool_json_schema(tool) for tool in tools_to_call_from]
            if tool_choice is not None:
                completion["tool_choice"] = tool_choice
        completion.update(self.kwargs)
        completion.update(kwargs)
        return {key: value for key, value in completion.items() if value is not REMOVE_PARAMETER}

    def generate(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> ChatMessage:
        """Return the model's reply to `messages`."""
        raise NotImplementedError(f"{type(self).__name__} does not implement generate().")

    def generate_stream(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatMessageStreamDelta]:
        """Yield the reply as deltas. Backends that cannot stream yield the whole reply once."""
        message = self.generate(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        yield ChatMessageStreamDelta(content=message.text or None, token_usage=message.token_usage)

    async def agenerate(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> ChatMessage:
        """Async twin of `generate`; by default runs it on a worker thread."""
        return await asyncio.to_thread(
            self.generate, messages, stop_sequences, response_format, tools_to_call_from, **kwargs
        )

    async def agenerate_stream(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatMessageStreamDelta]:
        """Async twin of `generate_stream`; by default drives the sync stream on a worker thread."""
        stream = self.generate_stream(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        done = object()
        while True:
            delta = await asyncio.to_thread(next, stream, done)
            if delta is done:
                return
            yield delta  # type: ignore[misc]  # `done` is filtered above

    def __call__(self, *args: Any, **kwargs: Any) -> ChatMessage:
        return self.generate(*args, **kwargs)

    def parse_tool_calls(self, message: ChatMessage) -> ChatMessage:
        """Make sure `message` carries tool calls, reading them from its text when needed.

        Arguments given as JSON strings are decoded.
        """
        message.role = MessageRole.ASSISTANT
        if not message.tool_calls:
            message.tool_calls = [
                get_tool_call_from_text(message.text, self.tool_name_key, self.tool_arguments_key)
            ]
        for call in message.tool_calls:
            call.function.arguments = parse_json_if_needed(call.function.arguments)
        return message

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration needed to rebuild this model (secrets are left out)."""
        data: dict[str, Any] = {"class": type(self).__name__, "model_id": self.model_id}
        data.update(
            {
                key: value
                for key, value in self.kwargs.items()
                if value is not REMOVE_PARAMETER and _is_json(value) and not is_secret_name(key)
            }
        )
        return data

    @classmethod
    def from_dict(cls, model_dictionary: dict[str, Any]) -> Model:
        """Rebuild a model from `to_dict()` output."""
        data = {key: value for key, value in model_dictionary.items() if key != "class"}
        return cls(**data)


def parse_json_if_needed(arguments: Any) -> Any:
    """Decode tool-call arguments given as a JSON string; leave anything else as it is."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except json.JSONDecodeError:
            return arguments
    return arguments


_SECRET_MARKERS = ("key", "secret", "password", "credential", "auth")


def is_secret_name(name: str) -> bool:
    """Whether a setting's name says it holds a credential (``api_key``, ``hf_token``, ...).

    Counts such as ``max_tokens`` are not credentials.
    """
    lowered = name.lower()
    return any(marker in lowered for marker in _SECRET_MARKERS) or lowered.endswith("token")


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
