"""Tool input schemas: the authorised types, and schemas built from Python type hints and docstrings."""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ToolDefinitionError, ToolDocstringError, ToolTypeHintError

__all__ = [
    "AUTHORIZED_TYPES",
    "FunctionSchema",
    "function_schema",
    "json_type_name",
    "parse_google_docstring",
]

AUTHORIZED_TYPES = [
    "string",
    "boolean",
    "integer",
    "number",
    "image",
    "audio",
    "array",
    "object",
    "any",
    "null",
]

_SIMPLE_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    tuple: "array",
    set: "array",
    dict: "object",
    type(None): "null",
    None: "null",
    Any: "any",
}

# Section headers that end the free-text description of a Google-style docstring.
_SECTION_HEADERS = (
    "Args",
    "Arguments",
    "Parameters",
    "Returns",
    "Return",
    "Yields",
    "Raises",
    "Examples",
    "Example",
    "Note",
    "Notes",
)
_SECTION_RE = re.compile(rf"^\s*({'|'.join(_SECTION_HEADERS)})\s*:\s*$")
_ARG_LINE_RE = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def json_type_name(value: Any) -> str:
    """Return the JSON-schema type name of a Python value (e.g. ``"integer"`` for ``3``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


@dataclass
class FunctionSchema:
    """The tool schema read from a function's signature and docstring.

    Attributes:
        name: The function's name.
        description: The docstring text before its first section (``Args:``, ``Returns:``...).
        inputs: The tool inputs, ``{arg: {"type", "description", "nullable"?, ...}}``.
        output_type: One of `AUTHORIZED_TYPES`.
        output_description: The docstring's ``Returns:`` text, if any.
    """

    name: str
    description: str
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_type: str = "any"
    output_description: str | None = None


@dataclass
class _Docstring:
    description: str
    args: dict[str, str]
    returns: str | None


def parse_google_docstring(docstring: str) -> tuple[str, dict[str, str], str | None]:
    """Split a Google-style docstring into its description, ``Args:`` entries and ``Returns:`` text.

    Args:
        docstring: The raw docstring.

    Returns:
        The description (text before the first section), a mapping argument name -> description,
        and the ``Returns:`` text (or None).
    """
    parsed = _parse_docstring(docstring)
    return parsed.description, parsed.args, parsed.returns


def _parse_docstring(docstring: str) -> _Docstring:
    lines = inspect.cleandoc(docstring).splitlines()
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines:
        match = _SECTION_RE.match(line)
        if match:
            current = match.group(1)
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    arg_lines = sections.get("Args") or sections.get("Arguments") or sections.get("Parameters") or []
    returns = sections.get("Returns") or sections.get("Return")
    return _Docstring(
        description="\n".join(sections[""]).strip(),
        args=_parse_arg_lines(arg_lines),
        returns=inspect.cleandoc("\n".join(returns)) or None if returns else None,
    )


def _parse_arg_lines(lines: list[str]) -> dict[str, str]:
    """Read ``name: text`` entries; lines indented deeper than the entries continue the text."""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    if not indents:
        return {}
    base = min(indents)
    args: dict[str, list[str]] = {}
    last: str | None = None
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        match = _ARG_LINE_RE.match(line.strip())
        if indent == base and match:
            last = match.group(1).lstrip("*")
            args[last] = [match.group(2).strip()]
        elif last is not None:
            args[last].append(line.strip())
    return {name: " ".join(part for part in parts if part) for name, parts in args.items()}


def function_schema(function: Callable[..., Any]) -> FunctionSchema:
    """Build a tool schema from a function's type hints and Google-style docstring.

    Args:
        function: A function whose every parameter has a type hint and an ``Args:`` docstring entry,
            and which has a return type hint.

    Raises:
        ToolDefinitionError: If the docstring, a parameter's hint or description, or the return
            hint is missing, or a hint uses a type that tools cannot take.
    """
    name = function.__name__
    if not function.__doc__ or not function.__doc__.strip():
        raise ToolDocstringError(
            f"Cannot generate JSON schema for {name} because it has no docstring! Tool {name!r}: add one that says what the tool does, followed by an "
            "'Args:' section with one line per argument, e.g.\n"
            '    """Return the weather in a city.\n\n    Args:\n        city: The city name.\n    """',
            tool_name=name,
        )
    docstring = _parse_docstring(function.__doc__)
    if not docstring.description:
        raise ToolDocstringError(
            f"Tool {name!r} has a docstring without a description: start the docstring with what the "
            "tool does, before its 'Args:' section.",
            tool_name=name,
        )
    hints = _resolve_type_hints(function)
    signature = inspect.signature(function)
    inputs: dict[str, dict[str, Any]] = {}
    for param in signature.parameters.values():
        inputs[param.name] = _input_schema(name, param, hints, docstring.args)
    for documented in docstring.args:
        if documented not in signature.parameters:
            raise ToolDefinitionError(
                f"Tool {name!r}: the docstring's 'Args:' section describes {documented!r}, which is not a "
                f"parameter of the function (parameters: {', '.join(signature.parameters) or 'none'}). "
                "Fix the name or remove the entry.",
                tool_name=name,
                argument=documented,
            )
    if "return" in hints:
        output_type = _output_type(name, hints["return"])
    elif not inputs:  # 1.26 takes a function without arguments nor return hint as returning None
        output_type = "null"
    else:
        raise ToolTypeHintError(
            "Tool return type not found: make sure your function has a return type hint! "
            f"Tool {name!r}: annotate what it returns, e.g. `-> str` (or `-> None` if it returns nothing).",
            tool_name=name,
        )
    return FunctionSchema(
        name=name,
        description=docstring.description,
        inputs=inputs,
        output_type=output_type,
        output_description=docstring.returns,
    )


def _resolve_type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception as error:  # any failure to evaluate a string annotation lands here
        raise ToolDefinitionError(
            f"Tool {function.__name__!r}: could not evaluate its type hints ({error}). Make every type "
            "used in the hints importable at module level.",
            tool_name=function.__name__,
        ) from error


def _input_schema(
    tool_name: str, param: inspect.Parameter, hints: dict[str, Any], documented: dict[str, str]
) -> dict[str, Any]:
    if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        stars = "*" if param.kind is inspect.Parameter.VAR_POSITIONAL else "**"
        raise ToolDefinitionError(
            f"Tool {tool_name!r}: parameter '{stars}{param.name}' is not supported; a tool takes named "
            "arguments only. Replace it with explicit parameters.",
            tool_name=tool_name,
            argument=param.name,
        )
    if param.name not in hints:
        raise ToolTypeHintError(
            f"Argument {param.name} is missing a type hint in function {tool_name}. Tool {tool_name!r}: argument "
            f"{param.name!r} has no type hint. Annotate it, e.g. "
            f"`{param.name}: str`.",
            tool_name=tool_name,
            argument=param.name,
        )
    if param.name not in documented:
        raise ToolDocstringError(
            f"Cannot generate JSON schema for {tool_name} because the docstring has no description for the "
            f"argument '{param.name}'. Tool {tool_name!r}: argument {param.name!r} is not described in the "
            f"docstring's 'Args:' section. Add a line `    {param.name}: <what it is>` under 'Args:'.",
            tool_name=tool_name,
            argument=param.name,
        )
    schema = hint_to_schema(hints[param.name], tool_name=tool_name, argument=param.name)
    schema["description"] = documented[param.name]
    if param.default is not inspect.Parameter.empty:
        schema["nullable"] = True
    # A hint admitting None without a default stays nullable (None is a valid value), as in 1.26;
    # `validate_tool_arguments` still requires the argument, since forward() has no default for it.
    return schema


def hint_to_schema(hint: Any, tool_name: str = "", argument: str = "") -> dict[str, Any]:
    """Translate one Python type hint into a JSON-schema fragment of authorised types.

    Args:
        hint: The type hint, e.g. ``list[int]`` or ``Optional[str]``.
        tool_name: The tool being defined, for error messages.
        argument: The argument being described, for error messages.

    Raises:
        ToolDefinitionError: If the hint uses a type tools cannot take.
    """
    if hint in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[hint]}
    media = _media_type(hint)
    if media is not None:
        return {"type": media}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_schema(args, tool_name, argument)
    if origin is typing.Literal:
        return _literal_schema(args)
    if origin in (list, tuple, set, frozenset) or _is_abc(origin, "Sequence", "Iterable", "Set"):
        schema: dict[str, Any] = {"type": "array"}
        item_args = [arg for arg in args if arg is not Ellipsis]
        if len(item_args) == 1:
            schema["items"] = hint_to_schema(item_args[0], tool_name, argument)
        return schema
    if origin is dict or _is_abc(origin, "Mapping"):
        schema = {"type": "object"}
        if len(args) == 2:
            schema["additionalProperties"] = hint_to_schema(args[1], tool_name, argument)
        return schema
    where = f"argument {argument!r}" if argument else "the return value"
    raise ToolTypeHintError(
        "Couldn't parse this type hint, likely due to a custom class or object. "
        f"Tool {tool_name!r}: {where} has type {_hint_name(hint)}, which tools cannot take. Use str, int, "
        "float, bool, list[...], dict[str, ...], Literal[...], Optional[...], Any, or a PIL image.",
        tool_name=tool_name,
        argument=argument or None,
    )


def _union_schema(args: tuple[Any, ...], tool_name: str, argument: str) -> dict[str, Any]:
    members = [arg for arg in args if arg is not type(None)]
    is_nullable = len(members) < len(args)
    if len(members) == 1:
        schema = hint_to_schema(members[0], tool_name, argument)
    else:
        type_names: list[str] = []
        for member in members:
            member_type = hint_to_schema(member, tool_name, argument)["type"]
            for name in member_type if isinstance(member_type, list) else [member_type]:
                if name not in type_names:
                    type_names.append(name)
        schema = {"type": type_names}
    if is_nullable:
        schema["nullable"] = True
    return schema


def _literal_schema(values: tuple[Any, ...]) -> dict[str, Any]:
    """``Literal[1, 2, None]`` is an integer enum ``[1, 2]`` that is nullable (1.26's schema)."""
    choices = [value for value in values if value is not None]
    type_names: list[str] = []
    for value in choices:
        name = json_type_name(value)
        if name not in type_names:
            type_names.append(name)
    schema: dict[str, Any] = {"type": type_names[0] if len(type_names) == 1 else type_names, "enum": choices}
    if len(choices) < len(values):
        schema["nullable"] = True
    return schema


def _media_type(hint: Any) -> str | None:
    """Recognise image/audio hints by name, so PIL need not be imported to read a signature."""
    module = getattr(hint, "__module__", "") or ""
    qualname = getattr(hint, "__qualname__", "")
    if qualname == "AgentImage" or (module.startswith("PIL") and qualname == "Image"):
        return "image"
    if qualname == "AgentAudio":
        return "audio"
    if qualname == "AgentText":
        return "string"
    return None


def _is_abc(origin: Any, *names: str) -> bool:
    return getattr(origin, "__module__", "") == "collections.abc" and getattr(origin, "__name__", "") in names


def _hint_name(hint: Any) -> str:
    return getattr(hint, "__qualname__", None) or repr(hint)


def _output_type(tool_name: str, hint: Any) -> str:
    schema = hint_to_schema(hint, tool_name=tool_name)
    type_name = schema["type"]
    # A return value has one declared type; unions are reported as "any".
    return type_name if isinstance(type_name, str) else "any"
