"""Check model code once and rewrite it into guarded Python that CPython then runs natively.

The rewrite keeps the code's shape; only sensitive operations change:
- loops iterate through `compress(iterable, ticker)` and functions tick on entry (the budget);
- private, routed and computed attribute reads, and every attribute store, call a guard;
- imports become calls that hand out sanitized module copies;
- `*`, `**`, `<<` and literal `%`-formatting check result sizes; f-string specs are checked;
- bare `except:` catches only `Exception`, and every handler filters what it may catch, so the
  internal control signals and the host's BaseException-only exceptions pass through.
Whatever the rules forbid outright is refused here, with the line, before anything runs.
"""

from __future__ import annotations

import ast
from typing import Any

from .errors import InterpreterError
from .formatting import check_format_spec
from .guards import pattern_attribute_problem
from .tables import (
    ALLOWED_DUNDER_ATTRIBUTES,
    DENIED_ATTRIBUTES,
    FORBIDDEN_METHOD_DEFINITIONS,
    RESERVED_PREFIX,
    ROUTED_ATTRIBUTES,
)

__all__ = ["CompileRefusal", "Rewriter", "guard_call", "load_name", "source_line"]

_MODULE_DUNDER_NAMES = frozenset({"__name__", "__debug__"})
_RISKY_AUG_OPS: dict[type, str] = {
    ast.Add: "__sg_iadd__",
    ast.MatMult: "__sg_imatmul__",
    ast.Mult: "__sg_imul__",
    ast.Pow: "__sg_ipow__",
    ast.LShift: "__sg_ilshift__",
}
_AUG_OP_NAMES: dict[type, str] = {
    ast.Add: "iadd", ast.Sub: "isub", ast.Mult: "imul", ast.MatMult: "imatmul", ast.Div: "itruediv",
    ast.FloorDiv: "ifloordiv", ast.Mod: "imod", ast.Pow: "ipow", ast.LShift: "ilshift",
    ast.RShift: "irshift", ast.BitOr: "ior", ast.BitXor: "ixor", ast.BitAnd: "iand",
}  # fmt: skip


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


def _tick() -> ast.stmt:
    return ast.Expr(value=guard_call("__sg_tick__"))


def _is_constant(node: ast.AST, kinds: tuple[type, ...]) -> bool:
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, kinds) and not isinstance(node.value, bool)
    )


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
            guarded.append(ast.copy_location(ast.Expr(value=guard_call("__sg_finally_exit__")), statement))
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


def _mentions_string(annotation: ast.AST) -> bool:
    # Libraries evaluate string annotations (typing.get_type_hints, functools.singledispatch)
    # with eval() and no guards: the checker drops them, keeping only real expressions.
    return any(
        isinstance(node, ast.Constant) and isinstance(node.value, str) for node in ast.walk(annotation)
    )


