"""A streaming CodeAgent runs to its final answer on every HTTP backend's real SDK.

This drives each backend's `agenerate_stream` (native async clients, and boto3 on a worker thread)
through the agent core: deltas are shown as they come, joined, parsed and executed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from _servers import (
    RecordedRequest,
    Reply,
    Responder,
    WireServer,
    converse_response,
    converse_stream_reply,
    json_reply,
    ollama_responder,
    openai_responder,
)

from smolagents._messages import ChatMessageStreamDelta
from smolagents.agents import CodeAgent
from smolagents.memory import ActionStep
from smolagents.models import (
    AmazonBedrockServerModel,
    AzureOpenAIServerModel,
    InferenceClientModel,
    LiteLLMModel,
    Model,
    OpenAIServerModel,
)

CODE = "Thought: multiply.\n```py\nresult = 6 * 7\nfinal_answer(result)\n```"


def converse_responder(request: RecordedRequest) -> Reply:
    if request.path.endswith("/converse-stream"):
        return converse_stream_reply([CODE[:20], CODE[20:]])
    return json_reply(converse_response(CODE))


def bedrock_model(server: WireServer, monkeypatch: pytest.MonkeyPatch) -> Model:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    return AmazonBedrockServerModel(
        "m", client_kwargs={"region_name": "us-east-1", "endpoint_url": server.url}
    )


BACKENDS: dict[str, tuple[Callable[[], Responder], Callable[[WireServer, pytest.MonkeyPatch], Model]]] = {
    "openai": (
        lambda: openai_responder(CODE),
        lambda s, m: OpenAIServerModel("gpt-4o", api_base=f"{s.url}/v1", api_key="k"),
    ),
    "azure": (
        lambda: openai_responder(CODE),
        lambda s, m: AzureOpenAIServerModel(
            "dep", azure_endpoint=s.url, api_key="k", api_version="2024-10-21"
        ),
    ),
    "litellm-ollama": (
        lambda: ollama_responder(CODE),
        lambda s, m: LiteLLMModel("ollama_chat/llama3.2", api_base=s.url),
    ),
    "inference-client": (
        lambda: openai_responder(CODE),
        lambda s, m: InferenceClientModel("m", base_url=f"{s.url}/v1", token="hf_x"),
    ),
    "bedrock": (lambda: converse_responder, bedrock_model),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[WireServer, Model]]:
    if request.param == "inference-client":
        request.getfixturevalue("hub_online")
    make_responder, make_model = BACKENDS[request.param]
    wire = WireServer(make_responder())
    yield wire, make_model(wire, monkeypatch)
    wire.close()


def test_streaming_code_agent_reaches_the_final_answer(backend: tuple[WireServer, Model]) -> None:
    server, model = backend
    agent = CodeAgent(tools=[], model=model, stream_outputs=True, max_steps=2)

    events = list(agent.run("What is six times seven?", stream=True))

    deltas = [event for event in events if isinstance(event, ChatMessageStreamDelta)]
    assert "".join(delta.content or "" for delta in deltas).startswith("Thought: multiply.")
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert steps[-1].is_final_answer and steps[-1].action_output == 42
    assert steps[-1].token_usage is not None and steps[-1].token_usage.total_tokens > 0
    assert any(request.method == "POST" for request in server.requests)
