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


@pytest.mark.parametrize("exception", ["SystemExit", "KeyboardInterrupt", "GeneratorExit", "BaseException"])
def test_base_exceptions_do_not_escape_the_executor(
    make_executor: ExecutorFactory, canary: Canary, exception: str
) -> None:
    executor = make_executor()
    expect_refused(executor, f"raise {exception}('bye')", canary)
    expect_refused(executor, f"def f():\n    raise {exception}\nf()", canary)
    expect_refused(executor, f"def g():\n    yield 1\n    raise {exception}\nlist(g())", canary)
    expect_refused(executor, f"class E({exception}):\n    pass\nraise E()", canary)
    expect_refused(executor, f"e = {exception}\nraise e", canary)
    expect_refused(executor, f"[{exception}][0]()\nraise [{exception}][0]()", canary)


HOSTILE_DUNDERS = {
    "repr": ("__repr__", "return 'x'", lambda value: repr(value)),
    "str": ("__str__", "return 'x'", lambda value: str(value)),
    "eq": ("__eq__", "return False", lambda value: value == 1),
    "bool": ("__bool__", "return True", lambda value: bool(value)),
    "hash": ("__hash__", "return 1", lambda value: hash(value)),
    "format": ("__format__", "return 'x'", lambda value: format(value, "")),
    "len": ("__len__", "return 1", lambda value: len(value)),
    "iter": ("__iter__", "return iter([])", lambda value: list(iter(value))),
    "getattr": ("__getattr__", "return 1", lambda value: getattr(value, "anything", None)),
}


@pytest.mark.parametrize(
    "behaviour",
    ["raise SystemExit", "raise KeyboardInterrupt", "raise GeneratorExit", "final_answer('late')"],
)
@pytest.mark.parametrize("dunder", list(HOSTILE_DUNDERS))
def test_output_dunders_cannot_raise_base_exceptions_in_host(
    make_executor: ExecutorFactory, dunder: str, behaviour: str
) -> None:
    method, _, host_call = HOSTILE_DUNDERS[dunder]
    code = f"class X:\n    def {method}(self, *a):\n        {behaviour}\nX()"
    executor = make_executor()
    try:
        output = executor(code).output
    except interpreter_api().InterpreterError:
        return  # refusing to define or return the object is a valid defence
    try:
        host_call(output)
    except Exception:
        pass  # an ordinary exception is fine: the agent's rendering code handles those
    # A BaseException-only exception propagating out of host_call fails the test (child reports it).


@pytest.mark.limits(wall_seconds=30, cpu_seconds=30)
@pytest.mark.parametrize("dunder", list(HOSTILE_DUNDERS))
def test_output_dunders_called_later_by_host_are_bounded(make_executor: ExecutorFactory, dunder: str) -> None:
    import time

    method, _, host_call = HOSTILE_DUNDERS[dunder]
    code = f"class X:\n    def {method}(self, *a):\n        while True:\n            pass\nX()"
    executor = make_executor(timeout_seconds=2)
    try:
        output = executor(code).output
    except interpreter_api().InterpreterError:
        return
    start = time.monotonic()
    try:
        host_call(output)
    except Exception:
        pass
    elapsed = time.monotonic() - start
    assert elapsed < 6, f"a model-defined {method} called by the host ran {elapsed:.1f} s unbounded"


