"""Tampering that would outlive one call or reach the host: rebinding, mutation, control flow."""

from __future__ import annotations

import collections
import math
import random

import pytest

from ._kit import Canary, ExecutorFactory, expect_refused, interpreter_api

REBINDINGS = [
    "{name} = lambda *a: 'hijacked'",
    "{name} += 'x'",
    "{name}: int = 3",
    "({name} := print)",
    "for {name} in [print]:\n    pass",
    "with open_nothing() as {name}:\n    pass",
    "try:\n    1 / 0\nexcept Exception as {name}:\n    pass",
    "def {name}(*a):\n    return 'hijacked'",
    "class {name}:\n    pass",
    "import math as {name}",
    "from math import sqrt as {name}",
    "del {name}",
    "global {name}\n{name} = print",
    "def f():\n    global {name}\n    {name} = print\nf()",
    "def f():\n    {name} = 1\n    def g():\n        nonlocal {name}\n        {name} = print\n    g()\nf()",
    "[{name} for {name} in [print]]",
    "{name}, other = print, 1",
    "*{name}, = [print]",
    "[a, {name}] = [1, print]",
    "match print:\n    case {name}:\n        pass",
    "match [print]:\n    case [*{name}]:\n        pass",
    "match {{'k': print}}:\n    case {{'k': v, **{name}}}:\n        pass",
    "lambda {name}: 0",
    "def f({name}=print):\n    return {name}",
    "async def f():\n    async for {name} in x:\n        pass",
]


@pytest.mark.parametrize("name", ["final_answer", "web_search"])
@pytest.mark.parametrize("template", REBINDINGS, ids=range(len(REBINDINGS)))
def test_tool_names_cannot_be_rebound_by_any_binding_form(
    make_executor: ExecutorFactory, canary: Canary, name: str, template: str
) -> None:
    factory = make_executor
    executor = factory()
    setup = "class open_nothing:\n    def __enter__(self):\n        return print\n    def __exit__(self, *a):\n        return False\n"
    executor(setup)
    code = template.format(name=name)
    try:
        executor(code)
    except interpreter_api().InterpreterError:
        pass
    # Whatever happened (refusal is expected; a harmless local shadow inside a function is not
    # an attack), the notebook's name must still call the host tool, in this call and the next.
    result = executor(f"{name}('probe')")
    if name == "web_search":
        assert result.output == "results for probe"
        assert factory.search_tool.calls[-1] == "probe"
    else:
        assert result.is_final_answer and result.output == "probe"


@pytest.mark.parametrize("template", REBINDINGS[:14], ids=range(14))
def test_module_level_rebinding_of_final_answer_is_refused(
    make_executor: ExecutorFactory, canary: Canary, template: str
) -> None:
    executor = make_executor()
    executor(
        "class open_nothing:\n    def __enter__(self):\n        return print\n    def __exit__(self, *a):\n        return False\n"
    )
    expect_refused(executor, template.format(name="final_answer"), canary)


MUTATIONS = [
    pytest.param("collections.Counter.most_common = lambda self, n=None: 'hijacked'", id="counter-method"),
    pytest.param(
        "setattr(collections.Counter, 'most_common', lambda self, n=None: 'hijacked')", id="setattr-counter"
    ),
    pytest.param("del collections.Counter.most_common", id="del-counter-method"),
    pytest.param("delattr(collections.Counter, 'most_common')", id="delattr-counter-method"),
    pytest.param("math.pi = 0", id="math-pi"),
    pytest.param("setattr(math, 'pi', 0)", id="setattr-math-pi"),
    pytest.param("del math.pi", id="del-math-pi"),
    pytest.param("setattr(random, 'random', lambda: 0.5)", id="setattr-random-random"),
    pytest.param("random.random = lambda: 0.5", id="assign-random-random"),
    pytest.param("random.Random.random = lambda self: 0.5", id="random-class-method"),
    pytest.param("vars(math)['pi'] = 0", id="vars-module-dict"),
    pytest.param("collections.Counter.__init__ = lambda self: None", id="dunder-method-on-shared-class"),
    pytest.param("math.sqrt.__self__.pi = 0", id="real-module-via-builtin-self"),
    pytest.param("c = collections.Counter\nc.most_common = len", id="aliased-class"),
    pytest.param("type(collections.Counter()).most_common = len", id="class-via-type-of-instance"),
    pytest.param(
        "class Sub(collections.Counter):\n    pass\nSub.mro()[1].most_common = len",
        id="class-via-subclass-mro",
    ),
    pytest.param("collections.Counter.most_common.__defaults__ = (1,)", id="function-defaults"),
]


