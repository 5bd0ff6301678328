"""Check the arguments of a tool call against the tool's input schema, with messages for the model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import AgentToolCallError
from .schema import json_type_name

if TYPE_CHECKING:
    from .base import Tool

__all__ = ["validate_tool_arguments"]

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


def validate_tool_arguments(tool: Tool, arguments: Any) -> None:
    """Check a tool call's arguments against the tool's `inputs`; return None when they fit.

    Args:
        tool: The tool about to be called.
        arguments: The call's arguments: a dict of name -> value, or a single bare value for a
            tool that takes exactly one input.

    Raises:
        AgentToolCallError: Listing every problem (unknown, missing or wrongly typed arguments) in
            words the model can act on.
    """
    if not isinstance(arguments, dict):
        _validate_bare_value(tool, arguments)
        return
    problems: list[str] = []
    unknown = [name for name in arguments if name not in tool.inputs]
    if unknown:
        valid = ", ".join(f"'{name}'" for name in tool.inputs) or "none"
        shown = ", ".join(f"'{name}'" for name in unknown)
        problems.append(f"Tool '{tool.name}' has no argument {shown}; its arguments are: {valid}.")
    for name, spec in tool.inputs.items():
        if name in arguments:
            problem = type_problem(arguments[name], spec)
            if problem:
                problems.append(f"Argument '{name}' of tool '{tool.name}' {problem}.")
        elif not spec.get("nullable"):
            problems.append(
                f"Tool '{tool.name}' is missing required argument '{name}' ({spec.get('type')}: "
                f"{spec.get('description', '')})."
            )
    if problems:
        raise AgentToolCallError("\n".join(problems))


def _validate_bare_value(tool: Tool, value: Any) -> None:
    if len(tool.inputs) != 1:
        expected = ", ".join(f"'{name}'" for name in tool.inputs) or "no arguments"
        raise AgentToolCallError(
            f"Tool '{tool.name}' takes named arguments ({expected}): pass them as a JSON object, "
            f"got {_describe(value)}."
        )
    name, spec = next(iter(tool.inputs.items()))
    problem = type_problem(value, spec)
    if problem:
        raise AgentToolCallError(f"Argument '{name}' of tool '{tool.name}' {problem}.")


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
