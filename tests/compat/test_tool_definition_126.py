"""Tool definition as in smolagents 1.26: checked at instantiation, @tool's forward, saving default tools."""

from __future__ import annotations

import inspect
import warnings
from typing import Literal

import pytest

from smolagents import Tool, tool
from smolagents._function_type_hints_utils import DocstringParsingException, TypeHintParsingException
from smolagents.default_tools import PythonInterpreterTool, VisitWebpageTool, WebSearchTool
from smolagents.tool_validation import validate_tool_attributes


class UnnamedTool(Tool):  # a module may define an incomplete tool class: only instantiating it fails
    description = "Has no name."
    inputs = {}
    output_type = "string"

    def forward(self) -> str:
        return ""


def test_incomplete_tool_class_imports_and_fails_when_instantiated() -> None:
    with pytest.raises(TypeError, match=r"^You must set an attribute name\."):
        UnnamedTool()


def test_validate_tool_attributes_reports_a_bad_name_without_instantiating() -> None:
    class BadName(Tool):
        name = "bad name"
        description = "A tool."
        inputs = {}
        output_type = "string"

        def forward(self) -> str:
            return ""

    with pytest.raises(ValueError, match="Class attribute 'name' must be a valid Python identifier"):
        validate_tool_attributes(BadName)


def test_decorated_tool_forward_shows_self_and_its_source_and_leaves_the_function_alone() -> None:
    def join(items: list[str], separator: str = ", ") -> str:
        """Join strings.

        Args:
            items: The strings.
            separator: Put between them.
        """
        return separator.join(items)

    before = inspect.signature(join)
    joined = tool(join)
    assert inspect.signature(join) == before
    assert list(inspect.signature(joined.forward).parameters) == ["self", "items", "separator"]
    assert type(joined).__name__ == "SimpleTool"
    assert joined.forward.__source__.startswith(
        "def forward(self, items: list[str], separator: str = ', ') -> str:"
    )
    assert "return separator.join(items)" in joined.forward.__source__
    assert joined(["a", "b"]) == "a, b"


def test_decorators_other_than_tool_are_warned_about() -> None:
    def passthrough(function):  # type: ignore[no-untyped-def]
        return function

    with pytest.warns(UserWarning, match=r"has decorators other than @tool \(passthrough\)"):

        @tool
        @passthrough
        def echo(text: str) -> str:
            """Echo.

            Args:
                text: The text.
            """
            return text

    assert echo("x") == "x"
    assert "@passthrough" not in echo.forward.__source__


def test_decorated_tool_errors_keep_1_26_classes_and_words() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeHintParsingException, match=r"^Tool return type not found"):

            @tool
            def no_return(a: str):  # type: ignore[no-untyped-def]
                """Do.

                Args:
                    a: A.
                """

        with pytest.raises(
            DocstringParsingException, match="the docstring has no description for the argument 'b'"
        ):

            @tool
            def undocumented(a: str, b: int) -> str:
                """Do.

                Args:
                    a: A.
                """
                return a


def test_literal_with_none_is_a_nullable_enum() -> None:
    @tool
    def pick(choice: Literal[1, 2, None]) -> str:
        """Pick.

        Args:
            choice: Which one.
        """
        return str(choice)

    assert pick.inputs["choice"] == {
        "type": "integer",
        "enum": [1, 2],
        "nullable": True,
        "description": "Which one.",
    }


@pytest.mark.parametrize("tool_class", [WebSearchTool, VisitWebpageTool])
def test_default_tools_pass_validation_and_save_and_reload(tool_class: type[Tool]) -> None:
    assert validate_tool_attributes(tool_class) is None
    original = tool_class()
    reloaded = Tool.from_dict(original.to_dict())
    assert type(reloaded).__name__ == tool_class.__name__
    assert reloaded.to_code_prompt() == original.to_code_prompt()


def test_python_interpreter_tool_raises_like_1_26() -> None:
    interpreter = PythonInterpreterTool()
    assert interpreter("1 + 1") == "Stdout:\n\nOutput: 2"
    with pytest.raises(Exception, match="sympy"):
        interpreter("import sympy")


def test_speech_to_text_tool_names_its_transformers_classes() -> None:
    whisper = pytest.importorskip("transformers.models.whisper")
    from smolagents.default_tools import SpeechToTextTool

    transcriber = SpeechToTextTool(model="dummy_model_id")  # nothing is loaded before the first call
    assert transcriber.pre_processor_class is whisper.WhisperProcessor
    assert transcriber.model_class is whisper.WhisperForConditionalGeneration
