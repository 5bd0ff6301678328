"""Every model example of guided_tour.md, run unchanged against loopback provider servers.

Each snippet is copied verbatim from the tour. The environment points each provider SDK at a
local server speaking that provider's wire format (OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT,
ANTHROPIC_API_BASE, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, ...). Only placeholders the tour tells the
reader to fill in are filled in (an ``hf_`` token, the empty Azure settings), and the Ollama
example's ``http://localhost:11434`` is served on that very port.

Two tests per snippet: the model half (the snippet up to the agent, then one model call), and the
whole snippet, where the server answers with a code block that computes the answer and calls
`final_answer`, so the agent run goes through the real SDK, our parser and the interpreter.
"""

from __future__ import annotations

import errno
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from _servers import (
    RecordedRequest,
    Reply,
    WireServer,
    anthropic_reply,
    converse_response,
    hub_traffic_to,
    json_reply,
    ollama_responder,
    openai_responder,
)

from smolagents._messages import ChatMessage, MessageRole

CODE_REPLY = (
    "Thought: I will iterate the sequence.\n"
    "```py\na, b = 0, 1\nfor _ in range(117):\n    a, b = b, a + b\nfinal_answer(b)\n```"
)


def expected_answer() -> int:
    a, b = 0, 1
    for _ in range(117):
        a, b = b, a + b
    return b


# ---- the snippets, verbatim from guided_tour.md ------------------------------------------------

INFERENCE_PROVIDERS = """
from smolagents import CodeAgent, InferenceClientModel

model_id = "meta-llama/Llama-3.3-70B-Instruct"

model = InferenceClientModel(model_id=model_id, token="<YOUR_HUGGINGFACEHUB_API_TOKEN>") # You can choose to not pass any model_id to InferenceClientModel to use a default model
# you can also specify a particular provider e.g. provider="together" or provider="sambanova"
agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
    "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

ANTHROPIC = """
# !pip install 'smolagents[litellm]'
from smolagents import CodeAgent, LiteLLMModel

model = LiteLLMModel(model_id="anthropic/claude-3-5-sonnet-latest", api_key="YOUR_ANTHROPIC_API_KEY") # Could use 'gpt-4o'
agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
    "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

OLLAMA = """
# !pip install 'smolagents[litellm]'
from smolagents import CodeAgent, LiteLLMModel

model = LiteLLMModel(
    model_id="ollama_chat/llama3.2", # This model is a bit weak for agentic behaviours though
    api_base="http://localhost:11434", # replace with 127.0.0.1:11434 or remote open-ai compatible server if necessary
    api_key="YOUR_API_KEY", # replace with API key if necessary
    num_ctx=8192, # ollama default is 2048 which will fail horribly. 8192 works for easy tasks, more is better. Check https://huggingface.co/spaces/NyxKrage/LLM-Model-VRAM-Calculator to calculate how much VRAM this will need for the selected model.
)

agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
    "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

AZURE = """
# !pip install 'smolagents[openai]'
from smolagents import CodeAgent, AzureOpenAIServerModel

model = AzureOpenAIServerModel(model_id="gpt-4o-mini")
agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
    "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

LITELLM_AZURE = """
import os
from smolagents import CodeAgent, LiteLLMModel

AZURE_OPENAI_CHAT_DEPLOYMENT_NAME="gpt-35-turbo-16k-deployment" # example of deployment name

os.environ["AZURE_API_KEY"] = "" # api_key
os.environ["AZURE_API_BASE"] = "" # "https://example-endpoint.openai.azure.com"
os.environ["AZURE_API_VERSION"] = "" # "2024-10-01-preview"

model = LiteLLMModel(model_id="azure/" + AZURE_OPENAI_CHAT_DEPLOYMENT_NAME)
agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
   "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

BEDROCK_BASIC = """
# !pip install 'smolagents[bedrock]'
from smolagents import CodeAgent, AmazonBedrockServerModel

model = AmazonBedrockServerModel(model_id="anthropic.claude-3-sonnet-20240229-v1:0")
agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
    "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

