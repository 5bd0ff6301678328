"""Tool.from_langchain with real langchain-core tools: @tool functions, StructuredTool, async, subclasses."""

from __future__ import annotations

import pytest

langchain_tools = pytest.importorskip("langchain_core.tools")
from pydantic import BaseModel, Field  # noqa: E402

from smolagents import ActionStep, CodeAgent, ScriptedModel, Tool, ToolCallingAgent, tool_call_message  # noqa: E402


@langchain_tools.tool
def multiply(a: int, b: int = 2) -> int:
    """Multiply two integers.

    Args:
        a: The first factor.
        b: The second factor.
    """
    return a * b


class SearchArgs(BaseModel):
    query: str = Field(description="What to look for")
    limit: int | None = Field(default=None, description="Most hits to return")
    order: str = Field(
        default="relevance", json_schema_extra={"enum": ["relevance", "date"]}, description="Sort order"
    )


def _search(query: str, limit: int | None = None, order: str = "relevance") -> str:
    return f"{limit or 'all'} hits for {query} by {order}"


async def _lookup(word: str) -> str:
    return f"{word}: a word"


def test_tool_decorator_schema_and_call() -> None:
    wrapped = Tool.from_langchain(multiply)
    assert wrapped.name == "multiply"
    assert wrapped.description.startswith("Multiply two integers.")
    assert wrapped.inputs["a"] == {"type": "integer", "description": "see tool description"}
    assert wrapped.inputs["b"]["nullable"] is True and wrapped.inputs["b"]["default"] == 2
    assert wrapped(a=6, b=7) == 42
    assert wrapped(a=6) == 12


def test_structured_tool_keeps_descriptions_enums_and_optional_arguments() -> None:
    search = langchain_tools.StructuredTool.from_function(
        func=_search, name="Doc-Search", description="Search the documents.", args_schema=SearchArgs
    )
    wrapped = Tool.from_langchain(search)
    assert wrapped.name == "doc_search"
    assert wrapped.inputs["query"] == {"type": "string", "description": "What to look for"}
    assert wrapped.inputs["limit"] == {
        "type": "integer",
        "description": "Most hits to return",
        "nullable": True,
    }
    assert wrapped.inputs["order"]["enum"] == ["relevance", "date"]
    assert wrapped(query="agents", limit=None, order="date") == "all hits for agents by date"


async def test_async_only_tool_is_awaited() -> None:
    lookup = langchain_tools.StructuredTool.from_function(
        coroutine=_lookup, name="lookup", description="Define a word."
    )
    wrapped = Tool.from_langchain(lookup)
    assert wrapped.is_async
    assert await wrapped.acall(word="smol") == "smol: a word"


def test_async_only_tool_runs_in_a_tool_calling_agent() -> None:
    lookup = langchain_tools.StructuredTool.from_function(
        coroutine=_lookup, name="lookup", description="Define a word."
    )
    model = ScriptedModel(
        [
            tool_call_message(("lookup", {"word": "agent"})),
            tool_call_message(("final_answer", {"answer": "ok"})),
        ]
    )
    agent = ToolCallingAgent(tools=[Tool.from_langchain(lookup)], model=model, verbosity_level=-1)
    assert agent.run("define agent") == "ok"
    step = next(step for step in agent.memory.steps if isinstance(step, ActionStep))
    assert "agent: a word" in step.observations


def test_base_tool_subclass_in_a_code_agent() -> None:
    class Reverse(langchain_tools.BaseTool):
        name: str = "reverse"
        description: str = "Reverse a text."

        def _run(self, text: str) -> str:
            return text[::-1]

    model = ScriptedModel(["```py\nfinal_answer(reverse(text='stressed'))\n```"])
    agent = CodeAgent(tools=[Tool.from_langchain(Reverse())], model=model, verbosity_level=-1)
    assert agent.run("reverse it") == "desserts"


def test_langchain_tool_error_reaches_the_model_and_the_run_goes_on() -> None:
    @langchain_tools.tool
    def divide(a: float, b: float) -> float:
        """Divide a by b."""
        return a / b

    model = ScriptedModel(
        [
            tool_call_message(("divide", {"a": 1, "b": 0})),
            tool_call_message(("final_answer", {"answer": "cannot divide by zero"})),
        ]
    )
    agent = ToolCallingAgent(tools=[Tool.from_langchain(divide)], model=model, verbosity_level=-1)
    assert agent.run("divide") == "cannot divide by zero"
    step = next(step for step in agent.memory.steps if isinstance(step, ActionStep))
    assert "ZeroDivisionError" in step.error.message
