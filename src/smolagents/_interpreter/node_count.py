"""1.26's operation count for `evaluate_python_code`: one unit per syntax node evaluated.

1.26 walked the syntax tree and counted every node it evaluated; its `evaluate_python_code` reports
the count in `state["_operations_count"]` and stops at `MAX_OPERATIONS` of them. Code run by that
function (not by the executor, which counts loop iterations and calls) is compiled with counting
calls around the nodes 1.26 counted: statements, and expressions other than assignment targets and
the name of a called function. The code has already been checked on its own before this is added.
"""

from __future__ import annotations

import ast
from typing import Any

from . import names
from .errors import BudgetExceededSignal
from .rewrite_nodes import guard_call

__all__ = ["NodeTally", "add_node_counts"]


class NodeTally:
    """The counters the counting calls report to, for one executor.

    Attributes:
        operations: Syntax nodes evaluated so far (1.26's `_operations_count`).
        node_limit: Stop past this many (None: no limit).
        while_limit: Iterations allowed per `while` loop (None: no limit).
    """

    def __init__(self) -> None:
        self.operations = 0
        self.node_limit: int | None = None
        self.while_limit: int | None = None
        self._passes: dict[int, int] = {}

    def count(self, value: Any, units: int) -> Any:
        """Count `units` evaluated nodes and pass `value` through."""
        self.operations += units
        if self.node_limit is not None and self.operations > self.node_limit:
            raise BudgetExceededSignal(
                f"Reached the max number of operations ({self.node_limit:,} evaluated syntax nodes); "
                "make the code do less work or avoid endless loops"
            )
        return value

    def count_while(self, key: int, start: bool = False) -> None:
        """Count one pass of `while` loop `key` (`start`: the loop begins)."""
        passes = 0 if start else self._passes.get(key, 0) + 1
        self._passes[key] = passes
        if self.while_limit is not None and passes > self.while_limit:
            raise BudgetExceededSignal(
                f"Maximum number of {self.while_limit} iterations in While loop exceeded; make the loop end sooner"
            )


def _count(value: ast.expr | None, units: int) -> ast.Call:
    arguments: list[ast.expr] = [value if value is not None else ast.Constant(None), ast.Constant(units)]
    return guard_call(names.COUNT, *arguments)


def _spec_units(node: ast.JoinedStr) -> int:
    # A format spec's own nodes: the JoinedStr, its constants and fields (their values are counted
    # where they run).
    return 1 + sum(
        1 + (_spec_units(part.format_spec) if isinstance(part.format_spec, ast.JoinedStr) else 0)
        if isinstance(part, ast.FormattedValue)
        else 1
        for part in node.values
    )


def _has_slice(node: ast.expr) -> bool:
    return isinstance(node, ast.Slice) or (
        isinstance(node, ast.Tuple) and any(isinstance(item, ast.Slice) for item in node.elts)
    )


