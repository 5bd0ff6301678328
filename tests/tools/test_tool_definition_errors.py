"""A wrongly defined Tool subclass fails when it is instantiated (as in 1.26), with a message naming what to fix."""

from __future__ import annotations

from typing import Any

import pytest

from smolagents import Tool
from smolagents.tools import ToolDefinitionError

GOOD_INPUTS = {"query": {"type": "string", "description": "What to look for."}}


def define(body: dict[str, Any], forward: Any = None) -> type[Tool]:
    """Create a Tool subclass from class attributes, like a `class` statement would."""

    def default_forward(self: Tool, query: str) -> str:
        return query

    namespace = {
        "name": "search",
        "description": "Search things.",
        "inputs": GOOD_INPUTS,
        "output_type": "string",
    }
    namespace.update(body)
    namespace["forward"] = forward or default_forward
    return type("SearchTool", (Tool,), namespace)


def test_well_defined_tool_class_is_accepted() -> None:
    assert define({})()("x") == "x"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, r"Tool class SearchTool has no name\. Set a class attribute"),
        ({"name": "web search"}, r"'web search' is not a valid Python identifier.*e\.g\. 'web_search'"),
        ({"name": "2fast"}, r"'2fast' is not a valid Python identifier"),
        ({"name": "lambda"}, r"'lambda' is a reserved Python keyword"),
        ({"description": ""}, r"Tool 'search' has no description"),
        ({"description": "   "}, r"Tool 'search' has no description"),
        ({"inputs": ["query"]}, r"Attribute inputs should have type dict, got <class 'list'> instead"),
        ({"inputs": {"query": "string"}}, r"input 'query' must be a dict like .* got str"),
        ({"inputs": {"query": {"type": "string"}}}, r"input 'query' lacks 'description'"),
        ({"inputs": {"query": {"description": "q"}}}, r"input 'query' lacks 'type'"),
        (
            {"inputs": {"query": {"type": "str", "description": "q"}}},
            r"Input 'query': types \['str'\] must be one of \[.*\]\. .*use one of string, boolean",
        ),
        (
            {"inputs": {"query": {"type": ["string", "text"], "description": "q"}}},
            r"Input 'query': types \['text'\] must be one of",
        ),
        (
            {"inputs": {"my-query": {"type": "string", "description": "q"}}},
            r"input name 'my-query' is not a valid Python identifier",
        ),
        (
            {"inputs": {"query": {"type": "string", "description": 3}}},
            r"description of input 'query' must be a string, got int",
        ),
        (
            {"inputs": {"query": {"type": "string", "description": "q", "nullable": "yes"}}},
            r"'nullable' of input 'query' must be True or False, got 'yes'",
        ),
        ({"output_type": "str"}, r"Tool 'search': output_type 'str' is not an authorised type"),
        ({"output_schema": "json"}, r"output_schema must be a JSON-schema dict or None, got str"),
    ],
)
def test_definition_error_at_instantiation_names_tool_and_fix(body: dict[str, Any], message: str) -> None:
    tool_class = define(body)  # defining the class does not check it (1.26 does not either)
    with pytest.raises(ToolDefinitionError, match=message):
        tool_class()


def test_input_missing_from_forward_is_reported_with_forward_parameters() -> None:
    def forward(self: Tool, text: str) -> str:
        return text

    with pytest.raises(
        ToolDefinitionError, match=r"input 'query' is declared in `inputs` but forward\(\) has no"
    ) as info:
        define({}, forward)()
    assert info.value.tool_name == "search"
    assert info.value.argument == "query"


def test_forward_parameter_missing_from_inputs_is_reported() -> None:
    def forward(self: Tool, query: str, limit: int = 3) -> str:
        return query

    with pytest.raises(
        ToolDefinitionError, match=r"forward\(\) takes 'limit', which is not declared in `inputs`"
    ):
        define({}, forward)()


def test_forward_with_var_keyword_accepts_any_declared_inputs() -> None:
    def forward(self: Tool, **kwargs: Any) -> str:
        return kwargs["query"]

    assert define({}, forward)()(query="q") == "q"


