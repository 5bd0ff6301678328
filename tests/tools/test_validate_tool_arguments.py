"""validate_tool_arguments: the errors a model sees when it calls a tool wrongly."""

from typing import Any, Literal, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smolagents import AgentToolCallError, tool
from smolagents.tools import validate_tool_arguments


@tool
def fib(n: int, verbose: bool = False) -> int:
    """Return the n-th Fibonacci number.

    Args:
        n: The index.
        verbose: Whether to explain.
    """
    return n


@tool
def mixed(
    ratio: float,
    tags: list[str],
    options: dict[str, int],
    mode: Literal["fast", "slow"],
    anything: Any,
    either: int | str,
    note: Optional[str] = None,
) -> str:
    """Take arguments of many types.

    Args:
        ratio: A number.
        tags: Some labels.
        options: Named counts.
        mode: The speed.
        anything: Whatever.
        either: An int or a string.
        note: An optional note.
    """
    return ""


GOOD_MIXED = {"ratio": 1, "tags": ["a"], "options": {"x": 1}, "mode": "fast", "anything": None, "either": "s"}


def test_valid_arguments_pass_silently() -> None:
    assert validate_tool_arguments(fib, {"n": 3}) is None
    assert validate_tool_arguments(fib, {"n": 3, "verbose": True}) is None
    assert validate_tool_arguments(mixed, GOOD_MIXED) is None
    assert validate_tool_arguments(mixed, {**GOOD_MIXED, "ratio": 0.5, "either": 4, "note": None}) is None


def test_string_for_integer_names_argument_tool_and_value() -> None:
    with pytest.raises(AgentToolCallError) as info:
        validate_tool_arguments(fib, {"n": "12"})
    assert info.value.message == (
        "Argument n has type 'string' but should be 'integer': argument 'n' of tool 'fib' must be an integer, "
        "got string '12'."
    )


def test_boolean_is_not_accepted_as_integer() -> None:
    with pytest.raises(
        AgentToolCallError, match="argument 'n' of tool 'fib' must be an integer, got boolean True"
    ):
        validate_tool_arguments(fib, {"n": True})


def test_number_accepts_int_and_float_but_not_bool() -> None:
    validate_tool_arguments(mixed, {**GOOD_MIXED, "ratio": 2})
    validate_tool_arguments(mixed, {**GOOD_MIXED, "ratio": 2.5})
    with pytest.raises(
        AgentToolCallError, match="'ratio' of tool 'mixed' must be a number, got boolean False"
    ):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "ratio": False})


def test_unknown_argument_lists_the_valid_ones() -> None:
    with pytest.raises(AgentToolCallError) as info:
        validate_tool_arguments(fib, {"n": 1, "index": 2})
    assert info.value.message == (
        "Argument index is not in the tool's input schema: tool 'fib' takes 'n', 'verbose'."
    )


def test_missing_required_argument_is_named_with_its_description() -> None:
    with pytest.raises(AgentToolCallError) as info:
        validate_tool_arguments(fib, {"verbose": True})
    assert info.value.message == "Argument n is required: tool 'fib' needs 'n' (integer: The index.)."


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(AgentToolCallError) as info:
        validate_tool_arguments(fib, {"index": 1, "verbose": "yes"})
    assert info.value.message.splitlines() == [
        "Argument index is not in the tool's input schema: tool 'fib' takes 'n', 'verbose'.",
        "Argument n is required: tool 'fib' needs 'n' (integer: The index.).",
        "Argument verbose has type 'string' but should be 'boolean': argument 'verbose' of tool 'fib' must be a "
        "boolean, got string 'yes'.",
    ]


def test_null_is_accepted_only_for_nullable_or_any() -> None:
    validate_tool_arguments(mixed, {**GOOD_MIXED, "note": None, "anything": None})
    with pytest.raises(
        AgentToolCallError, match="argument 'tags' of tool 'mixed' must not be null: give an array"
    ):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "tags": None})


def test_array_items_are_checked() -> None:
    with pytest.raises(
        AgentToolCallError,
        match="'tags' of tool 'mixed' has an item at index 1 that must be a string, got integer 2",
    ):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "tags": ["a", 2]})