BEDROCK_ADVANCED = """
import boto3
from smolagents import AmazonBedrockServerModel

# Create a custom Bedrock client
bedrock_client = boto3.client(
    'bedrock-runtime',
    region_name='us-east-1',
    aws_access_key_id='YOUR_ACCESS_KEY',
    aws_secret_access_key='YOUR_SECRET_KEY'
)

additional_api_config = {
    "inferenceConfig": {
        "maxTokens": 3000
    },
    "guardrailConfig": {
        "guardrailIdentifier": "identify1",
        "guardrailVersion": 'v1'
    },
}

# Initialize with comprehensive configuration
model = AmazonBedrockServerModel(
    model_id="us.amazon.nova-pro-v1:0",
    client=bedrock_client,  # Use custom client
    **additional_api_config
)

agent = CodeAgent(tools=[], model=model, add_base_tools=True)

agent.run(
    "Could you give me the 118th number in the Fibonacci sequence?",
)
"""

LITELLM_BEDROCK = """
from smolagents import LiteLLMModel, CodeAgent

model = LiteLLMModel(model_name="bedrock/anthropic.claude-3-sonnet-20240229-v1:0")
agent = CodeAgent(tools=[], model=model)

agent.run("Explain the concept of quantum computing")
"""

REMOVE_PARAMETER_EXAMPLE = """
from smolagents import OpenAIServerModel, REMOVE_PARAMETER

# Remove "stop" parameter
model = OpenAIServerModel(
    model_id="gpt-5",
    stop=REMOVE_PARAMETER,  # Ensures "stop" is not included in API calls
    temperature=0.7
)

agent = CodeAgent(tools=[], model=model, add_base_tools=True)
"""

# Placeholders the tour asks the reader to replace with their own values.
FILLED_IN = {
    '"<YOUR_HUGGINGFACEHUB_API_TOKEN>"': '"hf_tour_token"',  # the router accepts only hf_ tokens
    'os.environ["AZURE_API_KEY"] = ""': 'os.environ["AZURE_API_KEY"] = "tour-azure-key"',
    'os.environ["AZURE_API_VERSION"] = ""': 'os.environ["AZURE_API_VERSION"] = "2024-10-01-preview"',
}


def fill_in(snippet: str, **values: str) -> str:
    for placeholder, value in {**FILLED_IN, **values}.items():
        snippet = snippet.replace(placeholder, value)
    return snippet


def model_half(snippet: str) -> str:
    """The snippet up to (not including) the line that builds the agent."""
    return snippet.split("\nagent = ")[0]


def run_snippet(source: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    scope: dict[str, Any] = {"__name__": "__tour__", **(namespace or {})}
    exec(compile(source, "guided_tour.md", "exec"), scope)
    return scope


def check_model_answers(scope: dict[str, Any], expected_text: str = CODE_REPLY) -> None:
    reply = scope["model"].generate([ChatMessage(MessageRole.USER, "Say hi")])
    assert reply.content == expected_text
    assert reply.token_usage is not None and reply.token_usage.total_tokens > 0


def check_agent_answered(scope: dict[str, Any]) -> None:
    final = scope["agent"].memory.steps[-1]
    assert final.is_final_answer, final
    assert final.action_output == expected_answer()


@pytest.fixture
def agent_core() -> dict[str, Any]:
    """The agent classes; the tests of whole snippets need the agent core and its interpreter."""
    try:
        importlib.import_module("smolagents.local_python_executor")
        agents = importlib.import_module("smolagents.agents")
    except ModuleNotFoundError as error:  # pragma: no cover - only while the core is being written
        pytest.skip(f"agent core not available yet: {error}")
    return {"CodeAgent": agents.CodeAgent}


# ---- servers and environments ------------------------------------------------------------------


@pytest.fixture
def hf_router(hub_online: None) -> Iterator[WireServer]:
    """The Hugging Face router (a fixed URL in the SDK), reached through the SDK's client factory."""
    wire = WireServer(openai_responder(CODE_REPLY))
    with hub_traffic_to(wire):
        yield wire
    wire.close()


@pytest.fixture
def anthropic_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireServer]:
    wire = WireServer(lambda request: anthropic_reply(CODE_REPLY))
    monkeypatch.setenv("ANTHROPIC_API_BASE", wire.url)
    yield wire
    wire.close()


