"""A tool class is saved with its name, description, inputs and output type written as literals."""

from __future__ import annotations

from smolagents import Tool


def _inputs_for(*names: str) -> dict[str, dict[str, str]]:
    return {name: {"type": "string", "description": f"The {name}."} for name in names}


class JoinTool(Tool):
    name = "join"
    description = " ".join(["Joins", "two", "words."])  # computed: saved as its value
    inputs = _inputs_for("first", "second")
    output_type = "string"

    def forward(self, first: str, second: str) -> str:
        return first + second


def test_computed_class_attributes_are_saved_as_their_values() -> None:
    code = JoinTool().to_dict()["code"]
    assert "_inputs_for" not in code  # the helper is not needed by the saved code
    assert '    description = "Joins two words."\n' in code
    assert "inputs = {'first': {'type': 'string', 'description': 'The first.'}," in code
    loaded = Tool.from_code(code)
    assert (loaded.name, loaded.inputs, loaded(first="a", second="b")) == ("join", JoinTool.inputs, "ab")
