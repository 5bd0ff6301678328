"""Checks that a tool is defined correctly, run when its class is created and when it is instantiated.

The checks read attributes and one `inspect.signature`; they never parse source code, so defining
and instantiating a tool stays cheap.
"""

from __future__ import annotations

import inspect
import keyword
from typing import Any

from .errors import ToolDefinitionError
from .schema import AUTHORIZED_TYPES

__all__ = ["check_tool_definition"]

_AUTHORIZED = ", ".join(AUTHORIZED_TYPES)


def check_tool_definition(owner: Any, *, is_class: bool) -> None:
    """Raise `ToolDefinitionError` if the tool `owner` (a Tool subclass or instance) is ill-defined.

    Args:
        owner: The tool class being created or the tool instance just built.
        is_class: Whether `owner` is a class (its `forward` is then an unbound function).

    Raises:
        ToolDefinitionError: Naming the tool, the argument at fault, and how to fix it.
    """
    class_name = owner.__name__ if is_class else type(owner).__name__
    name = _check_name(getattr(owner, "name", None), class_name)
    _check_description(getattr(owner, "description", None), name)
    inputs = _check_inputs(getattr(owner, "inputs", None), name)
    _check_output(getattr(owner, "output_type", None), getattr(owner, "output_schema", None), name)
    if not getattr(owner, "skip_forward_signature_validation", False):
        _check_forward(owner, inputs, name, is_class=is_class)


def _check_name(name: Any, class_name: str) -> str:
    """Return the tool name once it is known to be a usable identifier."""
    where = f"Tool class {class_name}"
    if not isinstance(name, str) or not name:
        raise ToolDefinitionError(
            f'{where} has no name. Set a class attribute such as `name = "web_search"`: the model calls '
            "the tool by this name.",
            tool_name=class_name,
        )
    if not name.isidentifier() or keyword.iskeyword(name):
        reason = (
            "is a reserved Python keyword" if keyword.iskeyword(name) else "is not a valid Python identifier"
        )
        suggestion = "_".join(
            part for part in "".join(c if c.isalnum() else " " for c in name).split() if part
        )
        hint = (
            f", e.g. {suggestion!r}"
            if suggestion.isidentifier() and not keyword.iskeyword(suggestion)
            else ""
        )
        raise ToolDefinitionError(
            f"{where}: tool name {name!r} {reason}; CodeAgent calls tools as Python functions. Use letters, "
            f"digits and underscores, not starting with a digit{hint}.",
            tool_name=name,
        )
    return name


def _check_description(description: Any, tool_name: str) -> None:
    label = f"Tool {tool_name!r}"
    if not isinstance(description, str) or not description.strip():
        raise ToolDefinitionError(
            f'{label} has no description. Set `description = "..."` saying what the tool does and '
            "returns: the model reads it to decide when to call the tool.",
            tool_name=tool_name,
        )


def _check_inputs(inputs: Any, tool_name: str) -> dict[str, dict[str, Any]]:
    label = f"Tool {tool_name!r}"
    if not isinstance(inputs, dict):
        raise ToolDefinitionError(
            f"{label}: `inputs` must be a dict mapping each argument name to "
            f'{{"type": ..., "description": ...}}, got {type(inputs).__name__}.',
            tool_name=tool_name,
        )
    for argument, spec in inputs.items():
        if not isinstance(spec, dict):
            raise ToolDefinitionError(
                f"{label}: input {argument!r} must be a dict like "
                f'{{"type": "string", "description": "..."}}, got {type(spec).__name__}.',
                tool_name=tool_name,
                argument=str(argument),
            )
        if not isinstance(argument, str) or not argument.isidentifier() or keyword.iskeyword(argument):
            raise ToolDefinitionError(
                f"{label}: input name {argument!r} is not a valid Python identifier; tools are called with "
                "keyword arguments, so use letters, digits and underscores.",
                tool_name=tool_name,
                argument=str(argument),
            )
        missing = [key for key in ("type", "description") if key not in spec]
        if missing:
            raise ToolDefinitionError(
                f"{label}: input {argument!r} lacks {' and '.join(repr(key) for key in missing)}. Each input "
                'needs both, e.g. {"type": "string", "description": "..."}.',
                tool_name=tool_name,
                argument=str(argument),
            )
        if not isinstance(spec["description"], str):
            raise ToolDefinitionError(
                f"{label}: the description of input {argument!r} must be a string, got "
                f"{type(spec['description']).__name__}.",
                tool_name=tool_name,
                argument=argument,
            )
        if not isinstance(spec.get("nullable", False), bool):
            raise ToolDefinitionError(
                f"{label}: 'nullable' of input {argument!r} must be True or False, got {spec['nullable']!r}.",
                tool_name=tool_name,
                argument=argument,
            )
        _check_type(spec["type"], f"{label}: input {argument!r}", tool_name, argument)
    return inputs


