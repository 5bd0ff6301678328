"""Inline fast paths: the checked code tests exact types itself and calls a guard only when it must.

A guard is a Python call, which costs several times the operation it protects (`i % 7`, `s += t`).
Most operands are small numbers and short strings that cannot build anything big, so the rewriter
emits a cheap test of the operand's exact type (`type(x) is int`, a frozenset lookup, a bound
comparison) that runs the operation natively and falls back to the guard otherwise.

Augmented assignments keep their native form (`s += t`) when the right-hand side is a number or
a short sequence: CPython then grows a string or list in place, where a guard call returning a
new object made string building quadratic. Any other right-hand side (a self-feeding iterator, a
doubling sequence) still meets the guard.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from . import names
from .errors import InterpreterError
from .formatting import scalar_percent_bound
from .tables import LIMITS

__all__ = [
    "SHORT_LENGTH",
    "fast_augmented_assignment",
    "fast_binop",
    "fast_chain",
    "fast_render",
    "fast_store",
    "fast_str_call",
    "fast_percent_format",
    "fast_string_method",
    "shrinking_replace",
    "is_simple",
]

SHORT_LENGTH = 4096
"""Strings and sequences shorter than this are native addends: `+=` grows by at most this much."""

_SMALL_TREE = 24  # nodes: a right operand this small may be written in both branches of a test


def _name(identifier: str) -> ast.Name:
    return ast.Name(id=identifier, ctx=ast.Load())


def _evaluated_once(node: ast.expr, temporaries: bool) -> tuple[ast.expr, ast.expr] | None:
    """Return (first use, later uses) of `node` so that it is evaluated once, or None if it cannot be.

    A simple node is repeated as it is; another is bound to the walrus temporary at its first use.
    """
    if is_simple(node):
        return node, node
    if temporaries and not _binds(node):
        return ast.NamedExpr(target=ast.Name(id=names.WALRUS, ctx=ast.Store()), value=node), _name(
            names.WALRUS
        )
    return None


def _call(function: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_name(function), args=list(args), keywords=[])


def _exact_type(value: ast.expr) -> ast.Call:
    return _call(names.TYPE, value)


def _compare(left: ast.expr, operator: ast.cmpop, right: ast.expr) -> ast.Compare:
    return ast.Compare(left=left, ops=[operator], comparators=[right])


def _and(*values: ast.expr) -> ast.expr:
    return values[0] if len(values) == 1 else ast.BoolOp(op=ast.And(), values=list(values))


def _or(*values: ast.expr) -> ast.expr:
    return values[0] if len(values) == 1 else ast.BoolOp(op=ast.Or(), values=list(values))


def is_simple(node: ast.expr) -> bool:
    """Return whether evaluating `node` twice is the same as once (a name or a constant)."""
    return isinstance(node, (ast.Name, ast.Constant))


def _size(node: ast.AST) -> int:
    return sum(1 for _ in ast.walk(node))


def _is_short_value(value: ast.expr) -> ast.expr:
    """Test: `value` is a number, or a short str/list/tuple/bytes (a safe right operand of `+=`)."""
    return _or(
        _compare(_exact_type(value), ast.In(), _name(names.NATIVE_ADDENDS)),
        _and(
            _compare(_exact_type(value), ast.In(), _name(names.SHORT_SEQUENCES)),
            _compare(_call(names.LEN, value), ast.Lt(), ast.Constant(SHORT_LENGTH)),
        ),
    )


def _is_bounded_number(value: ast.expr, first: ast.expr | None = None) -> ast.expr:
    """Test: `value` is an exact int or float within +-INT_BOUND (a product of two stays small).

    A float outside the bounds only takes the guarded path, which multiplies it all the same.
    """
    return _and(
        _compare(_exact_type(value if first is None else first), ast.In(), _name(names.INTS_AND_FLOATS)),
        ast.Compare(
            left=_name(names.INT_LOW), ops=[ast.Lt(), ast.Lt()], comparators=[value, _name(names.INT_BOUND)]
        ),
    )


def _native_test(op: ast.operator, first: ast.expr, later: ast.expr, right: ast.expr) -> ast.expr | None:
    """The inline test under which `left op right` runs natively, or None when it always needs the guard.

    Args:
        op: The operator.
        first: The left operand as first evaluated (a walrus binding for a complex operand).
        later: The left operand as read again after `first`.
        right: The right operand; read by the test only for `*`, where it must be simple.
    """
    if isinstance(op, (ast.Mod, ast.Add)):  # a number on the left: arithmetic, broadcasting or TypeError
        return _compare(_exact_type(first), ast.In(), _name(names.NATIVE_ADDENDS))
    if isinstance(op, ast.Mult) and is_simple(right):  # ints and floats whose product stays small
        if _is_small_int(right):
            return _is_bounded_number(later, first)
        if _is_small_int(first):
            return _is_bounded_number(right)
        if isinstance(first, ast.Name) and isinstance(right, ast.Name) and first.id == right.id:  # squares
            return _is_bounded_number(first)
        return _and(_is_bounded_number(later, first), _is_bounded_number(right))
    return None


def _is_small_int(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value.bit_length() <= 64


def _product_of_two_temporaries(left: ast.expr, right: ast.expr, guard: str) -> ast.expr:
    # `f(x) * g(x)`: both operands are bound (in order, `&` evaluates both) before the test.
    first = ast.NamedExpr(target=ast.Name(id=names.WALRUS, ctx=ast.Store()), value=left)
    second = ast.NamedExpr(target=ast.Name(id=names.WALRUS_RIGHT, ctx=ast.Store()), value=right)
    floats = ast.BinOp(  # `&` evaluates both operands, binding both temporaries
        left=_compare(_exact_type(first), ast.Is(), _name(names.FLOAT)),
        op=ast.BitAnd(),
        right=_compare(_exact_type(second), ast.Is(), _name(names.FLOAT)),
    )
    small_ints = [
        _and(
            _compare(_exact_type(_name(name)), ast.Is(), _name(names.INT)),
            ast.Compare(
                left=_name(names.INT_LOW),
                ops=[ast.Lt(), ast.Lt()],
                comparators=[_name(name), _name(names.INT_BOUND)],
            ),
        )
        for name in (names.WALRUS, names.WALRUS_RIGHT)
    ]
    operands = (_name(names.WALRUS), _name(names.WALRUS_RIGHT))
    return ast.IfExp(
        test=_or(floats, _and(*small_ints)),
        body=ast.BinOp(left=operands[0], op=ast.Mult(), right=operands[1]),
        orelse=_call(guard, *operands),
    )


def fast_binop(node: ast.BinOp, guard: str, temporaries: bool) -> ast.expr:
    """Return `node` (operands already rewritten) as `native if <test> else guard(left, right)`.

    Args:
        node: The operation.
        guard: Name of the guard that checks the operation.
        temporaries: Whether a walrus temporary may hold a complex left operand here.
    """
    left, right = node.left, node.right
    slow = _call(guard, left, right)
    if not is_simple(right) and (_size(right) > _SMALL_TREE or _binds(right)):
        return slow  # the right operand is written in both branches: keep it small
    if is_simple(left):
        test = _native_test(node.op, left, left, right)
        if test is None:
            return slow
        return ast.IfExp(test=test, body=ast.BinOp(left=left, op=node.op, right=right), orelse=slow)
    if not temporaries or _binds(left):
        return slow
    if isinstance(node.op, ast.Mult) and not is_simple(right):
        if any(isinstance(inner, ast.NamedExpr) for inner in ast.walk(right)):
            return slow  # evaluating the right operand would rebind the left one's temporary
        return _product_of_two_temporaries(left, right, guard)
    bound = ast.NamedExpr(target=ast.Name(id=names.WALRUS, ctx=ast.Store()), value=left)
    test = _native_test(node.op, bound, _name(names.WALRUS), right)
    if test is None:
        return slow
    return ast.IfExp(
        test=test,
        body=ast.BinOp(left=_name(names.WALRUS), op=node.op, right=right),
        orelse=_call(guard, _name(names.WALRUS), right),
    )


def fast_chain(operands: list[ast.expr], temporaries: bool) -> ast.expr:
    """Return `a + b + c + ...` (operands rewritten) native when `a` is a number, else the chain guard."""
    slow = _call(names.SUM, *operands)
    first, rest = operands[0], operands[1:]
    if any(not is_simple(operand) and (_size(operand) > _SMALL_TREE or _binds(operand)) for operand in rest):
        return slow
    if isinstance(first, ast.Constant):
        return slow  # a constant string would be repeated by each term; numbers rarely start a chain
    uses = _evaluated_once(first, temporaries)
    if uses is None:
        return slow
    first_use, later = uses
    native: ast.expr = later
    for operand in rest:
        native = ast.BinOp(left=native, op=ast.Add(), right=operand)
    test = _compare(_exact_type(first_use), ast.In(), _name(names.NATIVE_ADDENDS))
    return ast.IfExp(test=test, body=native, orelse=_call(names.SUM, later, *rest))


_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _binds(node: ast.AST) -> bool:
    # Expressions that bind the code's names or define scopes are never duplicated nor moved.
    return any(
        isinstance(inner, _SCOPES) or (isinstance(inner, ast.NamedExpr) and inner.target.id != names.WALRUS)
        for inner in ast.walk(node)
    )


def _rebinds(node: ast.AST, identifiers: set[str]) -> bool:
    return any(
        isinstance(inner, ast.NamedExpr) and inner.target.id in identifiers for inner in ast.walk(node)
    )


def fast_str_call(
    argument: ast.expr, call: Callable[[ast.expr], ast.expr], temporaries: bool
) -> ast.expr | None:
    """Return `str(argument)` with the render check only for containers, or None to keep the guard."""
    if is_simple(argument):
        test = _compare(_exact_type(argument), ast.In(), _name(names.CONTAINERS))
        return ast.IfExp(test=test, body=_call(names.STR_CALL, _name("str"), argument), orelse=call(argument))
    if not temporaries or _binds(argument):
        return None
    bound = ast.NamedExpr(target=ast.Name(id=names.WALRUS, ctx=ast.Store()), value=argument)
    test = _compare(_exact_type(bound), ast.In(), _name(names.CONTAINERS))
    return ast.IfExp(
        test=test,
        body=_call(names.STR_CALL, _name("str"), _name(names.WALRUS)),
        orelse=call(_name(names.WALRUS)),
    )


def fast_render(value: ast.expr, fields: int, temporaries: bool) -> ast.expr:
    """Return an f-string field's value checked only when its text could be big."""
    if not is_simple(value) and (not temporaries or _binds(value)):
        return _call(names.RENDER, value, ast.Constant(fields))
    first = (
        value
        if is_simple(value)
        else ast.NamedExpr(target=ast.Name(id=names.WALRUS, ctx=ast.Store()), value=value)
    )
    later = value if is_simple(value) else _name(names.WALRUS)
    test = _or(
        _compare(_exact_type(first), ast.In(), _name(names.PLAIN_RENDERS)),
        _and(
            _compare(_exact_type(later), ast.Is(), _name(names.STR)),
            _compare(_call(names.LEN, later), ast.Lt(), ast.Constant(SHORT_LENGTH)),
        ),
    )
    return ast.IfExp(test=test, body=later, orelse=_call(names.RENDER, later, ast.Constant(fields)))


