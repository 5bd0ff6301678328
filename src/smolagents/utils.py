"""Public home of the error tree and of the small helpers that smolagents 1.26 code imports from here.

Helpers implemented higher in the package (the code parser, the interpreter's module list, the
app template) are re-exported lazily, so importing this module stays cheap and the layering of
the package is kept: nothing below this module is imported until the name is used.
"""

from __future__ import annotations

import ast
import base64
import inspect
import io
import json
import keyword
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from ._errors import (
    AgentError,
    AgentExecutionError,
    AgentGenerationError,
    AgentInterruptedError,
    AgentMaxStepsError,
    AgentParsingError,
    AgentToolCallError,
    AgentToolExecutionError,
    ModelProviderError,
)
from ._lazy import lazy_exports

__all__ = [
    "AgentError",
    "AgentExecutionError",
    "AgentGenerationError",
    "AgentInterruptedError",
    "AgentMaxStepsError",
    "AgentParsingError",
    "AgentToolCallError",
    "AgentToolExecutionError",
    "ModelProviderError",
]

MAX_LENGTH_TRUNCATE_CONTENT = 20000

# Class attributes set by the library's own machinery, never written back as source.
_MACHINERY_ATTRIBUTES = {"_abc_impl", "_is_checked_at_definition", "_tool_source_code"}

# Names defined in higher layers of the package, resolved on first use.
_HIGHER: dict[str, str] = {
    "AGENT_GRADIO_APP_TEMPLATE": "smolagents._agent.app_template",
    "BASE_BUILTIN_MODULES": "smolagents.local_python_executor",
    "create_agent_gradio_app_template": "smolagents._agent.app_template",
    "extract_code_from_text": "smolagents._agent.code_parsing",
    "parse_code_blobs": "smolagents._agent.code_parsing",
    "parse_json_blob": "smolagents.models.conversion",
}

__getattr__, __dir__ = lazy_exports(__name__, _HIGHER)


def _is_package_available(package_name: str) -> bool:
    """Return whether `package_name` can be imported (without importing it).

    1.26 has this helper here and ecosystem packages import it from here (mcpadapt's smolagents
    adapter does), so it stays at this name.
    """
    import importlib.util

    try:
        return importlib.util.find_spec(package_name) is not None
    except (ImportError, ValueError):  # a parent package that is missing or not a package
        return False


def truncate_content(content: str, max_length: int = MAX_LENGTH_TRUNCATE_CONTENT) -> str:
    """Return `content`, or its head and tail around a note saying it was cut to `max_length` characters."""
    if len(content) <= max_length:
        return content
    half = max_length // 2
    return (
        content[:half]
        + f"\n..._This content has been truncated to stay below {max_length} characters_...\n"
        + content[-half:]
    )


def is_valid_name(name: Any) -> bool:
    """Whether `name` is a string usable as a Python name (an identifier, not a keyword)."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def make_json_serializable(obj: Any) -> Any:
    """Return `obj` made of JSON types only, recursively.

    Strings holding a JSON object or array are decoded; objects with attributes become a dict
    of them with their class name under ``"_type"``; anything else becomes its `str`.
    """
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if isinstance(obj, str):
        if (obj.startswith("{") and obj.endswith("}")) or (obj.startswith("[") and obj.endswith("]")):
            try:
                return make_json_serializable(json.loads(obj))
            except json.JSONDecodeError:
                return obj
        return obj
    if isinstance(obj, (list, tuple)):
        return [make_json_serializable(item) for item in obj]
    if isinstance(obj, dict):
        return {str(key): make_json_serializable(value) for key, value in obj.items()}
    if hasattr(obj, "__dict__"):
        attributes = {key: make_json_serializable(value) for key, value in vars(obj).items()}
        return {"_type": type(obj).__name__, **attributes}
    return str(obj)


def make_init_file(folder: str | os.PathLike[str]) -> None:
    """Create `folder` if needed, with an empty ``__init__.py`` in it."""
    os.makedirs(folder, exist_ok=True)
    Path(folder, "__init__.py").write_text("", encoding="utf-8")


def encode_image_base64(image: Any) -> str:
    """Return a PIL image as base64-encoded PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("utf-8")


def make_image_url(base64_image: str) -> str:
    """Return a ``data:`` URL for a base64-encoded PNG."""
    return f"data:image/png;base64,{base64_image}"


