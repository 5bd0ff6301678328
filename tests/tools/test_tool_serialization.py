"""Tools written out as standalone code (to_dict, save) and loaded back (from_code, from_dict)."""

import math
import threading
from pathlib import Path

import pytest
from PIL import Image
from tour_tools import ModelDownloadTool, model_download_tool

from smolagents import Tool, tool
from smolagents.tools import ToolDefinitionError

UNITS = ("m", "km")
LOCK = threading.Lock()


@tool
def circle_area(radius: float, unit: str = "m") -> str:
    """Compute the area of a circle.

    Args:
        radius: The radius.
        unit: One of the supported units.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    return f"{math.pi * radius**2:.2f} {unit}^2"


class ImageSizeTool(Tool):
    name = "image_size"
    description = "Return the size of a blank image of the given width and height."
    inputs = {
        "width": {"type": "integer", "description": "Width in pixels."},
        "height": {"type": "integer", "description": "Height in pixels."},
    }
    output_type = "array"

    def __init__(self, mode: str = "RGB") -> None:
        super().__init__()
        self.mode = mode

    def forward(self, width: int, height: int) -> list[int]:
        return list(Image.new(self.mode, (width, height)).size)


def helper(text: str) -> str:
    return text.strip()


def test_decorated_tool_code_has_its_imports_and_reloads_with_the_same_schema() -> None:
    data = model_download_tool.to_dict()
    # Written as smolagents 1.26 writes @tool functions: a Tool subclass named SimpleTool.
    assert data["code"].startswith(
        "from huggingface_hub import list_models\nfrom smolagents import Tool\nfrom typing import Any, Optional\n"
    )
    assert "class SimpleTool(Tool):" in data["code"]
    assert "    def forward(self, task: str) -> str:" in data["code"]
    assert data["requirements"] == ["huggingface_hub", "smolagents"]
    assert (data["name"], data["output_type"]) == ("model_download_tool", "string")
    reloaded = Tool.from_code(data["code"])
    assert reloaded.name == model_download_tool.name
    assert reloaded.description == model_download_tool.description
    assert reloaded.inputs == model_download_tool.inputs


def test_tour_subclass_saves_with_its_hub_import_and_reloads() -> None:
    code = ModelDownloadTool().to_dict()["code"]
    assert code.startswith(
        "from huggingface_hub import list_models\nfrom smolagents import Tool\n\n\nclass ModelDownloadTool(Tool):"
    )
    reloaded = Tool.from_code(code)
    assert type(reloaded).__name__ == "ModelDownloadTool"
    assert reloaded.to_code_prompt() == ModelDownloadTool().to_code_prompt()


def test_module_imports_and_literal_constants_travel_with_the_code() -> None:
    code = circle_area.to_dict()["code"]
    assert "import math\n" in code
    assert "UNITS = ('m', 'km')\n" in code
    reloaded = Tool.from_code(code)
    assert reloaded(radius=1.0) == "3.14 m^2"
    with pytest.raises(ValueError, match="unit must be one of"):
        reloaded(radius=1.0, unit="mile")


def test_save_writes_tool_py_and_requirements_then_from_code_round_trips(tmp_path: Path) -> None:
    ImageSizeTool().save(tmp_path / "saved")
    code = (tmp_path / "saved" / "tool.py").read_text()
    assert "from PIL import Image\nfrom smolagents import Tool\n" in code
    assert (tmp_path / "saved" / "requirements.txt").read_text().split() == ["pillow", "smolagents"]
    reloaded = Tool.from_code(code)
    assert type(reloaded).__name__ == "ImageSizeTool"
    assert reloaded(width=3, height=2) == [3, 2]


def test_from_code_passes_keyword_arguments_to_the_constructor() -> None:
    reloaded = Tool.from_code(ImageSizeTool().to_dict()["code"], mode="L")
    assert reloaded.mode == "L"


def test_from_dict_rebuilds_the_tool_and_applies_overridden_attributes() -> None:
    data = circle_area.to_dict()
    data["description"] = "Area of a disc."
    reloaded = Tool.from_dict(data)
    assert reloaded.description == "Area of a disc."
    assert reloaded(2.0) == "12.57 m^2"


def test_from_dict_rejects_a_dict_without_code() -> None:
    with pytest.raises(ToolDefinitionError, match="must contain 'code' key"):
        Tool.from_dict({"name": "x"})


def test_from_dict_checks_overridden_attributes() -> None:
    data = circle_area.to_dict()
    data["output_type"] = "text"
    with pytest.raises(ToolDefinitionError, match="output_type 'text' is not an authorised type"):
        Tool.from_dict(data)


def test_loaded_tool_saves_the_code_it_was_loaded_from() -> None:
    code = circle_area.to_dict()["code"]
    assert Tool.from_code(code).to_dict()["code"] == code


def test_closure_variables_are_written_as_constants() -> None:
    greeting = "Hello"

    @tool
    def greet(name: str) -> str:
        """Greet someone.

        Args:
            name: Who to greet.
        """
        return f"{greeting}, {name}!"

    code = greet.to_dict()["code"]
    assert "greeting = 'Hello'" in code
    assert Tool.from_code(code)("Ada") == "Hello, Ada!"


def test_global_object_that_cannot_be_written_as_code_is_reported_by_name() -> None:
    @tool
    def guarded(x: int) -> int:
        """Increment under a lock.

        Args:
            x: A number.
        """
        with LOCK:
            return x + 1

    with pytest.raises(
        ToolDefinitionError, match=r"Tool 'guarded' uses 'LOCK' \(a lock defined next to the tool\)"
    ):
        guarded.to_dict()


def test_helper_function_from_the_same_module_must_move_inside_the_tool() -> None:
    @tool
    def clean(text: str) -> str:
        """Clean a text.

        Args:
            text: The text.
        """
        return helper(text)

    with pytest.raises(
        ToolDefinitionError, match=r"uses 'helper'.*must be self-contained.*Move it inside the tool"
    ):
        clean.to_dict()


def test_tool_defined_without_source_file_cannot_be_saved() -> None:
    namespace: dict = {"tool": tool}
    exec(
        'def shout(text: str) -> str:\n    """Shout.\n\n    Args:\n        text: Text.\n    """\n    return text.upper()\n',
        namespace,
    )
    repl_tool = tool(namespace["shout"])
    assert repl_tool("hi") == "HI"
    with pytest.raises(
        ToolDefinitionError, match=r"Cannot find the source code of tool 'shout'.*Define it in a \.py file"
    ):
        repl_tool.to_dict()


def test_tool_class_whose_constructor_needs_arguments_cannot_be_saved() -> None:
    class NeedsKey(Tool):
        name = "needs_key"
        description = "Call an API with a key."
        inputs = {}
        output_type = "string"

        def __init__(self, api_key: str) -> None:
            super().__init__()
            self.api_key = api_key

        def forward(self) -> str:
            return self.api_key

    with pytest.raises(
        ToolDefinitionError,
        match=r"^Parameters in __init__ must have default values, found required parameters: api_key\. "
        r"Tool 'needs_key' cannot be saved",
    ):
        NeedsKey("secret").to_dict()


def test_from_code_without_a_tool_says_what_it_needs() -> None:
    with pytest.raises(
        ToolDefinitionError, match="defines no tool: it must define exactly one Tool subclass"
    ):
        Tool.from_code("x = 1\n")


def test_from_code_with_two_tool_classes_asks_to_keep_one() -> None:
    code = (
        ImageSizeTool().to_dict()["code"]
        + "\n\nclass Other(ImageSizeTool):\n    pass\n\nclass Third(ImageSizeTool):\n    pass\n"
    )
    with pytest.raises(ToolDefinitionError, match=r"several tool classes \(Other, Third\)"):
        Tool.from_code(code)


def test_from_code_picks_the_most_derived_tool_class() -> None:
    code = (
        ImageSizeTool().to_dict()["code"]
        + "\n\nclass GreyImageSizeTool(ImageSizeTool):\n    name = 'grey_size'\n"
    )
    assert Tool.from_code(code).name == "grey_size"


def test_tracebacks_of_loaded_code_show_its_lines() -> None:
    import traceback

    reloaded = Tool.from_code(circle_area.to_dict()["code"])
    try:
        reloaded(radius=1.0, unit="yard")
    except ValueError as error:
        rendered = "".join(traceback.format_exception(error))
    assert 'raise ValueError(f"unit must be one of {UNITS}")' in rendered