def _is_owned(obj: ast.expr) -> ast.expr:
    # The marker is a class attribute of every class model code defines (never of an instance).
    marker = _call(names.IS_OWNED, obj, ast.Constant(names.OWNED_MARKER), ast.Constant(False))
    return _compare(marker, ast.Is(), ast.Constant(True))


def _assign(identifier: str, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[ast.Name(id=identifier, ctx=ast.Store())], value=value)


def fast_augmented_assignment(
    node: ast.AugAssign, slow: ast.stmt, temporaries: bool, concatenate: bool = False
) -> list[ast.stmt] | None:
    """Return `target += value` run natively when the value is a short addend, else `slow`.

    Only `+=` on a name, `name[key]` or `name.attribute` (name and key simple) is rewritten; the
    caller keeps `slow` (the guarded form) for everything else. None means: use `slow` alone.

    Args:
        node: The augmented assignment, its parts already rewritten.
        slow: The guarded statement to run when the value is not a short addend.
        temporaries: Whether a statement-level temporary may hold the value here.
        concatenate: Write `name = name + value` instead of `name += value` (same target).
    """
    target, value = node.target, node.value
    if not isinstance(node.op, ast.Add):
        return None
    if isinstance(target, ast.Subscript) and not (is_simple(target.value) and is_simple(target.slice)):
        return None
    if isinstance(target, ast.Attribute) and not isinstance(target.value, ast.Name):
        return None
    read_first = {part.id for part in ast.walk(target) if isinstance(part, ast.Name)}
    if not isinstance(target, ast.Name) and _rebinds(value, read_first):
        return None  # the value rebinds a name the target reads: keep Python's evaluation order
    statements: list[ast.stmt] = []
    if isinstance(value, ast.Constant):
        addend: ast.expr = value
        test: ast.expr | None = None
        if isinstance(value.value, (str, bytes)) and len(value.value) >= SHORT_LENGTH:
            return None
    elif is_simple(value) or not temporaries:
        if not is_simple(value):
            return None
        addend, test = value, _is_short_value(value)
    else:
        statements.append(_assign(names.VALUE, value))
        addend, test = _name(names.VALUE), _is_short_value(_name(names.VALUE))
    if isinstance(target, ast.Attribute):
        owned = _is_owned(target.value)
        test = owned if test is None else _and(test, owned)
    native: ast.stmt = ast.AugAssign(target=target, op=ast.Add(), value=addend)
    if concatenate and isinstance(target, ast.Name):
        native = ast.Assign(
            targets=[target], value=ast.BinOp(left=_name(target.id), op=ast.Add(), right=addend)
        )
    if test is None:
        return [*statements, native]
    if not isinstance(addend, ast.Constant) and not isinstance(slow, ast.If):
        slow = _replace_value(slow, value, addend)
    statements.append(ast.If(test=test, body=[native], orelse=[slow]))
    return statements


