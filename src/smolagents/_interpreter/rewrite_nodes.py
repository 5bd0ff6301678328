"""Small AST builders and the refusal error shared by the rewriter modules."""

from __future__ import annotations

import ast

from . import names
from .errors import InterpreterError

__all__ = [
    "CompileRefusal",
    "guard_call",
    "is_constant",
    "load_name",
    "located",
    "mentions_string",
    "source_line",
    "tick",
]


class CompileRefusal(InterpreterError):
    """The code was refused before it ran (syntax error or a forbidden construct)."""


def source_line(source: str, lineno: int | None) -> str:
    """Return line `lineno` (1-based) of `source`, stripped, or an empty string."""
    if not lineno:
        return ""
    lines = source.splitlines()
    return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""


def load_name(identifier: str) -> ast.Name:
    return ast.Name(id=identifier, ctx=ast.Load())


def guard_call(function: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=load_name(function), args=list(args), keywords=[])


def located(statements: list[ast.stmt], node: ast.AST) -> list[ast.stmt]:
    return [ast.copy_location(statement, node) for statement in statements]


def tick() -> ast.stmt:
    return ast.Expr(value=guard_call(names.TICK))


def is_constant(node: ast.AST, kinds: tuple[type, ...]) -> bool:
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, kinds) and not isinstance(node.value, bool)
    )


def mentions_string(annotation: ast.AST) -> bool:
    # Libraries evaluate string annotations (typing.get_type_hints, functools.singledispatch)
    # with eval() and no guards: the checker drops them, keeping only real expressions.
    return any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) for node in ast.walk(annotation)
    )
