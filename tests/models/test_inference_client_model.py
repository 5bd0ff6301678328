"""InferenceClientModel through the real huggingface_hub InferenceClient against loopback servers.

Requests to the Hugging Face router (``https://router.huggingface.co``, fixed inside the SDK) are
carried to a loopback server by an httpx transport installed with `huggingface_hub`'s own
`set_client_factory` hook: the SDK builds the real request, only the socket is redirected.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _servers import (
    RecordedRequest,
    Reply,
    WireServer,
    error_reply,
    hub_traffic_to,
    json_reply,
    openai_reply,
    openai_stream_reply,
)

from smolagents._errors import ModelProviderError
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents._usage import TokenUsage
from smolagents.models import REMOVE_PARAMETER, InferenceClientModel
from smolagents.models._retry import RetryPolicy
from smolagents.tools import Tool

USER = [ChatMessage(MessageRole.USER, "hi")]

pytestmark = pytest.mark.usefixtures("hub_online")


def hub_responder(request: RecordedRequest) -> Reply:
    """Answer Hub model lookups (provider mappings) and chat completions."""
    if request.path.startswith("/api/models/"):
        model_id = request.path.removeprefix("/api/models/")
        mapping = {
            "together": {"providerId": f"{model_id}-Turbo", "status": "live", "task": "conversational"}
        }
        return json_reply({"id": model_id, "inferenceProviderMapping": mapping})
    if request.json.get("stream"):
        return openai_stream_reply(["routed"])
    return openai_reply("routed")


@pytest.fixture
def hf_router() -> Iterator[WireServer]:
    """Route huggingface_hub's HTTP traffic (router and Hub API) to a loopback server."""
    wire = WireServer(hub_responder)
    with hub_traffic_to(wire):
        yield wire
    wire.close()