def _replace_value(slow: ast.stmt, original: ast.expr, replacement: ast.expr) -> ast.stmt:
    # The guarded form reads the value from the temporary the fast path already evaluated.
    if original is replacement:
        return slow
    for node in ast.walk(slow):
        for field, child in ast.iter_fields(node):
            if child is original:
                setattr(node, field, replacement)
                return slow
            if isinstance(child, list) and original in child:
                child[child.index(original)] = replacement
                return slow
    return slow


def fast_store(
    target: ast.Attribute, value: ast.expr, slow: ast.stmt, temporaries: bool
) -> list[ast.stmt] | None:
    """Return `name.attribute = value` stored natively on objects model code defined, else `slow`."""
    if not isinstance(target.value, ast.Name):
        return None
    statements: list[ast.stmt] = []
    if is_simple(value):
        stored: ast.expr = value
    elif temporaries and not _binds(value):
        statements.append(_assign(names.VALUE, value))
        stored = _name(names.VALUE)
        slow = _replace_value(slow, value, stored)
    else:
        return None
    owned = _is_owned(target.value)
    native = ast.Assign(targets=[target], value=stored)
    statements.append(ast.If(test=owned, body=[native], orelse=[slow]))
    return statements


STRING_METHOD_NAMES = frozenset(
    {
        "join",
        "replace",
        "format",
        "format_map",
        "ljust",
        "rjust",
        "center",
        "zfill",
        "expandtabs",
        "translate",
    }
)
"""Guarded str methods the checked code calls directly on exact strings (see limits.STRING_METHODS)."""


