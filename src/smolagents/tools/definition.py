"""Checks that a tool is defined correctly, run when it is instantiated (as smolagents 1.26 does).

The checks read attributes, one `inspect.signature` and the type hints of `forward`; they never
parse source code, so instantiating a tool stays cheap.
"""

from __future__ import annotations

import inspect
import keyword
import types
import typing
from typing import Any

from .errors import ToolDefinitionError
from .schema import AUTHORIZED_TYPES

__all__ = ["check_tool_definition"]

_AUTHORIZED = ", ".join(AUTHORIZED_TYPES)


def check_tool_definition(tool: Any) -> None:
    """Raise `ToolDefinitionError` if the tool instance `tool` is ill-defined.

    Messages start with smolagents 1.26's words (which user code matches on), then say how to fix
    the mistake.

    Args:
        tool: The tool instance, once its ``__init__`` has run.

    Raises:
        ToolDefinitionError: Naming the tool, the argument at fault, and how to fix it.
    """
    class_name = type(tool).__name__
    _check_required_attributes(tool, class_name)
    name = _check_name(tool.name, class_name)
    _check_description(tool.description, name)
    inputs = _check_inputs(tool.inputs, name)
    _check_output(tool.output_type, getattr(tool, "output_schema", None), name)
    if not getattr(tool, "skip_forward_signature_validation", False):
        _check_forward(tool, inputs, name)


_REQUIRED_ATTRIBUTES = {"description": str, "name": str, "inputs": dict, "output_type": str}


def _check_required_attributes(tool: Any, class_name: str) -> None:
    for attribute, expected in _REQUIRED_ATTRIBUTES.items():
        value = getattr(tool, attribute, None)
        if value is None:
            raise ToolDefinitionError(
                f"You must set an attribute {attribute}. Tool class {class_name} lacks it: set it as a class "
                f"attribute (or in __init__), e.g. {_EXAMPLES[attribute]}.",
                tool_name=getattr(tool, "name", None) if attribute != "name" else class_name,
            )
        if not isinstance(value, expected):
            raise ToolDefinitionError(
                f"Attribute {attribute} should have type {expected.__name__}, got {type(value)} instead "
                f"(tool class {class_name}).",
                tool_name=class_name,
            )


_EXAMPLES = {
    "name": '`name = "web_search"`',
    "description": '`description = "Searches the web and returns the top results."`',
    "inputs": '`inputs = {"query": {"type": "string", "description": "What to look for."}}`',
    "output_type": '`output_type = "string"`',
}


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
            f"Invalid Tool name '{name}': must be a valid Python identifier and not a reserved keyword. "
            f"{where}: {name!r} {reason}; CodeAgent calls tools as Python functions. Use letters, "
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
    if isinstance(type_name, str):
        names = [type_name]
    elif isinstance(type_name, list):
        if not all(isinstance(name, str) for name in type_name):
            raise ToolDefinitionError(
                f"Input '{argument}': when type is a list, all elements must be strings, got {type_name}. "
                f'{where}: use type names such as "string" or "integer".',
                tool_name=tool_name,
                argument=argument,
            )
        names = type_name
    else:
        raise ToolDefinitionError(
            f"Input '{argument}': type must be a string or list of strings, got {type(type_name).__name__}. "
            f"{where}: use one of {_AUTHORIZED} (or a list of them).",
            tool_name=tool_name,
            argument=argument,
        )
    unknown = [name for name in names if name not in AUTHORIZED_TYPES]
    if unknown or not names:
        raise ToolDefinitionError(
            f"Input '{argument}': types {unknown} must be one of {AUTHORIZED_TYPES}. {where} "
            f"{'has an empty type list' if not names else 'has an unknown type'}: use one of {_AUTHORIZED} "
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


def _check_forward(tool: Any, inputs: dict[str, dict[str, Any]], tool_name: str) -> None:
    label = f"Tool {tool_name!r}"
    forward = getattr(tool, "forward", None)
    if forward is None or not callable(forward):
        raise ToolDefinitionError(
            f"{label} has no forward() method. Define `def forward(self, ...)` taking the inputs.",
            tool_name=tool_name,
        )
    parameters = list(inspect.signature(forward).parameters.values())
    if parameters and parameters[0].name == "self":  # an @tool forward shows `self`, as in 1.26
        parameters = parameters[1:]
    has_var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    named = {
        p.name: p
        for p in parameters
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }
    for argument in inputs:
        if argument not in named and not has_var_keyword:
            raise ToolDefinitionError(
                f"In tool '{tool_name}', 'forward' method parameters were {set(named)}, but expected "
                f"{set(inputs)}: input {argument!r} is declared in `inputs` but forward() has no parameter "
                f"{argument!r}. Add it to forward() or remove it from `inputs`.",
                tool_name=tool_name,
                argument=argument,
            )
    hints = _type_hints(forward)
    for parameter in named.values():
        if parameter.name not in inputs:
            raise ToolDefinitionError(
                f"In tool '{tool_name}', 'forward' method parameters were {set(named)}, but expected "
                f"{set(inputs)}: forward() takes {parameter.name!r}, which is not declared in `inputs`. Add "
                f"{{{parameter.name!r}: {{'type': ..., 'description': ...}}}} to `inputs` or remove the parameter.",
                tool_name=tool_name,
                argument=parameter.name,
            )
        _check_nullable(label, tool_name, inputs[parameter.name], parameter, hints.get(parameter.name))


def _check_nullable(
    label: str, tool_name: str, spec: dict[str, Any], parameter: inspect.Parameter, hint: Any
) -> None:
    """Check that `inputs` and forward() agree on whether the argument may be left out or None.

    As in 1.26, a forward() parameter is nullable when it has a default or its hint admits None.
    """
    has_default = parameter.default is not inspect.Parameter.empty
    signature_nullable = has_default or _admits_none(hint)
    if signature_nullable and "nullable" not in spec:
        raise ToolDefinitionError(
            f"Nullable argument '{parameter.name}' in function signature should have key 'nullable' set to "
            f"True in inputs. {label}: forward() gives {parameter.name!r} a default (or accepts None), so add "
            f'"nullable": True to its entry in `inputs`.',
            tool_name=tool_name,
            argument=parameter.name,
        )
    if spec.get("nullable") and not signature_nullable:
        raise ToolDefinitionError(
            f"Nullable argument '{parameter.name}' in inputs should have key 'nullable' set to True in function "
            f"signature. {label}: input {parameter.name!r} is nullable, so the model may leave it out; give the "
            f"forward() parameter a default, e.g. `{parameter.name}=None`.",
            tool_name=tool_name,
            argument=parameter.name,
        )


def _type_hints(function: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:  # unresolvable string annotations: only the defaults then decide nullability
        return {}


def _admits_none(hint: Any) -> bool:
    if hint is type(None):
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return None in args
    return origin in (typing.Union, types.UnionType) and type(None) in args
