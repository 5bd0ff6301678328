"""AzureOpenAIServerModel through the real openai Azure client against a loopback server."""

from __future__ import annotations

import pytest
from _servers import WireServer, error_reply, openai_stream_reply

from smolagents._errors import ModelProviderError
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents._usage import TokenUsage
from smolagents.models import AzureOpenAIModel, AzureOpenAIServerModel
from smolagents.models._retry import RetryPolicy

USER = [ChatMessage(MessageRole.USER, "hi")]


def test_requests_go_to_the_deployment_path_with_api_key_header(openai_server: WireServer) -> None:
    model = AzureOpenAIServerModel(
        "gpt-4o-mini-deploy", azure_endpoint=openai_server.url, api_key="azure-key", api_version="2024-10-21"
    )

    reply = model.generate(USER, max_tokens=20)

    request = openai_server.last
    assert request.path == "/openai/deployments/gpt-4o-mini-deploy/chat/completions"
    assert request.query["api-version"] == ["2024-10-21"]
    assert request.headers["api-key"] == "azure-key"
    assert "authorization" not in request.headers
    assert request.json["max_tokens"] == 20
    assert reply.content == "Hello!" and reply.token_usage == TokenUsage(11, 7)


def test_environment_variables_configure_endpoint_key_and_version(
    openai_server: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", openai_server.url)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-06-01")

    AzureOpenAIModel("my-deployment").generate(USER)

    request = openai_server.last
    assert request.path == "/openai/deployments/my-deployment/chat/completions"
    assert request.query["api-version"] == ["2024-06-01"]
    assert request.headers["api-key"] == "env-key"


def test_stream_and_async_use_the_deployment_path(openai_server: WireServer) -> None:
    openai_server.add(openai_stream_reply(["a", "b"], prompt_tokens=3, completion_tokens=2))
    model = AzureOpenAIServerModel(
        "dep", azure_endpoint=openai_server.url, api_key="k", api_version="2024-10-21"
    )

    message = agglomerate_stream_deltas(model.generate_stream(USER))

    assert message.content == "ab" and message.token_usage == TokenUsage(3, 2)
    assert openai_server.last.path == "/openai/deployments/dep/chat/completions"


async def test_async_generate_uses_the_async_azure_client(openai_server: WireServer) -> None:
    model = AzureOpenAIServerModel(
        "dep", azure_endpoint=openai_server.url, api_key="k", api_version="2024-10-21"
    )

    reply = await model.agenerate(USER)

    assert reply.content == "Hello!"
    assert openai_server.last.headers["x-stainless-async"].startswith("async")
    assert openai_server.last.path == "/openai/deployments/dep/chat/completions"


def test_missing_configuration_says_which_variables_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(ValueError, match="AZURE_OPENAI_ENDPOINT"):
        AzureOpenAIServerModel("dep", api_key="k", api_version="2024-10-21")


def test_unauthorized_names_the_azure_key_variable(openai_server: WireServer) -> None:
    openai_server.add(error_reply(401, "Access denied due to invalid subscription key"))
    model = AzureOpenAIServerModel(
        "dep", azure_endpoint=openai_server.url, api_key="bad", api_version="2024-10-21", retry=RetryPolicy()
    )

    with pytest.raises(ModelProviderError, match="AZURE_OPENAI_API_KEY") as caught:
        model.generate(USER)

    assert caught.value.provider == "azure-openai" and caught.value.status_code == 401
    assert len(openai_server.requests) == 1


def test_to_dict_keeps_endpoint_and_version_but_not_the_key(openai_server: WireServer) -> None:
    model = AzureOpenAIServerModel(
        "dep", azure_endpoint=openai_server.url, api_key="secret", api_version="v1"
    )

    data = model.to_dict()

    assert data["azure_endpoint"] == openai_server.url and data["api_version"] == "v1"
    assert "secret" not in str(data)
