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

from . import names
from .errors import InterpreterError
from .fast_paths import (
    fast_augmented_assignment,
    fast_binop,
    fast_chain,
    fast_percent_format,
    fast_render,
    fast_store,
    fast_str_call,
    fast_string_method,
    shrinking_replace,
)
from .formatting import check_format_spec
from .guards import pattern_attribute_problem
from .names import RESERVED_PREFIX
from .policy import ROUTED_ATTRIBUTES
from .rewrite_flow import FlowRewrites
from .rewrite_nodes import (
    CompileRefusal,
    guard_call,
    is_constant,
    load_name,
    located,
    mentions_string,
    source_line,
    tick,
)
from .tables import (
    ALLOWED_DUNDER_ATTRIBUTES,
    DEFINABLE_DUNDERS,
    DENIED_ATTRIBUTES,
    FORBIDDEN_METHOD_DEFINITIONS,
    PROTECTED_BUILTIN_NAMES,
)

__all__ = ["Rewriter"]

_MODULE_DUNDER_NAMES = frozenset({"__name__", "__debug__"})
_RISKY_AUG_OPS: dict[type, str] = {
    ast.Add: names.in_place("iadd"),
    ast.MatMult: names.in_place("imatmul"),
    ast.Mult: names.in_place("imul"),
    ast.Pow: names.in_place("ipow"),
    ast.LShift: names.in_place("ilshift"),
}
_AUG_OP_NAMES: dict[type, str] = {
    ast.Add: "iadd", ast.Sub: "isub", ast.Mult: "imul", ast.MatMult: "imatmul", ast.Div: "itruediv",
    ast.FloorDiv: "ifloordiv", ast.Mod: "imod", ast.Pow: "ipow", ast.LShift: "ilshift",
    ast.RShift: "irshift", ast.BitOr: "ior", ast.BitXor: "ixor", ast.BitAnd: "iand",
}  # fmt: skip


