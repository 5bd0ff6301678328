"""Errors raised while a tool is being defined or saved (to the user, never to the model)."""

from __future__ import annotations

__all__ = [
    "DocstringParsingException",
    "ToolDefinitionError",
    "ToolDocstringError",
    "ToolTypeHintError",
    "TypeHintParsingException",
]


class ToolDefinitionError(ValueError, TypeError):
    """A tool is defined wrongly: a missing attribute, an unknown type, a signature mismatch...

    It subclasses both `ValueError` and `TypeError` so that code written for smolagents 1.26,
    which raised one or the other (depending on the mistake), keeps catching it.

    Attributes:
        tool_name: The tool (or tool class) being defined.
        argument: The input argument at fault, when there is one.
    """

    def __init__(self, message: str, *, tool_name: str | None = None, argument: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tool_name = tool_name
        self.argument = argument


class TypeHintParsingException(Exception):
    """A type hint could not be turned into a JSON schema."""


class DocstringParsingException(Exception):
    """A docstring lacks what a JSON schema needs (a description of the function or of an argument)."""


class ToolTypeHintError(ToolDefinitionError, TypeHintParsingException):
    """An ``@tool`` function's type hints are missing or unusable (1.26 raised `TypeHintParsingException`)."""


class ToolDocstringError(ToolDefinitionError, DocstringParsingException):
    """An ``@tool`` function's docstring lacks a description (1.26 raised `DocstringParsingException`)."""
