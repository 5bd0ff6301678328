"""Errors raised while a tool is being defined or saved (to the user, never to the model)."""

from __future__ import annotations

__all__ = ["ToolDefinitionError"]


class ToolDefinitionError(ValueError):
    """A tool is defined wrongly: a missing attribute, an unknown type, a signature mismatch...

    It subclasses `ValueError` so that code written for the original library, which raised plain
    `ValueError`/`TypeError` here, keeps catching it.

    Attributes:
        tool_name: The tool (or tool class) being defined.
        argument: The input argument at fault, when there is one.
    """

    def __init__(self, message: str, *, tool_name: str | None = None, argument: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tool_name = tool_name
        self.argument = argument
