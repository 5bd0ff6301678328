"""Tools: the `Tool` base class, the `@tool` decorator, tool collections and argument validation."""

from __future__ import annotations

from .base import Tool
from .collection import ToolCollection
from .decorator import tool
from .errors import ToolDefinitionError
from .hub import load_tool
from .schema import AUTHORIZED_TYPES
from .validation import validate_tool_arguments

__all__ = [
    "AUTHORIZED_TYPES",
    "Tool",
    "ToolCollection",
    "ToolDefinitionError",
    "load_tool",
    "tool",
    "validate_tool_arguments",
]
