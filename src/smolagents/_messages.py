"""Chat messages exchanged with models: roles, tool calls and stream deltas."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ._usage import TokenUsage

__all__ = [
    "ChatMessage",
    "ChatMessageStreamDelta",
    "ChatMessageToolCall",
    "ChatMessageToolCallFunction",
    "ChatMessageToolCallStreamDelta",
    "MessageRole",
    "agglomerate_stream_deltas",
]

Dict = dict  # the records' `dict()` methods shadow the builtin inside class bodies


class MessageRole(str, Enum):
    """Who speaks in a chat message."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL_CALL = "tool-call"
    TOOL_RESPONSE = "tool-response"

    @classmethod
    def roles(cls) -> list[str]:
        """Return every role value."""
        return [role.value for role in cls]

    def __str__(self) -> str:
        return self.value


@dataclass
class ChatMessageToolCallFunction:
    """The function part of a tool call: which tool and with what arguments."""

    name: str
    arguments: Any
    description: str | None = None


@dataclass
class ChatMessageToolCall:
    """One tool call requested by a model."""

    function: ChatMessageToolCallFunction
    id: str
    type: str = "function"

    def dict(self) -> Dict[str, Any]:
        """Return the call in the OpenAI wire shape."""
        return {
            "id": self.id,
            "type": self.type,
            "function": {"name": self.function.name, "arguments": self.function.arguments},
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ChatMessageToolCall:
        """Build a call from the OpenAI wire shape."""
        function = data["function"]
        return cls(
            function=ChatMessageToolCallFunction(
                name=function["name"],
                arguments=function.get("arguments"),
                description=function.get("description"),
            ),
            id=str(data.get("id", "")),
            type=data.get("type", "function"),
        )


@dataclass
class ChatMessage:
    """A message to or from a model.

    `content` is a string, or a list of parts such as ``{"type": "text", "text": ...}`` and
    ``{"type": "image", "image": ...}``.
    """

    role: MessageRole | str
    content: str | list[Dict[str, Any]] | None = None
    tool_calls: list[ChatMessageToolCall] | None = None
    raw: Any = field(default=None, repr=False, compare=False)
    token_usage: TokenUsage | None = None

    def __post_init__(self) -> None:
        if isinstance(self.role, str) and not isinstance(self.role, MessageRole):
            try:
                self.role = MessageRole(self.role)
            except ValueError:
                pass  # a provider-specific role: keep the string as given

    @property
    def text(self) -> str:
        """The text of the message, with the text parts of list content joined."""
        return content_text(self.content)

    def dict(self) -> Dict[str, Any]:
        """Return a JSON-ready dict (the raw provider response is left out)."""
        return {
            "role": str(self.role),
            "content": _jsonable_content(self.content),
            "tool_calls": [call.dict() for call in self.tool_calls] if self.tool_calls else None,
            "token_usage": self.token_usage.dict() if self.token_usage else None,
        }

    def model_dump_json(self) -> str:
        """Return the message as a JSON string."""
        return json.dumps(self.dict())

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ChatMessage:
        """Build a message from `dict()` output or an OpenAI-style message dict."""
        calls = data.get("tool_calls")
        return cls(
            role=data["role"],
            content=data.get("content"),
            tool_calls=[ChatMessageToolCall.from_dict(call) for call in calls] if calls else None,
            raw=data.get("raw"),
            token_usage=TokenUsage.from_dict(data.get("token_usage")),
        )

    def render_as_markdown(self) -> str:
        """Return the text and tool calls as markdown, for display."""
        rendered = self.text
        if self.tool_calls:
            rendered += "\n".join(
                f"\n\nTool call `{call.function.name}`: `{json.dumps(call.function.arguments)}`"
                for call in self.tool_calls
            )
        return rendered


@dataclass
class ChatMessageToolCallStreamDelta:
    """A fragment of a tool call in a streamed response."""

    index: int | None = None
    id: str | None = None
    type: str | None = None
    function: ChatMessageToolCallFunction | None = None


@dataclass
class ChatMessageStreamDelta:
    """A fragment of a streamed model response."""

    content: str | None = None
    tool_calls: list[ChatMessageToolCallStreamDelta] | None = None
    token_usage: TokenUsage | None = None


def content_text(content: str | list[Dict[str, Any]] | None) -> str:
    """Return the text of message content, joining the text parts of list content."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content if part.get("type") == "text")


def _jsonable_content(content: str | list[Dict[str, Any]] | None) -> Any:
    if not isinstance(content, list):
        return content
    parts = []
    for part in content:
        if part.get("type") == "image" and not isinstance(part.get("image"), str):
            from .agent_types import AgentImage  # images are encoded only when present

            parts.append({"type": "image", "image": AgentImage(part["image"]).to_base64()})
        else:
            parts.append(part)
    return parts


def agglomerate_stream_deltas(
    deltas: Iterable[ChatMessageStreamDelta], role: MessageRole = MessageRole.ASSISTANT
) -> ChatMessage:
    """Join stream deltas into one message: text concatenated, tool calls assembled by index.

    Token usage is summed over the deltas that carry one; providers that report usage only on
    the last chunk are therefore counted once.
    """
    text_parts: list[str] = []
    calls: Dict[int, Dict[str, Any]] = {}
    usage: TokenUsage | None = None
    for delta in deltas:
        if delta.content:
            text_parts.append(delta.content)
        if delta.token_usage is not None:
            usage = delta.token_usage if usage is None else usage + delta.token_usage
        for call_delta in delta.tool_calls or ():
            index = call_delta.index if call_delta.index is not None else len(calls)
            call = calls.setdefault(index, {"id": None, "type": "function", "name": "", "arguments": ""})
            if call_delta.id:
                call["id"] = call_delta.id
            if call_delta.type:
                call["type"] = call_delta.type
            if call_delta.function is not None:
                call["name"] += call_delta.function.name or ""
                arguments = call_delta.function.arguments
                if isinstance(arguments, str):
                    call["arguments"] += arguments
                elif arguments is not None:
                    call["arguments"] = arguments
    tool_calls = [
        ChatMessageToolCall(
            function=ChatMessageToolCallFunction(name=call["name"], arguments=call["arguments"]),
            id=call["id"] or f"call_{index}",
            type=call["type"],
        )
        for index, call in sorted(calls.items())
    ]
    return ChatMessage(
        role=role,
        content="".join(text_parts) or None,
        tool_calls=tool_calls or None,
        token_usage=usage,
    )
