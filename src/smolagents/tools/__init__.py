"""Tools: the `Tool` base class, the `@tool` decorator, tool collections and argument validation.

`PipelineTool`, `launch_gradio_demo` and `get_json_schema` load on first use (they need optional
packages or higher layers).
"""

from __future__ import annotations

from .._lazy import lazy_exports
from .base import BaseTool, Tool
from .collection import ToolCollection
from .decorator import tool
from .errors import ToolDefinitionError
from .hub import load_tool
from .schema import AUTHORIZED_TYPES
from .validation import validate_tool_arguments

__all__ = [
    "AUTHORIZED_TYPES",
    "BaseTool",
    "PipelineTool",
    "Tool",
    "ToolCollection",
    "ToolDefinitionError",
    "get_json_schema",
    "launch_gradio_demo",
    "load_tool",
    "tool",
    "validate_tool_arguments",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "PipelineTool": "smolagents.tools.pipeline",
        "get_json_schema": "smolagents._function_type_hints_utils",
        "launch_gradio_demo": "smolagents.tools.gradio_demo",
    },
)
