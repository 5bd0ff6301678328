"""AmazonBedrockServerModel through real boto3 against a loopback Converse / ConverseStream server."""

from __future__ import annotations

import base64

import pytest
from _servers import (
    Reply,
    WireServer,
    bedrock_error_reply,
    converse_response,
    converse_stream_reply,
    event_stream_frame,
    json_reply,
)

from smolagents._errors import ModelProviderError
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents._usage import TokenUsage
from smolagents.models import REMOVE_PARAMETER, AmazonBedrockModel, AmazonBedrockServerModel
from smolagents.models._retry import RetryPolicy
from smolagents.tools import Tool

MESSAGES = [ChatMessage(MessageRole.SYSTEM, "Be brief."), ChatMessage(MessageRole.USER, "hi")]
MODEL_ID = "us.amazon.nova-pro-v1:0"
CONVERSE_PATH = "/model/us.amazon.nova-pro-v1%3A0/converse"


@pytest.fixture
def aws_env(server: WireServer, monkeypatch: pytest.MonkeyPatch) -> WireServer:
    """Point boto3's bedrock-runtime at the loopback server with dummy credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    return server


def test_converse_request_has_system_messages_inference_and_guardrail_config(aws_env: WireServer) -> None:
    aws_env.add(json_reply(converse_response("Hello from bedrock", input_tokens=21, output_tokens=4)))
    model = AmazonBedrockServerModel(
        MODEL_ID,
        inferenceConfig={"maxTokens": 3000},
        guardrailConfig={"guardrailIdentifier": "identify1", "guardrailVersion": "v1"},
    )

    reply = model.generate(MESSAGES, stop_sequences=["Observation:"], temperature=0.3)

    request = aws_env.last
    assert request.path == CONVERSE_PATH
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
    assert "/us-east-1/bedrock/aws4_request" in request.headers["authorization"]
    body = request.json
    assert body["system"] == [{"text": "Be brief."}]
    assert body["messages"] == [{"role": "user", "content": [{"text": "hi"}]}]
    assert body["inferenceConfig"] == {
        "maxTokens": 3000,
        "temperature": 0.3,
        "stopSequences": ["Observation:"],
    }
    assert body["guardrailConfig"] == {"guardrailIdentifier": "identify1", "guardrailVersion": "v1"}
    assert reply.content == "Hello from bedrock"
    assert reply.token_usage == TokenUsage(21, 4)
    assert reply.raw["stopReason"] == "end_turn"


def test_tools_become_tool_config_and_tool_use_blocks_become_tool_calls(
    aws_env: WireServer, weather_tool: Tool
) -> None:
    aws_env.add(json_reply(converse_response(None, tool_use=("get_weather", {"city": "Paris"}))))
    model = AmazonBedrockServerModel(MODEL_ID)

    reply = model.parse_tool_calls(model.generate(MESSAGES, tools_to_call_from=[weather_tool]))

    tool_config = aws_env.last.json["toolConfig"]
    spec = tool_config["tools"][0]["toolSpec"]
    assert spec["name"] == "get_weather"
    assert spec["inputSchema"]["json"]["required"] == ["city"]
    assert tool_config["toolChoice"] == {"any": {}}
    call = reply.tool_calls[0]
    assert call.id == "tooluse_1" and call.function.name == "get_weather"
    assert call.function.arguments == {"city": "Paris"}


def test_constructor_kwargs_win_and_remove_parameter_drops_fields(aws_env: WireServer) -> None:
    aws_env.add(json_reply(converse_response()))
    model = AmazonBedrockServerModel(
        MODEL_ID, inferenceConfig={"maxTokens": 100}, additionalModelRequestFields=REMOVE_PARAMETER
    )

    model.generate(MESSAGES, inferenceConfig={"maxTokens": 7}, additionalModelRequestFields={"top_k": 5})

    body = aws_env.last.json
    assert body["inferenceConfig"] == {"maxTokens": 100}  # constructor kwargs win, as in 1.26
    assert "additionalModelRequestFields" not in body


def test_stream_decodes_event_stream_text_tool_use_and_usage_once(aws_env: WireServer) -> None:
    aws_env.add(converse_stream_reply(["Hel", "lo"], tool_use=("get_weather", ['{"city"', ': "Rome"}'])))
    model = AmazonBedrockServerModel(MODEL_ID)

    deltas = list(model.generate_stream(MESSAGES))

    assert aws_env.last.path == "/model/us.amazon.nova-pro-v1%3A0/converse-stream"
    assert [d.token_usage for d in deltas if d.token_usage] == [TokenUsage(13, 6)]
    message = agglomerate_stream_deltas(deltas)
    assert message.content == "Hello"
    assert message.tool_calls[0].id == "tooluse_s"
    assert message.tool_calls[0].function.name == "get_weather"
    assert message.tool_calls[0].function.arguments == '{"city": "Rome"}'


async def test_async_twins_run_on_a_worker_thread(aws_env: WireServer) -> None:
    aws_env.add(json_reply(converse_response("async hello")), converse_stream_reply(["x", "y"]))
    model = AmazonBedrockModel(MODEL_ID)

    reply = await model.agenerate(MESSAGES)
    streamed = agglomerate_stream_deltas([d async for d in model.agenerate_stream(MESSAGES)])

    assert reply.content == "async hello"
    assert streamed.content == "xy" and streamed.token_usage == TokenUsage(13, 6)


def test_images_become_converse_image_blocks(aws_env: WireServer) -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    aws_env.add(json_reply(converse_response()))
    message = ChatMessage(
        MessageRole.USER,
        [
            {"type": "text", "text": "What is this?"},
            {"type": "image", "image": "data:image/jpeg;base64," + base64.b64encode(png).decode()},
        ],
    )

    AmazonBedrockServerModel(MODEL_ID).generate([message])

    blocks = aws_env.last.json["messages"][0]["content"]
    assert blocks[0] == {"text": "What is this?"}
    assert blocks[1]["image"]["format"] == "jpeg"
    assert base64.b64decode(blocks[1]["image"]["source"]["bytes"]) == png  # JSON protocol: base64


def test_history_roles_alternate_and_tool_roles_are_converted(aws_env: WireServer) -> None:
    aws_env.add(json_reply(converse_response()))
    history = [
        *MESSAGES,
        ChatMessage(MessageRole.TOOL_CALL, "Calling tools: get_weather(city='Paris')"),
        ChatMessage(MessageRole.TOOL_RESPONSE, "Observation: sunny"),
        ChatMessage(MessageRole.USER, "And now?"),
    ]

    AmazonBedrockServerModel(MODEL_ID).generate(history)

    sent = aws_env.last.json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert [b["text"] for b in sent[2]["content"]] == ["Observation: sunny\nAnd now?"]


def test_throttling_then_server_error_then_success_is_retried(
    aws_env: WireServer, fast_retry: RetryPolicy
) -> None:
    aws_env.add(
        bedrock_error_reply(429, "ThrottlingException", "Too many requests"),
        bedrock_error_reply(500, "InternalServerException"),
        json_reply(converse_response("finally")),
    )

    reply = AmazonBedrockServerModel(MODEL_ID, retry=fast_retry).generate(MESSAGES)

    assert reply.content == "finally"
    assert len(aws_env.requests) == 3


def test_persistent_throttling_makes_one_request_per_our_attempt(
    aws_env: WireServer, fast_retry: RetryPolicy
) -> None:
    aws_env.add(*[bedrock_error_reply(429, "ThrottlingException", "Too many requests")] * 12)

    with pytest.raises(ModelProviderError, match="rate limiting") as caught:
        AmazonBedrockServerModel(MODEL_ID, retry=fast_retry).generate(MESSAGES)

    assert caught.value.status_code == 429 and caught.value.is_retryable
    assert len(aws_env.requests) == 3  # botocore's own retries are off: only ours count


def test_access_denied_is_not_retried_and_says_to_check_credentials(
    aws_env: WireServer, fast_retry: RetryPolicy
) -> None:
    aws_env.add(bedrock_error_reply(403, "AccessDeniedException", "You don't have access to the model"))

    with pytest.raises(ModelProviderError, match="AWS credentials") as caught:
        AmazonBedrockServerModel(MODEL_ID, retry=fast_retry).generate(MESSAGES)

    assert caught.value.status_code == 403 and caught.value.provider == "amazon-bedrock"
    assert "You don't have access" in caught.value.message
    assert len(aws_env.requests) == 1


def test_throttling_inside_the_event_stream_is_retried(aws_env: WireServer, fast_retry: RetryPolicy) -> None:
    exception = event_stream_frame("throttlingException", {"message": "slow down"}, message_type="exception")
    aws_env.add(
        Reply(headers={"Content-Type": "application/vnd.amazon.eventstream"}, chunks=[exception]),
        converse_stream_reply(["ok"]),
    )

    message = agglomerate_stream_deltas(
        AmazonBedrockServerModel(MODEL_ID, retry=fast_retry).generate_stream(MESSAGES)
    )

    assert message.content == "ok"
    assert len(aws_env.requests) == 2


def test_response_without_output_gives_a_clear_error(aws_env: WireServer) -> None:
    aws_env.add(json_reply({"usage": {"inputTokens": 1, "outputTokens": 1}}))

    with pytest.raises(ModelProviderError, match=r"no output\.message"):
        AmazonBedrockServerModel(MODEL_ID).generate(MESSAGES)


def test_custom_client_is_used_as_given(server: WireServer) -> None:
    import boto3

    server.add(json_reply(converse_response("custom")))
    client = boto3.client(
        "bedrock-runtime",
        region_name="eu-west-3",
        endpoint_url=server.url,
        aws_access_key_id="AKIDCUSTOM",
        aws_secret_access_key="s",
    )

    reply = AmazonBedrockServerModel(MODEL_ID, client=client).generate(MESSAGES)

    assert reply.content == "custom"
    assert "AKIDCUSTOM/" in server.last.headers["authorization"]
    assert "/eu-west-3/" in server.last.headers["authorization"]


def test_client_kwargs_reach_boto3(server: WireServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDKW")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    server.add(json_reply(converse_response()))
    model = AmazonBedrockServerModel(
        MODEL_ID, client_kwargs={"region_name": "ap-south-1", "endpoint_url": server.url}
    )

    model.generate(MESSAGES)

    assert "/ap-south-1/" in server.last.headers["authorization"]
    assert model.to_dict()["client_kwargs"] == {"region_name": "ap-south-1"}


def test_missing_region_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    with pytest.raises(ValueError, match="AWS_REGION"):
        AmazonBedrockServerModel(MODEL_ID)


def test_response_format_is_refused_with_an_alternative(aws_env: WireServer) -> None:
    with pytest.raises(ValueError, match="response_format"):
        AmazonBedrockServerModel(MODEL_ID).generate(MESSAGES, response_format={"type": "json_object"})
    assert aws_env.requests == []


def test_connection_dropped_mid_stream_is_a_connection_error(aws_env: WireServer) -> None:
    frames = converse_stream_reply(["a", "b"]).chunks or []
    headers = {"Content-Type": "application/vnd.amazon.eventstream", "Content-Length": "100000"}
    aws_env.add(Reply(headers=headers, chunks=frames[:2]))
    received: list[str] = []

    with pytest.raises(ModelProviderError, match="connection failed while reading"):
        for delta in AmazonBedrockServerModel(MODEL_ID).generate_stream(MESSAGES):
            received.append(delta.content or "")

    assert received == ["a"]


def test_a_user_config_keeps_its_timeout_and_botocore_does_not_retry_on_its_own(aws_env: WireServer) -> None:
    from botocore.config import Config

    aws_env.add(json_reply(converse_response("late"), delay=3.0), json_reply(converse_response("on time")))
    model = AmazonBedrockServerModel(
        MODEL_ID, client_kwargs={"config": Config(read_timeout=1, connect_timeout=1)}, retry=False
    )

    with pytest.raises(ModelProviderError, match="timed out"):
        model.generate(MESSAGES)

    assert len(aws_env.requests) == 1  # botocore's own retries would have sent a second request
    assert model.client.meta.config.read_timeout == 1
