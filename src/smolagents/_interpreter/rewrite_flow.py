"""Rewrites of control flow and bindings: exceptions, `finally` exits, `match`, imports.

A mixin of the rewriter (`transform.Rewriter`): it uses the rewriter's refusal and binding checks.
"""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

from . import names
from .guards import pattern_attribute_problem
from .rewrite_nodes import CompileRefusal, guard_call, load_name
from .tables import DENIED_ATTRIBUTES

__all__ = ["FlowRewrites"]


def _root_name(expression: ast.expr) -> str:
    while isinstance(expression, ast.Attribute):
        expression = expression.value
    return expression.id if isinstance(expression, ast.Name) else ""


def _load_copy(expression: ast.expr) -> ast.expr:
    # The class of a pattern as an ordinary expression (its attribute reads obey the normal rules).
    if isinstance(expression, ast.Attribute):
        return ast.Attribute(value=_load_copy(expression.value), attr=expression.attr, ctx=ast.Load())
    assert isinstance(expression, ast.Name)
    return load_name(expression.id)


def _guard_finally_exits(statements: list[ast.stmt], in_loop: bool = False) -> list[ast.stmt]:
    guarded: list[ast.stmt] = []
    for statement in statements:
        if isinstance(statement, ast.Return) or (
            isinstance(statement, (ast.Break, ast.Continue)) and not in_loop
        ):
            guarded.append(ast.copy_location(ast.Expr(value=guard_call(names.FINALLY_EXIT)), statement))
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            is_loop = isinstance(statement, (ast.For, ast.While))
            for field in ("body", "orelse", "finalbody"):
                children = getattr(statement, field, None)
                if isinstance(children, list) and children and isinstance(children[0], ast.stmt):
                    setattr(
                        statement,
                        field,
                        _guard_finally_exits(children, in_loop or (is_loop and field == "body")),
                    )
            for holder in getattr(statement, "handlers", []) + getattr(statement, "cases", []):
                holder.body = _guard_finally_exits(holder.body, in_loop)
        guarded.append(statement)
    return guarded


class FlowRewrites(ast.NodeTransformer):
    """The rewriter's handling of exceptions, `finally`, `match` statements and imports."""

    if TYPE_CHECKING:
        lazy_annotations: bool

        def refuse(self, node: ast.AST, what: str) -> CompileRefusal: ...

        def check_binding(self, node: ast.AST, identifier: str | None, parameter: bool = False) -> None: ...

        def check_identifier(self, node: ast.AST, identifier: str) -> None: ...

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        self.check_binding(node, node.name)
        self.generic_visit(node)
        # Model code catches only Exception subclasses: never the interpreter's control signals
        # nor the host's SystemExit/KeyboardInterrupt/GeneratorExit.
        node.type = (
            load_name(names.EXCEPTION) if node.type is None else guard_call(names.EXCEPTION_FILTER, node.type)
        )
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        # return/break/continue in `finally` drop the exception in flight. Before each of them a
        # guard re-raises it when it is one the code may never stop: the host's Ctrl-C, the end
        # of the run (final_answer), a spent budget.
        self.generic_visit(node)
        node.finalbody = _guard_finally_exits(node.finalbody)
        return node

    visit_TryStar = visit_Try  # type: ignore[assignment]  # same rule for except*

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        self.generic_visit(node)
        if node.exc is not None:
            node.exc = guard_call(names.RAISE, node.exc)
        if node.cause is not None:
            node.cause = guard_call(names.RAISE, node.cause)
        return node

    def visit_MatchAs(self, node: ast.MatchAs) -> ast.AST:
        self.check_binding(node, node.name)
        return self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> ast.AST:
        self.check_binding(node, node.name)
        return node

    def visit_MatchMapping(self, node: ast.MatchMapping) -> ast.AST:
        self.check_binding(node, node.rest)
        return self.generic_visit(node)

    def visit_Match(self, node: ast.Match) -> ast.AST:
        # Positional class patterns read the names in the class's `__match_args__` natively, at
        # match time: the classes are checked when the subject is evaluated, and nothing in the
        # statement may rebind their names in between.
        classes = [
            pattern.cls
            for case in node.cases
            for pattern in ast.walk(case.pattern)
            if isinstance(pattern, ast.MatchClass) and pattern.patterns
        ]
        roots = {_root_name(cls) for cls in classes}
        for part in [node.subject, *(case.guard for case in node.cases if case.guard is not None)]:
            for inner in ast.walk(part):
                if isinstance(inner, ast.NamedExpr) and inner.target.id in roots:
                    raise self.refuse(
                        inner,
                        f"rebinding {inner.target.id!r} inside a match that uses it as a class is not allowed.",
                    )
        self.generic_visit(node)
        if classes:
            checks: list[ast.expr] = [
                ast.Tuple(elts=[load_name(_root_name(cls)), _load_copy(cls)], ctx=ast.Load())
                for cls in classes
            ]
            node.subject = guard_call(names.MATCH, node.subject, ast.Tuple(elts=checks, ctx=ast.Load()))
        return node

    def visit_MatchClass(self, node: ast.MatchClass) -> ast.AST:
        # The class path (`case mod.Cls(...)`) is read natively too: public names only.
        path = node.cls
        while isinstance(path, ast.Attribute):
            if path.attr.startswith("_") or path.attr in DENIED_ATTRIBUTES:
                raise self.refuse(node, f"class patterns may not read attribute {path.attr!r}.")
            path = path.value
        # Keyword patterns read attributes natively: they obey the static attribute rules.
        for attribute in node.kwd_attrs:
            problem = pattern_attribute_problem(attribute)
            if problem:
                raise self.refuse(node, f"matching on attribute {attribute!r} is not allowed: {problem}.")
        return self.generic_visit(node)

    # -- imports ----------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> list[ast.stmt]:
        statements: list[ast.stmt] = []
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            self.check_binding(node, bound)
            value = guard_call(names.IMPORT, ast.Constant(alias.name), ast.Constant(alias.asname is None))
            statements.append(
                ast.copy_location(
                    ast.Assign(targets=[ast.Name(id=bound, ctx=ast.Store())], value=value), node
                )
            )
        return statements

    def visit_ImportFrom(self, node: ast.ImportFrom) -> list[ast.stmt]:
        if node.level or not node.module:
            raise self.refuse(node, "relative imports are not supported; import modules by their full name.")
        if node.module == "__future__":  # a compiler directive, not an import
            self.lazy_annotations |= any(alias.name == "annotations" for alias in node.names)
            return []
        statements: list[ast.stmt] = []
        for alias in node.names:
            if alias.name == "*":
                statements.append(
                    ast.copy_location(
                        ast.Expr(value=guard_call(names.IMPORT_STAR, ast.Constant(node.module))), node
                    )
                )
                continue
            bound = alias.asname or alias.name
            if not (
                alias.asname in (None, alias.name) and node.module == "math" and hasattr(math, alias.name)
            ):
                self.check_binding(node, bound)  # `from math import sqrt` binds the very same function
            else:
                self.check_identifier(node, bound)
            value = guard_call(names.IMPORT_FROM, ast.Constant(node.module), ast.Constant(alias.name))
            statements.append(
                ast.copy_location(
                    ast.Assign(targets=[ast.Name(id=bound, ctx=ast.Store())], value=value), node
                )
            )
        return statements