@pytest.fixture
def ollama_on_default_port() -> Iterator[WireServer]:
    try:
        wire = WireServer(ollama_responder(CODE_REPLY), port=11434)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        pytest.skip("port 11434 (the tour's Ollama address) is taken on this machine")
    yield wire
    wire.close()


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireServer]:
    wire = WireServer(openai_responder(CODE_REPLY))
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", wire.url)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "tour-azure-openai-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    yield wire
    wire.close()


@pytest.fixture
def litellm_azure(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireServer]:
    wire = WireServer(openai_responder(CODE_REPLY))
    for name in ("AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"):
        monkeypatch.delenv(name, raising=False)  # restored after the snippet sets them
    yield wire
    wire.close()


def converse_responder(request: RecordedRequest) -> Reply:
    return json_reply(converse_response(CODE_REPLY))


@pytest.fixture
def bedrock_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireServer]:
    wire = WireServer(converse_responder)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", wire.url)  # boto3
    monkeypatch.setenv("AWS_BEDROCK_RUNTIME_ENDPOINT", wire.url)  # litellm
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTOUR")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "tour-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION_NAME", "us-east-1")
    yield wire
    wire.close()


@pytest.fixture
def openai_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireServer]:
    wire = WireServer(openai_responder(CODE_REPLY))
    monkeypatch.setenv("OPENAI_BASE_URL", f"{wire.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-tour")
    yield wire
    wire.close()


# ---- model halves ------------------------------------------------------------------------------


def test_tour_inference_providers_model(hf_router: WireServer) -> None:
    check_model_answers(run_snippet(model_half(fill_in(INFERENCE_PROVIDERS))))
    assert hf_router.last.headers["authorization"] == "Bearer hf_tour_token"
    assert hf_router.last.json["model"] == "meta-llama/Llama-3.3-70B-Instruct"


def test_tour_anthropic_model(anthropic_env: WireServer) -> None:
    check_model_answers(run_snippet(model_half(ANTHROPIC)))
    assert anthropic_env.last.path == "/v1/messages"
    assert anthropic_env.last.headers["x-api-key"] == "YOUR_ANTHROPIC_API_KEY"


def test_tour_ollama_model(ollama_on_default_port: WireServer) -> None:
    check_model_answers(run_snippet(model_half(OLLAMA)))
    (chat,) = ollama_on_default_port.sent_to("/api/chat")
    assert chat.json["options"]["num_ctx"] == 8192


def test_tour_azure_openai_model(azure_env: WireServer) -> None:
    check_model_answers(run_snippet(model_half(AZURE)))
    assert azure_env.last.path == "/openai/deployments/gpt-4o-mini/chat/completions"
    assert azure_env.last.headers["api-key"] == "tour-azure-openai-key"


def test_tour_litellm_azure_model(litellm_azure: WireServer) -> None:
    source = fill_in(
        LITELLM_AZURE,
        **{'os.environ["AZURE_API_BASE"] = ""': f'os.environ["AZURE_API_BASE"] = "{litellm_azure.url}"'},
    )
    check_model_answers(run_snippet(model_half(source)))
    assert litellm_azure.last.path == "/openai/deployments/gpt-35-turbo-16k-deployment/chat/completions"
    assert litellm_azure.last.headers["api-key"] == "tour-azure-key"


def test_tour_bedrock_basic_model(bedrock_env: WireServer) -> None:
    check_model_answers(run_snippet(model_half(BEDROCK_BASIC)))
    assert bedrock_env.last.path == "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse"