class Rewriter(FlowRewrites):
    """Refuse what is forbidden and route what is sensitive through the guards."""

    def __init__(self, source: str, protected: frozenset[str], allowed: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.allowed = (
            allowed  # interpreter names an earlier pass added (the source was checked without them)
        )
        self.protected = protected
        self.class_names: list[str | None] = []  # innermost scope last; None for function scopes
        self.lazy_annotations = False
        self.match_args_checked = False  # `from __future__ import annotations`: never evaluate them
        # > 0 where the rewrite may not bind temporaries (class bodies, comprehension iterables,
        # annotations): Python forbids or would expose them there.
        self.no_temporaries = 0
        self.fstring_fields: list[int] = []
        self.methods: list[str | None] = []  # per enclosing function: its first parameter if a method

    @property
    def temporaries(self) -> bool:
        """Whether the code being rewritten may bind the interpreter's temporary names here."""
        return self.no_temporaries == 0

    # -- refusals -----------------------------------------------------------------------------
    def refuse(self, node: ast.AST, what: str) -> CompileRefusal:
        lineno = getattr(node, "lineno", None)
        line = source_line(self.source, lineno)
        # The reason leads (1.26's messages are matched on); the line follows, unquoted.
        return CompileRefusal(f"{what} (refused at line {lineno}: {line})", lineno=lineno)

    def check_binding(self, node: ast.AST, identifier: str | None, parameter: bool = False) -> None:
        if identifier is None:
            return
        if identifier == "__match_args__" and not self.match_args_checked:
            raise self.refuse(
                node, "__match_args__ can only be set by a plain assignment of a literal tuple."
            )
        in_class_body = bool(self.class_names) and self.class_names[-1] is not None
        if identifier in self.protected or (
            identifier in PROTECTED_BUILTIN_NAMES and not in_class_body and not parameter
        ):
            what = "a tool or function given to the code" if identifier in self.protected else "a builtin"
            raise self.refuse(
                node,
                f"Cannot assign to name {identifier!r}: doing this would erase the existing tool! "
                f"{identifier!r} is {what}, which later steps rely on: it cannot be rebound; use another name.",
            )
        self.check_identifier(node, identifier)

    def check_identifier(self, node: ast.AST, identifier: str) -> None:
        if identifier in self.allowed:
            return
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
            if identifier not in _MODULE_DUNDER_NAMES and not (in_class and identifier in DEFINABLE_DUNDERS):
                raise self.refuse(node, f"the name {identifier!r} is not available to the code.")

    # -- names and bindings -----------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.check_binding(node, node.id)
        else:
            self.check_identifier(node, node.id)
        return node

    def _without_temporaries(self, node: ast.expr) -> ast.expr:
        self.no_temporaries += 1
        try:
            visited: ast.expr = self.visit(node)  # an expression is always rewritten to one
            return visited
        finally:
            self.no_temporaries -= 1

    def visit_arg(self, node: ast.arg) -> ast.AST:
        self.check_binding(node, node.arg, parameter=True)  # a parameter is local: `def f(type)` is fine
        if node.annotation is not None:
            annotation = node.annotation
            node.annotation = (
                None
                if self.lazy_annotations or mentions_string(annotation)
                else guard_call(names.ANNOTATION, self._without_temporaries(annotation))
            )
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        annotation = node.annotation
        node.annotation = self._without_temporaries(annotation)
        node.target = self.visit(node.target)
        if node.value is not None:
            node.value = self.visit(node.value)
        if self.lazy_annotations or mentions_string(annotation):
            node.annotation = ast.copy_location(ast.Constant(value=None), annotation)
        else:
            node.annotation = ast.copy_location(guard_call(names.ANNOTATION, node.annotation), annotation)
        return node

    def visit_Global(self, node: ast.Global) -> ast.AST:
        for identifier in node.names:
            self.check_binding(node, identifier)
        return node

    visit_Nonlocal = visit_Global  # type: ignore[assignment]  # same check for both statements

    # -- functions, classes, loops (budget) ------------------------------------------------------
    def _function(self, node: ast.Lambda) -> None:
        node.args = self.visit(node.args)  # defaults are evaluated in the enclosing scope
        self.class_names.append(None)
        saved, self.no_temporaries = self.no_temporaries, 0
        node.body = self.visit(node.body)
        self.no_temporaries = saved
        self.class_names.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.check_binding(node, node.name)
        if node.name in FORBIDDEN_METHOD_DEFINITIONS:
            raise self.refuse(node, f"defining {node.name!r} is not allowed (the host would call it later).")
        source = ast.unparse(node)  # before rewriting: kept as __source__, in 1.26's form (utils.get_source)
        node.decorator_list = [self.visit(decorator) for decorator in node.decorator_list]
        node.decorator_list.append(guard_call(names.KEEP_SOURCE, ast.Constant(source)))
        node.args = self.visit(node.args)  # defaults are evaluated in the enclosing scope
        self.class_names.append(None)
        if node.returns is not None:
            node.returns = (
                None
                if self.lazy_annotations or mentions_string(node.returns)
                else guard_call(names.ANNOTATION, self._without_temporaries(node.returns))
            )
        saved, self.no_temporaries = self.no_temporaries, 0
        parameters = [*node.args.posonlyargs, *node.args.args]
        in_class = len(self.class_names) > 1 and self.class_names[-2] is not None
        self.methods.append(parameters[0].arg if in_class and parameters else None)
        node.body = self._statements(node.body)
        self.methods.pop()
        self.no_temporaries = saved
        self.class_names.pop()
        has_docstring = isinstance(node.body[0], ast.Expr) and is_constant(node.body[0].value, (str,))
        node.body.insert(1 if has_docstring else 0, tick())
        return node

    def visit_AsyncFunctionDef(self, node: ast.AST) -> ast.AST:
        raise self.refuse(node, "async functions are not supported; write synchronous code.")

    visit_Await = visit_AsyncFor = visit_AsyncWith = visit_AsyncFunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._function(node)
        node.body = ast.BoolOp(op=ast.And(), values=[guard_call(names.TICK), node.body])
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.check_binding(node, node.name)
        node.bases = [self.visit(base) for base in node.bases]
        node.keywords = [self.visit(keyword) for keyword in node.keywords]
        node.decorator_list = [self.visit(decorator) for decorator in node.decorator_list]
        self.class_names.append(node.name)
        self.no_temporaries += 1  # a temporary would become a class attribute
        node.body = self._statements(node.body)
        self.no_temporaries -= 1
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
        node.iter = guard_call(names.COMPRESS, node.iter, load_name(names.TICKER))
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, tick())
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        if node.is_async:
            raise self.refuse(node.target, "async comprehensions are not supported.")
        node.target = self.visit(node.target)
        node.iter = self._without_temporaries(node.iter)  # Python forbids := in iterables
        node.ifs = [self.visit(condition) for condition in node.ifs]
        node.iter = guard_call(names.COMPRESS, node.iter, load_name(names.TICKER))
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
        if _closed_dunder(node) or attribute in DENIED_ATTRIBUTES:
            raise self.refuse(node, _closed_message(node))
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
                return ast.copy_location(guard_call(names.GETATTR, node.value, ast.Constant(attribute)), node)
            return node
        slot = guard_call(names.SLOT, node.value)
        return ast.copy_location(ast.Subscript(value=slot, slice=ast.Constant(attribute), ctx=node.ctx), node)

    def visit_Assign(self, node: ast.Assign) -> ast.AST | list[ast.stmt]:
        if any(isinstance(target, ast.Name) and target.id == "__match_args__" for target in node.targets):
            # Positional class patterns read these names natively: only a literal tuple of
            # attribute names the rules allow.
            entries = node.value.elts if isinstance(node.value, ast.Tuple) else None
            if entries is None or not all(isinstance(name, ast.Constant) for name in entries):
                raise self.refuse(node, "__match_args__ must be a literal tuple of attribute names.")
            for name in entries:
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
            value = self.visit(node.value)
            call = guard_call(
                names.SETATTR, value, self.visit(target.value), ast.Constant(self._mangled(target.attr))
            )
            slow: ast.stmt = ast.copy_location(ast.Expr(value=call), node)
            native_target = ast.Attribute(
                value=target.value, attr=self._mangled(target.attr), ctx=ast.Store()
            )
            fast = fast_store(native_target, value, slow, self.temporaries)
            return located(fast, node) if fast else slow
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.BinOp)
            and isinstance(node.value.op, ast.Add)
            and isinstance(node.value.left, ast.Name)
            and node.value.left.id == node.targets[0].id
            and not isinstance(node.value.right, ast.Constant)
        ):
            # `s = s + t`: kept native so CPython appends in place (a guard call would copy s).
            self.check_binding(node.targets[0], node.targets[0].id)
            addend = self.visit(node.value.right)
            slow = ast.Assign(
                targets=[node.targets[0]], value=guard_call(names.ADD, load_name(node.targets[0].id), addend)
            )
            fast = fast_augmented_assignment(
                ast.AugAssign(target=node.targets[0], op=ast.Add(), value=addend),
                slow,
                self.temporaries,
                concatenate=True,
            )
            return located(fast, node) if fast else ast.copy_location(slow, node)
        return self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | list[ast.stmt]:
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
            value = self.visit(node.value)
            combined = guard_call(names.in_place(operator), self.visit(load), value)
            store = guard_call(
                names.SETATTR, combined, self.visit(target.value), ast.Constant(self._mangled(target.attr))
            )
            slow: ast.stmt = ast.copy_location(ast.Expr(value=store), node)
            native = ast.AugAssign(
                target=ast.Attribute(value=target.value, attr=self._mangled(target.attr), ctx=ast.Store()),
                op=node.op,
                value=value,
            )
            fast = fast_augmented_assignment(native, slow, self.temporaries)
            return located(fast, node) if fast else slow
        if isinstance(target, ast.Attribute):
            self._check_attribute(target)
            call = guard_call(
                names.AUGATTR,
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
            addend = self.visit(node.value)
            value = guard_call(_RISKY_AUG_OPS[type(node.op)], load_name(target.id), addend)
            slow = ast.Assign(targets=[ast.Name(id=target.id, ctx=ast.Store())], value=value)
            native = ast.AugAssign(target=target, op=node.op, value=addend)
        else:
            assert isinstance(target, ast.Subscript)
            container, key, addend = (
                self.visit(target.value),
                self.visit(target.slice),
                self.visit(node.value),
            )
            slow = ast.Expr(value=guard_call(names.AUGITEM, container, key, addend, ast.Constant(operator)))
            native = ast.AugAssign(
                target=ast.Subscript(value=container, slice=key, ctx=ast.Store()), op=node.op, value=addend
            )
        fast = fast_augmented_assignment(native, slow, self.temporaries)
        return located(fast, node) if fast else ast.copy_location(slow, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Attribute) and _closed_dunder(node.func):
            # 1.26 words a call of a closed dunder this way
            message = _closed_message(node.func)
            raise self.refuse(node, f"Forbidden call to dunder function: {node.func.attr}. {message}")
        self.generic_visit(node)
        function = node.func
        if isinstance(function, ast.Name) and function.id == "super" and not node.args and not node.keywords:
            # Zero-argument super() made explicit, so the guarded `super` sees the class it starts from.
            if self.methods and self.methods[-1] is not None:
                node.func = load_name(names.SUPER)
                node.args = [load_name("__class__"), load_name(self.methods[-1])]
            return node
        if isinstance(function, ast.Name) and function.id == "str":
            if len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred):
                fast = fast_str_call(
                    node.args[0],
                    lambda argument: ast.Call(func=function, args=[argument], keywords=[]),
                    self.temporaries,
                )
                if fast is not None:
                    return ast.copy_location(fast, node)
            node.args.insert(0, function)
            node.func = load_name(names.STR_CALL)
        elif (
            isinstance(function, ast.Call)
            and isinstance(function.func, ast.Name)
            and function.func.id == names.GETATTR
        ):
            # `obj.method(...)` for a guarded name: one dispatch by (type, name), no bound object;
            # the guarded methods of strings are called directly when `obj` is an exact str.
            obj, attribute = function.args
            if shrinking_replace(attribute, node):  # no string can grow: the native method
                node.func = ast.Attribute(value=obj, attr="replace", ctx=ast.Load())
                return node
            fast = fast_string_method(obj, attribute, node, self.temporaries)
            if fast is not None:
                return ast.copy_location(fast, node)
            node.func = load_name(names.CALL_METHOD)
            node.args = [*function.args, *node.args]
        return node

    # -- operators and formatting -----------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if (
            isinstance(node.op, ast.Add)
            and isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Add)
        ):
            # `s + s + s + ...` multiplies a sequence in one statement: add the chain in a guard
            # (numbers, the usual case, are added natively after one test of the first term).
            operands: list[ast.expr] = []
            chain: ast.expr = node
            while isinstance(chain, ast.BinOp) and isinstance(chain.op, ast.Add):
                operands.append(chain.right)
                chain = chain.left
            operands.append(chain)
            visited = [self.visit(operand) for operand in reversed(operands)]
            return ast.copy_location(fast_chain(visited, self.temporaries), node)
        self.generic_visit(node)
        guard = self._binop_guard(node)
        if guard is None:
            return node
        if guard == names.MOD and isinstance(node.left, ast.Constant):
            return ast.copy_location(fast_percent_format(node, self.refuse), node)
        if guard in (names.ADD, names.MUL) or (
            guard == names.MOD and not isinstance(node.left, ast.JoinedStr)
        ):
            return ast.copy_location(fast_binop(node, guard, self.temporaries), node)
        return ast.copy_location(guard_call(guard, node.left, node.right), node)

    def _binop_guard(self, node: ast.BinOp) -> str | None:
        left, right = node.left, node.right
        if isinstance(node.op, ast.MatMult):
            return names.MATMUL
        if isinstance(node.op, ast.Mult):
            if is_constant(left, (float, complex)) or is_constant(right, (float, complex)):
                return None
            if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
                return None if self._constant_product_is_small(left.value, right.value) else names.MUL
            return names.MUL
        if isinstance(node.op, ast.Pow):
            if is_constant(right, (float, complex)) or (
                is_constant(right, (int,))
                and getattr(right, "value", 3) <= 2
                and is_constant(left, (int, float))
            ):
                return None
            return names.POW
        if isinstance(node.op, ast.LShift):
            return (
                None
                if is_constant(right, (int,)) and 0 <= getattr(right, "value", -1) <= 64
                else names.LSHIFT
            )
        if isinstance(node.op, ast.Mod):  # %-formatting: a variable may hold the format
            return None if is_constant(left, (int, float)) else names.MOD
        if isinstance(node.op, ast.Add):  # `x + x` doubles a sequence; a constant adds a bounded amount
            return None if isinstance(left, ast.Constant) or isinstance(right, ast.Constant) else names.ADD
        return None

    @staticmethod
    def _constant_product_is_small(a: Any, b: Any) -> bool:
        if isinstance(a, int) and isinstance(b, int):
            return a.bit_length() + b.bit_length() <= 256
        for sequence, count in ((a, b), (b, a)):
            if isinstance(sequence, (str, bytes, tuple)) and isinstance(count, int):
                return len(sequence) * count <= 10_000
        return False

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        # Each field may repeat the same long string: the guard of a field knows how many there are.
        fields = sum(isinstance(part, ast.FormattedValue) for part in node.values)
        self.fstring_fields.append(fields)
        try:
            return self.generic_visit(node)
        finally:
            self.fstring_fields.pop()

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.value, ast.Constant):
            # `f"{x}"` renders containers in one C call: shared references can make that huge.
            fields = self.fstring_fields[-1] if self.fstring_fields else 1
            node.value = fast_render(node.value, fields, self.temporaries)
        spec = node.format_spec
        if spec is None:
            return node
        if isinstance(spec, ast.JoinedStr) and all(isinstance(part, ast.Constant) for part in spec.values):
            try:
                check_format_spec("".join(str(part.value) for part in spec.values))  # type: ignore[attr-defined]
            except InterpreterError as error:
                raise self.refuse(node, error.message) from None
            return node
        value = guard_call(names.FORMAT_VALUE, node.value, ast.Constant(node.conversion), spec)
        return ast.copy_location(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)


def _closed_dunder(node: ast.Attribute) -> bool:
    attribute = node.attr
    return (
        attribute.startswith("__")
        and attribute.endswith("__")
        and (not isinstance(node.ctx, ast.Load) or attribute not in ALLOWED_DUNDER_ATTRIBUTES)
    )


def _closed_message(node: ast.Attribute) -> str:
    # Name every closed attribute of the chain (`x.__class__.__base__...`): 1.26 reports the one
    # its evaluation order meets first, so users match on any of them.
    chain = _closed_in_chain(node)
    dunders = [name for name in chain if name.startswith("__")]
    if not dunders:
        return f"access to {node.attr!r} is not allowed (interpreter internals are closed)."
    words = "; ".join(f"Forbidden access to dunder attribute: {name}" for name in dunders)
    return (
        f"{words}. Access to {', '.join(map(repr, chain))} is not allowed (dunder attributes other than a "
        "few harmless ones, and interpreter internals, are closed)."
    )


def _closed_in_chain(node: ast.expr) -> list[str]:
    """Return the closed attribute names along `a.b(...)[i].c`, innermost first."""
    found: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            if _closed_dunder(node) or node.attr in DENIED_ATTRIBUTES:
                found.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return found[::-1]
