"""Check the arguments of a tool call against the tool's input schema, with messages for the model."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from .._errors import AgentToolCallError
from .schema import json_type_name

if TYPE_CHECKING:
    from .base import Tool

__all__ = ["ToolArgumentError", "validate_tool_arguments"]

_ARTICLES = {
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "array": "an array",
    "object": "an object",
    "image": "an image",
    "audio": "an audio",
    "null": "null",
}
_MAX_SHOWN = 80


class ToolArgumentError(AgentToolCallError, ValueError, TypeError):
    """A tool call's arguments do not fit the tool's inputs.

    It is an `AgentToolCallError` (the agent shows it to the model) and also a `ValueError` and
    a `TypeError`, which smolagents 1.26's `validate_tool_arguments` raised.
    """


def validate_tool_arguments(tool: Tool, arguments: Any) -> None:
    """Check a tool call's arguments against the tool's `inputs`; return None when they fit.

    Args:
        tool: The tool about to be called.
        arguments: The call's arguments: a dict of name -> value, or a single bare value for a
            tool that takes exactly one input.

    Raises:
        ToolArgumentError: Listing every problem (unknown, missing or wrongly typed arguments),
            each line led by 1.26's wording ("Argument x is required", "Argument x has type 'a'
            but should be 'b'") and followed by what to do.
    """
    if not isinstance(arguments, dict):
        _validate_bare_value(tool, arguments)
        return
    problems: list[str] = []
    for name in arguments:
        if name not in tool.inputs:
            valid = ", ".join(f"'{key}'" for key in tool.inputs) or "none"
            problems.append(
                f"Argument {name} is not in the tool's input schema: tool '{tool.name}' takes {valid}."
            )
    required_nullable = _required_parameters(tool)
    for name, spec in tool.inputs.items():
        if name in arguments:
            problem = type_problem(arguments[name], spec)
            if problem:
                problems.append(
                    f"Argument {name} has type '{json_type_name(arguments[name])}' but should be "
                    f"'{spec.get('type')}': argument '{name}' of tool '{tool.name}' {problem}."
                )
        elif not spec.get("nullable") or name in required_nullable:
            problems.append(
                f"Argument {name} is required: tool '{tool.name}' needs '{name}' ({spec.get('type')}: "
                f"{spec.get('description', '')})."
            )
    if problems:
        raise ToolArgumentError("\n".join(problems))


def _required_parameters(tool: Tool) -> set[str]:
    """Names of `forward` parameters without a default: they must be given, even when None is allowed."""
    if getattr(tool, "skip_forward_signature_validation", False):
        return set()
    try:
        parameters = inspect.signature(tool.forward).parameters.values()
    except (TypeError, ValueError):  # a callable without a signature
        return set()
    return {
        p.name
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        and p.name != "self"
    }


def _validate_bare_value(tool: Tool, value: Any) -> None:
    if len(tool.inputs) != 1:
        expected = ", ".join(f"'{name}'" for name in tool.inputs) or "no arguments"
        raise ToolArgumentError(
            f"Tool '{tool.name}' takes named arguments ({expected}): pass them as a JSON object, "
            f"got {_describe(value)}."
        )
    name, spec = next(iter(tool.inputs.items()))
    problem = type_problem(value, spec)
    if problem:
        raise ToolArgumentError(
            f"Argument has type '{type(value).__name__}' but should be '{spec.get('type')}': argument '{name}' "
            f"of tool '{tool.name}' {problem}."
        )


def type_problem(value: Any, spec: dict[str, Any]) -> str | None:
    """Say how `value` breaks the JSON-schema fragment `spec`, or return None if it fits.

    Args:
        value: The argument value.
        spec: The input's schema: ``type`` (a name or a list of names), and optionally ``nullable``,
            ``enum``, ``items``, ``additionalProperties``.

    Returns:
        A phrase such as "must be an integer, got string '12'", or None.
    """
    type_spec = spec.get("type", "any")
    type_names = type_spec if isinstance(type_spec, list) else [type_spec]
    if value is None:
        if spec.get("nullable") or "null" in type_names or "any" in type_names:
            return None
        return f"must not be null: give {_expected(type_names)}"
    if not any(_matches(value, name) for name in type_names):
        return f"must be {_expected(type_names)}, got {_describe(value)}"
    if "enum" in spec and value not in spec["enum"]:
        choices = ", ".join(repr(choice) for choice in spec["enum"])
        return f"must be one of {choices}, got {_describe(value)}"
    if isinstance(value, (list, tuple)) and isinstance(spec.get("items"), dict):
        for index, item in enumerate(value):
            problem = type_problem(item, spec["items"])
            if problem:
                return f"has an item at index {index} that {problem}"
    if isinstance(value, dict) and isinstance(spec.get("additionalProperties"), dict):
        for key, item in value.items():
            problem = type_problem(item, spec["additionalProperties"])
            if problem:
                return f"has a value at key {key!r} that {problem}"
    return None


def _matches(value: Any, type_name: str) -> bool:
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "array":
        return isinstance(value, (list, tuple))
    if type_name == "object":
        return isinstance(value, dict)
    if type_name == "null":
        return value is None
    # "any", and media types: an image or audio arrives as a path, a URL, bytes or an object.
    return type_name in ("any", "image", "audio")


def _expected(type_names: list[str]) -> str:
    return " or ".join(_ARTICLES.get(name, name) for name in type_names)


def _describe(value: Any) -> str:
    shown = repr(value)
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 3] + "..."
    return f"{json_type_name(value)} {shown}"
