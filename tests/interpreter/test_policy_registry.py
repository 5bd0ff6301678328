"""The policy registry and the names shared by the rewriter and the runtime stay consistent."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

from smolagents._interpreter import names, policy
from smolagents._interpreter.compiler import compile_checked
from smolagents._interpreter.runtime import Runtime

# Code that exercises every rewrite: operators, augmented assignments, attributes, formatting,
# imports, classes, exceptions, match, comprehensions, annotations.
CORPUS = """
import math
from collections import Counter
x = 1
x += 2
x *= 3
x **= 2
x <<= 1
s = 'a'
s = s + str(x)
s += f'{x:>4}{s!r}'
w = '%d-%s' % (x, s)
v = x * x % 7 + x @ x if False else x ** 2 << 3
t = [i * i for i in range(3) if i % 2]
d = {}
d['k'] = d.get('k', 0) + 1
d['k'] += 1
parts = ','.join(['a', 'b']).replace('a', 'bb')
class A:
    y: int = 0
    def __init__(self, v):
        self.v = v
        self._p = 1
    def go(self):
        self.v += 1
        return super().__init__
a = A(1)
a.v = a.v + a._p
a.v *= 2
obj = a
obj.w = [1]
obj.w[0] += 1
try:
    raise ValueError('x')
except ValueError as error:
    e = error.__context__
finally:
    pass
match x:
    case int(real=r):
        pass
def f(p: int) -> int:
    return p if p else f(p - 1)
g = lambda q: q + 1
k = getattr(a, 'v')
total = sum(t) + 1 + 2 + x
"""


def _emitted_names() -> set[str]:
    code, _ = compile_checked(CORPUS, frozenset({"final_answer"}))
    found: set[str] = set()
    pending = [code]
    while pending:
        current = pending.pop()
        found.update(
            name
            for name in (*current.co_names, *current.co_varnames)
            if name.startswith(names.RESERVED_PREFIX)
        )
        pending.extend(constant for constant in current.co_consts if hasattr(constant, "co_names"))
    return found


def test_every_name_the_rewriter_emits_is_bound_by_the_runtime() -> None:
    runtime = Runtime([], 1000, None, 10**6, None)
    emitted = _emitted_names()
    temporaries = {names.VALUE, names.WALRUS, names.WALRUS_RIGHT}
    assert emitted - temporaries, "the corpus exercised no guard"
    missing = sorted(emitted - temporaries - set(runtime.builtins))
    assert not missing, f"the rewriter emits names the runtime does not bind: {missing}"


def test_every_declared_name_is_bound_by_the_runtime() -> None:
    runtime = Runtime([], 1000, None, 10**6, None)
    declared = {
        value
        for key, value in vars(names).items()
        if key.isupper()
        and isinstance(value, str)
        and value.startswith(names.RESERVED_PREFIX)
        and value.endswith("__")
    }
    data_only = {names.VALUE, names.WALRUS, names.WALRUS_RIGHT, names.OWNED_MARKER}
    missing = sorted(declared - data_only - set(runtime.builtins))
    assert not missing, f"names.py declares names the runtime does not bind: {missing}"
    assert all(names.in_place(operator) in runtime.builtins for operator in names.IN_PLACE_OPERATORS)


def test_routed_attributes_are_derived_from_the_rules() -> None:
    assert policy.ROUTED_ATTRIBUTES == {rule.attribute for rule in policy.ATTRIBUTE_RULES}
    assert {"join", "format", "extend", "eval", "obj", "re", "strftime"} <= policy.ROUTED_ATTRIBUTES


@pytest.mark.parametrize(
    "rule",
    [r for r in policy.MODULE_RULES if r.action == "remove"],
    ids=lambda r: f"{r.module}.{r.attribute}",
)
def test_removed_attributes_name_real_attributes(rule: policy.ModuleRule) -> None:
    """A typo in a removal would silently leave the attribute open."""
    top = rule.module.partition(".")[0]
    if importlib.util.find_spec(top) is None:
        pytest.skip(f"{top} is not installed")
    module = importlib.import_module(rule.module)
    head = rule.attribute.partition(".")[0]
    if rule.module in ("os", "posix") and not hasattr(module, head):
        pytest.skip(f"{rule.module}.{head} does not exist on this platform")
    if rule.module == "typing" and head == "_eval_type":
        assert hasattr(module, head)
        return
    assert hasattr(module, head) or importlib.util.find_spec(f"{rule.module}.{head}") is not None


@pytest.mark.parametrize(
    "rule",
    [r for r in policy.MODULE_RULES if r.action == "replace"],
    ids=lambda r: f"{r.module}.{r.attribute}",
)
def test_replaced_attributes_name_real_attributes(rule: policy.ModuleRule) -> None:
    top = rule.module.partition(".")[0]
    if importlib.util.find_spec(top) is None:
        pytest.skip(f"{top} is not installed")
    if (rule.module, rule.attribute) in _OLDER_VERSIONS_ONLY:
        pytest.skip("refused for the library versions that still have it")
    assert hasattr(importlib.import_module(rule.module), rule.attribute)


_OLDER_VERSIONS_ONLY = {("numpy", "set_string_function")}  # removed in numpy 2


def test_the_policy_module_is_the_only_place_routed_names_are_listed() -> None:
    """No other interpreter module keeps a hand-written copy of the routed names."""
    import smolagents._interpreter as package

    tree = ast.parse(Path(package.__path__[0], "tables.py").read_text())
    assigned = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        for target in [node.target]
        if isinstance(target, ast.Name)
    }
    assert "ROUTED_ATTRIBUTES" not in assigned