@pytest.mark.limits(wall_seconds=30, cpu_seconds=30)
def test_model_defined_finaliser_cannot_run_unbounded_in_host(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """A `__del__` runs whenever the host drops the object, long after the executor returned."""
    import gc
    import time

    code = "class X:\n    def __del__(self):\n        while True:\n            pass\nkeep = X()\nkeep"
    executor = make_executor(timeout_seconds=2)
    try:
        executor(code)
    except interpreter_api().InterpreterError:
        return
    start = time.monotonic()
    del executor
    gc.collect()
    elapsed = time.monotonic() - start
    assert elapsed < 6, f"a model-defined __del__ ran {elapsed:.1f} s in the host"


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


@pytest.mark.limits(wall_seconds=30, cpu_seconds=30)
def test_rendering_many_model_objects_is_bounded_in_total(make_executor: ExecutorFactory) -> None:
    """A fresh budget per host call must not multiply: repr of 2000 slow objects is one rendering."""
    import time

    code = (
        "class X:\n    def __repr__(self):\n        s = 0\n        for i in range(10 ** 5):\n"
        "            s += i\n        return 'x'\n[X()] * 2000"
    )
    executor = make_executor(timeout_seconds=2)
    try:
        output = executor(code).output
    except interpreter_api().InterpreterError:
        return
    start = time.monotonic()
    try:
        repr(output)
    except Exception:
        pass
    elapsed = time.monotonic() - start
    assert elapsed < 6, f"rendering the output ran {elapsed:.1f} s"


@pytest.mark.limits(wall_seconds=30, cpu_seconds=30)
def test_generator_finaliser_cannot_run_unbounded_when_host_drops_it(make_executor: ExecutorFactory) -> None:
    """A suspended generator's `finally` runs when the host garbage-collects the notebook state."""
    import gc
    import time

    code = "def g():\n    try:\n        yield 1\n    finally:\n        while True:\n            pass\nit = g()\nnext(it)"
    executor = make_executor(timeout_seconds=2)
    try:
        executor(code)
    except interpreter_api().InterpreterError:
        return
    start = time.monotonic()
    del executor
    gc.collect()
    elapsed = time.monotonic() - start
    assert elapsed < 6, f"the generator's finally block ran {elapsed:.1f} s in the host"


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


def test_seeding_random_does_not_change_the_host_generator(make_executor: ExecutorFactory) -> None:
    """`random` functions share the host's generator: seeding it from model code makes host randomness predictable."""
    state = random.getstate()
    executor = make_executor()
    try:
        executor("import random\nrandom.seed(0)\nrandom.setstate(random.getstate())")
    except interpreter_api().InterpreterError:
        pass
    assert random.getstate() == state, "model code changed the host's random generator state"
    first = executor("import random\nrandom.seed(1)\nrandom.random()").output
    assert executor("random.seed(1)\nrandom.random()").output == first, "seeding must still work inside"


NUMPY_GLOBAL_STATE = [
    pytest.param("np.typecodes['All'] = 'hijacked'", id="typecodes-dict"),
    pytest.param("np.seterr(all='raise')", id="seterr"),
    pytest.param("np.set_printoptions(threshold=1, edgeitems=1)", id="set-printoptions"),
    pytest.param("np.seterrcall(print)\nnp.seterr(all='call')", id="seterrcall"),
]


@pytest.mark.parametrize("code", NUMPY_GLOBAL_STATE)
def test_numpy_global_state_is_not_changed_for_the_host(make_executor: ExecutorFactory, code: str) -> None:
    np = pytest.importorskip("numpy")
    before = (dict(np.typecodes), np.geterr(), np.get_printoptions(), np.geterrcall())
    try:
        make_executor(["numpy"])("import numpy as np\n" + code)
    except interpreter_api().InterpreterError:
        pass
    after = (dict(np.typecodes), np.geterr(), np.get_printoptions(), np.geterrcall())
    assert after == before, "model code changed numpy's process-wide state seen by the host"


def test_abc_registration_on_shared_classes_does_not_reach_the_host(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """`register` is a public method, but it mutates the shared class's virtual-subclass registry."""
    try:
        make_executor()("import collections\ncollections.UserDict.register(int)")
    except interpreter_api().InterpreterError:
        pass
    assert not isinstance(1, collections.UserDict), "model code changed isinstance() results in the host"


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


@pytest.mark.limits(wall_seconds=20, cpu_seconds=20)
@pytest.mark.parametrize(
    "code",
    [
        "while True:\n    pass",
        "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass",
        "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
        "while True:\n    try:\n        while True:\n            pass\n    finally:\n        continue",
    ],
    ids=["plain", "bare-except", "except-baseexception", "finally-continue"],
)
def test_host_ctrl_c_interrupts_model_code_and_is_not_swallowed(
    make_executor: ExecutorFactory, code: str
) -> None:
    """The user's Ctrl-C (SIGINT in the main thread) must reach the host, whatever the code catches."""
    import os
    import signal
    import threading
    import time

    executor = make_executor(timeout_seconds=10)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        executor(code)
    timer.cancel()
    assert time.monotonic() - start < 5, "the interrupt was delayed until the executor's own timeout"


def test_logging_configuration_of_the_host_is_not_changed(make_executor: ExecutorFactory) -> None:
    """`logging` state is process-wide: disabling or reconfiguring it from model code reaches the host."""
    import logging

    root = logging.getLogger()
    before = (logging.root.manager.disable, root.level, list(root.handlers))
    for code in [
        "logging.disable(logging.CRITICAL)",
        "logging.getLogger().setLevel(50)",
        "logging.getLogger().handlers.clear()",
    ]:
        try:
            make_executor(["logging"])("import logging\n" + code)
        except interpreter_api().InterpreterError:
            pass
    after = (logging.root.manager.disable, root.level, list(root.handlers))
    logging.disable(logging.NOTSET)
    assert after == before, "model code changed the host's logging configuration"


def test_shared_singletons_of_modules_cannot_be_given_attributes(make_executor: ExecutorFactory) -> None:
    """`re.IGNORECASE` is one object for the whole process: an attribute set on it reaches the host."""
    import re

    try:
        make_executor()("import re\nre.IGNORECASE.note = 'from model code'")
    except interpreter_api().InterpreterError:
        pass
    assert not hasattr(re.IGNORECASE, "note"), "model code changed an object shared with the host"


def test_running_code_leaves_process_settings_and_other_threads_output_alone(
    make_executor: ExecutorFactory,
) -> None:
    """The executor must not capture other threads' prints (host secrets) or change process-wide settings."""
    import sys
    import threading

    before = (
        sys.getrecursionlimit(),
        sys.get_int_max_str_digits(),
        sys.gettrace(),
        sys.getprofile(),
        sys.stdout,
    )
    stop = threading.Event()

    def host_chatter() -> None:
        while not stop.is_set():
            print("HOST-ONLY-OUTPUT")
            stop.wait(0.005)

    chatter = threading.Thread(target=host_chatter, daemon=True)
    chatter.start()
    executor = make_executor(timeout_seconds=5)
    try:
        result = executor("x = 0\nfor i in range(10 ** 6):\n    x += i\nprint('model')")
    finally:
        stop.set()
        chatter.join()
    assert "HOST-ONLY-OUTPUT" not in result.logs, "the host's own output was captured into the model's logs"
    try:
        executor("def f():\n    return f()\nf()")
    except interpreter_api().InterpreterError:
        pass
    after = (
        sys.getrecursionlimit(),
        sys.get_int_max_str_digits(),
        sys.gettrace(),
        sys.getprofile(),
        sys.stdout,
    )
    assert after == before, "running model code changed process-wide interpreter settings"