def test_base_url_endpoint_gets_model_auth_bill_to_and_kwargs(openai_server: WireServer) -> None:
    model = InferenceClientModel(
        "meta-llama/Llama-3.3-70B-Instruct",
        base_url=f"{openai_server.url}/v1",
        token="hf_test",
        temperature=0.2,
    )

    reply = model.generate(USER, stop_sequences=["Observation:"], max_tokens=64)

    request = openai_server.last
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer hf_test"
    body = request.json
    assert body["model"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert body["stop"] == ["Observation:"] and body["temperature"] == 0.2 and body["max_tokens"] == 64
    assert reply.content == "Hello!" and reply.token_usage == TokenUsage(11, 7)


def test_kwargs_the_sdk_does_not_name_travel_in_extra_body(openai_server: WireServer) -> None:
    model = InferenceClientModel(
        "m", base_url=f"{openai_server.url}/v1", token="hf_x", repetition_penalty=1.1, top_p=REMOVE_PARAMETER
    )

    model.generate(USER, top_p=0.8, min_p=0.05)

    body = openai_server.last.json
    assert body["repetition_penalty"] == 1.1 and body["min_p"] == 0.05
    assert "top_p" not in body


def test_default_router_receives_the_model_and_hf_token(hf_router: WireServer) -> None:
    model = InferenceClientModel(model_id="meta-llama/Llama-3.3-70B-Instruct", token="hf_router_token")

    reply = model.generate(USER)

    request = hf_router.last
    assert request.headers["x-original-host"] == "router.huggingface.co"
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer hf_router_token"
    assert request.json["model"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert reply.content == "routed"


def test_default_model_id_is_used_when_none_is_given(
    hf_router: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")

    InferenceClientModel().generate(USER)

    assert hf_router.last.json["model"] == "Qwen/Qwen2.5-Coder-32B-Instruct"
    assert hf_router.last.headers["authorization"] == "Bearer hf_from_env"


def test_named_provider_is_resolved_through_the_hub_mapping(hf_router: WireServer) -> None:
    model = InferenceClientModel(
        "meta-llama/Llama-3.3-70B-Instruct", provider="together", token="hf_t", bill_to="my-org"
    )

    model.generate(USER)

    lookup, completion = hf_router.requests
    assert lookup.path == "/api/models/meta-llama/Llama-3.3-70B-Instruct"
    assert completion.path == "/together/v1/chat/completions"
    assert completion.json["model"] == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    assert completion.headers["x-hf-bill-to"] == "my-org"


def test_stream_reports_usage_once(hf_router: WireServer) -> None:
    hf_router.add(openai_stream_reply(["a", "b", "c"], prompt_tokens=8, completion_tokens=3))

    deltas = list(InferenceClientModel("m/m", token="hf_x").generate_stream(USER))

    assert hf_router.last.json["stream_options"] == {"include_usage": True}
    message = agglomerate_stream_deltas(deltas)
    assert message.content == "abc" and message.token_usage == TokenUsage(8, 3)


async def test_async_twins_use_the_async_inference_client(hf_router: WireServer) -> None:
    model = InferenceClientModel("m/m", token="hf_x")

    reply = await model.agenerate(USER)
    hf_router.add(openai_stream_reply(["s", "t"]))
    streamed = agglomerate_stream_deltas([d async for d in model.agenerate_stream(USER)])

    assert reply.content == "routed" and streamed.content == "st"
    assert len(hf_router.requests) == 2


def test_tool_calls_come_back_and_parse(openai_server: WireServer, weather_tool: Tool) -> None:
    openai_server.add(openai_reply(None, tool_calls=[("get_weather", '{"city": "Lima"}')]))
    model = InferenceClientModel("m", base_url=f"{openai_server.url}/v1", token="hf_x")

    reply = model.parse_tool_calls(model.generate(USER, tools_to_call_from=[weather_tool]))

    assert openai_server.last.json["tools"][0]["function"]["name"] == "get_weather"
    assert reply.tool_calls[0].function.arguments == {"city": "Lima"}


def test_server_errors_are_retried_and_unauthorized_is_not(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    model = InferenceClientModel("m", base_url=f"{openai_server.url}/v1", token="hf_x", retry=fast_retry)
    openai_server.add(error_reply(503), error_reply(429, headers={"Retry-After": "0"}))
    assert model.generate(USER).content == "Hello!"
    assert len(openai_server.requests) == 3

    openai_server.add(error_reply(401, "Invalid credentials in Authorization header"))
    with pytest.raises(ModelProviderError, match="HF_TOKEN") as caught:
        model.generate(USER)
    assert caught.value.status_code == 401 and "Invalid credentials" in caught.value.message
    assert len(openai_server.requests) == 4


def test_timeout_argument_reaches_the_client(openai_server: WireServer, fast_retry: RetryPolicy) -> None:
    slow = openai_reply("late")
    slow.delay = 1.0
    openai_server.add(slow, slow, slow)
    model = InferenceClientModel(
        "m", base_url=f"{openai_server.url}/v1", token="hf_x", timeout=0.2, retry=fast_retry
    )

    with pytest.raises(ModelProviderError, match="timed out") as caught:
        model.generate(USER)

    assert caught.value.is_retryable and len(openai_server.requests) == 3


def test_malformed_json_gives_a_clear_error(openai_server: WireServer) -> None:
    openai_server.add(Reply(body=b"{oops", headers={"Content-Type": "application/json"}))
    model = InferenceClientModel("m", base_url=f"{openai_server.url}/v1", token="hf_x")

    with pytest.raises(ModelProviderError, match="not valid JSON"):
        model.generate(USER)


def test_offline_mode_is_reported_as_such(openai_server: WireServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    model = InferenceClientModel("m", base_url=f"{openai_server.url}/v1", token="hf_x")

    with pytest.raises(ModelProviderError, match="HF_HUB_OFFLINE") as caught:
        model.generate(USER)

    assert not caught.value.is_retryable and openai_server.requests == []


def test_token_and_api_key_are_aliases() -> None:
    assert InferenceClientModel("m", api_key="hf_a").token == "hf_a"
    with pytest.raises(ValueError, match="aliases"):
        InferenceClientModel("m", token="hf_a", api_key="hf_b")


def test_to_dict_keeps_provider_settings_but_not_the_token() -> None:
    model = InferenceClientModel("m", provider="together", token="hf_secret", timeout=30, bill_to="org")

    data = model.to_dict()

    assert data["provider"] == "together" and data["timeout"] == 30 and data["bill_to"] == "org"
    assert "hf_secret" not in str(data)
    assert InferenceClientModel.from_dict(data).provider == "together"


def test_missing_token_for_the_router_says_how_to_get_one(
    hf_router: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)

    with pytest.raises(ModelProviderError, match=r"no Hugging Face token was found.*HF_TOKEN"):
        InferenceClientModel("m/m").generate(USER)

    assert hf_router.requests == []


def test_provider_key_without_a_provider_is_refused_before_the_call(hf_router: WireServer) -> None:
    with pytest.raises(ModelProviderError, match=r"only Hugging Face tokens.*provider="):
        InferenceClientModel("m/m", token="sk-provider-key").generate(USER)

    assert hf_router.requests == []
