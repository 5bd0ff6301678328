"""Write a tool as standalone Python code, and load a tool back from code.

A tool's code is its class (or its `@tool` function) as written, preceded by the imports and
literal constants it uses from its module, found by resolving the names its source reads but
does not define. Anything else it depends on is reported as an error saying how to fix it.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import functools
import importlib.metadata
import importlib.util
import inspect
import itertools
import json
import linecache
import os
import re
import sys
import textwrap
import types
from typing import Any, cast

from .base import Tool
from .decorator import SIMPLE_TOOL_CLASS, FunctionTool
from .definition import check_tool_definition
from .errors import ToolDefinitionError

__all__ = [
    "SIMPLE_TOOL_CLASS",
    "decorator_names",
    "forward_method_source",
    "importable_name",
    "requirements_of",
    "save_tool",
    "saved_class_name",
    "tool_app_code",
    "tool_from_code",
    "tool_from_dict",
    "tool_source",
    "tool_to_dict",
]

_SOURCE_ATTRIBUTE = "_tool_source_code"
_OVERRIDABLE = ("name", "description", "inputs", "output_type", "output_schema")
_code_counter = itertools.count()


def tool_to_dict(tool: Tool) -> dict[str, Any]:
    """Return the tool's name, description, inputs, output type, source code and requirements."""
    code = tool_source(tool)
    result: dict[str, Any] = {
        "name": tool.name,
        "description": tool.description,
        "inputs": tool.inputs,
        "output_type": tool.output_type,
        "code": code,
        "requirements": requirements_of(code),
    }
    if tool.output_schema is not None:
        result["output_schema"] = tool.output_schema
    return result


def tool_from_dict(tool_dict: dict[str, Any], **kwargs: Any) -> Tool:
    """Rebuild a tool from `tool_to_dict` output (runs its code: trusted input only)."""
    if not isinstance(tool_dict, dict) or not isinstance(tool_dict.get("code"), str):
        raise ToolDefinitionError(
            "Tool dictionary must contain 'code' key with the tool source code: Tool.from_dict needs the dict "
            "written by tool.to_dict()."
        )
    tool = tool_from_code(tool_dict["code"], **kwargs)
    overridden = False
    for key in _OVERRIDABLE:
        if key in tool_dict and tool_dict[key] != getattr(tool, key):
            setattr(tool, key, tool_dict[key])
            overridden = True
    if overridden:
        check_tool_definition(tool)
    return tool


def save_tool(
    tool: Tool, output_dir: str | os.PathLike[str], tool_file_name: str = "tool", make_gradio_app: bool = True
) -> None:
    """Write ``<output_dir>/<tool_file_name>.py``; with `make_gradio_app`, also ``app.py`` and ``requirements.txt``.

    The layout is smolagents 1.26's, so a folder written here can be pushed as a Space or
    loaded by either library.
    """
    code = tool_source(tool)
    os.makedirs(output_dir, exist_ok=True)
    _write(os.path.join(output_dir, f"{tool_file_name}.py"), code)
    if make_gradio_app:
        _write(os.path.join(output_dir, "app.py"), tool_app_code(tool, tool_file_name))
        _write(os.path.join(output_dir, "requirements.txt"), "\n".join(requirements_of(code)))


def tool_app_code(tool: Tool, tool_module_name: str = "tool") -> str:
    """Return the ``app.py`` of a tool's Space: it starts a Gradio demo of the tool."""
    class_name = saved_class_name(tool)
    return (
        "from smolagents import launch_gradio_demo\n"
        f"from {tool_module_name} import {class_name}\n\n"
        f"tool = {class_name}()\n"
        "launch_gradio_demo(tool)\n"
    )


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def tool_from_code(tool_code: str, **kwargs: Any) -> Tool:
    """Run trusted code defining one tool and return an instance of it.

    The code may define a `Tool` subclass (instantiated with `kwargs`) or an ``@tool`` function.

    Raises:
        ToolDefinitionError: If the code defines no tool, or several tool classes.
    """
    number = next(_code_counter)
    module = types.ModuleType(f"smolagents_tool_code_{number}")
    filename = f"<smolagents tool code #{number}>"
    # Registered so tracebacks and inspect.getsource can show the lines of the tool.
    linecache.cache[filename] = (len(tool_code), None, tool_code.splitlines(keepends=True), filename)
    exec(compile(tool_code, filename, "exec"), module.__dict__)  # trusted: the caller passed this code
    classes = [
        value
        for value in module.__dict__.values()
        if isinstance(value, type) and issubclass(value, Tool) and value.__module__ == module.__name__
    ]
    leaves = [
        cls for cls in classes if not any(other is not cls and issubclass(other, cls) for other in classes)
    ]
    if len(leaves) > 1:
        names = ", ".join(cls.__name__ for cls in leaves)
        raise ToolDefinitionError(f"The tool code defines several tool classes ({names}); keep exactly one.")
    if leaves:
        setattr(leaves[0], _SOURCE_ATTRIBUTE, tool_code)
        return leaves[0](**kwargs)
    instances = [value for value in module.__dict__.values() if isinstance(value, Tool)]
    if len(instances) != 1:
        found = "no tool" if not instances else f"{len(instances)} tools"
        raise ToolDefinitionError(
            f"The tool code defines {found}: it must define exactly one Tool subclass or one @tool function."
        )
    if kwargs:
        raise ToolDefinitionError(
            f"Tool {instances[0].name!r} is an @tool function: it takes no constructor arguments, got "
            f"{', '.join(kwargs)}."
        )
    setattr(type(instances[0]), _SOURCE_ATTRIBUTE, tool_code)
    return instances[0]


