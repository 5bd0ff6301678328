"""The guided tour's Gradio example, run unchanged in its own process and used in a browser.

As in tests/test_tour_examples.py, only the model is swapped (`InferenceClientModel` answers from
a script) and, since the Hub is not reachable offline, `load_tool` returns a local text-to-image
tool of the same name. The snippet itself is copied verbatim from guided_tour.md.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from _browser_support import require_browser_stack, served_script

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

DRIVER = """
import sys
import smolagents
from smolagents import ScriptedModel, Tool


class TextToImageTool(Tool):
    name = "image_generator"
    description = "Generates an image from a text prompt."
    inputs = {"prompt": {"type": "string", "description": "What to draw."}}
    output_type = "image"

    def forward(self, prompt):
        from PIL import Image

        return Image.new("RGB", (64, 64), (200, 160, 40))


def answer(messages):
    return "Thought: I draw it.\\n```py\\nimage = image_generator(prompt='a lion')\\nfinal_answer(image)\\n```"


smolagents.load_tool = lambda repo_id, **kwargs: TextToImageTool()
smolagents.InferenceClientModel = lambda *args, **kwargs: ScriptedModel(answer)
model_id = "Qwen/Qwen2.5-Coder-32B-Instruct"
exec(compile(open(sys.argv[1]).read(), "<guided_tour>", "exec"))
"""


def test_the_tour_gradio_example_serves_a_working_chat(page: Any, tmp_path: Path) -> None:
    require_browser_stack("gradio", "playwright")
    (tmp_path / "snippet.py").write_text(textwrap.dedent(TOUR_SNIPPET))
    (tmp_path / "driver.py").write_text(DRIVER)
    with served_script(tmp_path / "driver.py", str(tmp_path / "snippet.py")) as url:
        page.goto(url, wait_until="load")
        page.locator("#task-input textarea").fill("Draw me a lion")
        page.locator("#task-input textarea").press("Enter")
        page.locator("#agent-chat").get_by_text("Final answer:").wait_for()
        page.locator("#agent-chat img[src*='.png']").first.wait_for()
