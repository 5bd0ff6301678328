"""The `@tool` decorator: turn a typed, documented function into a `Tool`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .base import Tool
from .errors import ToolDefinitionError
from .schema import function_schema

__all__ = ["FunctionTool", "tool"]


class FunctionTool(Tool):
    """Base of the tools made by `@tool`: `forward` is the decorated function itself.

    Each decorated function gets its own subclass, so that the tool keeps the function's name,
    docstring and module, and `save`/`to_dict` can write the function back as code.
    """

    @property
    def function(self) -> Callable[..., Any]:
        """The decorated function."""
        function: Callable[..., Any] = type(self).__dict__["forward"].__func__  # stored as a staticmethod
        return function


def tool(tool_function: Callable[..., Any]) -> Tool:
    """Make a tool from a function with type hints and a Google-style docstring.

    The tool's name is the function's name; its description is the docstring text before the
    ``Args:`` section; each input's type comes from the parameter's type hint and its description
    from the ``Args:`` entry; parameters with a default become nullable. ``async def`` functions
    make async tools.

    Args:
        tool_function: The function to wrap.

    Returns:
        A `Tool` instance whose `forward` calls the function.

    Raises:
        ToolDefinitionError: If the docstring, a type hint or an ``Args:`` entry is missing, or a
            hint uses a type tools cannot take; the message names the tool and the argument.
    """
    if not inspect.isfunction(tool_function):
        raise ToolDefinitionError(
            f"@tool decorates functions defined with `def`, got {type(tool_function).__name__}. For a class, "
            "subclass Tool instead."
        )
    if tool_function.__name__ == "<lambda>":
        raise ToolDefinitionError(
            "@tool cannot make a tool from a lambda: it needs a name, type hints and a docstring. Define the "
            "function with `def`."
        )
    schema = function_schema(tool_function)
    namespace: dict[str, Any] = {
        "name": schema.name,
        "description": schema.description,
        "inputs": schema.inputs,
        "output_type": schema.output_type,
        "forward": staticmethod(tool_function),
        "__module__": tool_function.__module__,
        "__qualname__": tool_function.__qualname__,
        "__doc__": tool_function.__doc__,
    }
    tool_class = type(_class_name(schema.name), (FunctionTool,), namespace)
    instance: Tool = tool_class()
    instance.__name__ = tool_function.__name__  # type: ignore[attr-defined]  # mimic the function
    return instance


def _class_name(function_name: str) -> str:
    camel = "".join(part[:1].upper() + part[1:] for part in function_name.split("_") if part)
    return camel if camel.endswith("Tool") else camel + "Tool"
