"""OpenAIServerModel through the real openai SDK against a loopback chat-completions server."""

from __future__ import annotations

import time

import pytest
from _servers import WireServer, openai_reply, openai_stream_reply

from smolagents._errors import AgentParsingError
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents._usage import TokenUsage
from smolagents.models import REMOVE_PARAMETER, OpenAIModel, OpenAIServerModel
from smolagents.models._retry import RetryPolicy
from smolagents.tools import Tool

USER = [ChatMessage(MessageRole.USER, "What is 2+2?")]


def make_model(server: WireServer, model_id: str = "gpt-4o", **kwargs: object) -> OpenAIServerModel:
    return OpenAIServerModel(model_id, api_base=f"{server.url}/v1", api_key="sk-test", **kwargs)


def test_generate_sends_model_messages_auth_and_instance_kwargs(openai_server: WireServer) -> None:
    model = make_model(openai_server, temperature=0.2, max_tokens=50)

    reply = model.generate(USER, stop_sequences=["Observation:"])

    request = openai_server.last
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = request.json
    assert body["model"] == "gpt-4o"
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "What is 2+2?"}]}]
    assert body["stop"] == ["Observation:"]
    assert body["temperature"] == 0.2 and body["max_tokens"] == 50
    assert reply.role == MessageRole.ASSISTANT and reply.content == "Hello!"
    assert reply.token_usage == TokenUsage(input_tokens=11, output_tokens=7)
    assert reply.raw["choices"][0]["message"]["content"] == "Hello!"


def test_constructor_kwargs_win_and_remove_parameter_drops_keys(openai_server: WireServer) -> None:
    model = make_model(openai_server, temperature=0.7, stop=REMOVE_PARAMETER, top_p=REMOVE_PARAMETER)

    model.generate(USER, stop_sequences=["<end>"], temperature=0.1, top_p=0.9, seed=2)

    body = openai_server.last.json
    assert body["temperature"] == 0.7 and body["seed"] == 2  # as in 1.26
    assert "stop" not in body
    assert "top_p" not in body


def test_removed_stop_parameter_is_still_applied_client_side(openai_server: WireServer) -> None:
    openai_server.add(openai_reply("Thought: add\nObservation: 4"))
    model = make_model(openai_server, stop=REMOVE_PARAMETER)

    reply = model.generate(USER, stop_sequences=["Observation:"])

    assert "stop" not in openai_server.last.json
    assert reply.content == "Thought: add\n"


@pytest.mark.parametrize("model_id", ["gpt-5", "o3", "o4-mini", "openai/gpt-5-mini"])
def test_reasoning_models_get_no_stop_parameter_and_text_is_cut_locally(
    openai_server: WireServer, model_id: str
) -> None:
    openai_server.add(openai_reply("code here<end_code>and more"))
    model = make_model(openai_server, model_id=model_id)

    reply = model.generate(USER, stop_sequences=["<end_code>"])

    assert model.supports_stop_parameter is False
    assert "stop" not in openai_server.last.json
    assert reply.content == "code here"


def test_tools_are_sent_as_function_schemas_and_tool_calls_come_back(
    openai_server: WireServer, weather_tool: Tool
) -> None:
    openai_server.add(openai_reply(None, tool_calls=[("get_weather", '{"city": "Paris"}')]))
    model = make_model(openai_server)

    reply = model.generate(USER, tools_to_call_from=[weather_tool])

    body = openai_server.last.json
    assert body["tool_choice"] == "required"
    function = body["tools"][0]["function"]
    assert function["name"] == "get_weather"
    assert function["parameters"]["required"] == ["city"]
    assert reply.tool_calls[0].function.name == "get_weather"
    assert reply.tool_calls[0].function.arguments == '{"city": "Paris"}'
    parsed = model.parse_tool_calls(reply)
    assert parsed.tool_calls[0].function.arguments == {"city": "Paris"}


def test_tool_call_arguments_that_are_not_json_give_a_parsing_error(openai_server: WireServer) -> None:
    openai_server.add(openai_reply(None, tool_calls=[("get_weather", '{"city": Paris}')]))
    model = make_model(openai_server)
    reply = model.generate(USER)

    with pytest.raises(AgentParsingError, match=r"get_weather.*not valid JSON"):
        model.parse_tool_calls(reply)


def test_tool_calls_in_history_are_sent_with_json_text_arguments(openai_server: WireServer) -> None:
    history = [
        *USER,
        ChatMessage.from_dict(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}
                ],
            }
        ),
    ]
    make_model(openai_server).generate(history)

    sent = openai_server.last.json["messages"][1]
    assert sent["tool_calls"][0]["function"]["arguments"] == '{"x": 1}'