def test_tour_bedrock_advanced_configuration_reaches_the_request(bedrock_env: WireServer) -> None:
    check_model_answers(run_snippet(model_half(BEDROCK_ADVANCED)))
    body = bedrock_env.last.json
    assert body["inferenceConfig"] == {"maxTokens": 3000}
    assert body["guardrailConfig"] == {"guardrailIdentifier": "identify1", "guardrailVersion": "v1"}
    assert "Credential=YOUR_ACCESS_KEY/" in bedrock_env.last.headers["authorization"]


def test_tour_litellm_bedrock_model(bedrock_env: WireServer) -> None:
    check_model_answers(run_snippet(model_half(LITELLM_BEDROCK)))
    assert bedrock_env.last.path == "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse"


def test_tour_remove_parameter_model_sends_no_stop(openai_env: WireServer) -> None:
    scope = run_snippet(model_half(REMOVE_PARAMETER_EXAMPLE))
    reply = scope["model"].generate([ChatMessage(MessageRole.USER, "hi")], stop_sequences=["Observation:"])
    assert reply.content == CODE_REPLY
    assert "stop" not in openai_env.last.json
    assert openai_env.last.json["temperature"] == 0.7 and openai_env.last.json["model"] == "gpt-5"


# ---- whole snippets: the agent runs on the model -----------------------------------------------


def test_tour_inference_providers_agent_run(hf_router: WireServer, agent_core: dict[str, Any]) -> None:
    check_agent_answered(run_snippet(fill_in(INFERENCE_PROVIDERS)))
    assert "118th number" in str(hf_router.last.json["messages"])


def test_tour_anthropic_agent_run(anthropic_env: WireServer, agent_core: dict[str, Any]) -> None:
    check_agent_answered(run_snippet(ANTHROPIC))
    assert "118th number" in str(anthropic_env.last.json["messages"])


def test_tour_ollama_agent_run(ollama_on_default_port: WireServer, agent_core: dict[str, Any]) -> None:
    check_agent_answered(run_snippet(OLLAMA))
    assert "118th number" in str(ollama_on_default_port.sent_to("/api/chat")[-1].json["messages"])


def test_tour_azure_openai_agent_run(azure_env: WireServer, agent_core: dict[str, Any]) -> None:
    check_agent_answered(run_snippet(AZURE))
    assert azure_env.last.path == "/openai/deployments/gpt-4o-mini/chat/completions"


def test_tour_litellm_azure_agent_run(litellm_azure: WireServer, agent_core: dict[str, Any]) -> None:
    source = fill_in(
        LITELLM_AZURE,
        **{'os.environ["AZURE_API_BASE"] = ""': f'os.environ["AZURE_API_BASE"] = "{litellm_azure.url}"'},
    )
    check_agent_answered(run_snippet(source))


def test_tour_bedrock_basic_agent_run(bedrock_env: WireServer, agent_core: dict[str, Any]) -> None:
    check_agent_answered(run_snippet(BEDROCK_BASIC))
    assert bedrock_env.last.json["system"][0]["text"]  # the agent's system prompt went to `system`


def test_tour_bedrock_advanced_agent_run(bedrock_env: WireServer, agent_core: dict[str, Any]) -> None:
    # The snippet uses CodeAgent imported by an earlier snippet of the tour.
    check_agent_answered(run_snippet(BEDROCK_ADVANCED, agent_core))
    assert bedrock_env.last.json["guardrailConfig"]["guardrailIdentifier"] == "identify1"


def test_tour_litellm_bedrock_agent_run(bedrock_env: WireServer, agent_core: dict[str, Any]) -> None:
    check_agent_answered(run_snippet(LITELLM_BEDROCK))
    assert "quantum computing" in str(bedrock_env.last.json["messages"])


def test_tour_remove_parameter_agent_run(openai_env: WireServer, agent_core: dict[str, Any]) -> None:
    scope = run_snippet(REMOVE_PARAMETER_EXAMPLE, agent_core)
    scope["agent"].run("Could you give me the 118th number in the Fibonacci sequence?")
    check_agent_answered(scope)
    body = openai_env.last.json
    assert "stop" not in body and body["temperature"] == 0.7
