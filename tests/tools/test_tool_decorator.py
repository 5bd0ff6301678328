"""The @tool decorator: schemas from type hints and docstrings, and its definition errors."""

import asyncio
from typing import Any, Literal, Optional, Union

import pytest
from PIL import Image
from tour_tools import model_download_tool

from smolagents import AgentImage, Tool, tool
from smolagents.tools import ToolDefinitionError


def test_tour_model_download_tool_becomes_a_tool_with_schema_from_hints_and_docstring() -> None:
    assert isinstance(model_download_tool, Tool)
    assert model_download_tool.name == "model_download_tool"
    assert model_download_tool.description == (
        "This is a tool that returns the most downloaded model of a given task on the Hugging Face Hub.\n"
        "It returns the name of the checkpoint."
    )
    assert model_download_tool.inputs == {
        "task": {"type": "string", "description": "The task for which to get the download count."}
    }
    assert model_download_tool.output_type == "string"


def test_decorated_tool_keeps_function_name_doc_and_calls_it() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers.

        Args:
            a: First term.
            b: Second term.
        """
        return a + b

    assert add.__name__ == "add"
    assert "Add two numbers." in add.__doc__
    assert add(2, 3) == 5
    assert add(a=2, b=40) == 42
    assert not add.is_async


def test_hint_shapes_map_to_json_schema() -> None:
    @tool
    def everything(
        text: str,
        count: int,
        ratio: float,
        flag: bool,
        items: list,
        mapping: dict,
        names: list[str],
        scores: dict[str, float],
        either: Union[int, str],
        mode: Literal["fast", "slow"],
        anything: Any,
        picture: Image.Image,
        agent_picture: AgentImage,
        maybe: Optional[int] = None,
        maybe_too: str | None = None,
        limit: int = 10,
    ) -> dict:
        """Take every kind of argument.

        Args:
            text: A text.
            count: A count.
            ratio: A ratio.
            flag: A flag.
            items: Some items.
            mapping: A mapping.
            names: Some names.
            scores: Scores by name.
            either: An int or a string.
            mode: How fast.
            anything: Whatever.
            picture: An image.
            agent_picture: Another image.
            maybe: Maybe an int.
            maybe_too: Maybe a string.
            limit: At most this many.
        """
        return {}

    types = {
        name: {k: v for k, v in spec.items() if k != "description"}
        for name, spec in everything.inputs.items()
    }
    assert types == {
        "text": {"type": "string"},
        "count": {"type": "integer"},
        "ratio": {"type": "number"},
        "flag": {"type": "boolean"},
        "items": {"type": "array"},
        "mapping": {"type": "object"},
        "names": {"type": "array", "items": {"type": "string"}},
        "scores": {"type": "object", "additionalProperties": {"type": "number"}},
        "maybe": {"type": "integer", "nullable": True},
        "maybe_too": {"type": "string", "nullable": True},
        "either": {"type": ["integer", "string"]},
        "mode": {"type": "string", "enum": ["fast", "slow"]},
        "anything": {"type": "any"},
        "picture": {"type": "image"},
        "agent_picture": {"type": "image"},
        "limit": {"type": "integer", "nullable": True},
    }
    assert everything.inputs["limit"]["description"] == "At most this many."
    assert everything.output_type == "object"


@pytest.mark.parametrize(
    ("hint", "output_type"),
    [(str, "string"), (None, "null"), (list[int], "array"), (Optional[float], "number"), (int | str, "any")],
)
def test_return_hint_sets_output_type(hint: Any, output_type: str) -> None:
    def returns() -> None:
        """Return something."""

    returns.__annotations__["return"] = hint
    assert tool(returns).output_type == output_type


def test_multiline_arg_descriptions_and_returns_section_are_read() -> None:
    @tool
    def search(query: str, limit: int = 5) -> list[str]:
        """Search the catalogue.

        Args:
            query: The words to look for,
                in any order.
            limit (int): How many results to return.

        Returns:
            The matching titles.
        """
        return [query] * limit

    assert search.description == "Search the catalogue."
    assert search.inputs["query"]["description"] == "The words to look for, in any order."
    assert search.inputs["limit"]["description"] == "How many results to return."
    assert search("a", 2) == ["a", "a"]


def test_async_function_makes_an_async_tool() -> None:
    @tool
    async def fetch(url: str) -> str:
        """Fetch a page.

        Args:
            url: The address.
        """
        await asyncio.sleep(0)
        return f"page at {url}"

    assert fetch.is_async
    assert fetch("http://x") == "page at http://x"
    assert asyncio.run(fetch.acall(url="u")) == "page at u"


def test_missing_docstring_is_reported_with_an_example() -> None:
    def undocumented(x: int) -> int:
        return x

    with pytest.raises(
        ToolDefinitionError,
        match=r"because it has no docstring! Tool 'undocumented': add one.*'Args:' section",
    ):
        tool(undocumented)


def test_argument_without_args_entry_is_reported_by_name() -> None:
    def half_documented(x: int, y: int) -> int:
        """Add.

        Args:
            x: The first.
        """
        return x + y

    with pytest.raises(
        ToolDefinitionError, match=r"Tool 'half_documented': argument 'y' is not described"
    ) as info:
        tool(half_documented)
    assert info.value.argument == "y"


def test_docstring_without_args_section_reports_the_first_argument() -> None:
    def no_args_section(city: str) -> str:
        """Give the weather."""
        return city

    with pytest.raises(
        ToolDefinitionError, match=r"argument 'city' is not described.*    city: <what it is>"
    ):
        tool(no_args_section)


def test_missing_argument_type_hint_is_reported_by_name() -> None:
    def untyped(x, y: int) -> int:  # type: ignore[no-untyped-def]
        """Add.

        Args:
            x: The first.
            y: The second.
        """
        return x + y

    with pytest.raises(ToolDefinitionError, match=r"Tool 'untyped': argument 'x' has no type hint.*`x: str`"):
        tool(untyped)


def test_missing_return_hint_is_reported() -> None:
    def no_return(x: int):  # type: ignore[no-untyped-def]
        """Echo.

        Args:
            x: A number.
        """
        return x

    with pytest.raises(ToolDefinitionError, match=r"^Tool return type not found.*Tool 'no_return'.*`-> str`"):
        tool(no_return)


def test_args_entry_for_unknown_parameter_is_reported() -> None:
    def typo(query: str) -> str:
        """Search.

        Args:
            query: Words.
            qeury: Words again.
        """
        return query

    with pytest.raises(ToolDefinitionError, match=r"describes 'qeury', which is not a parameter"):
        tool(typo)


def test_unsupported_hint_type_is_reported_with_the_supported_ones() -> None:
    def takes_bytes(data: bytes) -> str:
        """Decode.

        Args:
            data: Raw bytes.
        """
        return data.decode()

    with pytest.raises(
        ToolDefinitionError, match=r"argument 'data' has type bytes, which tools cannot take\. Use str"
    ):
        tool(takes_bytes)


def test_var_args_are_rejected() -> None:
    def variadic(*values: int) -> int:
        """Sum.

        Args:
            values: Numbers.
        """
        return sum(values)

    with pytest.raises(ToolDefinitionError, match=r"parameter '\*values' is not supported"):
        tool(variadic)


def test_docstring_with_only_sections_needs_a_description() -> None:
    def bare(x: int) -> int:
        """
        Args:
            x: A number.
        """
        return x

    with pytest.raises(ToolDefinitionError, match="docstring without a description"):
        tool(bare)


def test_optional_argument_without_default_is_nullable_as_in_1_26() -> None:
    def optional_required(limit: Optional[int]) -> int:
        """Limit.

        Args:
            limit: The limit.
        """
        return limit or 0

    limited = tool(optional_required)
    assert limited.inputs["limit"] == {"type": "integer", "nullable": True, "description": "The limit."}
    assert limited(limit=None) == 0


def test_lambdas_and_non_functions_are_refused_with_the_alternative() -> None:
    with pytest.raises(
        ToolDefinitionError, match=r"cannot make a tool from a lambda.*Define the function with `def`"
    ):
        tool(lambda x: x)
    with pytest.raises(ToolDefinitionError, match="@tool decorates functions defined with `def`, got int"):
        tool(3)  # type: ignore[arg-type]