def test_object_values_are_checked() -> None:
    with pytest.raises(
        AgentToolCallError, match="'options' of tool 'mixed' has a value at key 'x' that must be an integer"
    ):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "options": {"x": "1"}})
    with pytest.raises(AgentToolCallError, match="'options' of tool 'mixed' must be an object, got array"):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "options": [1]})


def test_enum_lists_the_allowed_values() -> None:
    with pytest.raises(
        AgentToolCallError, match="'mode' of tool 'mixed' must be one of 'fast', 'slow', got string 'medium'"
    ):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "mode": "medium"})


def test_union_types_accept_any_member() -> None:
    with pytest.raises(
        AgentToolCallError, match=r"'either' of tool 'mixed' must be an integer or a string, got number 1\.5"
    ):
        validate_tool_arguments(mixed, {**GOOD_MIXED, "either": 1.5})


def test_bare_value_is_accepted_for_single_input_tools_only() -> None:
    @tool
    def shout(text: str) -> str:
        """Shout.

        Args:
            text: The text.
        """
        return text.upper()

    validate_tool_arguments(shout, "hello")
    with pytest.raises(
        AgentToolCallError, match="argument 'text' of tool 'shout' must be a string, got integer 3"
    ):
        validate_tool_arguments(shout, 3)
    with pytest.raises(
        AgentToolCallError,
        match=r"Tool 'fib' takes named arguments \('n', 'verbose'\): pass them as a JSON object",
    ):
        validate_tool_arguments(fib, 3)


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(AgentToolCallError) as info:
        validate_tool_arguments(fib, {"n": "x" * 500})
    assert info.value.message.endswith(
        f"argument 'n' of tool 'fib' must be an integer, got string '{'x' * 76}...."
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)
JSON_TYPES = ["string", "boolean", "integer", "number", "array", "object", "null", "any"]


def json_type_of(value: Any) -> str:
    """Reference classification, written independently of the validator."""
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}[
        type(value)
    ]


@settings(suppress_health_check=[HealthCheck.too_slow])  # CI shares 2 cores: generation may be slow
@given(value=JSON_VALUES, declared=st.lists(st.sampled_from(JSON_TYPES), min_size=1, max_size=3, unique=True))
def test_validation_accepts_exactly_the_values_of_a_declared_type(value: Any, declared: list[str]) -> None:
    @tool
    def probe(x: Any) -> Any:
        """Accept anything.

        Args:
            x: The value.
        """
        return x

    probe.inputs = {
        "x": {"type": declared if len(declared) > 1 else declared[0], "description": "The value."}
    }
    actual = json_type_of(value)
    expected_ok = "any" in declared or actual in declared or (actual == "integer" and "number" in declared)
    try:
        validate_tool_arguments(probe, {"x": value})
        accepted = True
    except AgentToolCallError as error:
        accepted = False
        assert error.message.startswith(f"Argument x has type '{actual}' but should be ")
        assert "argument 'x' of tool 'probe' must " in error.message
    assert accepted == expected_ok


def test_errors_are_value_and_type_errors_with_1_26_wording() -> None:
    """Code written for 1.26 catches ValueError/TypeError and matches its leading words."""
    with pytest.raises(ValueError, match=r"^Argument n is required"):
        validate_tool_arguments(fib, {})
    with pytest.raises(TypeError, match=r"^Argument n has type 'null' but should be 'integer'"):
        validate_tool_arguments(fib, {"n": None})


def test_optional_hint_without_default_is_nullable_but_required() -> None:
    @tool
    def greet(name: str | None) -> str:
        """Greet someone.

        Args:
            name: Who, or None for everyone.
        """
        return f"Hello {name or 'all'}"

    assert greet.inputs["name"] == {
        "type": "string",
        "nullable": True,
        "description": "Who, or None for everyone.",
    }
    validate_tool_arguments(greet, {"name": None})
    with pytest.raises(AgentToolCallError, match=r"^Argument name is required"):
        validate_tool_arguments(greet, {})