def tool_source(tool: Tool) -> str:
    """Return standalone Python code defining the tool: imports, constants, then the definition.

    Raises:
        ToolDefinitionError: If the source cannot be found (a REPL or ``exec`` definition), the
            tool class needs constructor arguments, or the code uses a name that cannot be
            imported or written as a literal.
    """
    if isinstance(tool, FunctionTool):
        return _function_tool_source(tool)
    stored = type(tool).__dict__.get(_SOURCE_ATTRIBUTE)
    if isinstance(stored, str):
        return stored
    cls = type(tool)
    _check_constructor(cls, tool.name)
    definition = _literal_attributes(_absolute_imports(_get_source(cls, tool.name), cls.__module__), cls)
    module_globals = vars(sys.modules[cls.__module__]) if cls.__module__ in sys.modules else {}
    nonlocals = {}
    for member in cls.__dict__.values():
        function = getattr(member, "__func__", member)
        if inspect.isfunction(function):
            nonlocals.update(_closure_values(function))
    lines = _dependency_lines(tool.name, definition, module_globals, nonlocals, set(), [])
    # Keep postponed annotations if the tool's module had them: its hints may name types that only
    # exist for type checkers.
    if module_globals.get("annotations") is __future__.annotations:
        lines = ["from __future__ import annotations", "", *lines]
    return "\n".join(lines) + "\n\n\n" + definition.rstrip() + "\n"


_LITERAL_ATTRIBUTES = ("name", "description", "inputs", "output_type", "output_schema")


def _literal_attributes(definition: str, cls: type) -> str:
    """Rewrite the assignments of a tool class's `name`, `description`, `inputs`, `output_type` and
    `output_schema` as literals of their values, as 1.26 writes them: an attribute computed by an
    expression (a helper call, a constant of the module) is saved as what it computed."""
    tree = ast.parse(definition)
    node = next((item for item in tree.body if isinstance(item, ast.ClassDef)), None)
    if node is None:
        return definition
    lines = definition.splitlines(keepends=True)
    replacements: list[tuple[int, int, str]] = []
    for statement in node.body:
        target = (
            statement.targets[0]
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1
            else None
        )
        if isinstance(statement, ast.AnnAssign):
            target = statement.target
        if not isinstance(target, ast.Name) or target.id not in _LITERAL_ATTRIBUTES:
            continue
        value = cls.__dict__.get(target.id)
        if isinstance(value, str):
            literal = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, dict):
            literal = repr(value)
        else:
            continue
        assert statement.end_lineno is not None
        text = f"{' ' * statement.col_offset}{target.id} = {literal}\n"
        replacements.append((statement.lineno, statement.end_lineno, text))
    for start, end, text in reversed(replacements):
        lines[start - 1 : end] = [text]
    return "".join(lines)


def _function_tool_source(tool: FunctionTool) -> str:
    """Write an ``@tool`` function as a `Tool` subclass named ``SimpleTool``, as smolagents 1.26 does.

    A class (not the decorated function) is what 1.26's ``Tool.from_code`` looks for, so the
    code loads in both libraries.
    """
    function = tool.function
    method = getattr(tool.forward, "__source__", None)
    if not isinstance(method, str):
        method = forward_method_source(_get_source(function, tool.name), tool.name)
    forward = _absolute_imports(method, function.__module__)
    imports = ["from smolagents import Tool", "from typing import Any", "from typing import Optional"]
    lines = _dependency_lines(
        tool.name, forward, function.__globals__, _closure_values(function), {"Tool"}, imports
    )
    if function.__globals__.get("annotations") is __future__.annotations:
        lines = ["from __future__ import annotations", *lines]
    attributes = [
        f'    name = "{tool.name}"',
        f"    description = {json.dumps(textwrap.dedent(tool.description).strip())}",
        f"    inputs = {tool.inputs!r}",
        f'    output_type = "{tool.output_type}"',
    ]
    if tool.output_schema is not None:
        attributes.append(f"    output_schema = {tool.output_schema!r}")
    definition = f"class {SIMPLE_TOOL_CLASS}(Tool):\n" + "\n".join(attributes)
    return "\n".join(lines) + "\n\n" + definition + "\n\n" + textwrap.indent(forward, "    ").rstrip() + "\n"


