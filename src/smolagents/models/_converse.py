"""The Amazon Bedrock Converse wire format: pure conversions from and to our messages."""

from __future__ import annotations

import base64
import binascii
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

__all__ = [
    "delta_from_event",
    "message_from_converse",
    "to_converse_messages",
    "to_tool_config",
]

# Common sampling kwargs, given OpenAI-style to every model class, and their Converse names.
INFERENCE_CONFIG_NAMES = {"max_tokens": "maxTokens", "temperature": "temperature", "top_p": "topP"}
_IMAGE_FORMATS = {"png", "jpeg", "gif", "webp"}


def to_converse_messages(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split cleaned messages into Converse `system` blocks and user/assistant `messages`."""
    system: list[dict[str, Any]] = []
    converse: list[dict[str, Any]] = []
    for message in messages:
        blocks = _content_blocks(message.get("content"))
        # Earlier tool calls are shown as text: a toolUse block would need a matching toolResult.
        for call in message.get("tool_calls") or ():
            arguments = call["function"].get("arguments")
            text = arguments if isinstance(arguments, str) else json.dumps(arguments)
            blocks.append({"text": f"Calling tool {call['function']['name']} with arguments {text}"})
        if message["role"] == MessageRole.SYSTEM.value:
            system.extend(block for block in blocks if "text" in block)
            continue
        if not blocks:
            continue
        if converse and converse[-1]["role"] == message["role"]:
            converse[-1]["content"].extend(blocks)  # Converse requires alternating roles
        else:
            converse.append({"role": message["role"], "content": blocks})
    return system, converse


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content.strip() else []
    blocks = []
    for part in content:
        if part["type"] == "text":
            if part["text"].strip():  # Converse rejects blank text blocks
                blocks.append({"text": part["text"]})
        elif part["type"] == "image":
            blocks.append(_image_block(part["image"]))
        elif part["type"] == "image_url":
            blocks.append(_image_block(part["image_url"]["url"]))
        else:
            raise ValueError(
                f"Bedrock Converse cannot take message parts of type {part['type']!r}; send text or images."
            )
    return blocks


def _image_block(image: str) -> dict[str, Any]:
    image_format = "png"
    if image.startswith(("http://", "https://")):
        raise ValueError(
            "Bedrock Converse takes image bytes, not URLs: download the image and pass it as a PIL image or bytes."
        )
    if image.startswith("data:"):
        header, _, image = image.partition(",")
        subtype = header.removeprefix("data:image/").split(";")[0]
        image_format = "jpeg" if subtype == "jpg" else subtype
        if image_format not in _IMAGE_FORMATS:
            raise ValueError(f"Bedrock Converse takes png, jpeg, gif or webp images, not {subtype!r}.")
    try:
        data = base64.b64decode(image, validate=True)
    except binascii.Error as error:
        raise ValueError("An image part is neither a data URL nor valid base64.") from error
    return {"image": {"format": image_format, "source": {"bytes": data}}}


def to_tool_config(tools: list[dict[str, Any]], tool_choice: Any) -> dict[str, Any]:
    """Turn OpenAI function schemas and a tool choice into a Converse `toolConfig`."""
    config: dict[str, Any] = {
        "tools": [
            {
                "toolSpec": {
                    "name": tool["function"]["name"],
                    "description": tool["function"]["description"] or tool["function"]["name"],
                    "inputSchema": {"json": tool["function"]["parameters"]},
                }
            }
            for tool in tools
        ]
    }
    if tool_choice == "required":
        config["toolChoice"] = {"any": {}}
    elif tool_choice == "auto":
        config["toolChoice"] = {"auto": {}}
    elif isinstance(tool_choice, dict):
        name = tool_choice.get("function", {}).get("name") or tool_choice.get("name")
        config["toolChoice"] = {"tool": {"name": name}}
    return config


def message_from_converse(response: dict[str, Any]) -> ChatMessage:
    """Map a Converse response to a `ChatMessage`.

    Raises:
        KeyError: The response has no ``output.message``.
    """
    content = response["output"]["message"]["content"]
    texts = [block["text"] for block in content if "text" in block]
    tool_calls = [
        ChatMessageToolCall(
            function=ChatMessageToolCallFunction(
                name=block["toolUse"]["name"], arguments=block["toolUse"]["input"]
            ),
            id=block["toolUse"]["toolUseId"],
        )
        for block in content
        if "toolUse" in block
    ]
    raw = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    return ChatMessage(
        role=MessageRole.ASSISTANT,
        content="".join(texts) if texts else None,
        tool_calls=tool_calls or None,
        raw=raw,
        token_usage=usage_from(response.get("usage")),
    )


def usage_from(usage: dict[str, Any] | None) -> TokenUsage | None:
    """Read `inputTokens`/`outputTokens`."""
    if not usage:
        return None
    return TokenUsage(int(usage.get("inputTokens", 0)), int(usage.get("outputTokens", 0)))


def delta_from_event(event: dict[str, Any]) -> ChatMessageStreamDelta | None:
    """Map one ConverseStream event to a delta; events without content or usage give None."""
    if "contentBlockDelta" in event:
        body = event["contentBlockDelta"]
        delta = body["delta"]
        if "text" in delta:
            return ChatMessageStreamDelta(content=delta["text"])
        if "toolUse" in delta:
            fragment = ChatMessageToolCallFunction(name="", arguments=delta["toolUse"].get("input", ""))
            call = ChatMessageToolCallStreamDelta(index=body.get("contentBlockIndex"), function=fragment)
            return ChatMessageStreamDelta(tool_calls=[call])
        return None
    if "contentBlockStart" in event:
        body = event["contentBlockStart"]
        tool_use = body.get("start", {}).get("toolUse")
        if tool_use is None:
            return None
        call = ChatMessageToolCallStreamDelta(
            index=body.get("contentBlockIndex"),
            id=tool_use["toolUseId"],
            type="function",
            function=ChatMessageToolCallFunction(name=tool_use["name"], arguments=""),
        )
        return ChatMessageStreamDelta(tool_calls=[call])
    if "metadata" in event:
        usage = usage_from(event["metadata"].get("usage"))
        return ChatMessageStreamDelta(token_usage=usage) if usage is not None else None
    return None
