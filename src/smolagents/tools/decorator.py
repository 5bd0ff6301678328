"""The `@tool` decorator: turn a typed, documented function into a `Tool`."""

from __future__ import annotations

import functools
import inspect
import textwrap
import warnings
from collections.abc import Callable
from typing import Any

from .base import Tool
from .errors import ToolDefinitionError
from .schema import function_schema

__all__ = ["FunctionTool", "tool"]


class FunctionTool(Tool):
    """Base of the tools made by `@tool`: `forward` calls the decorated function.

    Each decorated function gets its own subclass named ``SimpleTool`` (1.26's name), so that the
    tool keeps the function's docstring and module, and `save`/`to_dict` can write the function
    back as code. As in 1.26, ``tool.forward`` shows the signature ``(self, <the function's
    parameters>)`` and carries the method's source in ``__source__`` (when the function's source
    can be read).
    """

    _function: Callable[..., Any]

    @property
    def function(self) -> Callable[..., Any]:
        """The decorated function."""
        return type(self)._function


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
    forward = _forward(tool_function)
    namespace: dict[str, Any] = {
        "name": schema.name,
        "description": schema.description,
        "inputs": schema.inputs,
        "output_type": schema.output_type,
        "forward": staticmethod(forward),
        "_function": staticmethod(tool_function),
        "__module__": tool_function.__module__,
        "__qualname__": tool_function.__qualname__,
        "__doc__": tool_function.__doc__,
    }
    tool_class = type(SIMPLE_TOOL_CLASS, (FunctionTool,), namespace)
    instance: Tool = tool_class()
    instance.__name__ = tool_function.__name__  # type: ignore[attr-defined]  # mimic the function
    return instance


SIMPLE_TOOL_CLASS = "SimpleTool"


def _forward(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap `function` as the tool's forward: same behaviour, 1.26's ``(self, ...)`` signature and ``__source__``.

    The function itself is left untouched (its signature and attributes stay the user's).
    """
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def forward(*args: Any, **kwargs: Any) -> Any:
            return await function(*args, **kwargs)

    else:

        @functools.wraps(function)
        def forward(*args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    signature = inspect.signature(function)
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    forward.__signature__ = signature.replace(  # type: ignore[attr-defined]  # read by inspect.signature
        parameters=[self_parameter, *signature.parameters.values()]
    )
    method_source = _method_source(function)
    if method_source is not None:
        forward.__source__ = method_source  # type: ignore[attr-defined]  # 1.26's attribute, read by get_source
    return forward


def _method_source(function: Callable[..., Any]) -> str | None:
    """Return the function written as ``forward(self, ...)``, or None when its source cannot be read.

    Warns when the function has decorators besides ``@tool``: they are not part of the saved code.
    """
    from .source import decorator_names, forward_method_source

    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):  # defined in a REPL without history, or by exec
        return None
    others = [name for name in decorator_names(source) if name != "tool"]
    if others:
        warnings.warn(
            f"Function '{function.__name__}' has decorators other than @tool ({', '.join(others)}). They are not "
            "kept when the tool is saved or sent to a remote executor: apply them inside the function instead.",
            UserWarning,
            stacklevel=4,
        )
    return forward_method_source(source, function.__name__)
