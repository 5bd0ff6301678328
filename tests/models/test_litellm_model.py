"""LiteLLMModel and LiteLLMRouterModel through real litellm against loopback provider servers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from _servers import (
    WireServer,
    anthropic_reply,
    anthropic_stream_reply,
    converse_response,
    error_reply,
    json_reply,
    ollama_responder,
    openai_reply,
    openai_stream_reply,
)

from smolagents._errors import ModelProviderError
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents._usage import TokenUsage
from smolagents.models import REMOVE_PARAMETER, LiteLLMModel, LiteLLMRouterModel
from smolagents.models._retry import RetryPolicy
from smolagents.tools import Tool

MESSAGES = [ChatMessage(MessageRole.SYSTEM, "Be brief."), ChatMessage(MessageRole.USER, "hi")]


@pytest.fixture
def ollama_server() -> Iterator[WireServer]:
    wire = WireServer(ollama_responder("Hello from ollama"))
    yield wire
    wire.close()


def test_ollama_chat_sends_num_ctx_in_options_and_flattens_content(ollama_server: WireServer) -> None:
    model = LiteLLMModel(
        model_id="ollama_chat/llama3.2", api_base=ollama_server.url, api_key="K", num_ctx=8192
    )

    reply = model.generate(MESSAGES, stop_sequences=["Observation:"])

    (request,) = ollama_server.sent_to("/api/chat")
    body = request.json
    assert body["model"] == "llama3.2"
    assert body["options"]["num_ctx"] == 8192
    assert body["options"]["stop"] == ["Observation:"]
    assert [m["content"] for m in body["messages"]] == ["Be brief.", "hi"]  # plain strings
    assert model.flatten_messages_as_text is True
    assert reply.content == "Hello from ollama"
    assert reply.token_usage == TokenUsage(input_tokens=9, output_tokens=4)


def test_ollama_stream_reports_usage_once(ollama_server: WireServer) -> None:
    model = LiteLLMModel(model_id="ollama_chat/llama3.2", api_base=ollama_server.url)

    deltas = list(model.generate_stream(MESSAGES))

    assert agglomerate_stream_deltas(deltas).content == "Hello from ollama"
    assert [d.token_usage for d in deltas if d.token_usage] == [TokenUsage(9, 4)]
    assert ollama_server.sent_to("/api/chat")[0].json["stream"] is True


def test_anthropic_goes_to_v1_messages_with_x_api_key_and_system_field(server: WireServer) -> None:
    server.add(anthropic_reply("Hello from claude", input_tokens=12, output_tokens=5))
    model = LiteLLMModel(
        model_id="anthropic/claude-3-5-sonnet-latest", api_base=server.url, api_key="ak-test"
    )

    reply = model.generate(MESSAGES, stop_sequences=["<end>"], max_tokens=100)

    request = server.last
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "ak-test"
    body = request.json
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert body["stop_sequences"] == ["<end>"] and body["max_tokens"] == 100
    assert reply.content == "Hello from claude" and reply.token_usage == TokenUsage(12, 5)


def test_anthropic_stream_counts_input_and_output_tokens_once(server: WireServer) -> None:
    server.add(anthropic_stream_reply(["Hel", "lo"], input_tokens=30, output_tokens=9))
    model = LiteLLMModel(model_id="anthropic/claude-3-5-sonnet-latest", api_base=server.url, api_key="ak")

    deltas = list(model.generate_stream(MESSAGES))

    assert server.last.json["stream"] is True
    message = agglomerate_stream_deltas(deltas)
    assert message.content == "Hello"
    assert message.token_usage == TokenUsage(input_tokens=30, output_tokens=9)


def test_openai_prefix_sends_tools_and_reads_tool_calls(
    openai_server: WireServer, weather_tool: Tool
) -> None:
    openai_server.add(openai_reply(None, tool_calls=[("get_weather", '{"city": "Oslo"}')]))
    model = LiteLLMModel(model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="sk-l")

    reply = model.parse_tool_calls(model.generate(MESSAGES, tools_to_call_from=[weather_tool]))

    body = openai_server.last.json
    assert openai_server.last.headers["authorization"] == "Bearer sk-l"
    assert body["tools"][0]["function"]["name"] == "get_weather"
    assert reply.tool_calls[0].function.arguments == {"city": "Oslo"}


def test_instance_kwargs_win_over_per_call_ones_and_remove_parameter(openai_server: WireServer) -> None:
    model = LiteLLMModel(
        model_id="openai/gpt-4o",
        api_base=f"{openai_server.url}/v1",
        api_key="k",
        temperature=0.9,
        top_p=REMOVE_PARAMETER,
    )

    model.generate(MESSAGES, temperature=0.1, top_p=0.5, seed=3)

    body = openai_server.last.json
    assert body["temperature"] == 0.9 and body["seed"] == 3  # as in 1.26
    assert "top_p" not in body


def test_openai_prefix_stream_asks_for_usage_and_counts_it_once(openai_server: WireServer) -> None:
    openai_server.add(openai_stream_reply(["x", "y"], prompt_tokens=4, completion_tokens=2))
    model = LiteLLMModel(model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k")

    deltas = list(model.generate_stream(MESSAGES))

    assert openai_server.last.json["stream_options"] == {"include_usage": True}
    message = agglomerate_stream_deltas(deltas)
    assert message.content == "xy" and message.token_usage == TokenUsage(4, 2)


async def test_async_twins_use_acompletion(openai_server: WireServer) -> None:
    model = LiteLLMModel(model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k")

    reply = await model.agenerate(MESSAGES)
    openai_server.add(openai_stream_reply(["s"]))
    streamed = agglomerate_stream_deltas([d async for d in model.agenerate_stream(MESSAGES)])

    assert reply.content == "Hello!" and streamed.content == "s"
    assert len(openai_server.sent_to("/v1/chat/completions")) == 2


def test_azure_prefix_reads_the_azure_environment_variables(
    openai_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_API_KEY", "az-key")
    monkeypatch.setenv("AZURE_API_BASE", openai_server.url)
    monkeypatch.setenv("AZURE_API_VERSION", "2024-10-01-preview")

    LiteLLMModel(model_id="azure/gpt-35-turbo-16k-deployment").generate(MESSAGES)

    request = openai_server.last
    assert request.path == "/openai/deployments/gpt-35-turbo-16k-deployment/chat/completions"
    assert request.query["api-version"] == ["2024-10-01-preview"]
    assert request.headers["api-key"] == "az-key"


def test_bedrock_prefix_signs_a_converse_request(server: WireServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEDROCK_RUNTIME_ENDPOINT", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDLITELLM")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_REGION_NAME", "us-east-1")
    server.add(json_reply(converse_response("from bedrock")))

    reply = LiteLLMModel(model_name="bedrock/anthropic.claude-3-sonnet-20240229-v1:0").generate(MESSAGES)

    request = server.last
    assert request.path == "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDLITELLM/")
    assert request.json["system"] == [{"text": "Be brief."}]
    assert reply.content == "from bedrock" and reply.token_usage == TokenUsage(13, 6)


def test_model_name_is_an_alias_of_model_id() -> None:
    model = LiteLLMModel(model_name="bedrock/some-model")
    assert model.model_id == model.model_name == "bedrock/some-model"
    with pytest.raises(ValueError, match="only one"):
        LiteLLMModel(model_id="a", model_name="b")
    with pytest.raises(ValueError, match="needs model_id"):
        LiteLLMModel()


def test_rate_limit_then_success_is_retried(openai_server: WireServer, fast_retry: RetryPolicy) -> None:
    openai_server.add(error_reply(429, headers={"Retry-After": "0"}), error_reply(500))
    model = LiteLLMModel(
        model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k", retry=fast_retry
    )

    assert model.generate(MESSAGES).content == "Hello!"
    assert len(openai_server.requests) == 3


def test_persistent_failure_makes_one_request_per_our_attempt(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(*[error_reply(500)] * 12)
    model = LiteLLMModel(
        model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k", retry=fast_retry
    )

    with pytest.raises(ModelProviderError) as caught:
        model.generate(MESSAGES)

    assert caught.value.status_code == 500
    assert len(openai_server.requests) == 3  # litellm's own retries are off: only ours count


def test_rate_limit_retry_after_header_is_honoured(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    model = LiteLLMModel(
        model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k", retry=fast_retry
    )
    model.generate(MESSAGES)  # warm litellm up, so that the timing below is the wait
    openai_server.add(error_reply(429, headers={"Retry-After": "0.4"}))

    start = time.monotonic()
    assert model.generate(MESSAGES).content == "Hello!"
    assert time.monotonic() - start >= 0.4


def test_unauthorized_is_mapped_once_and_not_retried(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(error_reply(401, "bad key"))
    model = LiteLLMModel(
        model_id="openai/gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k", retry=fast_retry
    )

    with pytest.raises(ModelProviderError) as caught:
        model.generate(MESSAGES)

    assert caught.value.status_code == 401 and caught.value.provider == "litellm"
    assert "api_key" in caught.value.message
    assert len(openai_server.requests) == 1


def test_router_model_calls_the_deployment_of_its_model_group(openai_server: WireServer) -> None:
    model_list = [
        {
            "model_name": "team-model",
            "litellm_params": {
                "model": "openai/gpt-4o",
                "api_base": f"{openai_server.url}/v1",
                "api_key": "rk",
            },
        }
    ]
    model = LiteLLMRouterModel(model_id="team-model", model_list=model_list, client_kwargs={"num_retries": 0})

    reply = model.generate(MESSAGES, temperature=0.4)

    assert reply.content == "Hello!"
    body = openai_server.last.json
    assert body["model"] == "gpt-4o" and body["temperature"] == 0.4
    assert openai_server.last.headers["authorization"] == "Bearer rk"
    data = model.to_dict()
    assert "rk" not in str(data)
    assert data["model_list"][0]["litellm_params"] == {
        "model": "openai/gpt-4o",
        "api_base": f"{openai_server.url}/v1",
    }


def test_router_model_makes_one_request_per_our_attempt(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(*[error_reply(503)] * 12)
    params = {"model": "openai/gpt-4o", "api_base": f"{openai_server.url}/v1", "api_key": "k"}
    model = LiteLLMRouterModel(
        model_id="g", model_list=[{"model_name": "g", "litellm_params": params}], retry=fast_retry
    )

    with pytest.raises(ModelProviderError) as caught:
        model.generate(MESSAGES)

    assert caught.value.status_code == 503
    assert len(openai_server.requests) == 3  # the Router's own retries would multiply these


def test_router_model_requires_a_model_list() -> None:
    with pytest.raises(ValueError, match="model_list"):
        LiteLLMRouterModel(model_id="g", model_list=[])
