"""Tool files in smolagents 1.26's format: ``Tool.save`` writes them, ``Tool.from_code`` reads 1.26's.

Also the 1.26 helpers about tool source: ``validate_tool_attributes``, ``MethodChecker``,
``instance_to_source`` and ``get_source``.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from smolagents import Tool, tool
from smolagents.tool_validation import MethodChecker, validate_tool_attributes
from smolagents.utils import get_source, instance_to_source

FIXTURES = Path(__file__).parent / "fixtures"


@tool
def shout(text: str, times: int = 1) -> str:
    """Return the text in capitals.

    Args:
        text: What to shout.
        times: How many times.
    """
    return text.upper() * times


class GreetTool(Tool):
    name = "greet"
    description = "Greet someone."
    inputs = {"who": {"type": "string", "description": "Who to greet."}}
    output_type = "string"
    greeting = "Hello"

    def __init__(self, punctuation: str = "!") -> None:
        super().__init__()
        self.punctuation = punctuation

    def forward(self, who: str) -> str:
        return f"{self.greeting}, {who}{self.punctuation}"


def test_a_tool_py_written_by_1_26_loads_and_runs() -> None:
    code = (FIXTURES / "tool_126" / "tool.py").read_text()
    circle = Tool.from_code(code)
    assert (circle.name, circle.output_type) == ("circle_area", "number")
    assert circle(radius=1.0) == 3.14 and circle(radius=2.0, digits=0) == 13.0
    assert circle.to_dict()["code"] == code  # a loaded tool saves the code it came from


def test_a_decorated_tool_is_saved_as_1_26_writes_it(tmp_path: Path) -> None:
    shout.save(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.py", "requirements.txt", "tool.py"]
    code = (tmp_path / "tool.py").read_text()
    # This module postpones annotations, so the saved code does too.
    assert code.startswith(
        "from __future__ import annotations\nfrom smolagents import Tool\nfrom typing import Any, Optional\n\n"
        "class SimpleTool(Tool):\n"
    )
    assert '    name = "shout"\n    description = "Return the text in capitals."\n' in code
    assert "    def forward(self, text: str, times: int = 1) -> str:\n" in code
    assert "'nullable': True" in code
    reloaded = Tool.from_code(code)
    assert type(reloaded).__name__ == "SimpleTool" and reloaded(text="ab", times=2) == "ABAB"
    assert reloaded.inputs == shout.inputs
    assert (tmp_path / "app.py").read_text() == (
        "from smolagents import launch_gradio_demo\nfrom tool import SimpleTool\n\ntool = SimpleTool()\n"
        "launch_gradio_demo(tool)\n"
    )
    assert (tmp_path / "requirements.txt").read_text() == "smolagents"


def test_without_the_gradio_app_only_the_code_is_written(tmp_path: Path) -> None:
    GreetTool().save(tmp_path, tool_file_name="greet", make_gradio_app=False)
    assert [path.name for path in tmp_path.iterdir()] == ["greet.py"]
    assert Tool.from_code((tmp_path / "greet.py").read_text(), punctuation="?")("Ada") == "Hello, Ada?"


def test_async_and_one_line_tools_become_forward_methods() -> None:
    @tool
    async def fetch(url: str) -> str:
        """Pretend to fetch a page.

        Args:
            url: The address.
        """
        return "page of " + url

    code = fetch.to_dict()["code"]
    assert "    async def forward(self, url: str) -> str:" in code
    assert ast.parse(code)


def test_from_dict_without_code_says_so_in_1_26_words() -> None:
    with pytest.raises(ValueError, match="must contain 'code' key"):
        Tool.from_dict({"name": "x"})


# -- validation of tool classes ---------------------------------------------------------------------


def test_a_self_contained_tool_class_passes_validation() -> None:
    assert validate_tool_attributes(GreetTool) is None
    assert validate_tool_attributes(type(shout)) is None  # checked as the class Tool.save writes


def _validation_error(source: str) -> str:
    namespace: dict[str, object] = {"Tool": Tool}
    exec(textwrap.dedent(source), namespace)
    cls = next(value for value in namespace.values() if isinstance(value, type) and value is not Tool)
    cls.__source__ = textwrap.dedent(source)  # type: ignore[attr-defined]  # no file to read it from
    with pytest.raises(ValueError) as raised:
        validate_tool_attributes(cls)
    return str(raised.value)


def test_validation_lists_every_broken_rule() -> None:
    message = _validation_error(
        """
        class Broken(Tool):
            name = "broken"
            description = "Broken."
            inputs = {"x": {"type": "string", "description": "x"}}
            output_type = "string"
            table = [n for n in range(3)]

            def __init__(self, key, mode=str):
                super().__init__()

            def forward(self, x: str) -> str:
                return helper(x)
        """
    )
    assert message.startswith("Tool validation failed for Broken:")
    assert "Complex attributes should be defined in __init__, not as class attributes: table" in message
    assert "Parameters in __init__ must have default values, found required parameters: key" in message
    assert (
        "Parameters in __init__ must have literal default values, found non-literal defaults: mode" in message
    )
    assert "- forward: Name 'helper' is undefined." in message


def test_method_checker_knows_the_names_a_method_binds() -> None:
    source = """
def forward(self, rows: list) -> str:
    import json
    a, b = "1", "2"
    total = [row for row in rows]
    with open("f") as handle:
        pass
    try:
        pass
    except ValueError as error:
        pass
    for index, value in enumerate(rows):
        pass
    return json.dumps([a, b, total, handle, error, index, value, math.pi, self.x, unknown])
"""
    checker = MethodChecker(set())
    checker.visit(ast.parse(source))
    assert checker.errors == ["Name 'unknown' is undefined."]


# -- source of objects ----------------------------------------------------------------------------------


def test_instance_to_source_rebuilds_the_class_from_attributes_and_methods() -> None:
    source = instance_to_source(GreetTool(), base_cls=Tool)
    assert source.startswith("from smolagents.tools import Tool\n\nclass GreetTool(Tool):\n")
    assert '    name = "greet"\n' in source and '    greeting = "Hello"\n' in source
    assert "    inputs = {'who': {'type': 'string', 'description': 'Who to greet.'}}\n" in source
    assert '    def __init__(self, punctuation: str = "!") -> None:' in source
    assert "_is_checked_at_definition" not in source
    rebuilt = Tool.from_code(source)
    assert rebuilt("Bo") == "Hello, Bo!"


def test_get_source_prefers_a_stored_source_then_the_file() -> None:
    def square(x: int) -> int:
        return x * x

    assert get_source(square) == "def square(x: int) -> int:\n    return x * x"
    square.__source__ = "def square(x):\n    return x ** 2"  # type: ignore[attr-defined]
    assert get_source(square) == "def square(x):\n    return x ** 2"
    with pytest.raises(TypeError, match="Expected class or callable"):
        get_source(None)
