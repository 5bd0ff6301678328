"""Model code runs on the executor's own large-stack thread; what the host handed in runs on the caller's."""

from __future__ import annotations

import os
import threading

import pytest
from cpu_time import cpu_seconds_at_most
from interrupts import interrupt_when_code_runs

from smolagents.local_python_executor import InterpreterError, LocalPythonExecutor


def _caller_thread() -> int:
    return threading.get_ident()


def test_model_code_runs_on_another_thread_and_tools_on_the_callers() -> None:
    executor = LocalPythonExecutor([])
    executor.send_tools({"where": _caller_thread})
    output = executor(
        "def inner():\n    return where()\n(where(), inner(), [where() for _ in range(2)])"
    ).output
    me = threading.get_ident()
    assert output == (me, me, [me, me])
    assert executor._runtime.thread._worker not in (None, me)


def test_final_answer_tool_runs_on_the_callers_thread() -> None:
    seen: list[int] = []

    def final_answer(answer: object) -> object:
        seen.append(threading.get_ident())
        return answer

    executor = LocalPythonExecutor([])
    executor.send_tools({"final_answer": final_answer})
    result = executor("final_answer(42)")
    assert (result.output, result.is_final_answer) == (42, True)
    assert seen == [threading.get_ident()]


def test_a_tool_error_can_be_caught_by_the_code() -> None:
    def fail(reason: str) -> None:
        raise ConnectionError(reason)

    executor = LocalPythonExecutor([])
    executor.send_tools({"fail": fail})
    code = "try:\n    fail('down')\nexcept ConnectionError as error:\n    caught = str(error)\ncaught"
    assert executor(code).output == "down"
    with pytest.raises(InterpreterError, match="ConnectionError: again"):
        executor("fail('again')")


def test_a_tool_may_call_back_into_model_functions_and_the_executor() -> None:
    executor = LocalPythonExecutor([])

    def apply(function: object, value: int) -> object:
        return function(value)  # type: ignore[operator]  # a model-defined function

    def evaluate(code: str) -> object:
        return executor(code).output  # re-entrant: must not wait for the busy code thread

    executor.send_tools({"apply": apply, "evaluate": evaluate})
    assert executor("apply(lambda v: v * 3, 5)").output == 15
    assert executor("evaluate('6 * 7')").output == 42


def test_inert_code_runs_inline_without_the_hop() -> None:
    executor = LocalPythonExecutor([])
    assert executor("x = 1\ny = (x, 'a', -2)\ny").output == (1, "a", -2)
    assert executor._runtime.thread._worker is None  # no call, lookup or hash: no thread needed
    assert executor("len([x])").output == 1
    assert executor._runtime.thread._worker is not None


def test_one_thread_serves_every_call() -> None:
    executor = LocalPythonExecutor([])
    executor("len([])")
    threads = {thread.ident for thread in threading.enumerate()}
    worker = executor._runtime.thread._worker
    assert worker is not None
    for index in range(20):
        assert executor(f"len([{index}]) + {index}").output == index + 1
    # Compared as sets: threads of other tests' collected executors may end meanwhile.
    assert {thread.ident for thread in threading.enumerate()} - threads == set()
    assert executor._runtime.thread._worker == worker


def test_the_code_thread_stops_when_its_executor_is_collected() -> None:
    import gc

    executor = LocalPythonExecutor([])
    executor("len([])")
    worker = executor._runtime.thread._worker
    assert worker is not None
    del executor
    gc.collect()
    thread = next((thread for thread in threading.enumerate() if thread.ident == worker), None)
    if thread is not None:
        thread.join(60)  # generous: the thread ends as soon as it sees its executor gone
    assert all(thread.ident != worker for thread in threading.enumerate())


def test_ctrl_c_stops_the_code_and_reaches_the_caller() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread")
    executor = LocalPythonExecutor([], timeout_seconds=120, max_operations=10**12)
    executor("counter = [0]")
    watcher = interrupt_when_code_runs()
    # An interrupt held back until the executor's own timeout would burn about 120 s of CPU.
    with cpu_seconds_at_most(30), pytest.raises(KeyboardInterrupt):
        executor("while True:\n    counter[0] += 1")
    watcher.join()
    seen = executor.state["counter"][0]
    # Another call runs on the same code thread: a loop still running there would be seen moving.
    assert executor("total = 0\nfor i in range(100_000):\n    total += i\ntotal").output == 4999950000
    assert seen > 0
    assert executor.state["counter"][0] == seen, "the code kept running after Ctrl-C"
    assert executor("counter[0] > 0").output is True  # and the executor is still usable


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_an_executor_keeps_working_in_a_forked_child() -> None:
    executor = LocalPythonExecutor([])
    assert executor("len([1])").output == 1  # the parent's code thread exists now
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            code = 0 if executor("x = ()\nfor _ in range(300000):\n    x = (x,)\nlen({x})").output == 1 else 1
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
