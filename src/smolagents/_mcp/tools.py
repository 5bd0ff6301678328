"""MCP tools as smolagents tools: their input schema as `inputs`, their results as Python values."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..agent_types import AgentAudio, AgentImage
from ..tools.base import Tool
from ..tools.schema_inputs import inputs_from_schema, resolve_references, tool_name
from .connection import MCPToolCallError, ServerConnection
from .loop import LoopThread

__all__ = ["MCPTool"]


class MCPTool(Tool):
    """A tool served by an MCP server; calls go to the server through the client's loop.

    Args:
        definition: The server's `mcp.types.Tool`.
        connection: The server's connection.
        loop: The client's loop thread.
        structured_output: Expose ``outputSchema`` and return structured content as Python values.
    """

    skip_forward_signature_validation = True

    def __init__(
        self, definition: Any, connection: ServerConnection, loop: LoopThread, structured_output: bool
    ) -> None:
        super().__init__()
        self.server_tool_name = definition.name
        self.name = tool_name(definition.name)
        self.description = definition.description or f"The MCP tool {definition.name}."
        self.inputs = inputs_from_schema(definition.inputSchema or {})
        output_schema = getattr(definition, "outputSchema", None)
        self.output_schema = (
            resolve_references(output_schema) if structured_output and output_schema else None
        )
        # As in 1.26, a tool whose server declares an output schema is typed "object", even when its
        # result comes back as (JSON) text because structured output is off.
        self.output_type = "object" if output_schema else "any"
        self.structured_output = structured_output
        self._connection = connection
        self._loop = loop
        self.is_initialized = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run `aforward` to completion (for sync callers, as in smolagents 1.26)."""
        return self.run_aforward(*args, **kwargs)

    async def aforward(self, *args: Any, **kwargs: Any) -> Any:
        """Call the tool on its server and return the result as a Python value."""
        if args:
            if len(args) == 1 and isinstance(args[0], dict) and not kwargs:
                kwargs = args[0]
            else:
                raise TypeError(f"Tool '{self.name}' takes keyword arguments only.")
        arguments = {
            key: value
            for key, value in kwargs.items()
            if value is not None or key not in self.inputs or not self.inputs[key].get("nullable")
        }
        if not self._loop.is_running:
            raise MCPToolCallError(
                f"The MCP client of tool '{self.name}' is disconnected: connect it again to call its tools."
            )
        result = await self._loop.arun(self._connection.call_tool(self.server_tool_name, arguments))
        return self._convert(result)

    def _convert(self, result: Any) -> Any:
        if result.isError:
            text = " ".join(item.text for item in result.content if getattr(item, "type", "") == "text")
            raise MCPToolCallError(
                f"The MCP tool '{self.name}' reported an error: {text or 'no details given'}"
            )
        if self.structured_output and result.structuredContent is not None:
            return result.structuredContent
        values = [self._content_value(item) for item in result.content]
        if not values:
            return ""
        if all(isinstance(value, str) for value in values):
            return "\n".join(values) if len(values) > 1 else values[0]
        return values[0] if len(values) == 1 else values

    def _content_value(self, item: Any) -> Any:
        kind = getattr(item, "type", "")
        if kind == "text":
            if self.structured_output:
                try:
                    return json.loads(item.text)
                except ValueError:
                    return item.text
            return item.text
        if kind == "image":
            return AgentImage(base64.b64decode(item.data))
        if kind == "audio":
            return AgentAudio(_audio_file(base64.b64decode(item.data), item.mimeType))
        if kind == "resource":
            resource = item.resource
            return getattr(resource, "text", None) or base64.b64decode(getattr(resource, "blob", "") or "")
        return str(item)


def _audio_file(data: bytes, mime_type: str) -> str:
    import os
    import tempfile

    suffix = "." + (mime_type.split("/")[-1].split(";")[0] or "wav").replace("mpeg", "mp3")
    handle, path = tempfile.mkstemp(prefix="smolagents-mcp-audio-", suffix=suffix)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return path
