"""A RemotePythonExecutor subclass written for 1.26: it implements only `run_code_raise_errors`.

The base class then sends variables and tools as code through that one method, so such an
executor keeps working. Here the "sandbox" is a separate namespace run by `exec`, standing in for
the notebook kernel such a subclass talks to.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from smolagents.local_python_executor import CodeOutput
from smolagents.remote_executors import RemotePythonExecutor, SerializationError, ValueTransferError

sys.path.insert(0, str(Path(__file__).parent))
from shippable_tools import CounterTool  # a tool defined in a file, so it can be shipped


class NamespaceExecutor(RemotePythonExecutor):
    """Runs each piece of code in one namespace; records notebook commands instead of running them."""

    def __init__(self, **options: Any) -> None:
        super().__init__(additional_imports=[], logger=None, **options)
        self.namespace: dict[str, Any] = {"__name__": "__main__"}  # as in a notebook kernel
        self.commands: list[str] = []

    def run_code_raise_errors(self, code: str) -> CodeOutput:
        if code.startswith("!"):
            self.commands.append(code)
            return CodeOutput(output=None, logs="", is_final_answer=False)
        exec(compile(code, "<sandbox>", "exec"), self.namespace)
        return CodeOutput(output=None, logs="", is_final_answer=False)


def test_variables_arrive_as_values_through_the_code_channel() -> None:
    executor = NamespaceExecutor()
    executor.send_variables({"count": 3, "pair": ("a", 1), "raw": b"\x00\xff"})
    assert (executor.namespace["count"], executor.namespace["pair"], executor.namespace["raw"]) == (
        3,
        ("a", 1),
        b"\x00\xff",
    )
    executor.send_variables({})  # nothing to send: nothing run
    assert executor.commands == []


def test_what_json_cannot_carry_needs_allow_pickle() -> None:
    with pytest.raises(ValueTransferError, match="Cannot send variables"):
        NamespaceExecutor().send_variables({"error": KeyError("k")})
    executor = NamespaceExecutor(allow_pickle=True)
    with pytest.warns(FutureWarning, match="pickle"):  # sending, then reading in the sandbox
        executor.send_variables({"error": KeyError("k")})
    assert isinstance(executor.namespace["error"], KeyError)


# The kernel's stand-in modules have no __spec__; a real kernel ignores the ImportWarning that gives.
@pytest.mark.filterwarnings("ignore::ImportWarning")
def test_tools_are_shipped_as_code_and_run_in_the_sandbox() -> None:
    executor = NamespaceExecutor()
    executor.send_tools({"counter": CounterTool()})
    assert executor.namespace["counter"](step=5) == 105
    assert executor.commands == []  # the tool needs no package: no `!pip install`


def test_final_answers_must_carry_a_known_prefix() -> None:
    assert RemotePythonExecutor._deserialize_final_answer('safe:{"a": 1}') == {"a": 1}
    with pytest.raises(SerializationError, match="Unknown final answer format"):
        RemotePythonExecutor._deserialize_final_answer("gASVBAAAAAAAAACMAWGULg==", allow_pickle=True)
    with pytest.raises(SerializationError, match="Pickle data rejected"):
        RemotePythonExecutor._deserialize_final_answer("pickle:gASVBAAAAAAAAACMAWGULg==")
