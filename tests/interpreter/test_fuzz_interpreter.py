"""Property-based fuzzing of the local interpreter with hostile program fragments.

Hypothesis assembles programs from grammar-ish building blocks (dunder and internal attribute
names, getattr chains with computed names, format strings with attribute paths, imports of
allowed/dangerous/private modules, tool rebinding, try/except around final_answer, escalation
suffixes that would read a planted secret or create a marker file) and checks that the executor
only ever raises its own `InterpreterError`s and never lets a canary through.

The whole search runs in a forked child with memory/CPU/time caps (see attacks/_isolation.py), so
an escape that crashes or hangs the interpreter fails this test instead of the session.
Set SMOLAGENTS_FUZZ_EXAMPLES (default 300) for longer runs, e.g. SMOLAGENTS_FUZZ_EXAMPLES=20000.
"""

from __future__ import annotations

import collections
import importlib.util
import math
import os
import random
import secrets
import sys
from pathlib import Path
from types import CellType, CodeType, FrameType, ModuleType, TracebackType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smolagents.tools.base import Tool

ENV = "SMOLAGENTS_CANARY"
EXAMPLES = int(os.environ.get("SMOLAGENTS_FUZZ_EXAMPLES", "300"))
# CI runs the same examples every time (a red build means a regression, not bad luck); a long run
# asked for through the environment explores fresh ones.
DERANDOMIZE = "SMOLAGENTS_FUZZ_EXAMPLES" not in os.environ


def _load_isolation() -> ModuleType:
    # Loaded by path: this module and the attacks package may be imported under different roots.
    path = Path(__file__).parent / "attacks" / "_isolation.py"
    spec = importlib.util.spec_from_file_location("_smolagents_attack_isolation", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve string annotations through sys.modules
    spec.loader.exec_module(module)
    return module


class _SecretSearch(Tool):
    name = "web_search"
    description = "Search."
    inputs = {"query": {"type": "string", "description": "Query."}}
    output_type = "string"

    def __init__(self, token: str) -> None:
        super().__init__()
        self.secret = token

    def forward(self, query: str) -> str:
        return f"results for {query}"


class _Answer(Tool):
    name = "final_answer"
    description = "Answer."
    inputs = {"answer": {"type": "any", "description": "Answer."}}
    output_type = "any"

    def forward(self, answer: Any) -> Any:
        return answer


PRELUDE = """
import collections, datetime, itertools, math, queue, random, re, statistics
class S(str):
    def startswith(self, *a):
        return False
    def __contains__(self, x):
        return False
def gen():
    yield 1
g = gen()
x = 1
v = 1
items = [1, 2]
"""

NAMES = [
    "x", "v", "items", "g", "gen", "S", "web_search", "final_answer", "math", "random", "collections", "re",
    "queue", "datetime", "statistics", "itertools", "str", "int", "list", "type", "object", "print",
    "len", "getattr", "vars", "dir", "()", "''", "1",
    "__builtins__", "__import__", "eval", "exec", "open", "globals", "locals", "compile",
    "__build_class__", "__loader__", "__spec__", "memoryview", "breakpoint", "help", "exit",
    # gadgets: short paths that reach host objects when a guard is missing
    "random._os", "random.Random.seed", "print.__self__", "web_search.forward", "g.gi_frame",
    "datetime.sys", "queue.threading", "statistics.sys", "collections._sys", "re.enum",
]  # fmt: skip
ATTRIBUTES = [
    "__class__", "__base__", "__bases__", "__mro__", "__subclasses__", "__globals__", "__code__",
    "__closure__", "__self__", "__func__", "__dict__", "__builtins__", "__init__", "__getattribute__",
    "__reduce_ex__", "__wrapped__", "__traceback__", "mro", "gi_frame", "gi_code", "f_back", "f_globals",
    "f_builtins", "f_locals", "tb_frame", "co_code", "cr_frame", "_os", "_sys", "_inst", "sys",
    "threading", "types", "enum", "copyreg", "environ", "modules", "forward", "secret", "func", "format",
    "format_map", "most_common", "pi", "Random", "seed", "upper", "append", "Counter", "codecs",
]  # fmt: skip
# Objects whose internals are worth reaching: host functions, builtins bound to internals, tools.
HANDLES = ["random.Random.seed", "print", "len", "web_search", "final_answer", "g", "gen", "S"]
KEYS = ["os", "_os", "environ", "__builtins__", "__import__", "open", ENV, "secret", "sys", "modules"]
MODULES = [
    "math", "random", "collections", "re", "queue", "datetime", "statistics", "itertools", "os", "sys",
    "subprocess", "builtins", "importlib", "io", "ctypes", "pickle", "random._os", "collections.abc",
    "os.path", "json", "codecs", "threading", "types", "gc", "inspect", "posix", "timeit",
]  # fmt: skip
FORMATS = [
    "'{0.__class__}'", "'{0.__globals__[_os]}'", "'{0._os.environ}'", "'{0.__self__.secret}'",
    "'{0.seed.__func__.__globals__[_os].environ[" + ENV + "]}'", "'{0.forward.__globals__[os]}'",
    "'{0.__init__.__globals__}'", "'{0[0]}'", "'{0!r:>5}'",
]  # fmt: skip


def _computed_name(name: str) -> st.SearchStrategy[str]:
    half = len(name) // 2
    return st.sampled_from(
        [
            repr(name),
            f"{name[:half]!r} + {name[half:]!r}",
            f"''.join({list(name)!r})",
            f"S({name!r})",
            f"'%s' % {name!r}",
            f"str({name!r})",
        ]
    )


name_expressions = st.sampled_from(ATTRIBUTES).flatmap(_computed_name)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda e, a: f"{e}.{a}", inner, st.sampled_from(ATTRIBUTES)),
        st.builds(lambda e, n: f"getattr({e}, {n})", inner, name_expressions),
        st.builds(lambda e: f"{e}()", inner),
        st.builds(lambda e: f"{e}[0]", inner),
        st.builds(lambda e, k: f"{e}[{k!r}]", inner, st.sampled_from(KEYS)),
        st.builds(lambda e, k: f"{e}({k!r})", inner, st.sampled_from(KEYS)),
        st.builds(lambda e: f"type({e})", inner),
        st.builds(lambda e: f"vars({e})", inner),
        st.builds(lambda e: f"[c for c in {e} if 'wrap' in str(c)]", inner),
        st.builds(lambda f, e: f"{f}.format({e})", st.sampled_from(FORMATS), inner),
    )