def test_stream_yields_text_deltas_and_usage_exactly_once(openai_server: WireServer) -> None:
    openai_server.add(openai_stream_reply(["Hel", "lo", " world"], prompt_tokens=20, completion_tokens=3))
    model = make_model(openai_server)

    deltas = list(model.generate_stream(USER))

    body = openai_server.last.json
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert [d.content for d in deltas if d.content] == ["Hel", "lo", " world"]
    assert [d.token_usage for d in deltas if d.token_usage] == [TokenUsage(20, 3)]
    message = agglomerate_stream_deltas(deltas)
    assert message.content == "Hello world"
    assert message.token_usage == TokenUsage(20, 3)


def test_stream_assembles_tool_call_fragments(openai_server: WireServer) -> None:
    openai_server.add(openai_stream_reply([], tool_call=("get_weather", ['{"city"', ': "Rome"}'])))

    message = agglomerate_stream_deltas(make_model(openai_server).generate_stream(USER))

    assert message.tool_calls[0].id == "call_s"
    assert message.tool_calls[0].function.name == "get_weather"
    assert message.tool_calls[0].function.arguments == '{"city": "Rome"}'


def test_stream_cuts_at_a_stop_sequence_split_across_chunks_for_models_without_stop(
    openai_server: WireServer,
) -> None:
    openai_server.add(openai_stream_reply(["print(4)<end", "_co", "de>junk", " more"]))
    model = make_model(openai_server, model_id="gpt-5")

    message = agglomerate_stream_deltas(model.generate_stream(USER, stop_sequences=["<end_code>"]))

    assert "stop" not in openai_server.last.json
    assert message.content == "print(4)"
    assert message.token_usage == TokenUsage(11, 7)


def test_stream_without_usage_chunk_or_done_line_still_completes(openai_server: WireServer) -> None:
    # `transformers serve` ends streams without [DONE]; some servers send no usage at all.
    openai_server.add(openai_stream_reply(["ok"], usage_chunk=False, done=False))

    message = agglomerate_stream_deltas(make_model(openai_server).generate_stream(USER))

    assert message.content == "ok"
    assert message.token_usage == TokenUsage(0, 0)


async def test_async_generate_uses_the_async_client(openai_server: WireServer) -> None:
    model = make_model(openai_server)

    reply = await model.agenerate(USER, temperature=0.3)

    assert reply.content == "Hello!"
    assert openai_server.last.headers["x-stainless-async"].startswith("async")
    assert openai_server.last.json["temperature"] == 0.3


async def test_async_stream_yields_deltas_and_usage_once(openai_server: WireServer) -> None:
    openai_server.add(openai_stream_reply(["a", "b"], prompt_tokens=5, completion_tokens=2))
    model = make_model(openai_server)

    deltas = [delta async for delta in model.agenerate_stream(USER)]

    assert openai_server.last.headers["x-stainless-async"].startswith("async")
    assert agglomerate_stream_deltas(deltas).content == "ab"
    assert [d.token_usage for d in deltas if d.token_usage] == [TokenUsage(5, 2)]


def test_images_are_sent_as_image_url_parts(openai_server: WireServer) -> None:
    data_url = "data:image/png;base64,iVBORw0KGgo="
    message = ChatMessage(
        MessageRole.USER, [{"type": "text", "text": "Describe"}, {"type": "image", "image": data_url}]
    )

    make_model(openai_server).generate([message])

    parts = openai_server.last.json["messages"][0]["content"]
    assert parts[1] == {"type": "image_url", "image_url": {"url": data_url}}


def test_flatten_messages_as_text_sends_plain_string_content(openai_server: WireServer) -> None:
    messages = [ChatMessage(MessageRole.SYSTEM, "Be brief."), *USER]

    make_model(openai_server, flatten_messages_as_text=True).generate(messages)

    assert openai_server.last.json["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2+2?"},
    ]


def test_custom_role_conversions_rename_roles(openai_server: WireServer) -> None:
    messages = [ChatMessage(MessageRole.SYSTEM, "Be brief."), *USER]

    make_model(openai_server, custom_role_conversions={"system": "user"}).generate(messages)

    sent = openai_server.last.json["messages"]
    assert [m["role"] for m in sent] == ["user"]  # converted, then merged with the next user turn
    assert [p["text"] for p in sent[0]["content"]] == ["Be brief.\nWhat is 2+2?"]


