"""Describe a tool to the model: as a Python stub for code agents, as text for tool-calling agents."""

from __future__ import annotations

import json
import textwrap
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
    """Render a tool as the Python function stub a CodeAgent's system prompt shows, in 1.26's format.

    The stub is ``def name(arg: type, ...) -> type:`` with the JSON type names of `inputs` (models
    prompted or fine-tuned for smolagents 1.26 read exactly this), followed by a docstring holding
    the description, an ``Args:`` section and, when the tool declares an `output_schema`, the JSON
    schema of what it returns (the stub then returns ``dict``).
    """
    signature = ", ".join(f"{name}: {spec['type']}" for name, spec in tool.inputs.items())
    has_schema = tool.output_schema is not None
    doc = tool.description
    if has_schema:
        doc += (
            "\n\nImportant: this tool returns structured output (a dict). Read its fields directly, e.g. "
            "result['field_name'], following the JSON schema below; no need to print it first."
        )
    if tool.inputs:
        described = "\n".join(f"{name}: {spec['description']}" for name, spec in tool.inputs.items())
        doc += "\n\nArgs:\n" + textwrap.indent(described, "    ")
    if has_schema:
        schema = textwrap.indent(json.dumps(tool.output_schema, indent=4), "        ")
        doc += f"\n\nReturns:\n    dict: A dictionary following this JSON schema:\n{schema}"
    returns = "dict" if has_schema else tool.output_type
    return f"def {tool.name}({signature}) -> {returns}:\n" + textwrap.indent(f'"""{doc}\n"""', "    ")


def to_tool_calling_prompt(tool: Tool) -> str:
    """Render a tool as the text a tool-calling agent's system prompt shows, in 1.26's format.

    The text is ``name: description``, then the inputs (as a Python dict) and the output type,
    plus the output schema when the tool declares one.
    """
    text = (
        f"{tool.name}: {tool.description}\n"
        f"    Takes inputs: {tool.inputs}\n"
        f"    Returns an output of type: {tool.output_type}"
    )
    if tool.output_schema is not None:
        text += f"\n    Output schema: {json.dumps(tool.output_schema, ensure_ascii=False)}"
    return text
