"""Checks that a `Tool` class can be written back as self-contained code, as smolagents 1.26 checks it.

`validate_tool_attributes` applies 1.26's rules to a tool class's source: class attributes are
literals (and ``name`` a valid identifier), ``__init__`` parameters have literal defaults, and
methods use only names they define, import, receive, or find in builtins and class attributes.

Saving a tool here does not require these rules: ``Tool.save`` writes the module-level imports
and constants a tool uses next to it. The checks remain for code that wants 1.26's guarantees.
"""

from __future__ import annotations

import ast
import builtins
import sys
from typing import Any

from .local_python_executor import BASE_BUILTIN_MODULES

__all__ = ["MethodChecker", "validate_tool_attributes"]

_BUILTIN_NAMES = frozenset(vars(builtins))
# Modules 1.26 lets tool methods name without importing them.
_BASE_MODULES = frozenset(BASE_BUILTIN_MODULES)


class MethodChecker(ast.NodeVisitor):
    """Collect, in `errors`, the names a method reads but never defines.

    Defined are: the method's arguments, names it assigns, imports, loops over, catches or
    binds with ``with``, functions and classes it defines, ``self``, the given class attributes,
    builtins, and the base modules. Visit a method's AST, then read `errors`.

    Args:
        class_attributes: Names of the class's attributes.
        check_imports: Kept for compatibility with smolagents 1.26; imports are always allowed.
    """

    def __init__(self, class_attributes: set[str], check_imports: bool = True) -> None:
        self.class_attributes = set(class_attributes)
        self.check_imports = check_imports
        self.errors: list[str] = []
        self.defined: set[str] = {"self", "Any"}
        self._loaded: dict[str, None] = {}

    def visit(self, node: ast.AST) -> Any:
        """Check `node` (a module or a function definition) and record undefined names in `errors`."""
        for child in ast.walk(node):
            self._record(child)
        for name in self._loaded:
            if not self._is_known(name):
                self.errors.append(f"Name '{name}' is undefined.")
        self._loaded.clear()
        return None

    def _record(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self._loaded.setdefault(node.id)
            else:
                self.defined.add(node.id)
        elif isinstance(node, ast.arg):
            self.defined.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.defined.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            self.defined.update(node.names)

    def _is_known(self, name: str) -> bool:
        return (
            name in self.defined
            or name in self.class_attributes
            or name in _BUILTIN_NAMES
            or name in _BASE_MODULES
        )


def validate_tool_attributes(cls: type, check_imports: bool = True) -> None:
    """Check that the tool class `cls` follows 1.26's rules for tools that can be saved.

    Raises:
        ValueError: Listing every rule broken: "Tool validation failed for <class>:" then one
            line per problem.
    """
    from .utils import get_source

    class_node = _class_node(cls, get_source)
    errors: list[str] = []
    attributes: set[str] = set()
    complex_attributes: list[str] = []
    for statement in class_node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            attributes.update(names)
            if not _is_literal(statement.value):
                complex_attributes += names
            if "name" in names:
                errors += _name_problems(statement.value)
    if complex_attributes:
        errors.append(
            "Complex attributes should be defined in __init__, not as class attributes: "
            + ", ".join(complex_attributes)
        )
    errors += _init_problems(class_node)
    for statement in class_node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            checker = MethodChecker(attributes | _importable_globals(cls), check_imports=check_imports)
            checker.visit(statement)
            errors += [f"- {statement.name}: {error}" for error in checker.errors]
    if errors:
        raise ValueError(f"Tool validation failed for {cls.__name__}:\n" + "\n".join(errors))


def _importable_globals(cls: type) -> set[str]:
    """Names of the class's module that saved code can import (modules, library classes and functions).

    1.26 wanted every name a method uses defined inside it; `Tool.save` here writes import lines
    for such names, so they are not errors. Constants defined next to the tool still are.
    """
    from .tools.source import importable_name

    module = sys.modules.get(cls.__module__)
    if module is None:
        return set()
    if cls.__module__.startswith("smolagents."):  # the library's own tools: saved code imports from it
        return set(vars(module))
    return {
        name
        for name, value in vars(module).items()
        if not isinstance(value, (str, bytes, int, float, bool, tuple, list, dict, set))
        and importable_name(name, value, cls.__module__)
    }


def _class_node(cls: type, get_source: Any) -> ast.ClassDef:
    source = _function_tool_class_source(cls) or get_source(cls)
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            return node
    raise ValueError(f"Source code of {cls.__name__} must define a class.")


def _function_tool_class_source(cls: type) -> str | None:
    """The class that `Tool.save` writes for an ``@tool`` tool, which has no class source of its own."""
    from .tools.decorator import FunctionTool
    from .tools.source import tool_source

    if not (isinstance(cls, type) and issubclass(cls, FunctionTool) and "forward" in cls.__dict__):
        return None
    return tool_source(cls())


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _name_problems(value: ast.expr) -> list[str]:
    if not isinstance(value, ast.Constant):
        return [f"Class attribute 'name' must be a constant, found '{ast.unparse(value)}'"]
    if not isinstance(value.value, str):
        return [f"Class attribute 'name' must be a string, found {value.value!r}"]
    from .utils import is_valid_name

    if not is_valid_name(value.value):
        return [
            "Class attribute 'name' must be a valid Python identifier and not a reserved keyword, "
            f"found '{value.value}'"
        ]
    return []


def _init_problems(class_node: ast.ClassDef) -> list[str]:
    init = next(
        (node for node in class_node.body if isinstance(node, ast.FunctionDef) and node.name == "__init__"),
        None,
    )
    if init is None:
        return []
    positional = [*init.args.posonlyargs, *init.args.args][1:]  # without self
    defaults = [None] * (len(positional) - len(init.args.defaults)) + list(init.args.defaults)
    pairs = [
        *zip(positional, defaults, strict=True),
        *zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True),
    ]
    required = [argument.arg for argument, default in pairs if default is None]
    non_literal = [
        argument.arg for argument, default in pairs if default is not None and not _is_literal(default)
    ]
    problems = []
    if required:
        problems.append(
            f"Parameters in __init__ must have default values, found required parameters: {', '.join(required)}"
        )
    if non_literal:
        problems.append(
            "Parameters in __init__ must have literal default values, found non-literal defaults: "
            + ", ".join(non_literal)
        )
    return problems