def test_nullable_input_needs_a_default_in_forward() -> None:
    inputs = {
        "query": {"type": "string", "description": "q"},
        "limit": {"type": "integer", "description": "max results", "nullable": True},
    }

    def forward(self: Tool, query: str, limit: int) -> str:
        return query

    with pytest.raises(ToolDefinitionError, match=r"^Nullable argument 'limit' in inputs.*`limit=None`"):
        define({"inputs": inputs}, forward)()


def test_forward_default_needs_a_nullable_input() -> None:
    def forward(self: Tool, query: str = "") -> str:
        return query

    with pytest.raises(ToolDefinitionError, match=r"^Nullable argument 'query' in function signature"):
        define({}, forward)()


def test_missing_definition_attribute_is_named() -> None:
    class NoOutput(Tool):
        name = "no_output"
        description = "Has no output type."
        inputs = {}

        def forward(self) -> str:
            return ""

    with pytest.raises(ToolDefinitionError, match=r"^You must set an attribute output_type\."):
        NoOutput()


@pytest.mark.parametrize(
    ("type_value", "error", "message"),
    [
        ([1, "string"], TypeError, r"when type is a list, all elements must be strings"),
        (7, TypeError, r"type must be a string or list of strings, got int"),
        ("text", ValueError, r"types \['text'\] must be one of"),
    ],
)
def test_bad_input_types_raise_the_1_26_error_classes(type_value: Any, error: type, message: str) -> None:
    tool_class = define({"inputs": {"query": {"type": type_value, "description": "q"}}})
    with pytest.raises(error, match=message):
        tool_class()


def test_skip_forward_signature_validation_allows_adapters() -> None:
    def forward(self: Tool, *args: Any) -> str:
        return "ok"

    assert define({"skip_forward_signature_validation": True}, forward)()() == "ok"


def test_class_statement_with_bad_type_is_defined_but_fails_when_instantiated() -> None:
    class Fib(Tool):
        name = "fib"
        description = "Fibonacci number."
        inputs = {"n": {"type": "int", "description": "Index."}}
        output_type = "integer"

        def forward(self, n: int) -> int:
            return n

    with pytest.raises(ToolDefinitionError, match=r"Input 'n': types \['int'\] must be one of"):
        Fib()


def test_class_without_name_fails_when_instantiated() -> None:
    class Nameless(Tool):
        description = "Does things."
        inputs = {}
        output_type = "string"

        def forward(self) -> str:
            return ""

    with pytest.raises(ToolDefinitionError, match="You must set an attribute name"):
        Nameless()


def test_class_setting_its_name_in_init_is_checked_only_when_instantiated() -> None:
    class Named(Tool):
        output_type = "string"
        inputs = {}

        def __init__(self, tool_name: str = "") -> None:
            super().__init__()
            self.name = tool_name
            self.description = "Named at run time."

        def forward(self) -> str:
            return self.name

    assert Named("dynamic")() == "dynamic"
    with pytest.raises(ToolDefinitionError, match="Tool class Named has no name"):
        Named()


def test_abstract_base_without_name_is_checked_only_when_instantiated() -> None:
    class Base(Tool):
        output_type = "string"

    class Concrete(Base):
        name = "concrete"
        description = "A concrete tool."
        inputs = {}

        def forward(self) -> str:
            return "done"

    assert Concrete()() == "done"
    with pytest.raises(ToolDefinitionError, match="You must set an attribute description"):
        Base()


def test_instance_overriding_attributes_is_rechecked() -> None:
    class Renamable(Tool):
        name = "renamable"
        description = "A tool renamed in its constructor."
        inputs = {}
        output_type = "string"

        def __init__(self, new_inputs: dict[str, Any]) -> None:
            super().__init__()
            self.inputs = new_inputs

        def forward(self) -> str:
            return ""

    assert Renamable({}).inputs == {}
    with pytest.raises(
        ToolDefinitionError, match=r"input 'x' is declared in `inputs` but forward\(\) has no"
    ):
        Renamable({"x": {"type": "string", "description": "x"}})


def test_definition_error_is_a_value_error_and_a_type_error_for_compatibility() -> None:
    tool_class = define({"output_type": "nope"})
    with pytest.raises(ValueError):
        tool_class()
    with pytest.raises(TypeError):
        tool_class()