def get_source(obj: Any) -> str:
    """Return the source code of a class or callable, dedented and stripped.

    A ``__source__`` attribute (set on functions written by model code and on tool methods) is
    used first, then the file the object comes from, then the history of an IPython session.

    Raises:
        TypeError: If `obj` is neither a class nor callable.
        OSError: If the source cannot be found (no file, not IPython).
        ValueError: If IPython runs but its history does not define the object.
    """
    if not (isinstance(obj, type) or callable(obj)):
        raise TypeError(f"Expected class or callable, got {type(obj)}")
    stored = getattr(obj, "__source__", None)
    if isinstance(stored, str) and stored:
        return textwrap.dedent(stored).strip()
    try:
        return textwrap.dedent(inspect.getsource(obj)).strip()
    except OSError as error:
        return _source_from_ipython(obj, error)


def _source_from_ipython(obj: Any, inspect_error: OSError) -> str:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        raise inspect_error
    history = "\n".join(shell.user_ns.get("In", [])).strip()
    if not history:
        raise ValueError("No code cells found in IPython session") from inspect_error
    lines = history.split("\n")
    for node in ast.walk(ast.parse(history)):
        if (
            isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == obj.__name__
        ):
            return textwrap.dedent("\n".join(lines[node.lineno - 1 : node.end_lineno])).strip()
    raise ValueError(f"Could not find source code for {obj.__name__} in IPython history") from inspect_error


def instance_to_source(instance: Any, base_cls: type | None = None) -> str:
    """Write the class of `instance` back as source code, as smolagents 1.26 does.

    The class is rebuilt from its attributes and methods: class attributes that differ from
    `base_cls` are written as literals, methods that differ from it as their source, and the
    packages the methods import become top-level imports.
    """
    cls = type(instance)
    lines = [f"class {cls.__name__}({base_cls.__name__}):" if base_cls else f"class {cls.__name__}:"]
    if cls.__doc__ and (base_cls is None or cls.__doc__ != base_cls.__doc__):
        lines.append(f'    """{cls.__doc__}"""')
    attributes = {
        name: value
        for name, value in cls.__dict__.items()
        if not name.startswith("__")
        and name not in _MACHINERY_ATTRIBUTES
        and not callable(value)
        and not isinstance(value, (property, staticmethod, classmethod))
        and not (base_cls is not None and hasattr(base_cls, name) and getattr(base_cls, name) == value)
    }
    lines += [f"    {name} = {_attribute_literal(value)}" for name, value in attributes.items()]
    if attributes:
        lines.append("")
    for method in _own_methods(cls, base_cls):
        lines += [textwrap.indent(get_source(method), "    "), ""]
    packages = sorted(_imported_packages("\n".join(lines)))
    header = [f"from {_public_module(base_cls)} import {base_cls.__name__}"] if base_cls else []
    header += [f"import {package}" for package in packages]
    return "\n".join([*header, *([""] if header else []), *lines])


def _attribute_literal(value: Any) -> str:
    if isinstance(value, str):
        if "\n" in value:
            return '"""' + value.replace('"""', r"\"\"\"") + '"""'
        return json.dumps(value)
    return repr(value)


def _own_methods(cls: type, base_cls: type | None) -> list[Any]:
    methods = []
    for name, member in cls.__dict__.items():
        if not callable(member) and not isinstance(member, (staticmethod, classmethod)):
            continue
        function = getattr(member, "__wrapped__", member)
        inherited = getattr(base_cls, name, None) if base_cls is not None else None
        is_same_code = (
            inherited is not None
            and getattr(inherited, "__code__", None) is not None
            and getattr(inherited, "__code__", None) == getattr(function, "__code__", object())
        )
        if (
            base_cls is None
            or inherited is None
            or isinstance(member, (staticmethod, classmethod))
            or not is_same_code
        ):
            methods.append(function)
    return methods


def _imported_packages(source: str) -> set[str]:
    packages: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def _public_module(cls: type) -> str:
    """Return the shortest parent module (below the top-level package) that exports `cls`."""
    module = cls.__module__
    parts = module.split(".")
    for length in range(2, len(parts)):
        candidate = ".".join(parts[:length])
        if getattr(sys.modules.get(candidate), cls.__name__, None) is cls:
            return candidate
    return module