def fast_string_method(
    obj: ast.expr, attribute: ast.expr, call: ast.Call, temporaries: bool
) -> ast.expr | None:
    """Return `obj.name(...)` calling the guarded str method directly when `obj` is an exact str.

    Args:
        obj: The object the method is read from (rewritten).
        attribute: The method name, a constant.
        call: The call, whose arguments are reused.
        temporaries: Whether a walrus temporary may hold a complex `obj` here.
    """
    if not isinstance(attribute, ast.Constant) or attribute.value not in STRING_METHOD_NAMES:
        return None
    method = ast.Subscript(value=_name(names.STRING_METHODS), slice=attribute, ctx=ast.Load())

    def direct(receiver: ast.expr) -> ast.Call:
        return ast.Call(func=method, args=[receiver, *call.args], keywords=call.keywords)

    if isinstance(obj, ast.Constant) and type(obj.value) is str:
        return direct(obj)
    arguments_size = sum(_size(part) for part in (*call.args, *call.keywords))
    if arguments_size > 3 * _SMALL_TREE:
        return None
    uses = _evaluated_once(obj, temporaries)
    if uses is None:
        return None
    first, later = uses
    slow = ast.Call(
        func=_name(names.CALL_METHOD), args=[later, attribute, *call.args], keywords=call.keywords
    )
    test = _compare(_exact_type(first), ast.Is(), _name(names.STR))
    return ast.IfExp(test=test, body=direct(later), orelse=slow)


