"""The compile pipeline: size and depth checks, the guarded rewrite, output capture, `compile()`.

Compiled code is cached by source and protected names: an agent re-running a snippet, and the
trivial `x = 1`, cost a dictionary lookup instead of a parse.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from types import CodeType

from . import names
from .node_count import add_node_counts
from .rewrite_nodes import CompileRefusal, guard_call, load_name, source_line
from .tables import CODE_FILENAME, LIMITS
from .transform import Rewriter

__all__ = ["compile_checked"]


_MAX_NODES = 100_000
"""Syntax nodes in one piece of code: far above what an agent writes, and a bound on compile time."""


def _check_depth(tree: ast.AST, source: str) -> None:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > _MAX_NODES:
            raise CompileRefusal(
                f"The code has more than {_MAX_NODES:,} syntax elements; send it in smaller pieces."
            )
        if depth > LIMITS.max_nesting_depth:
            lineno = getattr(node, "lineno", None)
            raise CompileRefusal(
                f"Refused at line {lineno} ({source_line(source, lineno)!r}): the code is nested more than "
                f"{LIMITS.max_nesting_depth} levels deep; flatten it.",
                lineno=lineno,
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


_STATEMENT_LISTS = ("body", "orelse", "finalbody")
_LOOPS = (ast.For, ast.While)


def _does_work(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):  # a definition runs its body later
        parts: list[ast.AST] = [*statement.decorator_list]
        if isinstance(statement, ast.FunctionDef):
            parts.extend([*statement.args.defaults, *statement.args.kw_defaults])  # type: ignore[list-item]
        else:
            parts.extend(statement.bases)
        return any(isinstance(node, (ast.BinOp, ast.Call)) for part in parts for node in ast.walk(part))
    return any(isinstance(node, (ast.BinOp, ast.Call)) for node in ast.walk(statement))


def _is_tick(statement: ast.stmt) -> bool:
    call = statement.value if isinstance(statement, ast.Expr) else None
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == names.TICK


def _sets_temporary(statement: ast.stmt) -> bool:
    # A fast path's temporary and the statement that uses it are one statement of the model code.
    return (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == names.VALUE
    )


def _child_statements(node: ast.AST) -> list[ast.AST]:
    # Statements only: expressions hold no statement lists (lambdas have a single expression).
    found: list[ast.AST] = []
    for field in (*_STATEMENT_LISTS, "handlers", "cases"):
        block = getattr(node, field, None)
        if isinstance(block, list):
            found.extend(block)
    return found


def _tick_between_statements(node: ast.AST, in_loop: bool = False) -> None:
    """Tick before every statement that computes, after the first of its block, outside loops.

    Loops tick per iteration and functions on entry, but straight-line code could otherwise chain
    allocations (`s = s + s + s` ten lines in a row) with no check of time or memory in between.
    Inside a loop body the iteration's tick already bounds each pass.
    """
    for child in _child_statements(node):
        if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
            _tick_between_statements(child, in_loop=False)
        else:
            _tick_between_statements(child, in_loop or isinstance(node, _LOOPS))
    if in_loop:
        return
    for field in _STATEMENT_LISTS:
        block = getattr(node, field, None)
        if not isinstance(block, list) or len(block) < 2 or not isinstance(block[0], ast.stmt):
            continue
        if isinstance(node, _LOOPS) and field == "body":
            continue
        ticked: list[ast.stmt] = [block[0]]
        for statement in block[1:]:
            if _does_work(statement) and not _is_tick(ticked[-1]) and not _sets_temporary(ticked[-1]):
                ticked.append(ast.copy_location(ast.Expr(value=guard_call(names.TICK)), statement))
            ticked.append(statement)
        setattr(node, field, ticked)


def _capture_output(body: list[ast.stmt]) -> None:
    """Make the last statement report its value (last expression or assignment) to `__sg_result__`."""
    if not body:
        return
    last = body[-1]
    if isinstance(last, (ast.Expr, ast.Assign, ast.AnnAssign)) and last.value is not None:
        value = last.value
        if isinstance(last, ast.Expr) and isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            if value.func.id == names.SETATTR:
                value.args[0] = guard_call(names.RESULT, value.args[0])
                return
        last.value = ast.copy_location(guard_call(names.RESULT, value), value)
    elif isinstance(last, ast.AugAssign) and isinstance(last.target, ast.Name):
        body.append(ast.Expr(value=guard_call(names.RESULT, load_name(last.target.id))))
    elif isinstance(last, ast.If):
        _capture_output(last.body)
        _capture_output(last.orelse)
    elif isinstance(last, (ast.With, ast.For, ast.While)):  # a loop: its last pass's value (1.26)
        _capture_output(last.body)
    elif isinstance(last, ast.Match):
        for case in last.cases:
            _capture_output(case.body)
    elif isinstance(last, ast.Try):
        _capture_output(last.orelse or last.body)
        for handler in last.handlers:
            _capture_output(handler.body)


_INERT_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.Expr, ast.Pass)


def _is_inert_value(node: ast.expr) -> bool:
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_inert_value(element) for element in node.elts)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.BinOp):  # constants only: names could hold objects with methods
        return isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant)
    return False


def is_inert(tree: ast.Module) -> bool:
    """Return whether running `tree` can run no code but the assignments themselves.

    True for statements like `x = 1`, `y = x`, `pair = (a, b)` or a bare name: no call, lookup,
    operator on a variable or hash, so nothing can recurse in C and the code may run on the
    caller's thread without the hop to the code thread (see code_thread.py).
    """
    for statement in tree.body:
        if not isinstance(statement, _INERT_STATEMENTS):
            return False
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
            if not _is_inert_value(statement.annotation):  # annotations are evaluated
                return False
        if not all(isinstance(target, ast.Name) for target in targets):
            return False
        value = getattr(statement, "value", None)
        if value is not None and not _is_inert_value(value):
            return False
    return True


@lru_cache(maxsize=512)
def compile_checked(
    source: str, protected: frozenset[str], count_nodes: bool = False
) -> tuple[CodeType, bool]:
    """Check `source`, rewrite it with guards and compile it; refusals raise `CompileRefusal`.

    Returns:
        The code, and whether it is inert (`is_inert`).

    Args:
        source: The model's code.
        protected: Names the code may not rebind (tools, `final_answer`, provided functions).
        count_nodes: Count evaluated syntax nodes as 1.26 did (see node_count.py); the source is
            first checked without the counting calls.
    """
    if len(source) > LIMITS.max_source_length:
        raise CompileRefusal(
            f"The code is longer than {LIMITS.max_source_length:,} characters; send less code."
        )
    try:
        tree = ast.parse(source, filename=CODE_FILENAME)
    except SyntaxError as error:
        line = (error.text or "").rstrip("\n")[:500]  # a huge one-line program stays readable
        # The offending line with a caret under the error, as 1.26 shows it (models read it).
        caret = (
            " " * max((error.offset or 1) - 1, 0) + "^"
            if error.offset and error.offset <= len(line) + 1
            else ""
        )
        raise CompileRefusal(
            f"Code parsing failed on line {error.lineno} due to: {type(error).__name__}: {error.msg}\n{line}"
            + (f"\n{caret}" if caret else ""),
            lineno=error.lineno,
        ) from None
    except (RecursionError, MemoryError) as error:
        raise CompileRefusal(
            f"The code is nested too deeply to parse ({type(error).__name__}); flatten it."
        ) from None
    _check_depth(tree, source)
    inert = is_inert(tree)
    allowed: frozenset[str] = frozenset()
    if count_nodes:
        compile_checked(source, protected)  # refusals come from the code as written
        tree, inert, allowed = add_node_counts(tree), False, frozenset({names.COUNT, names.WHILE})
    tree.body = Rewriter(source, protected, allowed)._statements(tree.body) if tree.body else []
    _tick_between_statements(tree)
    _capture_output(tree.body)
    ast.fix_missing_locations(tree)
    try:
        return compile(tree, CODE_FILENAME, "exec", dont_inherit=True), inert
    except (RecursionError, MemoryError, SyntaxError, ValueError) as error:
        lead = (
            "Yield statements are only allowed inside generator functions. "
            if "'yield'" in str(error)
            else ""
        )
        raise CompileRefusal(
            f"{lead}The code could not be compiled: {type(error).__name__}: {error}"
        ) from None