def decorator_names(source: str) -> list[str]:
    """Return the decorators above the first function of `source`, as written (``tool``, ``functools.cache``...)."""
    node = ast.parse(source).body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    return [ast.unparse(decorator) for decorator in node.decorator_list]


def forward_method_source(source: str, tool_name: str) -> str:
    """Rewrite a function's source as a ``forward(self, ...)`` method (decorators dropped).

    The parameters are written as `inspect.Signature` shows them (``flag: bool = False``), as
    smolagents 1.26 writes them; the body is kept as written.
    """
    node = ast.parse(source).body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise ToolDefinitionError(
            f"Cannot find the definition of tool {tool_name!r} in its source.", tool_name=tool_name
        )
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    lines = source.splitlines()
    first = node.body[0]
    if first.lineno == node.lineno:  # a one-line definition: `def f(x): return x`
        body = ["    " + lines[first.lineno - 1][first.col_offset :], *lines[first.lineno :]]
    else:
        body = lines[first.lineno - 1 :]
    return f"{keyword} forward({_parameters_text(node.args)}){returns}:\n" + "\n".join(body) + "\n"


def _parameters_text(arguments: ast.arguments) -> str:
    """Write ``self`` then the function's parameters, spaced as `inspect.Signature` writes them."""
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    parts = ["self"]
    for index, (argument, default) in enumerate(zip(positional, defaults, strict=True)):
        parts.append(_parameter_text(argument, default))
        if arguments.posonlyargs and index == len(arguments.posonlyargs) - 1:
            parts.append("/")
    if arguments.vararg is not None:
        parts.append("*" + _parameter_text(arguments.vararg, None))
    elif arguments.kwonlyargs:
        parts.append("*")
    for argument, kw_default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        parts.append(_parameter_text(argument, kw_default))
    if arguments.kwarg is not None:
        parts.append("**" + _parameter_text(arguments.kwarg, None))
    return ", ".join(parts)


def _parameter_text(argument: ast.arg, default: ast.expr | None) -> str:
    text = argument.arg
    if argument.annotation is not None:
        text += f": {ast.unparse(argument.annotation)}"
    if default is not None:
        text += (
            f" = {ast.unparse(default)}" if argument.annotation is not None else f"={ast.unparse(default)}"
        )
    return text


def saved_class_name(tool: Tool) -> str:
    """Return the name of the class defined by the code `tool_source` writes for `tool`."""
    return SIMPLE_TOOL_CLASS if isinstance(tool, FunctionTool) else type(tool).__name__


