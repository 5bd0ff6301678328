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


def test_tour_subclass_code_prompt_is_a_python_stub_with_docstring() -> None:
    assert ModelDownloadTool().to_code_prompt() == (
        "def model_download_tool(task: str) -> str:\n"
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
        '    Takes inputs: {"task": {"type": "string", "description": "The task for which to get the download '
        'count."}}\n'
        "    Returns an output of type: string"
    )


def test_code_prompt_renders_optional_enum_and_typed_list_arguments() -> None:
    header = WeatherTool().to_code_prompt().splitlines()[0]
    assert header == (
        "def get_weather(city: str, units: Literal['metric', 'imperial'] | None = None, "
        "days: list[int] | None = None) -> dict:"
    )


def test_code_prompt_includes_output_schema_when_declared() -> None:
    prompt = WeatherTool().to_code_prompt()
    assert "    Returns:\n        dict: A structured result following this JSON schema" in prompt
    assert '"temperature": {\n' in prompt
    assert prompt.endswith('    """')


def test_tool_calling_prompt_includes_output_schema_when_declared() -> None:
    prompt = WeatherTool().to_tool_calling_prompt()
    assert prompt.splitlines()[-1].startswith(
        '    Output schema: {"type": "object", "properties": {"temperature"'
    )


def test_code_prompt_of_decorated_tool_without_inputs() -> None:
    @tool
    def now() -> str:
        """Return the current time as ISO text."""
        return "2026-01-01T00:00:00"

    assert now.to_code_prompt() == 'def now() -> str:\n    """Return the current time as ISO text.\n    """'


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


def test_code_prompt_shows_real_defaults_of_optional_arguments() -> None:
    @tool
    def search(query: str, limit: int = 5, language: str = "en", site: Optional[str] = None) -> list[str]:
        """Search the web.

        Args:
            query: The words to look for.
            limit: How many results.
            language: Result language.
            site: Restrict to this site.
        """
        return []

    assert search.to_code_prompt().splitlines()[0] == (
        "def search(query: str, limit: int = 5, language: str = 'en', site: str | None = None) -> list:"
    )
