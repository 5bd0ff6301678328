"""Failing providers: retries with backoff, Retry-After, and clear `ModelProviderError`s.

Each failure is produced by a real server on loopback and read through the real openai SDK, so
the classification runs on the exceptions users will meet.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from _servers import Reply, WireServer, error_reply, openai_reply, openai_stream_reply, raw_reply

from smolagents._errors import AgentGenerationError, ModelProviderError
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents.models import OpenAIServerModel
from smolagents.models._retry import RetryPolicy

USER = [ChatMessage(MessageRole.USER, "hi")]


def make_model(server: WireServer, retry: RetryPolicy | bool, **client_kwargs: object) -> OpenAIServerModel:
    return OpenAIServerModel(
        "gpt-4o", api_base=f"{server.url}/v1", api_key="sk-test", retry=retry, client_kwargs=client_kwargs
    )


def test_server_error_then_success_is_retried(openai_server: WireServer, fast_retry: RetryPolicy) -> None:
    openai_server.add(error_reply(500), error_reply(503))

    reply = make_model(openai_server, fast_retry).generate(USER)

    assert reply.content == "Hello!"
    assert len(openai_server.requests) == 3
    # The same request body went out on every attempt.
    assert openai_server.requests[0].body == openai_server.requests[2].body


def test_rate_limit_waits_for_retry_after_then_succeeds(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(error_reply(429, "slow down", headers={"Retry-After": "0.3"}))

    start = time.monotonic()
    reply = make_model(openai_server, fast_retry).generate(USER)
    elapsed = time.monotonic() - start

    assert reply.content == "Hello!"
    assert len(openai_server.requests) == 2
    assert elapsed >= 0.3  # the server's Retry-After, not our millisecond backoff


def test_persistent_server_error_raises_provider_error_with_status(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(*[error_reply(500, "boom")] * 3)

    with pytest.raises(ModelProviderError) as caught:
        make_model(openai_server, fast_retry).generate(USER)

    error = caught.value
    assert isinstance(error, AgentGenerationError)
    assert error.status_code == 500 and error.provider == "openai" and error.is_retryable
    assert "after 3 attempts" in error.message and "boom" in error.message
    assert len(openai_server.requests) == 3


def test_unauthorized_is_not_retried_and_names_the_key_variable(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(error_reply(401, "Incorrect API key provided"))

    with pytest.raises(ModelProviderError) as caught:
        make_model(openai_server, fast_retry).generate(USER)

    assert caught.value.status_code == 401 and not caught.value.is_retryable
    assert "OPENAI_API_KEY" in caught.value.message
    assert len(openai_server.requests) == 1


def test_bad_request_is_not_retried_and_suggests_remove_parameter(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(error_reply(400, "Unsupported parameter: 'stop'"))

    with pytest.raises(ModelProviderError, match="REMOVE_PARAMETER") as caught:
        make_model(openai_server, fast_retry).generate(USER)

    assert caught.value.status_code == 400
    assert len(openai_server.requests) == 1


def test_malformed_json_body_gives_a_clear_error(openai_server: WireServer, fast_retry: RetryPolicy) -> None:
    openai_server.add(raw_reply(b'{"choices": [{"message": '))

    with pytest.raises(ModelProviderError, match="not valid JSON") as caught:
        make_model(openai_server, fast_retry).generate(USER)

    assert not caught.value.is_retryable
    assert len(openai_server.requests) == 1


def test_a_non_json_page_instead_of_a_completion_gives_a_clear_error(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(raw_reply(b"<html>proxy login</html>", content_type="text/html"))

    with pytest.raises(ModelProviderError, match=r"expected a chat completion.*proxy login"):
        make_model(openai_server, fast_retry).generate(USER)


def test_completion_without_choices_gives_a_clear_error(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    body = openai_reply("x")
    openai_server.add(
        Reply(body=body.body.replace(b'"choices": [', b'"choices": [], "ignored": ['), headers=body.headers)
    )

    with pytest.raises(ModelProviderError, match=r"no choices\[0\]\.message"):
        make_model(openai_server, fast_retry).generate(USER)


def test_timeout_is_retried_then_succeeds(openai_server: WireServer, fast_retry: RetryPolicy) -> None:
    slow = openai_reply("late")
    slow.delay = 3.0
    openai_server.add(slow)

    reply = make_model(openai_server, fast_retry, timeout=2.0).generate(USER)

    assert reply.content == "Hello!"
    assert len(openai_server.requests) == 2


def test_persistent_timeout_says_to_raise_the_timeout(openai_server: WireServer) -> None:
    slow = openai_reply("late")
    slow.delay = 1.0
    openai_server.add(slow, slow)
    policy = RetryPolicy(max_attempts=2, initial_delay=0.001)

    with pytest.raises(ModelProviderError, match="timed out") as caught:
        make_model(openai_server, policy, timeout=0.2).generate(USER)

    assert caught.value.status_code is None and caught.value.is_retryable


def test_connection_refused_is_a_clear_connection_error(fast_retry: RetryPolicy) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    model = OpenAIServerModel("gpt-4o", api_base=f"http://127.0.0.1:{port}/v1", api_key="k", retry=fast_retry)

    with pytest.raises(ModelProviderError, match="Could not reach the provider") as caught:
        model.generate(USER)

    assert "after 3 attempts" in caught.value.message


def test_retry_false_makes_a_single_attempt(openai_server: WireServer) -> None:
    openai_server.add(error_reply(503))

    with pytest.raises(ModelProviderError):
        make_model(openai_server, False).generate(USER)

    assert len(openai_server.requests) == 1


def test_stream_is_retried_when_opening_it_fails(openai_server: WireServer, fast_retry: RetryPolicy) -> None:
    openai_server.add(error_reply(502), openai_stream_reply(["fine"]))

    message = agglomerate_stream_deltas(make_model(openai_server, fast_retry).generate_stream(USER))

    assert message.content == "fine"
    assert len(openai_server.requests) == 2


async def test_async_generate_retries_and_maps_errors(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(error_reply(500), error_reply(429, headers={"Retry-After": "0"}))
    model = make_model(openai_server, fast_retry)

    assert (await model.agenerate(USER)).content == "Hello!"

    openai_server.add(error_reply(403, "forbidden"))
    with pytest.raises(ModelProviderError) as caught:
        await model.agenerate(USER)
    assert caught.value.status_code == 403


async def test_async_stream_maps_persistent_failure(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(*[error_reply(500)] * 3)
    model = make_model(openai_server, fast_retry)

    with pytest.raises(ModelProviderError) as caught:
        async for _ in model.agenerate_stream(USER):
            pass

    assert caught.value.status_code == 500
    assert len(openai_server.requests) == 3


def _chunk_line(payload: dict[str, object]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


FIRST_CHUNK = _chunk_line(
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "part"}, "finish_reason": None}],
    }
)


def test_error_event_in_the_middle_of_a_stream_is_a_provider_error(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    error_event = _chunk_line({"error": {"message": "model overloaded mid-stream", "type": "server_error"}})
    openai_server.add(Reply(headers={"Content-Type": "text/event-stream"}, chunks=[FIRST_CHUNK, error_event]))
    received: list[str] = []

    with pytest.raises(ModelProviderError, match="model overloaded mid-stream"):
        for delta in make_model(openai_server, fast_retry).generate_stream(USER):
            received.append(delta.content or "")

    assert received == ["part"]  # what was already streamed is not sent twice
    assert len(openai_server.requests) == 1


def test_server_hanging_up_mid_stream_is_a_connection_error(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    truncated = Reply(
        headers={"Content-Type": "text/event-stream", "Content-Length": "100000"}, chunks=[FIRST_CHUNK]
    )
    openai_server.add(truncated)

    received: list[str] = []
    with pytest.raises(ModelProviderError, match="connection failed while reading") as caught:
        for delta in make_model(openai_server, fast_retry).generate_stream(USER):
            received.append(delta.content or "")

    assert received == ["part"]  # the cut came after a chunk reached the caller: not retried
    assert "peer closed connection" in str(caught.value)  # the transport's own words, not "Connection error."
    assert len(openai_server.requests) == 1


async def test_async_stream_cut_mid_answer_is_a_read_failure(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    openai_server.add(
        Reply(headers={"Content-Type": "text/event-stream", "Content-Length": "100000"}, chunks=[FIRST_CHUNK])
    )
    received: list[str] = []

    with pytest.raises(ModelProviderError, match="connection failed while reading"):
        async for delta in make_model(openai_server, fast_retry).agenerate_stream(USER):
            received.append(delta.content or "")

    assert received == ["part"]
    assert len(openai_server.requests) == 1


def test_stream_cut_before_its_first_chunk_is_retried(
    openai_server: WireServer, fast_retry: RetryPolicy
) -> None:
    # Headers arrive, then the server hangs up: nothing reached the caller, so the call is retried.
    openai_server.add(
        Reply(headers={"Content-Type": "text/event-stream", "Content-Length": "100000"}, chunks=[])
    )
    openai_server.add(openai_stream_reply(pieces=["Hel", "lo"]))

    text = agglomerate_stream_deltas(
        list(make_model(openai_server, fast_retry).generate_stream(USER))
    ).content

    assert text == "Hello"
    assert len(openai_server.requests) == 2


async def test_concurrent_async_calls_share_the_rate_limit(openai_server: WireServer) -> None:
    model = OpenAIServerModel(
        "gpt-4o", api_base=f"{openai_server.url}/v1", api_key="k", requests_per_minute=1200
    )

    start = time.monotonic()
    replies = await asyncio.gather(*(model.agenerate(USER) for _ in range(4)))

    assert [reply.content for reply in replies] == ["Hello!"] * 4
    assert time.monotonic() - start >= 0.15  # four calls, 50 ms apart
