"""Tool.from_space / Tool.from_gradio against a real Gradio app launched on 127.0.0.1 (once per module)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("gradio", reason="the gradio extra is not installed")
from gradio_client import Client
from PIL import Image

from smolagents import (
    ActionStep,
    AgentImage,
    CodeAgent,
    ScriptedModel,
    Tool,
    ToolCallingAgent,
    tool_call_message,
)

APP = str(Path(__file__).with_name("gradio_app.py"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """Launch the app in its own process (importing gradio takes seconds: once per module)."""
    port = _free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen(
        [sys.executable, APP, str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180  # a condition with a generous deadline: the app answers HTTP
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the Gradio app exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(url + "config", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()  # type: ignore[union-attr]


def test_text_endpoint_becomes_a_tool_with_the_apps_inputs(app_url: str) -> None:
    shouter = Tool.from_space(app_url, "shouter", "Shout a text.", api_name="/shout")
    assert shouter.inputs["text"]["type"] == "string"
    assert shouter.inputs["times"] == {
        "type": "integer",
        "description": "Number input (int)",
        "nullable": True,
        "default": 1,
    }
    assert shouter.output_type == "string"
    assert shouter(text="hey", times=2) == "HEY HEY"
    assert shouter("hi") == "HI"


def test_endpoint_description_is_used_when_none_is_given(app_url: str) -> None:
    assert Tool.from_space(app_url, "shouter", api_name="shout").description == "Upper-case a text, repeated."


def test_image_endpoint_takes_and_returns_images(app_url: str, tmp_path: Path) -> None:
    painter = Tool.from_space(app_url, "painter", "Tint an image red.", api_name="/tint")
    assert painter.inputs["image"]["type"] == "image" and painter.output_type == "image"
    source = tmp_path / "blue.png"
    Image.new("RGB", (3, 2), (0, 0, 255)).save(source)
    for argument in (str(source), AgentImage(str(source)), Image.open(source)):
        result = painter(image=argument, red=200)
        assert isinstance(result, AgentImage)
        assert result.size == (3, 2) and result.to_raw().convert("RGB").getpixel((0, 0))[0] in range(195, 206)


def test_app_errors_reach_the_model_and_the_run_goes_on(app_url: str) -> None:
    shouter = Tool.from_space(app_url, "shouter", "Shout a text.", api_name="/shout")
    model = ScriptedModel(
        [
            tool_call_message(("shouter", {"text": "boom"})),
            tool_call_message(("shouter", {"text": "calm"})),
            tool_call_message(("final_answer", {"answer": "CALM"})),
        ]
    )
    agent = ToolCallingAgent(tools=[shouter], model=model, verbosity_level=-1)
    assert agent.run("shout") == "CALM"
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert "The shouting machine is broken." in steps[0].error.message
    assert "CALM" in steps[1].observations


def test_unknown_endpoint_lists_the_real_ones(app_url: str) -> None:
    with pytest.raises(KeyError, match=r"api_name='/paint'.*/shout, /tint"):
        Tool.from_space(app_url, "x", "y", api_name="/paint")


def test_unreachable_app_fails_at_construction_in_one_sentence() -> None:
    port = _free_port()
    with pytest.raises(
        ConnectionError, match=rf"^Could not reach the Gradio app 'http://127\.0\.0\.1:{port}/'"
    ):
        Tool.from_space(f"http://127.0.0.1:{port}/", "x", "y")


class ShoutGradioTool:
    """Shaped like gradio_tools.GradioTool: a named tool whose run() calls a Gradio app via gradio_client."""

    name = "shout_tool"
    description = "Shout a text through a Gradio app. Input: the text."

    def __init__(self, src: str) -> None:
        self.client = Client(src, verbose=False, analytics_enabled=False)

    def create_job(self, query: str) -> Any:
        return self.client.submit(query, 3, api_name="/shout")

    def postprocess(self, output: str) -> str:
        return output

    def run(self, query: str) -> str:
        return self.postprocess(self.create_job(query).result())


def test_gradio_tools_tool_runs_in_a_code_agent(app_url: str) -> None:
    wrapped = Tool.from_gradio(ShoutGradioTool(app_url))
    assert wrapped.inputs == {"query": {"type": "string", "description": "The query to send to the tool."}}
    model = ScriptedModel(["```py\nfinal_answer(shout_tool(query='go'))\n```"])
    agent = CodeAgent(tools=[wrapped], model=model, verbosity_level=-1)
    assert agent.run("shout go") == "GO GO GO"
