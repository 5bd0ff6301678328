"""A ToolCallingAgent makes native tool calls through the OpenAI and Bedrock SDKs, streamed or not."""

from __future__ import annotations

import json

import pytest
from _servers import (
    RecordedRequest,
    Reply,
    WireServer,
    converse_response,
    converse_stream_reply,
    json_reply,
    openai_reply,
    openai_stream_reply,
)

from smolagents.agents import ToolCallingAgent
from smolagents.memory import ActionStep
from smolagents.models import AmazonBedrockServerModel, Model, OpenAIServerModel
from smolagents.tools import Tool


def openai_tool_responder(request: RecordedRequest) -> Reply:
    """First call: get_weather; once the observation is in the conversation: final_answer."""
    body = request.json
    answered = "Sunny in Paris" in str(body["messages"])
    name, arguments = (
        ("final_answer", '{"answer": "It is sunny"}') if answered else ("get_weather", '{"city": "Paris"}')
    )
    if body.get("stream"):
        return openai_stream_reply([], tool_call=(name, [arguments[:5], arguments[5:]]))
    return openai_reply(None, tool_calls=[(name, arguments)])


def converse_tool_responder(request: RecordedRequest) -> Reply:
    answered = "Sunny in Paris" in str(request.json["messages"])
    name, arguments = (
        ("final_answer", '{"answer": "It is sunny"}') if answered else ("get_weather", '{"city": "Paris"}')
    )
    if request.path.endswith("/converse-stream"):
        return converse_stream_reply([], tool_use=(name, [arguments[:5], arguments[5:]]))
    return json_reply(converse_response(None, tool_use=(name, json.loads(arguments))))


@pytest.mark.parametrize("stream_outputs", [False, True])
@pytest.mark.parametrize("provider", ["openai", "bedrock"])
def test_tool_calling_agent_calls_a_tool_then_answers(
    provider: str, stream_outputs: bool, weather_tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if provider == "openai":
        server = WireServer(openai_tool_responder)
        model: Model = OpenAIServerModel("gpt-4o", api_base=f"{server.url}/v1", api_key="k")
    else:
        server = WireServer(converse_tool_responder)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
        model = AmazonBedrockServerModel(
            "m", client_kwargs={"region_name": "us-east-1", "endpoint_url": server.url}
        )
    try:
        agent = ToolCallingAgent(
            tools=[weather_tool], model=model, stream_outputs=stream_outputs, max_steps=3
        )

        assert agent.run("Weather in Paris?") == "It is sunny"

        first, second = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
        assert first.tool_calls[0].name == "get_weather" and first.tool_calls[0].arguments == {
            "city": "Paris"
        }
        assert "Sunny in Paris" in (first.observations or "")
        assert second.is_final_answer
        assert len(server.requests) == 2
        offered = server.requests[0].json
        assert "get_weather" in str(offered.get("tools") or offered.get("toolConfig"))
    finally:
        server.close()