def _check_type(type_name: Any, where: str, tool_name: str, argument: str | None) -> None:
    names = type_name if isinstance(type_name, list) else [type_name]
    unknown = [name for name in names if name not in AUTHORIZED_TYPES]
    if unknown or not names:
        shown = repr(unknown[0]) if unknown else "an empty list"
        raise ToolDefinitionError(
            f"{where} has type {shown}, which is not an authorised type. Use one of: {_AUTHORIZED} "
            "(or a list of them).",
            tool_name=tool_name,
            argument=argument,
        )


def _check_output(output_type: Any, output_schema: Any, tool_name: str) -> None:
    label = f"Tool {tool_name!r}"
    if output_type not in AUTHORIZED_TYPES:
        raise ToolDefinitionError(
            f"{label}: output_type {output_type!r} is not an authorised type. Use one of: {_AUTHORIZED}.",
            tool_name=tool_name,
        )
    if output_schema is not None and not isinstance(output_schema, dict):
        raise ToolDefinitionError(
            f"{label}: output_schema must be a JSON-schema dict or None, got {type(output_schema).__name__}.",
            tool_name=tool_name,
        )


def _check_forward(owner: Any, inputs: dict[str, dict[str, Any]], tool_name: str, *, is_class: bool) -> None:
    label = f"Tool {tool_name!r}"
    forward = getattr(owner, "forward", None)
    if forward is None or not callable(forward):
        raise ToolDefinitionError(
            f"{label} has no forward() method. Define `def forward(self, ...)` taking the inputs.",
            tool_name=tool_name,
        )
    parameters = list(inspect.signature(forward).parameters.values())
    if is_class and not isinstance(inspect.getattr_static(owner, "forward"), staticmethod) and parameters:
        parameters = parameters[1:]  # `self`
    has_var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    named = {
        p.name: p
        for p in parameters
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }
    for argument in inputs:
        if argument not in named and not has_var_keyword:
            raise ToolDefinitionError(
                f"{label}: input {argument!r} is declared in `inputs` but forward() has no parameter "
                f"{argument!r} (its parameters: {', '.join(named) or 'none'}). Add it to forward() or "
                "remove it from `inputs`.",
                tool_name=tool_name,
                argument=argument,
            )
    for parameter in named.values():
        if parameter.name not in inputs:
            raise ToolDefinitionError(
                f"{label}: forward() takes {parameter.name!r}, which is not declared in `inputs` (inputs: "
                f"{', '.join(inputs) or 'none'}). Add {{{parameter.name!r}: {{'type': ..., 'description': "
                "...}} to `inputs` or remove the parameter.",
                tool_name=tool_name,
                argument=parameter.name,
            )
        if inputs[parameter.name].get("nullable") and parameter.default is inspect.Parameter.empty:
            raise ToolDefinitionError(
                f"{label}: input {parameter.name!r} is nullable, so the model may leave it out; give the "
                f"forward() parameter a default, e.g. `{parameter.name}=None`.",
                tool_name=tool_name,
                argument=parameter.name,
            )
