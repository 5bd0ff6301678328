"""Pure conversions between our messages and what providers accept."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from .._errors import AgentParsingError
from .._messages import ChatMessage, ChatMessageToolCall, ChatMessageToolCallFunction, MessageRole

__all__ = [
    "get_clean_message_list",
    "get_tool_call_from_text",
    "parse_json_blob",
    "TextParsingError",
    "tool_role_conversions",
]

tool_role_conversions: dict[MessageRole, MessageRole] = {
    MessageRole.TOOL_CALL: MessageRole.ASSISTANT,
    MessageRole.TOOL_RESPONSE: MessageRole.USER,
}


def get_clean_message_list(
    message_list: list[ChatMessage] | list[dict[str, Any]],
    role_conversions: dict[MessageRole, MessageRole] | dict[str, str] | None = None,
    convert_images_to_image_urls: bool = False,
    flatten_messages_as_text: bool = False,
) -> list[dict[str, Any]]:
    """Turn messages into provider-ready dicts.

    Roles are converted (by default our tool-call/tool-response roles become assistant/user),
    consecutive messages of the same role are merged, images become base64 parts (or
    ``image_url`` parts when asked) and, when `flatten_messages_as_text` is set, list content is
    joined into one string for providers that accept only text.
    """
    conversions = {str(k): str(v) for k, v in (role_conversions or tool_role_conversions).items()}
    output: list[dict[str, Any]] = []
    for message in message_list:
        if isinstance(message, dict):
            message = ChatMessage.from_dict(message)
        role = conversions.get(str(message.role), str(message.role))
        if role not in MessageRole.roles():
            raise ValueError(f"Unknown message role {role!r}: use one of {MessageRole.roles()}.")
        parts = _content_parts(message.content, convert_images_to_image_urls)
        if (
            output
            and output[-1]["role"] == role
            and not message.tool_calls
            and not output[-1].get("tool_calls")
        ):
            previous = output[-1]["content"]
            if flatten_messages_as_text:
                output[-1]["content"] = previous + "\n" + _flatten(parts)
            else:
                _merge_parts(previous, parts)
            continue
        entry: dict[str, Any] = {
            "role": role,
            "content": _flatten(parts) if flatten_messages_as_text else parts,
        }
        if message.tool_calls:
            entry["tool_calls"] = [call.dict() for call in message.tool_calls]
        output.append(entry)
    return output


def _content_parts(content: Any, convert_images_to_image_urls: bool) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    parts = []
    for part in content:
        if part.get("type") == "image":
            parts.append(_image_part(part["image"], convert_images_to_image_urls))
        else:
            parts.append(dict(part))
    return parts


def _image_part(image: Any, as_url: bool) -> dict[str, Any]:
    if isinstance(image, str) and image.startswith(("http://", "https://", "data:")):
        encoded_url = image
        encoded = image
    else:
        from ..agent_types import AgentImage

        encoded = AgentImage(image).to_base64()
        encoded_url = f"data:image/png;base64,{encoded}"
    if as_url:
        return {"type": "image_url", "image_url": {"url": encoded_url}}
    return {"type": "image", "image": encoded}


def _merge_parts(previous: list[dict[str, Any]], parts: list[dict[str, Any]]) -> None:
    for part in parts:
        if part["type"] == "text" and previous and previous[-1]["type"] == "text":
            previous[-1]["text"] += "\n" + part["text"]
        else:
            previous.append(part)


def _flatten(parts: list[dict[str, Any]]) -> str:
    return "\n".join(part["text"] for part in parts if part["type"] == "text")


_JSON_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class TextParsingError(AgentParsingError, ValueError):
    """A model output could not be read; also a ValueError, as smolagents 1.26's parsing helpers raise."""


def parse_json_blob(text: str) -> tuple[dict[str, Any], str]:
    """Find the first JSON object in `text`; return it and the text before it.

    Raises:
        TextParsingError: When no JSON object can be decoded, saying where decoding failed.
    """
    fenced = _JSON_FENCE.search(text)
    search_in = fenced.group(1) if fenced else text
    start = search_in.find("{")
    if start == -1:
        raise TextParsingError(
            "The model output does not contain any JSON blob. Write the action as a JSON blob such as "
            '{"name": "tool_name", "arguments": {"arg": "value"}}.'
        )
    decoder = json.JSONDecoder(strict=False)  # models write raw newlines inside strings
    try:
        blob, _ = decoder.raw_decode(search_in[start:])
    except json.JSONDecodeError as error:
        raise TextParsingError(
            f"The JSON blob you used is invalid due to the following error: {error}. It is invalid at line "
            f"{error.lineno}, column {error.colno}, near {search_in[start:][max(error.pos - 4, 0) : error.pos + 5]!r}: "
            "write a single valid JSON object."
        ) from error
    if not isinstance(blob, dict):
        raise TextParsingError("The JSON blob in the model output must be an object, not a list or a value.")
    prefix = text[: text.find(search_in) + start] if fenced else text[:start]
    return blob, prefix


def get_tool_call_from_text(text: str, tool_name_key: str, tool_arguments_key: str) -> ChatMessageToolCall:
    """Read one tool call written as JSON in the text of a model without native tool calls.

    Raises:
        TextParsingError: When the text holds no JSON object or it does not name a tool.
    """
    blob, _ = parse_json_blob(text)
    if tool_name_key not in blob:
        raise TextParsingError(
            f"Tool call needs to have a key {tool_name_key!r}. Got keys: {list(blob)} instead. Name the tool "
            f"to call under {tool_name_key!r} and its arguments under {tool_arguments_key!r}."
        )
    arguments = blob.get(tool_arguments_key)
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError:
            pass  # a plain string argument, e.g. the text of a final answer
    return ChatMessageToolCall(
        id=str(uuid.uuid4()),
        type="function",
        function=ChatMessageToolCallFunction(name=str(blob[tool_name_key]), arguments=arguments),
    )