@pytest.mark.parametrize("code", MUTATIONS)
def test_shared_classes_and_modules_cannot_be_mutated(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    before = (collections.Counter.most_common, math.pi, random.random, random.Random.random)
    first = make_executor()
    expect_refused(first, "import collections, math, random\n" + code, canary)
    after = (collections.Counter.most_common, math.pi, random.random, random.Random.random)
    assert after == before, "the attack changed a module or class in the host"
    probe = "import collections, math, random\n(collections.Counter('aab').most_common(1), math.pi)"
    expected = ([("a", 2)], math.pi)
    assert first(probe).output == expected, "the change persisted into the next call"
    assert make_executor()(probe).output == expected, "the change reached another executor"


def test_user_classes_remain_mutable(make_executor: ExecutorFactory) -> None:
    """Control: code may mutate what it owns, so the refusals above are about ownership."""
    code = (
        "import collections\nclass C(collections.Counter):\n    pass\nC.most_common = lambda self, n=None: 'mine'\n"
        "class D:\n    pass\nd = D()\nd.x = 1\nsetattr(D, 'y', 2)\n(C().most_common(), d.x, D.y)"
    )
    assert make_executor()(code).output == ("mine", 1, 2)


def test_allow_list_cannot_be_widened_from_inside(make_executor: ExecutorFactory, canary: Canary) -> None:
    executor = make_executor()
    attempts = [
        "additional_authorized_imports.append('os')",
        "authorized_imports.append('os')",
        "BASE_BUILTIN_MODULES.append('os')",
        "import collections\ncollections.__builtins__",
        "self.additional_authorized_imports.append('os')",
        "final_answer.__self__.executor",
    ]
    for attempt in attempts:
        try:
            executor(attempt)
        except interpreter_api().InterpreterError:
            pass
    expect_refused(executor, f"import os\nos.environ['{canary.env_var}']", canary)
    assert "os" not in interpreter_api().BASE_BUILTIN_MODULES

    # A BaseException-only exception propagating out of host_call fails the test (child reports it).


FINAL_ANSWER_CATCHERS = [
    pytest.param("try:\n    final_answer('first')\nexcept:\n    pass\n", id="bare-except"),
    pytest.param(
        "try:\n    final_answer('first')\nexcept BaseException:\n    pass\n", id="except-baseexception"
    ),
    pytest.param("try:\n    final_answer('first')\nexcept Exception:\n    pass\n", id="except-exception"),
    pytest.param(
        "try:\n    final_answer('first')\nexcept (ValueError, BaseException):\n    pass\n", id="except-tuple"
    ),
    pytest.param(
        "B = BaseException\ntry:\n    final_answer('first')\nexcept B:\n    pass\n", id="except-alias"
    ),
    pytest.param(
        "def f():\n    try:\n        final_answer('first')\n    finally:\n        return 1\nf()\n",
        id="return-in-finally",
    ),
    pytest.param(
        "for i in [1]:\n    try:\n        final_answer('first')\n    finally:\n        break\n",
        id="break-in-finally",
    ),
    pytest.param(
        "for i in [1]:\n    try:\n        final_answer('first')\n    finally:\n        continue\n",
        id="continue-in-finally",
    ),
    pytest.param(
        "class S:\n    def __enter__(self):\n        return self\n    def __exit__(self, *a):\n        return True\n"
        "with S():\n    final_answer('first')\n",
        id="context-manager-exit-swallows",
    ),
    pytest.param(
        "def g():\n    try:\n        yield 1\n    except BaseException:\n        yield 2\n"
        "it = g()\nnext(it)\ntry:\n    it.throw(ValueError)\nexcept Exception:\n    pass\n"
        "try:\n    final_answer('first')\nexcept:\n    pass\n",
        id="generator-throw-then-bare",
    ),
    pytest.param(
        "def g():\n    yield final_answer('first')\ntry:\n    list(g())\nexcept BaseException:\n    pass\n",
        id="inside-generator",
    ),
    pytest.param(
        "try:\n    [final_answer('first') for _ in [1]]\nexcept BaseException:\n    pass\n",
        id="inside-comprehension",
    ),
    pytest.param(
        "try:\n    list(map(final_answer, ['first']))\nexcept BaseException:\n    pass\n",
        id="called-from-map",
    ),
    pytest.param("try:\n    final_answer('first')\nexcept* BaseException:\n    pass\n", id="except-star"),
    pytest.param(
        "class X:\n    def __eq__(self, o):\n        final_answer('first')\ntry:\n    X() == 1\nexcept:\n    pass\n",
        id="from-dunder",
    ),
    pytest.param(
        "def f():\n    try:\n        final_answer('first')\n    except:\n        raise ValueError('converted')\n"
        "try:\n    f()\nexcept ValueError:\n    pass\n",
        id="converted-to-ordinary-exception",
    ),
]


@pytest.mark.parametrize("catcher", FINAL_ANSWER_CATCHERS)
def test_final_answer_ends_execution_and_cannot_be_caught(
    make_executor: ExecutorFactory, catcher: str
) -> None:
    code = catcher + "print('after')\nfinal_answer('second')"
    result = make_executor()(code)
    assert result.is_final_answer
    assert result.output == "first"
    assert "after" not in result.logs


@pytest.mark.parametrize(
    "method", ["__del__", "__reduce_ex__", "__getattribute__", "__getstate__", "__set_name__"]
)
def test_forbidden_hook_methods_cannot_be_defined_through_three_argument_type(
    make_executor: ExecutorFactory, canary: Canary, method: str
) -> None:
    """The class statement refuses these hooks; `type(name, bases, namespace)` must refuse them too."""
    code = f"X = type('X', (), {{{method!r}: lambda *a: None}})\nX()"
    expect_refused(make_executor(), code, canary)
    expect_refused(
        make_executor(), f"ns = {{}}\nns[{method!r}] = lambda *a: None\nX = type('X', (), ns)", canary
    )


def test_private_attributes_of_library_classes_stay_closed_through_super(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """Defining the same private name on a subclass must not open the base class's one via super()."""
    code = (
        "import random\nclass A(random.Random):\n    _randbelow_with_getrandbits = 1\n"
        "f = super(A, A())._randbelow_with_getrandbits\nf(5)"
    )
    expect_refused(make_executor(), code, canary)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "class M(type):\n    pass\nX = M('X', (), {'__del__': lambda self: None})\nX()",
            id="metaclass-call",
        ),
        pytest.param(
            "class M(type):\n    def __new__(mcs, name, bases, ns):\n        ns['__del__'] = lambda self: None\n"
            "        return super().__new__(mcs, name, bases, ns)\nclass X(metaclass=M):\n    pass\nX()",
            id="metaclass-new-adds-hook",
        ),
        pytest.param(
            "class M(type):\n    def __new__(mcs, name, bases, ns):\n"
            "        return super().__new__(mcs, name, bases, dict(ns, __reduce_ex__=lambda self, p: None))\n"
            "class X(metaclass=M):\n    pass\nX()",
            id="metaclass-new-replaces-namespace",
        ),
    ],
)
def test_forbidden_hook_methods_cannot_be_defined_through_a_metaclass(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    """A `type` subclass, or a metaclass `__new__` that edits the namespace, bypasses a check on `type()`."""
    expect_refused(make_executor(), code, canary)


def test_star_import_cannot_rebind_a_tool_named_like_a_module_function(canary: Canary) -> None:
    """A tool may well be called `search`; `from re import *` must not replace it with `re.search`."""
    api = interpreter_api()
    calls: list[str] = []
    executor = api.LocalPythonExecutor(additional_authorized_imports=[], timeout_seconds=5)
    executor.send_tools(
        {"final_answer": lambda answer: answer, "search": lambda query: calls.append(query) or "tool"}
    )
    try:
        executor("from re import *")
    except api.InterpreterError:
        pass
    assert executor("search('q')").output == "tool"
    assert calls == ["q"]