expressions = st.recursive(st.sampled_from(NAMES), _extend, max_leaves=6)


def _statements(marker: str) -> st.SearchStrategy[str]:
    tool = st.sampled_from(["final_answer", "web_search"])
    return st.one_of(
        st.builds(lambda e: f"v = {e}", expressions),
        expressions,
        st.builds(lambda e: f"final_answer({e})", expressions),
        st.builds(lambda e: f"try:\n    final_answer({e})\nexcept:\n    pass", expressions),
        st.builds(lambda e: f"try:\n    v = {e}\nexcept BaseException as err:\n    v = err", expressions),
        st.builds(lambda e: f"for v in items:\n    v = {e}", expressions),
        st.builds(lambda e: f"def f():\n    return {e}\nv = f()", expressions),
        st.builds(lambda m: f"import {m}", st.sampled_from(MODULES)),
        st.builds(lambda m, a: f"from {m} import {a}", st.sampled_from(MODULES), st.sampled_from(ATTRIBUTES)),
        st.builds(lambda t, e: f"{t} = {e}", tool, expressions),
        st.builds(lambda t: f"def {t}(*a):\n    return 'hijacked'", tool),
        st.builds(lambda t: f"import math as {t}", tool),
        st.builds(lambda t: f"del {t}", tool),
        st.builds(lambda t: f"for {t} in items:\n    pass", tool),
        st.builds(lambda e, a: f"{e}.{a} = 0", expressions, st.sampled_from(ATTRIBUTES)),
        st.builds(lambda e, n: f"setattr({e}, {n}, 0)", expressions, name_expressions),
        st.sampled_from(["raise SystemExit", "raise KeyboardInterrupt", "raise GeneratorExit"]),
        st.builds(lambda e: f"v = {e}.environ[{ENV!r}]", expressions),
        st.builds(lambda e: f"v = {e}({marker!r}, 65)", expressions),
        st.builds(lambda e: f"v = {e}.modules['os'].environ[{ENV!r}]", expressions),
        # class patterns read `__match_args__` names natively; ABC registration widens isinstance
        st.builds(
            lambda a, e: (
                f"class Y(collections.UserDict):\n    __match_args__ = ({a!r},)\n"
                f"Y.register(type({e}))\nmatch {e}:\n    case Y(v):\n        pass"
            ),
            st.sampled_from(ATTRIBUTES),
            st.sampled_from(HANDLES),
        ),
    )


