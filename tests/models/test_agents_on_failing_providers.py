"""Agents on real provider SDKs whose servers fail mid-run.

A transient failure is retried and the run goes on; a persistent one ends the run with an
`AgentGenerationError` (a `ModelProviderError` carrying the status), and the agent's memory
keeps every step taken before it.
"""

from __future__ import annotations

from typing import Any

import pytest
from _servers import (
    WireServer,
    bedrock_error_reply,
    converse_response,
    error_reply,
    json_reply,
    openai_reply,
    openai_stream_reply,
    raw_reply,
)

from smolagents._errors import AgentGenerationError, ModelProviderError
from smolagents.agents import CodeAgent, ToolCallingAgent
from smolagents.memory import ActionStep, TaskStep
from smolagents.models import AmazonBedrockServerModel, LiteLLMModel, OpenAIServerModel
from smolagents.models._retry import RetryPolicy
from smolagents.tools import Tool

FIRST_STEP = "Thought: look first.\n```py\nx = 6 * 7\nprint('x is', x)\n```"
FINAL_STEP = "Thought: done.\n```py\nfinal_answer(x)\n```"
TASK = "What is six times seven?"


def code_agent(server: WireServer, retry: RetryPolicy, **kwargs: Any) -> CodeAgent:
    model = OpenAIServerModel(
        "gpt-4o", api_base=f"{server.url}/v1", api_key="sk-test", retry=retry, client_kwargs={"timeout": 2.0}
    )
    return CodeAgent(tools=[], model=model, max_steps=4, **kwargs)


def action_steps(agent: CodeAgent | ToolCallingAgent) -> list[ActionStep]:
    return [step for step in agent.memory.steps if isinstance(step, ActionStep)]


def assert_first_step_kept(agent: CodeAgent) -> None:
    assert isinstance(agent.memory.steps[0], TaskStep) and agent.memory.steps[0].task == TASK
    first = action_steps(agent)[0]
    assert first.error is None
    assert "x is 42" in (first.observations or "")


def test_persistent_server_error_after_a_good_step_ends_the_run_and_keeps_memory(
    server: WireServer, fast_retry: RetryPolicy
) -> None:
    server.add(openai_reply(FIRST_STEP), *[error_reply(500, "backend down")] * 3)
    agent = code_agent(server, fast_retry)

    with pytest.raises(AgentGenerationError) as caught:
        agent.run(TASK)

    error = caught.value
    assert isinstance(error, ModelProviderError) and error.status_code == 500
    assert "backend down" in error.message
    assert_first_step_kept(agent)
    failed = action_steps(agent)[1]
    assert failed.error is error
    assert len(server.requests) == 4  # one good call, then three attempts


def test_rate_limit_mid_run_is_waited_out_and_the_run_finishes(
    server: WireServer, fast_retry: RetryPolicy
) -> None:
    server.add(
        openai_reply(FIRST_STEP),
        error_reply(429, "slow down", headers={"Retry-After": "0.05"}),
        openai_reply(FINAL_STEP),
    )
    agent = code_agent(server, fast_retry)

    assert agent.run(TASK) == 42
    assert [step.error for step in action_steps(agent)] == [None, None]
    # The retried call carried the whole conversation, with the first step's observation.
    assert "x is 42" in str(server.requests[2].json["messages"])


def test_timeout_mid_run_is_retried_and_the_run_finishes(server: WireServer, fast_retry: RetryPolicy) -> None:
    slow = openai_reply(FINAL_STEP)
    slow.delay = 3.0
    server.add(openai_reply(FIRST_STEP), slow, openai_reply(FINAL_STEP))

    assert code_agent(server, fast_retry).run(TASK) == 42
    assert len(server.requests) == 3


def test_malformed_json_mid_run_is_a_clear_generation_error(
    server: WireServer, fast_retry: RetryPolicy
) -> None:
    server.add(openai_reply(FIRST_STEP), raw_reply(b'{"choices": [{"mess'))
    agent = code_agent(server, fast_retry)

    with pytest.raises(AgentGenerationError, match="not valid JSON"):
        agent.run(TASK)

    assert_first_step_kept(agent)


def test_streaming_agent_keeps_memory_when_the_provider_fails(
    server: WireServer, fast_retry: RetryPolicy
) -> None:
    server.add(openai_stream_reply([FIRST_STEP]), *[error_reply(503)] * 3)
    agent = code_agent(server, fast_retry, stream_outputs=True)

    with pytest.raises(AgentGenerationError) as caught:
        agent.run(TASK)

    assert isinstance(caught.value, ModelProviderError) and caught.value.status_code == 503
    assert_first_step_kept(agent)


def test_unauthorized_on_the_first_call_fails_fast_with_the_fix(
    server: WireServer, fast_retry: RetryPolicy
) -> None:
    server.add(error_reply(401, "invalid api key"))
    model = LiteLLMModel(
        model_id="openai/gpt-4o", api_base=f"{server.url}/v1", api_key="bad", retry=fast_retry
    )
    agent = CodeAgent(tools=[], model=model, max_steps=2)

    with pytest.raises(AgentGenerationError, match="api_key"):
        agent.run(TASK)

    assert len(server.requests) == 1


@pytest.fixture
def bedrock_server(server: WireServer, monkeypatch: pytest.MonkeyPatch) -> WireServer:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return server


def test_tool_calling_agent_on_bedrock_keeps_its_tool_step_when_throttled(
    bedrock_server: WireServer, weather_tool: Tool, fast_retry: RetryPolicy
) -> None:
    bedrock_server.add(
        json_reply(converse_response(None, tool_use=("get_weather", {"city": "Paris"}))),
        *[bedrock_error_reply(429, "ThrottlingException", "Too many requests")] * 3,
    )
    agent = ToolCallingAgent(
        tools=[weather_tool], model=AmazonBedrockServerModel("m", retry=fast_retry), max_steps=3
    )

    with pytest.raises(ModelProviderError, match="rate limiting") as caught:
        agent.run("Weather in Paris?")

    assert caught.value.status_code == 429
    first = action_steps(agent)[0]
    assert first.tool_calls[0].name == "get_weather" and first.tool_calls[0].arguments == {"city": "Paris"}
    assert "Sunny in Paris" in (first.observations or "")
    # The failing call was sent the tool result of the first step.
    assert "Sunny in Paris" in str(bedrock_server.requests[1].json["messages"])


def test_tool_calling_agent_on_bedrock_finishes_after_a_transient_error(
    bedrock_server: WireServer, weather_tool: Tool, fast_retry: RetryPolicy
) -> None:
    bedrock_server.add(
        json_reply(converse_response(None, tool_use=("get_weather", {"city": "Paris"}))),
        bedrock_error_reply(503, "ServiceUnavailableException"),
        json_reply(converse_response(None, tool_use=("final_answer", {"answer": "Sunny"}))),
    )
    agent = ToolCallingAgent(
        tools=[weather_tool], model=AmazonBedrockServerModel("m", retry=fast_retry), max_steps=3
    )

    assert agent.run("Weather in Paris?") == "Sunny"
    assert len(bedrock_server.requests) == 3
