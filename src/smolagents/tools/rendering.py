"""Describe a tool to the model: as a Python stub for code agents, as text for tool-calling agents."""

from __future__ import annotations

import inspect
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Tool

__all__ = ["python_type_name", "to_code_prompt", "to_tool_calling_prompt"]

_PYTHON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
    "any": "Any",
    "null": "None",
    "image": "Image",
    "audio": "Audio",
}


def python_type_name(spec: dict[str, Any]) -> str:
    """Return the Python annotation matching a JSON-schema fragment, e.g. ``list[int]``.

    Args:
        spec: The fragment: ``type`` (a name or list of names), optional ``items``,
            ``additionalProperties``, ``enum``.
    """
    if "enum" in spec:
        return f"Literal[{', '.join(repr(value) for value in spec['enum'])}]"
    type_spec = spec.get("type", "any")
    names = type_spec if isinstance(type_spec, list) else [type_spec]
    rendered = []
    for name in names:
        text = _PYTHON_TYPES.get(name, str(name))
        if name == "array" and isinstance(spec.get("items"), dict):
            text = f"list[{python_type_name(spec['items'])}]"
        elif name == "object" and isinstance(spec.get("additionalProperties"), dict):
            text = f"dict[str, {python_type_name(spec['additionalProperties'])}]"
        rendered.append(text)
    return " | ".join(rendered)


def to_code_prompt(tool: Tool) -> str:
    """Render a tool as the Python function stub a CodeAgent's system prompt shows.

    The stub is ``def name(arg: type, ...) -> type:`` followed by a docstring holding the
    description, an ``Args:`` section and, when the tool declares an `output_schema`, the JSON
    schema of what it returns.
    """
    defaults = _forward_defaults(tool)
    parameters = []
    for name, spec in tool.inputs.items():
        annotation = python_type_name(spec)
        default = defaults.get(name)
        if not spec.get("nullable"):
            parameters.append(f"{name}: {annotation}")
        elif isinstance(default, (str, int, float, bool)) and len(repr(default)) <= 40:
            # Show the real default: "= None" would invite the model to pass None explicitly.
            parameters.append(f"{name}: {annotation} = {default!r}")
        else:
            parameters.append(f"{name}: {annotation} | None = None")
    returns = "dict" if tool.output_schema is not None else python_type_name({"type": tool.output_type})
    lines = [
        f"def {tool.name}({', '.join(parameters)}) -> {returns}:",
        '    """' + _indent(tool.description, 4),
    ]
    if tool.inputs:
        lines += ["", "    Args:"]
        lines += [f"        {name}: {_indent(spec['description'], 12)}" for name, spec in tool.inputs.items()]
    if tool.output_schema is not None:
        schema = json.dumps(tool.output_schema, indent=2)
        lines += [
            "",
            "    Returns:",
            "        dict: A structured result following this JSON schema; read its fields by key",
            "        (e.g. result['field']) instead of parsing text:",
            _indent_block(schema, 8),
        ]
    lines.append('    """')
    return "\n".join(lines)


def to_tool_calling_prompt(tool: Tool) -> str:
    """Render a tool as the text a tool-calling agent's system prompt shows.

    The text is ``name: description``, then the inputs as JSON and the output type (with the
    output schema when the tool declares one).
    """
    text = (
        f"{tool.name}: {tool.description}\n"
        f"    Takes inputs: {json.dumps(tool.inputs, ensure_ascii=False, default=str)}\n"
        f"    Returns an output of type: {tool.output_type}"
    )
    if tool.output_schema is not None:
        text += f"\n    Output schema: {json.dumps(tool.output_schema, ensure_ascii=False)}"
    return text


def _forward_defaults(tool: Tool) -> dict[str, Any]:
    """Return the default values of the tool's `forward` parameters (none if it has no signature)."""
    try:
        parameters = inspect.signature(tool.forward).parameters
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        return {}
    return {name: p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty}


def _indent(text: str, width: int) -> str:
    """Indent every line of `text` after the first by `width` spaces."""
    return ("\n" + " " * width).join(text.strip().splitlines())


def _indent_block(text: str, width: int) -> str:
    return "\n".join(" " * width + line for line in text.splitlines())
