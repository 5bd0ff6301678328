"""The guided tour's Gradio example, run unchanged in its own process and used in a browser.

As in tests/test_tour_examples.py, only the model is swapped (`InferenceClientModel` answers from
a script). `load_tool("m-ric/text-to-image", ...)` loads the tool's code from a Hub stand-in on
127.0.0.1 (tests/tools/loopback_hub.py), as it would from the real Hub. The snippet itself is
copied verbatim from guided_tour.md.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser_support import require_browser_stack, served_script

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # the loopback Hub of the tool tests

from loopback_hub import LoopbackHub
from loopback_site import LoopbackSite

TESTS = Path(__file__).resolve().parents[1]

TOUR_SNIPPET = """
from smolagents import (
    load_tool,
    CodeAgent,
    InferenceClientModel,
    GradioUI
)

# Import tool from Hub
image_generation_tool = load_tool("m-ric/text-to-image", trust_remote_code=True)

model = InferenceClientModel(model_id=model_id)

# Initialize the agent with the image generation tool
agent = CodeAgent(tools=[image_generation_tool], model=model)

GradioUI(agent).launch()
"""

TEXT_TO_IMAGE_TOOL = """from smolagents import Tool


class TextToImageTool(Tool):
    name = "image_generator"
    description = "Generates an image from a text prompt."
    inputs = {"prompt": {"type": "string", "description": "What to draw."}}
    output_type = "image"

    def forward(self, prompt):
        from PIL import Image

        return Image.new("RGB", (64, 64), (200, 160, 40))
"""

DRIVER = """
import sys
import network_guard  # the tour's process may reach loopback only, as the tests do
import smolagents
from smolagents import ScriptedModel


def answer(messages):
    return "Thought: I draw it.\\n```py\\nimage = image_generator(prompt='a lion')\\nfinal_answer(image)\\n```"


smolagents.InferenceClientModel = lambda *args, **kwargs: ScriptedModel(answer)
model_id = "Qwen/Qwen2.5-Coder-32B-Instruct"
exec(compile(open(sys.argv[1]).read(), "<guided_tour>", "exec"))
"""


@pytest.fixture
def hub() -> Iterator[LoopbackHub]:
    """A Hub stand-in holding the tour's tool Space."""
    site = LoopbackSite()
    hub = LoopbackHub(site)
    hub.add_space("m-ric/text-to-image", {"tool.py": TEXT_TO_IMAGE_TOOL})
    yield hub
    site.close()


def test_the_tour_gradio_example_serves_a_working_chat(page: Any, tmp_path: Path, hub: LoopbackHub) -> None:
    require_browser_stack("gradio", "playwright")
    (tmp_path / "snippet.py").write_text(textwrap.dedent(TOUR_SNIPPET))
    (tmp_path / "driver.py").write_text(DRIVER)
    hub_environment = {
        "HF_ENDPOINT": hub.endpoint,
        "HF_HUB_OFFLINE": "0",
        "HF_HOME": str(tmp_path / "hf"),
        "HF_TOKEN": "hf_loopback_token",
        "HF_HUB_DISABLE_XET": "1",
        "PYTHONPATH": str(TESTS),
    }
    with served_script(tmp_path / "driver.py", str(tmp_path / "snippet.py"), env=hub_environment) as url:
        page.goto(url, wait_until="load")
        page.locator("#task-input textarea").fill("Draw me a lion")
        page.locator("#task-input textarea").press("Enter")
        page.locator("#agent-chat").get_by_text("Final answer:").wait_for()
        page.locator("#agent-chat img[src*='.png']").first.wait_for()
    assert any(
        request.path.endswith("/m-ric/text-to-image/resolve/main/tool.py") for request in hub.site.requests
    )
