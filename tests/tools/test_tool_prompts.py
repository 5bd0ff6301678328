"""How tools are described to the model: Python stubs for CodeAgent, text for ToolCallingAgent."""

from typing import Optional

from tour_tools import ModelDownloadTool

from smolagents import Tool, tool


class WeatherTool(Tool):
    name = "get_weather"
    description = "Return the current weather of a city."
    inputs = {
        "city": {"type": "string", "description": "The city name."},
        "units": {
            "type": "string",
            "description": "Units.",
            "enum": ["metric", "imperial"],
            "nullable": True,
        },
        "days": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Days ahead.",
            "nullable": True,
        },
    }
    output_type = "object"
    output_schema = {
        "type": "object",
        "properties": {"temperature": {"type": "number"}, "sky": {"type": "string"}},
        "required": ["temperature"],
    }

    def forward(self, city: str, units: Optional[str] = None, days: Optional[list[int]] = None) -> dict:
        return {"temperature": 21.5, "sky": "clear"}


def test_tour_subclass_code_prompt_is_a_stub_in_1_26_format() -> None:
    """JSON type names in the signature, as 1.26 writes them (models were prompted/fine-tuned on it)."""
    assert ModelDownloadTool().to_code_prompt() == (
        "def model_download_tool(task: string) -> string:\n"
        '    """This is a tool that returns the most downloaded model of a given task on the Hugging Face Hub. '
        "It returns the name of the checkpoint.\n"
        "\n"
        "    Args:\n"
        "        task: The task for which to get the download count.\n"
        '    """'
    )


def test_tour_subclass_tool_calling_prompt_lists_inputs_and_output_type() -> None:
    assert ModelDownloadTool().to_tool_calling_prompt() == (
        "model_download_tool: This is a tool that returns the most downloaded model of a given task on the "
        "Hugging Face Hub. It returns the name of the checkpoint.\n"
        "    Takes inputs: {'task': {'type': 'string', 'description': 'The task for which to get the download "
        "count.'}}\n"
        "    Returns an output of type: string"
    )


def test_code_prompt_header_shows_input_types_and_dict_for_structured_output() -> None:
    header = WeatherTool().to_code_prompt().splitlines()[0]
    assert header == "def get_weather(city: string, units: string, days: array) -> dict:"


def test_code_prompt_includes_output_schema_when_declared() -> None:
    prompt = WeatherTool().to_code_prompt()
    assert "    Returns:\n        dict: A dictionary following this JSON schema:" in prompt
    assert "Important: this tool returns structured output (a dict)." in prompt
    assert '"temperature": {\n' in prompt
    assert prompt.endswith('    """')


def test_tool_calling_prompt_includes_output_schema_when_declared() -> None:
    prompt = WeatherTool().to_tool_calling_prompt()
    assert "    Takes inputs: {'city': {'type': 'string'" in prompt
    assert prompt.splitlines()[-1].startswith(
        '    Output schema: {"type": "object", "properties": {"temperature"'
    )


def test_code_prompt_of_decorated_tool_without_inputs() -> None:
    @tool
    def now() -> str:
        """Return the current time as ISO text."""
        return "2026-01-01T00:00:00"

    assert (
        now.to_code_prompt() == 'def now() -> string:\n    """Return the current time as ISO text.\n    """'
    )


def test_code_prompt_indents_multiline_descriptions_inside_the_docstring() -> None:
    @tool
    def lookup(key: str) -> str:
        """Look a key up.
        Keys are case-sensitive.

        Args:
            key: The key,
                exactly as stored.
        """
        return key

    lines = lookup.to_code_prompt().splitlines()
    assert lines[1:3] == ['    """Look a key up.', "    Keys are case-sensitive."]
    assert "        key: The key, exactly as stored." in lines


def test_code_prompt_of_a_tool_with_two_inputs_matches_1_26() -> None:
    @tool
    def repeat(text: str, count: int) -> dict:
        """Repeat a text.

        Args:
            text: Text input
            count: Number count
        """
        return {}

    assert repeat.to_code_prompt() == (
        'def repeat(text: string, count: integer) -> object:\n    """Repeat a text.\n\n    Args:\n'
        '        text: Text input\n        count: Number count\n    """'
    )
