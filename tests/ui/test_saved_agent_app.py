"""The `app.py` that `agent.save()` (and so `push_to_hub`) writes starts this UI, and it works.

The saved agent's model is an OpenAI-compatible API; here a loopback server answers as the model.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser_support import require_browser_stack, served_script

from smolagents import CodeAgent, OpenAIServerModel, tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))  # the shared wire servers

from _servers import RecordedRequest, Reply, WireServer, openai_reply, openai_stream_reply


@tool
def get_weather(city: str) -> str:
    """Return today's weather in a city.

    Args:
        city: The city.
    """
    return f"Sunny in {city}"


def answer_with_the_tool(request: RecordedRequest) -> Reply:
    seen = str(request.json["messages"])
    if "Sunny in Lyon" in seen:
        content = "Thought: I know.\n```py\nfinal_answer('Lyon is sunny today.')\n```"
    else:
        content = "Thought: I ask my tool.\n```py\nprint(get_weather('Lyon'))\n```"
    return openai_stream_reply([content]) if request.json.get("stream") else openai_reply(content)


@pytest.fixture
def model_server() -> Iterator[WireServer]:
    server = WireServer(answer_with_the_tool)
    yield server
    server.close()


def test_the_saved_app_serves_the_agent_in_a_browser(
    page: Any, tmp_path: Path, model_server: WireServer
) -> None:
    require_browser_stack("gradio", "playwright")
    model = OpenAIServerModel(model_id="scripted", api_base=f"{model_server.url}/v1", api_key="test-key")
    agent = CodeAgent(tools=[get_weather], model=model, name="weather_agent", description="Weather answers.")
    agent.save(tmp_path / "space")
    with served_script(tmp_path / "space" / "app.py", env={"OPENAI_API_KEY": "test-key"}) as url:
        page.goto(url, wait_until="load")
        page.get_by_text("Weather answers.").wait_for()
        page.locator("#task-input textarea").fill("How is the weather in Lyon?")
        page.locator("#task-input textarea").press("Enter")
        page.locator("#agent-chat").get_by_text("Final answer: Lyon is sunny today.").wait_for()
    assert len(model_server.sent_to("/v1/chat/completions")) == 2
