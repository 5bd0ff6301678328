"""JSON schemas of functions, and the packages code imports: the names smolagents 1.26 offers here.

`get_json_schema` describes a function the way chat templates expect tools (``{"type":
"function", "function": {name, description, parameters, return}}``), from its type hints and
Google-style docstring; it is built on the schema reader that the ``@tool`` decorator uses.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
import types
import typing
from collections.abc import Callable
from typing import Any

from .tools.errors import DocstringParsingException, ToolDefinitionError, TypeHintParsingException
from .tools.schema import hint_to_schema, parse_google_docstring

__all__ = [
    "IMPORT_TO_PACKAGE_MAPPING",
    "DocstringParsingException",
    "TypeHintParsingException",
    "get_imports",
    "get_json_schema",
    "get_package_name",
]

IMPORT_TO_PACKAGE_MAPPING = {"wikipediaapi": "wikipedia-api"}
"""Import names whose pip package has another name."""

_CHOICES = re.compile(r"\(choices:\s*(.*?)\)\s*$", re.IGNORECASE)
_RETURN_TYPE_PREFIX = re.compile(r"^[\w\[\]., |]+:\s+")


def get_package_name(import_name: str) -> str:
    """Return the pip package that provides the module `import_name`."""
    return IMPORT_TO_PACKAGE_MAPPING.get(import_name, import_name)


def get_imports(code: str) -> list[str]:
    """Return the packages `code` imports (top-level names, as pip packages), relative imports excluded.

    Imports guarded by ``try:`` (optional dependencies) or by an ``if is_flash_attn..._available():``
    test are not requirements, so they are left out.
    """
    packages: set[str] = set()
    try:
        nodes = _required_import_nodes(ast.parse(textwrap.dedent(code)))
    except SyntaxError:  # not a whole module: read the import lines one by one
        nodes = [node for line in code.splitlines() for node in _import_line_nodes(line)]
    for node in nodes:
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif node.module and not node.level:
            packages.add(node.module.split(".")[0])
    return [get_package_name(name) for name in packages]


def _import_line_nodes(line: str) -> list[ast.Import | ast.ImportFrom]:
    try:
        statements = ast.parse(line.strip()).body
    except SyntaxError:
        return []
    return [node for node in statements if isinstance(node, (ast.Import, ast.ImportFrom))]


def _required_import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.Try):
            stack.extend([*node.handlers, *node.orelse, *node.finalbody])  # the `try:` body is optional
        elif isinstance(node, ast.If) and _is_flash_attention_test(node.test):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def _is_flash_attention_test(test: ast.expr) -> bool:
    function = test.func if isinstance(test, ast.Call) else None
    name = getattr(function, "id", None) or getattr(function, "attr", None) or ""
    return name.startswith("is_flash_attn") and name.endswith("available")


def get_json_schema(func: Callable[..., Any]) -> dict[str, Any]:
    """Return the JSON schema of a function, as chat templates take tools.

    Every argument needs a type hint and a description in the docstring's ``Args:`` section; a
    description may end with ``(choices: ["a", "b"])`` to give an ``enum``. Arguments with a
    default are ``nullable``. The return type hint and ``Returns:`` text are optional.

    Raises:
        DocstringParsingException: If the docstring or an argument's description is missing.
        TypeHintParsingException: If an argument has no type hint, or one with no JSON equivalent.
    """
    name = getattr(func, "__name__", repr(func))
    doc = inspect.getdoc(func)
    if not doc:
        raise DocstringParsingException(
            f"Cannot generate JSON schema for {name} because it has no docstring!"
        )
    description, documented, returns = parse_google_docstring(doc)
    hints = _type_hints(func)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for parameter in inspect.signature(func).parameters.values():
        if parameter.name not in hints:
            raise TypeHintParsingException(
                f"Argument {parameter.name} is missing a type hint in function {name}"
            )
        if parameter.name not in documented:
            raise DocstringParsingException(
                f"Cannot generate JSON schema for {name} because the docstring has no description for the "
                f"argument '{parameter.name}'"
            )
        schema = _hint_schema(hints[parameter.name])
        schema.update(_described(documented[parameter.name]))
        if parameter.default is inspect.Parameter.empty:
            required.append(parameter.name)
        else:
            schema["nullable"] = True
        properties[parameter.name] = schema
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    output: dict[str, Any] = {"name": name, "description": description, "parameters": parameters}
    if "return" in hints:
        output["return"] = _return_schema(hints["return"], returns)
    return {"type": "function", "function": output}


def _type_hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception as error:  # any failure to evaluate a string annotation
        raise TypeHintParsingException(f"Could not evaluate the type hints of {func}: {error}") from error


def _hint_schema(hint: Any) -> dict[str, Any]:
    """Translate a hint; fixed-size tuples give ``prefixItems`` and unknown classes ``object``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and args:
        if len(args) == 1 or Ellipsis in args:
            raise TypeHintParsingException(
                f"The type hint {hint} is not supported: use list[...] for a variable number of items, and "
                "tuple[...] with two or more fixed item types."
            )
        return {"type": "array", "prefixItems": [_hint_schema(arg) for arg in args]}
    if origin in (typing.Union, types.UnionType) and any(typing.get_origin(arg) is tuple for arg in args):
        members = [_hint_schema(arg) for arg in args if arg is not type(None)]
        schema = members[0] if len(members) == 1 else {"anyOf": members}
        return schema | ({"nullable": True} if type(None) in args else {})
    try:
        return hint_to_schema(hint)
    except ToolDefinitionError as error:
        if isinstance(hint, type):  # a class of the user's own: described as an object
            return {"type": "object"}
        raise TypeHintParsingException(
            f"Couldn't parse this type hint, likely due to a custom class or object: {hint}"
        ) from error


def _described(text: str) -> dict[str, Any]:
    choices = _CHOICES.search(text)
    if choices is None:
        return {"description": text}
    try:
        values = json.loads(choices.group(1))
    except json.JSONDecodeError:
        return {"description": text}
    return {"enum": values, "description": text[: choices.start()].strip()}


def _return_schema(hint: Any, returns: str | None) -> dict[str, Any]:
    schema = _hint_schema(hint)
    if not isinstance(schema.get("type"), str):
        schema = {"type": "any"}  # a union return is described as "any"
    if returns:
        schema["description"] = _RETURN_TYPE_PREFIX.sub("", returns, count=1)
    return schema