def requirements_of(code: str) -> list[str]:
    """Return the pip distributions the code imports (stdlib excluded), always including smolagents."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    distributions = _module_distributions()
    requirements = {"smolagents"}
    for module in modules - set(sys.stdlib_module_names) - {"smolagents"}:
        requirements.add(distributions.get(module, [module])[0])
    return sorted(requirements)


@functools.lru_cache(maxsize=1)
def _module_distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def _get_source(obj: Any, tool_name: str) -> str:
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError) as error:
        raise ToolDefinitionError(
            f"Cannot find the source code of tool {tool_name!r} (defined in an interactive session, with "
            "exec or type(), or as a lambda), so it cannot be saved. Define it in a .py file and import it.",
            tool_name=tool_name,
        ) from error
    return textwrap.dedent(source)


def _absolute_imports(source: str, module_name: str) -> str:
    """Rewrite relative imports (``from .x import y``) as absolute ones, so the code runs on its own."""
    module = sys.modules.get(module_name)
    package = getattr(module, "__package__", None) or module_name.rpartition(".")[0]
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            absolute = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            row = node.lineno - 1
            lines[row] = re.sub(r"from\s+\.+[\w.]*\s+import", f"from {absolute} import", lines[row], count=1)
    return "\n".join(lines) + "\n"


def _strip_decorators(source: str) -> str:
    """Drop the decorator lines above a function definition (the caller writes ``@tool`` back)."""
    node = ast.parse(source).body[0]
    return "\n".join(source.splitlines()[node.lineno - 1 :])


def _check_constructor(cls: type, tool_name: str) -> None:
    required = [
        parameter.name
        for parameter in list(inspect.signature(cast(Any, cls).__init__).parameters.values())[1:]
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        raise ToolDefinitionError(
            f"Parameters in __init__ must have default values, found required parameters: {', '.join(required)}. "
            f"Tool {tool_name!r} cannot be saved this way: a loaded tool is built without arguments, so give "
            "these parameters default values.",
            tool_name=tool_name,
        )


def _closure_values(function: Any) -> dict[str, Any]:
    cells = function.__closure__ or ()
    values: dict[str, Any] = {}
    for name, cell in zip(function.__code__.co_freevars, cells, strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # an empty cell: the variable was never assigned
            continue
    return values


def _free_names(source: str) -> list[str]:
    """Return the names the code reads but never binds, in order of first use (builtins excluded)."""
    loaded: dict[str, None] = {}
    bound: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loaded.setdefault(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return [name for name in loaded if name not in bound and not hasattr(builtins, name)]


def _dependency_lines(
    tool_name: str,
    source: str,
    module_globals: dict[str, Any],
    nonlocals: dict[str, Any],
    provided: set[str],
    imports: list[str],
) -> list[str]:
    """Return the import and constant lines that make `source` run on its own.

    Args:
        tool_name: The tool, for error messages.
        source: The tool's definition.
        module_globals: The globals of the module defining the tool.
        nonlocals: Closure variables of the tool's functions.
        provided: Names the caller already provides (skipped).
        imports: Import lines the caller already needs; extended in place.
    """
    constants: list[str] = []
    own_module = module_globals.get("__name__")
    for name in _free_names(source):
        if name in provided:
            continue
        if name in nonlocals:
            value = nonlocals[name]
        elif name in module_globals:
            value = module_globals[name]
        else:
            raise ToolDefinitionError(
                f"Tool {tool_name!r} uses {name!r}, which is not defined where the tool is. Import or "
                "define it inside the tool.",
                tool_name=tool_name,
            )
        line = _import_line(name, value, own_module)
        if line is not None:
            imports.append(line)
        elif _is_literal(value):
            constants.append(f"{name} = {value!r}")
        else:
            raise ToolDefinitionError(
                f"Tool {tool_name!r} uses {name!r} (a {type(value).__name__} defined next to the tool), which "
                "cannot be written into the tool's code: a saved tool must be self-contained. Move it inside "
                "the tool (a method, or a nested function), create it in setup(), or import it from an "
                "installable module.",
                tool_name=tool_name,
            )
    return _merge_imports(imports) + (["", *constants] if constants else [])


def _merge_imports(lines: list[str]) -> list[str]:
    """Sort import lines, joining ``from m import a`` and ``from m import b`` into one line."""
    plain = sorted({line for line in lines if line.startswith("import ")})
    by_module: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("from "):
            module, _, names = line[len("from ") :].partition(" import ")
            by_module.setdefault(module, [])
            if names not in by_module[module]:
                by_module[module].append(names)
    merged = [
        f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(by_module.items())
    ]
    return plain + merged


def _import_line(name: str, value: Any, own_module: str | None) -> str | None:
    if isinstance(value, types.ModuleType):
        parent, _, leaf = value.__name__.rpartition(".")
        if name == value.__name__:
            return f"import {name}"
        if parent and leaf == name:
            return f"from {parent} import {name}"
        return f"import {value.__name__} as {name}"
    module_name = getattr(value, "__module__", None)
    attribute = getattr(value, "__name__", None)
    if not isinstance(module_name, str) or not isinstance(attribute, str):
        return None
    if module_name == "__main__" or (module_name == own_module and not _is_library_module(module_name)):
        return None
    for candidate in dict.fromkeys((module_name.split(".")[0], module_name)):
        module = sys.modules.get(candidate)
        found = getattr(module, attribute, None) if module is not None else None
        if found is value or (inspect.ismethod(value) and found == value):
            return f"from {candidate} import {attribute}" + (f" as {name}" if attribute != name else "")
    return None


def _is_library_module(module_name: str) -> bool:
    """Whether the module is part of smolagents, which every saved tool requires (so it can be imported from)."""
    return module_name == "smolagents" or module_name.startswith("smolagents.")


def importable_name(name: str, value: Any, own_module: str | None) -> bool:
    """Whether saved code can get `value` (named `name` in module `own_module`) by an import line."""
    return _import_line(name, value, own_module) is not None


def _is_literal(value: Any) -> bool:
    if not isinstance(value, (str, bytes, int, float, bool, type(None), tuple, list, dict, set, frozenset)):
        return False
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
