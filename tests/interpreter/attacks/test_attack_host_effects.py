"""Effects on the host after or beside a run: late dunder calls, finalisers, process-wide state."""

from __future__ import annotations

import collections
import random

import pytest

from ._kit import Canary, ExecutorFactory, expect_refused, interpreter_api


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


# The model's loops below are endless: a runaway burns the child's CPU cap; the bounded path uses a
# few CPU seconds (two 2 s budgets at most). Wall-clock caps only catch hangs, so they are generous.
_HOST_CALL_LIMITS = pytest.mark.limits(wall_seconds=60, cpu_seconds=12)


@_HOST_CALL_LIMITS
@pytest.mark.parametrize("dunder", list(HOSTILE_DUNDERS))
def test_output_dunders_called_later_by_host_are_bounded(make_executor: ExecutorFactory, dunder: str) -> None:
    method, _, host_call = HOSTILE_DUNDERS[dunder]
    code = f"class X:\n    def {method}(self, *a):\n        while True:\n            pass\nX()"
    executor = make_executor(timeout_seconds=2)
    try:
        output = executor(code).output
    except interpreter_api().InterpreterError:
        return
    try:
        host_call(output)
    except Exception:
        pass


@_HOST_CALL_LIMITS
def test_model_defined_finaliser_cannot_run_unbounded_in_host(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """A `__del__` runs whenever the host drops the object, long after the executor returned."""
    import gc

    code = "class X:\n    def __del__(self):\n        while True:\n            pass\nkeep = X()\nkeep"
    executor = make_executor(timeout_seconds=2)
    try:
        executor(code)
    except interpreter_api().InterpreterError:
        return
    del executor
    gc.collect()


@_HOST_CALL_LIMITS
def test_rendering_many_model_objects_is_bounded_in_total(make_executor: ExecutorFactory) -> None:
    """A fresh budget per host call must not multiply: repr of 2000 slow objects is one rendering."""

    code = (
        "class X:\n    def __repr__(self):\n        s = 0\n        for i in range(10 ** 5):\n"
        "            s += i\n        return 'x'\n[X()] * 2000"
    )
    executor = make_executor(timeout_seconds=2)
    try:
        output = executor(code).output
    except interpreter_api().InterpreterError:
        return
    try:
        repr(output)
    except Exception:
        pass


@_HOST_CALL_LIMITS
def test_generator_finaliser_cannot_run_unbounded_when_host_drops_it(make_executor: ExecutorFactory) -> None:
    """A suspended generator's `finally` runs when the host garbage-collects the notebook state."""
    import gc

    code = "def g():\n    try:\n        yield 1\n    finally:\n        while True:\n            pass\nit = g()\nnext(it)"
    executor = make_executor(timeout_seconds=2)
    try:
        executor(code)
    except interpreter_api().InterpreterError:
        return
    del executor
    gc.collect()


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


# The executor's own timeout is long: an interrupt delayed until then burns the child's CPU cap first.
@pytest.mark.limits(wall_seconds=90, cpu_seconds=15)
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
    from interrupts import interrupt_when_code_runs

    executor = make_executor(timeout_seconds=60)
    watcher = interrupt_when_code_runs()
    with pytest.raises(KeyboardInterrupt):
        executor(code)
    watcher.join()


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