def test_response_format_is_forwarded(openai_server: WireServer) -> None:
    schema = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}

    make_model(openai_server).generate(USER, response_format=schema)

    assert openai_server.last.json["response_format"] == schema


def test_env_vars_configure_key_and_base_url(
    openai_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{openai_server.url}/v1")

    OpenAIModel("gpt-4o-mini").generate(USER)

    assert openai_server.last.headers["authorization"] == "Bearer sk-from-env"
    assert openai_server.last.json["model"] == "gpt-4o-mini"


def test_organization_project_and_client_kwargs_reach_the_sdk(openai_server: WireServer) -> None:
    model = make_model(
        openai_server,
        organization="org-1",
        project="proj-1",
        client_kwargs={"default_headers": {"X-Team": "a"}},
    )

    model.generate(USER)

    headers = openai_server.last.headers
    assert headers["openai-organization"] == "org-1"
    assert headers["openai-project"] == "proj-1"
    assert headers["x-team"] == "a"


def test_requests_per_minute_spaces_out_calls(openai_server: WireServer) -> None:
    model = make_model(openai_server, requests_per_minute=600)  # one call every 0.1 s

    start = time.monotonic()
    for _ in range(3):
        model.generate(USER)
    elapsed = time.monotonic() - start

    assert elapsed >= 0.2
    assert len(openai_server.requests) == 3


def test_to_dict_keeps_settings_but_no_secrets_and_from_dict_rebuilds(openai_server: WireServer) -> None:
    model = make_model(openai_server, temperature=0.5, requests_per_minute=30, organization="org-1")

    data = model.to_dict()
    rebuilt = OpenAIServerModel.from_dict({**data, "api_key": "sk-again"})

    assert "sk-test" not in str(data)
    assert data["class"] == "OpenAIServerModel"
    assert data["api_base"] == f"{openai_server.url}/v1"
    assert data["temperature"] == 0.5 and data["requests_per_minute"] == 30
    assert isinstance(rebuilt, OpenAIServerModel)
    assert rebuilt.kwargs == {"temperature": 0.5} and rebuilt.organization == "org-1"
    rebuilt.generate(USER)
    assert openai_server.last.headers["authorization"] == "Bearer sk-again"


def test_a_given_client_is_used_instead_of_building_one(openai_server: WireServer) -> None:
    import openai

    client = openai.OpenAI(base_url=f"{openai_server.url}/v1", api_key="sk-own", max_retries=0)
    model = OpenAIServerModel("gpt-4o", client=client)

    model.generate(USER)

    assert model.client is client
    assert openai_server.last.headers["authorization"] == "Bearer sk-own"


def test_missing_model_id_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="model_id"):
        OpenAIServerModel("", api_key="k", retry=RetryPolicy())


def test_tool_call_written_as_text_is_parsed_for_servers_without_native_tools(
    openai_server: WireServer,
) -> None:
    openai_server.add(openai_reply('Action:\n{"name": "get_weather", "arguments": {"city": "Paris"}}'))
    model = make_model(openai_server)

    parsed = model.parse_tool_calls(model.generate(USER))

    assert parsed.tool_calls[0].function.name == "get_weather"
    assert parsed.tool_calls[0].function.arguments == {"city": "Paris"}


def test_stream_options_can_be_removed_for_servers_that_reject_them(openai_server: WireServer) -> None:
    openai_server.add(openai_stream_reply(["a"]), openai_stream_reply(["b"]), openai_stream_reply(["c"]))
    model = make_model(openai_server, stream_options=REMOVE_PARAMETER)

    list(model.generate_stream(USER))
    assert "stream_options" not in openai_server.last.json
    list(model.generate_stream(USER, stream_options={"include_usage": False}))
    assert "stream_options" not in openai_server.last.json  # the constructor's removal wins
    list(make_model(openai_server).generate_stream(USER, stream_options={"include_usage": False}))
    assert openai_server.last.json["stream_options"] == {"include_usage": False}


def test_missing_api_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIServerModel("gpt-4o", api_base="http://127.0.0.1:9/v1")


def test_to_dict_keeps_token_counts_but_drops_credentials(openai_server: WireServer) -> None:
    model = make_model(
        openai_server,
        max_tokens=256,
        max_completion_tokens=128,
        hf_token="hf_secret",
        extra_api_key="sk-secret",
    )

    data = model.to_dict()

    assert data["max_tokens"] == 256 and data["max_completion_tokens"] == 128
    assert "hf_token" not in data and "extra_api_key" not in data
    assert "secret" not in str(data)