class Rewriter(ast.NodeTransformer):
    """Refuse what is forbidden and route what is sensitive through the guards."""

    def __init__(self, source: str, protected: frozenset[str]) -> None:
        self.source = source
        self.protected = protected
        self.class_names: list[str | None] = []  # innermost scope last; None for function scopes
        self.lazy_annotations = False
        self.match_args_checked = False  # `from __future__ import annotations`: never evaluate them

    # -- refusals -----------------------------------------------------------------------------
    def refuse(self, node: ast.AST, what: str) -> CompileRefusal:
        lineno = getattr(node, "lineno", None)
        line = source_line(self.source, lineno)
        return CompileRefusal(f"Refused at line {lineno} ({line!r}): {what}", lineno=lineno)

    def check_binding(self, node: ast.AST, identifier: str | None) -> None:
        if identifier is None:
            return
        if identifier == "__match_args__" and not self.match_args_checked:
            raise self.refuse(
                node, "__match_args__ can only be set by a plain assignment of a literal tuple."
            )
        if identifier in self.protected:
            raise self.refuse(
                node,
                f"{identifier!r} is a tool or function provided to the code and cannot be rebound; "
                "use another name for your variable.",
            )
        self.check_identifier(node, identifier)

    def check_identifier(self, node: ast.AST, identifier: str) -> None:
        if identifier.startswith(RESERVED_PREFIX):
            raise self.refuse(
                node, f"names starting with {RESERVED_PREFIX!r} are reserved for the interpreter."
            )
        if identifier.startswith("__") and identifier.endswith("__") and len(identifier) > 4:
            in_class = bool(self.class_names) and self.class_names[-1] is not None
            if identifier in FORBIDDEN_METHOD_DEFINITIONS:
                raise self.refuse(
                    node, f"defining or using {identifier!r} is not allowed (the host would call it later)."
                )
            if identifier not in _MODULE_DUNDER_NAMES and not (
                in_class and identifier in ALLOWED_DUNDER_ATTRIBUTES
            ):
                raise self.refuse(node, f"the name {identifier!r} is not available to the code.")

    # -- names and bindings -----------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.check_binding(node, node.id)
        else:
            self.check_identifier(node, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        self.check_binding(node, node.arg)
        if node.annotation is not None:
            annotation = node.annotation
            node.annotation = (
                None
                if self.lazy_annotations or _mentions_string(annotation)
                else guard_call("__sg_ann__", self.visit(annotation))
            )
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        annotation = node.annotation
        self.generic_visit(node)
        if self.lazy_annotations or _mentions_string(annotation):
            node.annotation = ast.copy_location(ast.Constant(value=None), annotation)
        else:
            node.annotation = ast.copy_location(guard_call("__sg_ann__", node.annotation), annotation)
        return node

    def visit_Global(self, node: ast.Global) -> ast.AST:
        for identifier in node.names:
            self.check_binding(node, identifier)
        return node

    visit_Nonlocal = visit_Global  # type: ignore[assignment]  # same check for both statements

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        self.check_binding(node, node.name)
        self.generic_visit(node)
        # Model code catches only Exception subclasses: never the interpreter's control signals
        # nor the host's SystemExit/KeyboardInterrupt/GeneratorExit.
        node.type = (
            load_name("__sg_Exception__") if node.type is None else guard_call("__sg_exc__", node.type)
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
            node.exc = guard_call("__sg_raise__", node.exc)
        if node.cause is not None:
            node.cause = guard_call("__sg_raise__", node.cause)
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
            node.subject = guard_call("__sg_match__", node.subject, ast.Tuple(elts=checks, ctx=ast.Load()))
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

    # -- functions, classes, loops (budget) ------------------------------------------------------
    def _function(self, node: ast.FunctionDef | ast.Lambda) -> None:
        self.class_names.append(None)
        self.generic_visit(node)
        self.class_names.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.check_binding(node, node.name)
        if node.name in FORBIDDEN_METHOD_DEFINITIONS:
            raise self.refuse(node, f"defining {node.name!r} is not allowed (the host would call it later).")
        node.decorator_list = [self.visit(decorator) for decorator in node.decorator_list]
        self.class_names.append(None)
        node.args = self.visit(node.args)
        if node.returns is not None:
            node.returns = (
                None
                if self.lazy_annotations or _mentions_string(node.returns)
                else guard_call("__sg_ann__", self.visit(node.returns))
            )
        node.body = self._statements(node.body)
        self.class_names.pop()
        has_docstring = isinstance(node.body[0], ast.Expr) and _is_constant(node.body[0].value, (str,))
        node.body.insert(1 if has_docstring else 0, _tick())
        return node

    def visit_AsyncFunctionDef(self, node: ast.AST) -> ast.AST:
        raise self.refuse(node, "async functions are not supported; write synchronous code.")

    visit_Await = visit_AsyncFor = visit_AsyncWith = visit_AsyncFunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._function(node)
        node.body = ast.BoolOp(op=ast.And(), values=[guard_call("__sg_tick__"), node.body])
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.check_binding(node, node.name)
        node.bases = [self.visit(base) for base in node.bases]
        node.keywords = [self.visit(keyword) for keyword in node.keywords]
        node.decorator_list = [self.visit(decorator) for decorator in node.decorator_list]
        self.class_names.append(node.name)
        node.body = self._statements(node.body)
        self.class_names.pop()
        return node

    def _statements(self, body: list[ast.stmt]) -> list[ast.stmt]:
        result: list[ast.stmt] = []
        for statement in body:
            visited = self.visit(statement)
            if isinstance(visited, list):
                result.extend(visited)
            elif visited is not None:
                result.append(visited)
        return result or [ast.Pass()]

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        node.iter = guard_call("__sg_compress__", node.iter, load_name("__sg_T__"))
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, _tick())
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        if node.is_async:
            raise self.refuse(node.target, "async comprehensions are not supported.")
        self.generic_visit(node)
        node.iter = guard_call("__sg_compress__", node.iter, load_name("__sg_T__"))
        return node

    # -- attributes ---------------------------------------------------------------------------------
    def _mangled(self, attribute: str) -> str:
        if not attribute.startswith("__") or attribute.endswith("__"):
            return attribute
        for class_name in reversed(self.class_names):
            if class_name is not None:
                stripped = class_name.lstrip("_")
                return f"_{stripped}{attribute}" if stripped else attribute
        return attribute

    def _check_attribute(self, node: ast.Attribute) -> None:
        attribute = node.attr
        if attribute.startswith("__") and attribute.endswith("__"):
            if not isinstance(node.ctx, ast.Load) or attribute not in ALLOWED_DUNDER_ATTRIBUTES:
                raise self.refuse(
                    node, f"access to {attribute!r} is not allowed (dunder attributes are closed)."
                )
        if attribute in DENIED_ATTRIBUTES:
            raise self.refuse(
                node, f"access to {attribute!r} is not allowed (interpreter internals are closed)."
            )
        if attribute.startswith(RESERVED_PREFIX):
            raise self.refuse(node, f"attribute names starting with {RESERVED_PREFIX!r} are reserved.")

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self._check_attribute(node)
        node.value = self.visit(node.value)
        attribute = self._mangled(node.attr)
        if isinstance(node.ctx, ast.Load):
            if (
                attribute.startswith("_") and attribute not in ALLOWED_DUNDER_ATTRIBUTES
            ) or attribute in ROUTED_ATTRIBUTES:
                return ast.copy_location(
                    guard_call("__sg_getattr__", node.value, ast.Constant(attribute)), node
                )
            return node
        slot = guard_call("__sg_slot__", node.value)
        return ast.copy_location(ast.Subscript(value=slot, slice=ast.Constant(attribute), ctx=node.ctx), node)

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if any(isinstance(target, ast.Name) and target.id == "__match_args__" for target in node.targets):
            # Positional class patterns read these names natively: only a literal tuple of
            # attribute names the rules allow.
            names = node.value.elts if isinstance(node.value, ast.Tuple) else None
            if names is None or not all(isinstance(name, ast.Constant) for name in names):
                raise self.refuse(node, "__match_args__ must be a literal tuple of attribute names.")
            for name in names:
                problem = pattern_attribute_problem(name.value)  # type: ignore[attr-defined]
                if problem:
                    raise self.refuse(node, f"__match_args__ may not name {problem}.")
            self.match_args_checked = True
            try:
                return self.generic_visit(node)
            finally:
                self.match_args_checked = False
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute):
            target = node.targets[0]
            self._check_attribute(target)
            call = guard_call(
                "__sg_setattr__",
                self.visit(node.value),
                self.visit(target.value),
                ast.Constant(self._mangled(target.attr)),
            )
            return ast.copy_location(ast.Expr(value=call), node)
        return self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        target = node.target
        operator = _AUG_OP_NAMES[type(node.op)]
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            # `name.attr op= value`: evaluating the bare name twice has no side effect, so the
            # read and the in-place operator run natively and only the store is guarded.
            self._check_attribute(target)
            load = ast.copy_location(
                ast.Attribute(
                    value=ast.Name(id=target.value.id, ctx=ast.Load()), attr=target.attr, ctx=ast.Load()
                ),
                target,
            )
            combined = guard_call(f"__sg_{operator}__", self.visit(load), self.visit(node.value))
            store = guard_call(
                "__sg_setattr__", combined, self.visit(target.value), ast.Constant(self._mangled(target.attr))
            )
            return ast.copy_location(ast.Expr(value=store), node)
        if isinstance(target, ast.Attribute):
            self._check_attribute(target)
            call = guard_call(
                "__sg_augattr__",
                self.visit(target.value),
                ast.Constant(self._mangled(target.attr)),
                self.visit(node.value),
                ast.Constant(operator),
            )
            return ast.copy_location(ast.Expr(value=call), node)
        if type(node.op) not in _RISKY_AUG_OPS:
            return self.generic_visit(node)
        if isinstance(target, ast.Name):
            self.check_binding(target, target.id)
            value = guard_call(_RISKY_AUG_OPS[type(node.op)], load_name(target.id), self.visit(node.value))
            return ast.copy_location(
                ast.Assign(targets=[ast.Name(id=target.id, ctx=ast.Store())], value=value), node
            )
        assert isinstance(target, ast.Subscript)
        call = guard_call(
            "__sg_augitem__",
            self.visit(target.value),
            self.visit(target.slice),
            self.visit(node.value),
            ast.Constant(operator),
        )
        return ast.copy_location(ast.Expr(value=call), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "str":
            node.args.insert(0, node.func)
            node.func = load_name("__sg_str__")
        return node

    # -- operators and formatting -----------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if (
            isinstance(node.op, ast.Add)
            and isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Add)
        ):
            # `s + s + s + ...` multiplies a sequence in one statement: add the chain in a guard.
            operands: list[ast.expr] = []
            chain: ast.expr = node
            while isinstance(chain, ast.BinOp) and isinstance(chain.op, ast.Add):
                operands.append(chain.right)
                chain = chain.left
            operands.append(chain)
            visited = [self.visit(operand) for operand in reversed(operands)]
            return ast.copy_location(guard_call("__sg_sum__", *visited), node)
        self.generic_visit(node)
        guard = self._binop_guard(node)
        if guard is None:
            return node
        return ast.copy_location(guard_call(guard, node.left, node.right), node)

    def _binop_guard(self, node: ast.BinOp) -> str | None:
        left, right = node.left, node.right
        if isinstance(node.op, ast.MatMult):
            return "__sg_matmul__"
        if isinstance(node.op, ast.Mult):
            if _is_constant(left, (float, complex)) or _is_constant(right, (float, complex)):
                return None
            if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
                return None if self._constant_product_is_small(left.value, right.value) else "__sg_mul__"
            return "__sg_mul__"
        if isinstance(node.op, ast.Pow):
            if _is_constant(right, (float, complex)) or (
                _is_constant(right, (int,))
                and getattr(right, "value", 3) <= 2
                and _is_constant(left, (int, float))
            ):
                return None
            return "__sg_pow__"
        if isinstance(node.op, ast.LShift):
            return (
                None
                if _is_constant(right, (int,)) and 0 <= getattr(right, "value", -1) <= 64
                else "__sg_lshift__"
            )
        if isinstance(node.op, ast.Mod) and (
            _is_constant(left, (str, bytes))
            or isinstance(left, ast.JoinedStr)
            or isinstance(left, (ast.BinOp, ast.Call))  # a computed format (guards already became calls)
        ):
            return "__sg_mod__"
        return None

    @staticmethod
    def _constant_product_is_small(a: Any, b: Any) -> bool:
        if isinstance(a, int) and isinstance(b, int):
            return a.bit_length() + b.bit_length() <= 256
        for sequence, count in ((a, b), (b, a)):
            if isinstance(sequence, (str, bytes, tuple)) and isinstance(count, int):
                return len(sequence) * count <= 10_000
        return False

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.value, ast.Constant):
            # `f"{x}"` renders containers in one C call: shared references can make that huge.
            node.value = guard_call("__sg_render__", node.value)
        spec = node.format_spec
        if spec is None:
            return node
        if isinstance(spec, ast.JoinedStr) and all(isinstance(part, ast.Constant) for part in spec.values):
            try:
                check_format_spec("".join(str(part.value) for part in spec.values))  # type: ignore[attr-defined]
            except InterpreterError as error:
                raise self.refuse(node, error.message) from None
            return node
        value = guard_call("__sg_fmtval__", node.value, ast.Constant(node.conversion), spec)
        return ast.copy_location(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)

    # -- imports ----------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> list[ast.stmt]:
        statements: list[ast.stmt] = []
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            self.check_binding(node, bound)
            value = guard_call("__sg_import__", ast.Constant(alias.name), ast.Constant(alias.asname is None))
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
                        ast.Expr(value=guard_call("__sg_star__", ast.Constant(node.module))), node
                    )
                )
                continue
            bound = alias.asname or alias.name
            self.check_binding(node, bound)
            value = guard_call("__sg_from__", ast.Constant(node.module), ast.Constant(alias.name))
            statements.append(
                ast.copy_location(
                    ast.Assign(targets=[ast.Name(id=bound, ctx=ast.Store())], value=value), node
                )
            )
        return statements