class _Counter(ast.NodeTransformer):
    def __init__(self) -> None:
        self.loops = 0

    def _statements(self, body: list[ast.stmt]) -> list[ast.stmt]:
        counted: list[ast.stmt] = []
        for index, statement in enumerate(body):
            is_docstring = (
                index == 0
                and isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
            if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
                counted.append(statement)
                continue
            units = 2 if is_docstring or isinstance(statement, ast.AugAssign) else 1
            if is_docstring:
                counted.append(statement)  # kept first so the function keeps its docstring
                counted.append(ast.copy_location(ast.Expr(value=_count(None, units)), statement))
                continue
            counted.append(ast.copy_location(ast.Expr(value=_count(None, units)), statement))
            visited: Any = self.visit(statement)  # a statement, or a list of them (while loops)
            counted.extend(visited if isinstance(visited, list) else [visited])
        return counted

    def _e(self, node: ast.expr) -> ast.expr:
        visited = self.visit(node)
        assert isinstance(visited, ast.expr)  # an expression is always counted as one
        return visited

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(node, field, self._statements(block))
        for field, value in ast.iter_fields(node):
            if field in ("returns", "annotation"):
                continue  # annotations are not counted
            if field in ("body", "orelse", "finalbody") and isinstance(value, list) and value:
                if isinstance(value[0], ast.stmt):
                    continue
            if isinstance(value, list):
                setattr(
                    node, field, [self.visit(item) if isinstance(item, ast.AST) else item for item in value]
                )
            elif isinstance(value, ast.AST):
                setattr(node, field, self.visit(value))
        return node

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._statements(node.body)
        return node

    def visit_match_case(self, node: ast.match_case) -> ast.AST:
        if node.guard is not None:
            node.guard = self._e(node.guard)
        node.body = self._statements(node.body)
        return node  # patterns hold only literals and names Python requires as they are

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if any(isinstance(target, ast.Name) and target.id == "__match_args__" for target in node.targets):
            return node  # must stay a literal tuple
        node.targets = [self._target(target) for target in node.targets]
        node.value = self._e(node.value)
        return node

    def _target(self, node: ast.expr) -> ast.expr:
        # Targets are bound, not evaluated; the objects and keys they index are.
        if isinstance(node, (ast.Tuple, ast.List)):
            node.elts = [self._target(item) for item in node.elts]
        elif isinstance(node, ast.Starred):
            node.value = self._target(node.value)
        elif isinstance(node, ast.Attribute):
            node.value = self._e(node.value)
        elif isinstance(node, ast.Subscript):
            node.value = self._e(node.value)
            if not _has_slice(node.slice):
                node.slice = self._e(node.slice)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self._target(node.target)  # changed in place
        node.value = self._e(node.value)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        self._target(node.target)  # changed in place
        if node.value is not None:
            node.value = self._e(node.value)
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        # Each pass reports to the runtime under the loop's key; the statement before the loop
        # (its count) starts the loop's tally afresh.
        self.loops += 1
        key = ast.Constant(self.loops)
        node.test = self._e(node.test)
        node.body = [ast.Expr(value=guard_call(names.WHILE, key)), *self._statements(node.body)]
        node.orelse = self._statements(node.orelse) if node.orelse else []
        start = ast.Expr(value=guard_call(names.WHILE, key, ast.Constant(True)))
        return [ast.copy_location(start, node), node]  # type: ignore[return-value]

    def visit_For(self, node: ast.For) -> ast.AST:
        node.target = self._target(node.target)
        node.iter = self._e(node.iter)
        node.body = self._statements(node.body)
        node.orelse = self._statements(node.orelse) if node.orelse else []
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        node.target = self._target(node.target)
        node.iter = self._e(node.iter)
        node.ifs = [self._e(condition) for condition in node.ifs]
        return node

    def visit_Delete(self, node: ast.Delete) -> ast.AST:
        node.targets = [self._target(target) for target in node.targets]
        return node

    def visit_withitem(self, node: ast.withitem) -> ast.AST:
        node.context_expr = self._e(node.context_expr)
        if node.optional_vars is not None:
            node.optional_vars = self._target(node.optional_vars)
        return node

    def visit_arguments(self, node: ast.arguments) -> ast.AST:
        node.defaults = [self._e(item) for item in node.defaults]
        node.kw_defaults = [self._e(item) if item is not None else None for item in node.kw_defaults]
        return node  # annotations are not counted

    def visit_Call(self, node: ast.Call) -> ast.AST:
        function = node.func
        if isinstance(function, ast.Attribute):
            function.value = self._e(function.value)
        elif not isinstance(function, ast.Name):
            node.func = self._e(function)
        node.args = [self._e(argument) for argument in node.args]
        for keyword in node.keywords:
            keyword.value = self._e(keyword.value)
        return ast.copy_location(_count(node, 1), node)

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        node.value = self._e(node.value)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self._field(part)
        return ast.copy_location(_count(node, _spec_units(node)), node)

    def _field(self, node: ast.FormattedValue) -> None:
        node.value = self._e(node.value)
        if isinstance(node.format_spec, ast.JoinedStr):
            for part in node.format_spec.values:
                if isinstance(part, ast.FormattedValue):
                    self._field(part)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        node.value = self._e(node.value)
        units = 1
        if _has_slice(node.slice):
            units += sum(
                1 for _ in ast.walk(node.slice) if isinstance(_, (ast.Slice, ast.Constant, ast.Name))
            )
        else:
            node.slice = self._e(node.slice)
        return ast.copy_location(_count(node, units), node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node.args = self.visit(node.args)  # type: ignore[assignment]
        node.body = self._e(node.body)
        return ast.copy_location(_count(node, 1), node)

    def visit_expr(self, node: ast.expr) -> ast.AST:
        if isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
            return node
        node = self.generic_visit(node)  # type: ignore[assignment]
        return ast.copy_location(_count(node, 1), node)

    def visit(self, node: ast.AST) -> ast.AST:
        name = f"visit_{type(node).__name__}"
        if name in _Counter.__dict__:  # ast.NodeVisitor has visitors of its own (visit_Constant)
            return getattr(self, name)(node)  # type: ignore[no-any-return]
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Slice, ast.FormattedValue)):
            return self.visit_expr(node)
        return self.generic_visit(node)


def add_node_counts(tree: ast.Module) -> ast.Module:
    """Return `tree` with a counting call for every node 1.26 would have evaluated."""
    counted = _Counter().visit(tree)
    assert isinstance(counted, ast.Module)
    return counted