_INTERNAL_MODULES = frozenset(
    f"smolagents._interpreter.{name}"
    for name in ("runtime", "budget", "context", "modules", "guards", "transform", "compiler")
)


def _module_dict_ids() -> set[int]:
    return {id(vars(module)) for module in list(sys.modules.values()) if module is not None}


def _dangerous_object(value: Any, module_dicts: set[int]) -> str | None:
    """Name what `value` is if model code must never hold it, else None.

    A stronger oracle than the canary: reaching the object is the escape, reading the secret
    through it is one more step the generator may not take.
    """
    if isinstance(value, ModuleType) and sys.modules.get(value.__name__) is value:
        return f"the real module {value.__name__!r} (sanitized copies are not in sys.modules)"
    if isinstance(value, (FrameType, TracebackType, CodeType, CellType)):
        return f"a {type(value).__name__} object"
    if isinstance(value, dict) and id(value) in module_dicts:
        return "a module's globals dict"
    # Stand-ins handed out on purpose (guarded `type`, regex and queue wrappers) live elsewhere;
    # the notebook's own machinery (runtime, budget, import policy, guards) must stay out of reach.
    if isinstance(value, type) or isinstance(value, BaseException):
        return None
    if type(value).__module__ in _INTERNAL_MODULES:
        return f"an interpreter internal ({type(value).__qualname__})"
    return None


def _run_fuzz(api: ModuleType, token: str, marker: Path) -> None:
    counter_most_common = collections.Counter.most_common
    pi, random_random = math.pi, random.random

    @settings(
        max_examples=EXAMPLES,
        derandomize=DERANDOMIZE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(_statements(str(marker)), min_size=1, max_size=5))
    def check(statements: list[str]) -> None:
        program = "\n".join(statements)
        search, answer = _SecretSearch(token), _Answer()
        executor = api.LocalPythonExecutor(
            additional_authorized_imports=[], max_print_outputs_length=None, timeout_seconds=2
        )
        executor.send_tools({"final_answer": answer, "web_search": search})
        executor(PRELUDE)
        texts: list[str] = []
        try:
            result = executor(program)
        except api.InterpreterError as error:
            texts += [str(error), str(getattr(error, "logs", "") or "")]
        else:
            texts.append(str(result.logs))
            for render in (repr, str):
                try:
                    texts.append(render(result.output))
                except Exception:  # an ordinary error while rendering is acceptable; BaseException is not
                    pass
        for text in texts:
            assert token not in text, f"secret leaked by:\n{program}"
        module_dicts = _module_dict_ids()
        for name, value in list(executor.state.items()):
            found = _dangerous_object(value, module_dicts)
            assert found is None, f"model code holds {found} in {name!r} after:\n{program}"
        assert not marker.exists(), f"marker file created by:\n{program}"
        assert collections.Counter.most_common is counter_most_common, f"Counter mutated by:\n{program}"
        assert (math.pi, random.random) == (pi, random_random), f"module mutated by:\n{program}"
        assert search.secret == token
        assert executor("web_search('probe')").output == "results for probe", f"tool rebound by:\n{program}"
        after = executor("final_answer('probe')")
        assert after.is_final_answer and after.output == "probe", f"final_answer rebound by:\n{program}"

    check()


def test_fuzzed_hostile_programs_raise_only_interpreter_errors_and_leak_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = pytest.importorskip("smolagents.local_python_executor")
    isolation = _load_isolation()
    token = f"canary-{secrets.token_hex(8)}"
    monkeypatch.setenv(ENV, token)
    marker = tmp_path / "escaped.marker"
    budget = max(60.0, EXAMPLES * 0.5)
    outcome = isolation.run_in_child(
        lambda: _run_fuzz(api, token, marker),
        isolation.Limits(wall_seconds=budget, cpu_seconds=int(budget)),
    )
    if outcome.status == "skipped":
        pytest.skip(outcome.detail)
    assert outcome.status == "passed", f"[{outcome.status}]\n{outcome.detail}"
