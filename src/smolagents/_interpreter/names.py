"""The names checked code uses to reach the interpreter: one definition for the rewriter and the runtime.

The rewriter (`transform.py`, `fast_paths.py`, `compiler.py`) emits these names into the code it
compiles; the runtime (`runtime.py`) binds each of them in the executor's builtins. Model code can
never spell them: every identifier starting with `RESERVED_PREFIX` is refused by the checker.
`tests/interpreter/test_names.py` checks that whatever the rewriter can emit is bound at run time.
"""

from __future__ import annotations

__all__ = ["IN_PLACE_OPERATORS", "RESERVED_PREFIX", "in_place"]

RESERVED_PREFIX = "__sg_"
"""Prefix of every name below; model code cannot use identifiers or attributes starting with it."""

# -- the budget ------------------------------------------------------------------------------------
TICK = "__sg_tick__"  # called at function entry and between statements: one unit of work
TICKER = "__sg_T__"  # the budget's ticker iterator, the selector of `compress` in loops
COMPRESS = "__sg_compress__"  # itertools.compress: a loop draws one tick per iteration

# -- attributes ------------------------------------------------------------------------------------
GETATTR = "__sg_getattr__"  # read of a private or routed attribute
SETATTR = "__sg_setattr__"  # attribute store (value, obj, name)
SLOT = "__sg_slot__"  # `obj.name` as a subscript target of tuple/for/with binding
AUGATTR = "__sg_augattr__"  # `expr.name op= value` on a complex object
AUGITEM = "__sg_augitem__"  # `container[key] op= value` on the guarded path
CALL_METHOD = "__sg_callm__"  # `obj.name(...)` for a routed method name, dispatched once
STRING_METHODS = "__sg_strm__"  # name -> guarded method of exact str objects
IS_OWNED = "__sg_isowned__"  # the real getattr: `(obj, OWNED_MARKER, False) is True` for fast stores

# -- operators and sizes ---------------------------------------------------------------------------
ADD = "__sg_add__"
SUM = "__sg_sum__"  # `a + b + c + ...` chains
MUL = "__sg_mul__"
POW = "__sg_pow__"
LSHIFT = "__sg_lshift__"
MOD = "__sg_mod__"
MATMUL = "__sg_matmul__"

# -- fast-path helpers: exact types and constants the inline checks compare with -------------------
TYPE = "__sg_type__"  # the real `type` (one argument: the exact type of a value)
# These helpers also sit in the code's globals: module-level code looks names up in the globals
# first, so a helper found there costs one dictionary lookup instead of three.
LEN = "__sg_len__"  # the real `len`
INTS_AND_FLOATS = "__sg_intfloat__"
INT = "__sg_int__"
FLOAT = "__sg_float__"
STR = "__sg_str_type__"
NATIVE_ADDENDS = "__sg_scalars__"  # exact types whose `x += value` is native whatever x is
SHORT_SEQUENCES = "__sg_shortseqs__"  # exact types whose short values are native addends
PLAIN_RENDERS = "__sg_plain__"  # exact types whose text is small: no render check
CONTAINERS = "__sg_containers__"  # exact types whose text can explode through shared references
INT_BOUND = "__sg_intbound__"  # ints within (INT_LOW, INT_BOUND) multiply natively
INT_LOW = "__sg_intlow__"  # -INT_BOUND, computed once (negating a huge int costs a copy)
VALUE = "__sg_v__"  # statement-level temporary of the rewritten code
WALRUS = "__sg_w__"  # expression-level temporary of the rewritten code
WALRUS_RIGHT = "__sg_w2__"  # the right operand's temporary, where both operands need one

# -- formatting ------------------------------------------------------------------------------------
FORMAT_VALUE = "__sg_fmtval__"  # an f-string field with a computed format spec
RENDER = "__sg_render__"  # an f-string field that may render huge (containers, long strings)
STR_CALL = "__sg_str__"  # a call written `str(...)` whose argument may render huge

# -- control flow and exceptions -------------------------------------------------------------------
MATCH = "__sg_match__"
EXCEPTION_FILTER = "__sg_exc__"
RAISE = "__sg_raise__"
FINALLY_EXIT = "__sg_finally_exit__"
ANNOTATION = "__sg_ann__"
EXCEPTION = "__sg_Exception__"
SUPER = "__sg_super__"  # `super()` in a method: the zero-argument form made explicit

# -- imports and results ---------------------------------------------------------------------------
IMPORT = "__sg_import__"
IMPORT_FROM = "__sg_from__"
IMPORT_STAR = "__sg_star__"
RESULT = "__sg_result__"  # records the value of the last statement
COUNT = "__sg_count__"  # evaluate_python_code only: 1.26's count of evaluated syntax nodes
WHILE = "__sg_while__"  # evaluate_python_code only: 1.26's limit of iterations per `while` loop
KEEP_SOURCE = "__sg_source__"  # decorator giving a function the code defined its __source__

# -- data, not callables ---------------------------------------------------------------------------
PERMISSIONS = "__sg_permissions__"  # the executor's host grants, read by the audit hook
OWNED_MARKER = "__sg_owned__"  # set in the namespace of every class model code defines

IN_PLACE_OPERATORS: tuple[str, ...] = (
    "iadd", "isub", "imul", "imatmul", "itruediv", "ifloordiv", "imod", "ipow",
    "ilshift", "irshift", "ior", "ixor", "iand",
)  # fmt: skip
"""The in-place operators `x op= y` can name (see `in_place`)."""


def in_place(operator: str) -> str:
    """Return the name of the guard of in-place operator `operator` (e.g. `iadd`)."""
    return f"{RESERVED_PREFIX}{operator}__"
