"""Tool subclasses: calling conventions, setup, async tools, input/output sanitizing."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from smolagents import AgentText, Tool


class Adder(Tool):
    name = "adder"
    description = "Add two integers."
    inputs = {
        "a": {"type": "integer", "description": "First term."},
        "b": {"type": "integer", "description": "Second term."},
    }
    output_type = "integer"

    def forward(self, a: int, b: int) -> int:
        return a + b


class CountingSetupTool(Tool):
    name = "counting"
    description = "Return how many times setup ran."
    inputs = {}
    output_type = "integer"

    def __init__(self) -> None:
        super().__init__()
        self.setup_calls = 0

    def setup(self) -> None:
        time.sleep(0.01)  # widen the window in which concurrent first calls could both run setup
        self.setup_calls += 1

    def forward(self) -> int:
        return self.setup_calls


class AsyncDoubler(Tool):
    name = "doubler"
    description = "Double a number after a short await."
    inputs = {"x": {"type": "number", "description": "The number."}}
    output_type = "number"

    async def forward(self, x: float) -> float:
        await asyncio.sleep(0)
        return x * 2


def test_tool_called_with_positional_and_keyword_arguments_returns_forward_result() -> None:
    adder = Adder()
    assert adder(2, 3) == 5
    assert adder(a=4, b=5) == 9
    assert adder(1, b=6) == 7


def test_single_dict_argument_whose_keys_are_inputs_is_spread_as_kwargs() -> None:
    assert Adder()({"a": 10, "b": 32}) == 42


def test_single_dict_argument_with_other_keys_is_passed_positionally() -> None:
    class Echo(Tool):
        name = "echo"
        description = "Return the object it is given."
        inputs = {"payload": {"type": "object", "description": "Anything."}}
        output_type = "object"

        def forward(self, payload: dict[str, Any]) -> dict[str, Any]:
            return payload

    assert Echo()({"city": "Paris"}) == {"city": "Paris"}


def test_setup_runs_once_before_the_first_call_and_not_at_instantiation() -> None:
    tool = CountingSetupTool()
    assert tool.setup_calls == 0
    assert not tool.is_initialized
    assert tool() == 1
    assert tool() == 1
    assert tool.is_initialized


def test_setup_runs_once_when_first_calls_race_on_threads() -> None:
    tool = CountingSetupTool()
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(tool())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 8


async def test_acall_runs_setup_once_too() -> None:
    tool = CountingSetupTool()
    assert await tool.acall() == 1
    assert await tool.acall() == 1


def test_async_tool_is_flagged_and_sync_call_without_loop_runs_it_to_completion() -> None:
    tool = AsyncDoubler()
    assert tool.is_async
    assert not Adder().is_async
    assert tool(x=2.5) == 5.0


async def test_async_tool_is_awaited_by_acall() -> None:
    assert await AsyncDoubler().acall(x=4) == 8


async def test_sync_tool_runs_directly_through_acall() -> None:
    assert await Adder().acall(a=1, b=2) == 3


async def test_sync_call_of_async_tool_inside_running_loop_runs_it_on_a_helper_thread() -> None:
    """A notebook cell runs inside an event loop; calling a tool there must still work."""
    assert AsyncDoubler()(x=1) == 2


def test_sanitize_inputs_outputs_unwraps_agent_types_and_wraps_the_output() -> None:
    class Shout(Tool):
        name = "shout"
        description = "Upper-case a text."
        inputs = {"text": {"type": "string", "description": "The text."}}
        output_type = "string"

        def forward(self, text: str) -> str:
            assert type(text) is str  # an AgentText argument arrives as a plain str
            return text.upper()

    tool = Shout()
    output = tool(AgentText("hey"), sanitize_inputs_outputs=True)
    assert isinstance(output, AgentText)
    assert output == "HEY"
    plain = tool(text="hey")
    assert type(plain) is str


def test_forward_not_implemented_names_the_tool() -> None:
    class Unfinished(Tool):
        name = "unfinished"
        description = "Not written yet."
        inputs = {}
        output_type = "string"
        skip_forward_signature_validation = True

    with pytest.raises(NotImplementedError, match="'unfinished' must implement forward"):
        Unfinished()()


def test_attributes_set_in_init_are_checked_at_instantiation() -> None:
    class Configurable(Tool):
        def __init__(self, tool_name: str) -> None:
            super().__init__()
            self.name = tool_name
            self.description = "A tool named at run time."
            self.inputs = {"q": {"type": "string", "description": "A query."}}
            self.output_type = "string"

        def forward(self, q: str) -> str:
            return f"{self.name}:{q}"

    assert Configurable("search")("x") == "search:x"
    with pytest.raises(ValueError, match="'not valid' is not a valid Python identifier"):
        Configurable("not valid")


def test_repr_shows_class_and_tool_name() -> None:
    assert repr(Adder()) == "Adder(name='adder')"


def test_tool_bases_may_be_abstract_base_classes() -> None:
    from abc import ABC, abstractmethod

    class SearchBase(Tool, ABC):
        output_type = "string"

        @abstractmethod
        def engine(self) -> str: ...

    class WebSearch(SearchBase):
        name = "web_search"
        description = "Search the web."
        inputs = {"query": {"type": "string", "description": "The query."}}

        def engine(self) -> str:
            return "web"

        def forward(self, query: str) -> str:
            return f"{self.engine()}:{query}"

    assert WebSearch()("cats") == "web:cats"
    with pytest.raises(TypeError, match="abstract"):
        SearchBase()  # type: ignore[abstract]
