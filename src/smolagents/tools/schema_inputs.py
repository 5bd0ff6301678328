"""Tool `inputs` from a JSON schema (MCP ``inputSchema``, a LangChain args schema, a Gradio API).

Other ecosystems describe a tool's arguments with a JSON schema object; smolagents tools declare
``{name: {"type", "description", "nullable"?, ...}}``. This keeps what the model needs
(descriptions, enums, defaults, item types) and folds what our types cannot say (unions with
null, optional properties) into ``nullable``.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from .schema import AUTHORIZED_TYPES

__all__ = ["inputs_from_schema", "resolve_references", "tool_name"]

_DROPPED_KEYS = ("title", "$defs", "definitions")


def tool_name(name: str) -> str:
    """Make an MCP tool name a Python identifier: dashes become underscores, other symbols go."""
    cleaned = re.sub(r"\W", "", name.replace("-", "_").replace(".", "_"))
    if not cleaned or cleaned[0].isdigit():
        cleaned = f"_{cleaned}"
    return f"{cleaned}_" if keyword.iskeyword(cleaned) else cleaned


def inputs_from_schema(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Turn an MCP ``inputSchema`` into tool `inputs`, keeping descriptions, enums and defaults.

    ``$ref``s to local definitions are resolved; ``anyOf``/``oneOf`` with null and optional
    properties become ``nullable``; a property without a type accepts any value.
    """
    definitions = _definitions(schema)
    required = set(schema.get("required") or ())
    inputs: dict[str, dict[str, Any]] = {}
    for name, raw in (schema.get("properties") or {}).items():
        spec = _resolve(raw if isinstance(raw, dict) else {}, definitions, depth=0)
        spec = _with_simple_type(spec)
        spec["description"] = str(spec.get("description") or "see tool description")
        if "default" in spec and spec["default"] is None:
            del spec["default"]  # says no more than nullable does
        if name not in required:
            spec["nullable"] = True
        inputs[name] = spec
    return inputs


def _resolve(node: Any, definitions: dict[str, Any], depth: int) -> Any:
    if depth > 20:  # a recursive schema: stop expanding, any value is accepted below this level
        return {}
    if isinstance(node, list):
        return [_resolve(item, definitions, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        target = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
        merged = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
        return _resolve(merged, definitions, depth + 1)
    return {
        key: _resolve(value, definitions, depth + 1)
        for key, value in node.items()
        if key not in _DROPPED_KEYS
    }


def _with_simple_type(spec: dict[str, Any]) -> dict[str, Any]:
    """Give the property a ``type`` our schema accepts, folding unions with null into ``nullable``."""
    spec = dict(spec)
    variants = spec.pop("anyOf", None) or spec.pop("oneOf", None)
    if variants:
        concrete = [v for v in variants if isinstance(v, dict) and v.get("type") != "null"]
        if len(concrete) < len(variants):
            spec["nullable"] = True
        if len(concrete) == 1:
            return _with_simple_type({**concrete[0], **spec})
        types = [v.get("type") for v in concrete]
        spec["type"] = types if types and all(t in AUTHORIZED_TYPES for t in types) else "any"
        return spec
    kind = spec.get("type")
    if isinstance(kind, list):
        concrete_types = [t for t in kind if t != "null"]
        if len(concrete_types) < len(kind):
            spec["nullable"] = True
        kind = concrete_types[0] if len(concrete_types) == 1 else concrete_types
    if kind is None or not (
        kind in AUTHORIZED_TYPES
        or (isinstance(kind, list) and kind and all(t in AUTHORIZED_TYPES for t in kind))
    ):
        kind = "any"
    spec["type"] = kind
    return spec


def resolve_references(schema: dict[str, Any]) -> dict[str, Any]:
    """Return `schema` with its local ``$ref``s replaced by the definitions they point to."""
    resolved = _resolve(schema, _definitions(schema), depth=0)
    return resolved if isinstance(resolved, dict) else {}


def _definitions(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema.get("definitions", {}), **schema.get("$defs", {})}
