"""`ToolCollection`: a group of tools loaded together (from a list, a Hub collection or an MCP server)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .base import Tool
from .hub import _hub, require_trust, tool_from_hub

__all__ = ["ToolCollection"]


class ToolCollection:
    """A group of tools, to hand to an agent as ``tools=[*collection.tools]``.

    Args:
        tools: The tools.
    """

    def __init__(self, tools: list[Tool]) -> None:
        for index, item in enumerate(tools):
            if not isinstance(item, Tool):
                raise TypeError(
                    f"ToolCollection takes Tool instances; item {index} is a {type(item).__name__}. Wrap "
                    "functions with @tool first."
                )
        self.tools = list(tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self.tools)

    def __repr__(self) -> str:
        return f"ToolCollection({[tool.name for tool in self.tools]})"

    @classmethod
    def from_hub(
        cls, collection_slug: str, token: str | None = None, trust_remote_code: bool = False
    ) -> ToolCollection:
        """Load every tool Space of a Hub collection; needs ``trust_remote_code=True``.

        Args:
            collection_slug: The collection, e.g. ``"user/my-tools-6731f9a2b3c4d5e6f7a8b9c0"``.
            token: A Hub token, for private collections.
            trust_remote_code: Must be True: loading runs each tool's code on this machine.
        """
        require_trust(f"the tools of the Hub collection {collection_slug!r}", trust_remote_code)
        collection = _hub().get_collection(collection_slug, token=token)
        space_ids = {item.item_id for item in collection.items if item.item_type == "space"}
        return cls(
            [tool_from_hub(space_id, token=token, trust_remote_code=True) for space_id in sorted(space_ids)]
        )

    @classmethod
    @contextmanager
    def from_mcp(
        cls,
        server_parameters: Any,
        trust_remote_code: bool = False,
        structured_output: bool | None = None,
    ) -> Iterator[ToolCollection]:
        """Connect to an MCP server and yield its tools as a collection, disconnecting on exit.

        Args:
            server_parameters: How to reach the server: `mcp.StdioServerParameters`, a dict with
                ``url`` and ``transport`` ("streamable-http" or "sse"), or a list of these.
            trust_remote_code: Must be True: the server's tools run code outside this process.
            structured_output: Expose the tools' output schemas and return structured results
                as Python values (None means False).
        """
        require_trust("tools from an MCP server", trust_remote_code)
        # Imported here: mcp_client sits above tools in the layers, and needs the optional mcp SDK.
        mcp_client = importlib.import_module("smolagents.mcp_client")
        with mcp_client.MCPClient(server_parameters, structured_output=structured_output) as tools:
            yield cls(list(tools))