def shrinking_replace(attribute: ast.expr, call: ast.Call) -> bool:
    """Return whether `obj.replace(old, new[, count])` has constant strings that cannot grow anything."""
    if not (isinstance(attribute, ast.Constant) and attribute.value == "replace") or call.keywords:
        return False
    if len(call.args) not in (2, 3) or not all(isinstance(arg, ast.Constant) for arg in call.args):
        return False
    old, new = call.args[0].value, call.args[1].value  # type: ignore[attr-defined]
    return type(old) is type(new) and type(old) in (str, bytes) and len(new) <= len(old)


def fast_percent_format(node: ast.BinOp, refuse: Callable[[ast.AST, str], Exception]) -> ast.expr:
    """Return `"template" % values` native when the values are numbers (checked once, here).

    The template is a constant: its widths are checked at compile time, and with number values
    its output is bounded by its own length. Other values take the guard.
    """
    template, values = node.left, node.right
    slow = _call(names.MOD, template, values)
    if not isinstance(template, ast.Constant) or not isinstance(template.value, (str, bytes)):
        return slow
    if type(template.value) not in (str, bytes):
        return slow
    text = template.value if isinstance(template.value, str) else template.value.decode("latin-1")
    try:
        bound = scalar_percent_bound(text)
    except InterpreterError as error:
        raise refuse(node, error.message) from None
    if bound is None or bound > LIMITS.max_sequence_length:
        return slow
    items = values.elts if isinstance(values, ast.Tuple) else [values]
    if not all(is_simple(item) for item in items) or any(isinstance(item, ast.Starred) for item in items):
        return slow
    tests = [
        _compare(_exact_type(item), ast.In(), _name(names.PLAIN_RENDERS))
        for item in items
        if not isinstance(item, ast.Constant)
    ]
    if not tests:
        return slow  # all constants: rare, and the guard computes it once
    return ast.IfExp(
        test=_and(*tests), body=ast.BinOp(left=template, op=ast.Mod(), right=values), orelse=slow
    )
