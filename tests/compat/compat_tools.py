"""Tools shared by the compatibility tests (a decorated function and a class)."""

from __future__ import annotations

from smolagents import Tool, tool


@tool
def shout(text: str) -> str:
    """Return the text in capitals.

    Args:
        text: What to shout.
    """
    return text.upper()


class RepeatTool(Tool):
    name = "repeat"
    description = "Repeat a text."
    inputs = {
        "text": {"type": "string", "description": "The text."},
        "times": {"type": "integer", "description": "How many times.", "nullable": True},
    }
    output_type = "string"

    def forward(self, text: str, times: int | None = 2) -> str:
        return text * (times or 1)
