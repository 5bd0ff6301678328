"""VLLMModel and MLXModel wiring, with stand-in engine modules.

vLLM and mlx-lm cannot run on this machine (no GPU, no Apple silicon), so these tests install
small stand-in `vllm` / `mlx_lm` modules exposing the few calls our backends make, and check what
the backends send to them and how they map the results. The tokenizer is a real transformers one.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from _local_models import TEXT_ONLY_TEMPLATE, make_chat_tokenizer

from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents.models import REMOVE_PARAMETER
from smolagents.models.mlx import MLXModel, mlx_generation_options
from smolagents.models.vllm import VLLMModel, vllm_sampling_options

PROMPT = [ChatMessage(MessageRole.SYSTEM, "be brief"), ChatMessage(MessageRole.USER, "hello")]
RENDERED = (
    "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n"
)


@dataclass
class EngineRecord:
    """What the stand-in engine received."""

    init: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)
    produced: int = 0


@pytest.fixture
def vllm_engine(monkeypatch: pytest.MonkeyPatch) -> EngineRecord:
    record = EngineRecord()
    module = types.ModuleType("vllm")

    class SamplingParams:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs

    class StructuredOutputsParams:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs

    class LLM:
        def __init__(self, model: str, **kwargs: Any) -> None:
            record.init.append((model, kwargs))

        def get_tokenizer(self) -> Any:
            return make_chat_tokenizer(TEXT_ONLY_TEMPLATE)

        def generate(self, prompts: list[str], sampling_params: SamplingParams, use_tqdm: bool) -> list[Any]:
            record.prompts.extend(prompts)
            record.options.append(sampling_params.kwargs)
            output = types.SimpleNamespace(text="Hi there!", token_ids=[5, 6, 7])
            return [types.SimpleNamespace(prompt_token_ids=[1] * 11, outputs=[output])]

    module.LLM = LLM  # type: ignore[attr-defined]
    module.SamplingParams = SamplingParams  # type: ignore[attr-defined]
    module.sampling_params = types.SimpleNamespace(StructuredOutputsParams=StructuredOutputsParams)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vllm", module)
    return record


def test_vllm_model_sends_the_rendered_prompt_stops_and_options(vllm_engine: EngineRecord) -> None:
    model = VLLMModel("org/model", model_kwargs={"max_model_len": 4096}, temperature=0.2, top_p=0.5)
    message = model.generate(PROMPT, stop_sequences=["<end_code>"], top_p=0.9, max_new_tokens=64)
    assert vllm_engine.init == [("org/model", {"max_model_len": 4096})]
    assert vllm_engine.prompts == [RENDERED]
    assert vllm_engine.options == [
        {"max_tokens": 64, "temperature": 0.2, "top_p": 0.9, "stop": ["<end_code>"]}
    ]
    assert message.content == "Hi there!"
    assert message.token_usage is not None and (
        message.token_usage.input_tokens,
        message.token_usage.output_tokens,
    ) == (
        11,
        3,
    )


def test_vllm_model_turns_a_json_schema_response_format_into_structured_outputs(
    vllm_engine: EngineRecord,
) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}}
    VLLMModel("org/model").generate(
        PROMPT, response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}
    )
    structured = vllm_engine.options[0]["structured_outputs"]
    assert structured.kwargs == {"json": schema}
    assert vllm_engine.options[0]["max_tokens"] is None  # not vLLM's default of 16 tokens


def test_vllm_model_streams_its_whole_reply_then_usage(vllm_engine: EngineRecord) -> None:
    deltas = list(VLLMModel("org/model", max_tokens=REMOVE_PARAMETER).generate_stream(PROMPT))
    assert [delta.content for delta in deltas] == ["Hi there!", None]
    assert deltas[-1].token_usage is not None and deltas[-1].token_usage.total_tokens == 14
    assert "max_tokens" in vllm_engine.options[0] and vllm_engine.options[0]["max_tokens"] is None


def test_vllm_sampling_options_reject_an_unknown_response_format() -> None:
    with pytest.raises(ValueError, match="Unsupported response_format type 'xml'"):
        vllm_sampling_options(None, {"response_format": {"type": "xml"}})
    assert vllm_sampling_options(None, {"response_format": {"type": "json_object"}})[
        "structured_outputs"
    ] == {"json_object": True}


@pytest.fixture
def mlx_engine(monkeypatch: pytest.MonkeyPatch) -> EngineRecord:
    record = EngineRecord()
    module = types.ModuleType("mlx_lm")
    sample_utils = types.ModuleType("mlx_lm.sample_utils")
    pieces = ["Thought: ", "go\n", "```py\n", "x = 1\n", "```", "<end", "_code>", " more", " text", " never"]

    def load(model_id: str, tokenizer_config: dict[str, Any], **kwargs: Any) -> tuple[Any, Any]:
        record.init.append((model_id, {"tokenizer_config": tokenizer_config, **kwargs}))
        return object(), make_chat_tokenizer(TEXT_ONLY_TEMPLATE)

    def stream_generate(model: Any, tokenizer: Any, prompt: str, **kwargs: Any) -> Iterator[Any]:
        record.prompts.append(prompt)
        record.options.append(kwargs)
        for index, text in enumerate(pieces, start=1):
            record.produced = index
            yield types.SimpleNamespace(text=text, prompt_tokens=9, generation_tokens=index)

    module.load = load  # type: ignore[attr-defined]
    module.stream_generate = stream_generate  # type: ignore[attr-defined]
    sample_utils.make_sampler = lambda **kwargs: ("sampler", kwargs)  # type: ignore[attr-defined]
    module.sample_utils = sample_utils  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mlx_lm", module)
    monkeypatch.setitem(sys.modules, "mlx_lm.sample_utils", sample_utils)
    return record


def test_mlx_model_stops_generating_at_a_stop_sequence_split_across_pieces(mlx_engine: EngineRecord) -> None:
    model = MLXModel("mlx-community/model", trust_remote_code=True, load_kwargs={"lazy": True})
    message = model.generate(PROMPT, stop_sequences=["<end_code>"])
    assert mlx_engine.init == [
        ("mlx-community/model", {"tokenizer_config": {"trust_remote_code": True}, "lazy": True})
    ]
    assert mlx_engine.prompts == [RENDERED]
    assert message.content == "Thought: go\n```py\nx = 1\n```"
    assert mlx_engine.produced == 7  # the engine was not asked for the pieces after the stop
    assert message.token_usage is not None and message.token_usage.output_tokens == 7


def test_mlx_model_stream_matches_generate_and_maps_sampling_options(mlx_engine: EngineRecord) -> None:
    model = MLXModel("mlx-community/model", temperature=0.7, max_tokens=32)
    deltas = list(model.generate_stream(PROMPT, stop_sequences=["<end_code>"]))
    assert agglomerate_stream_deltas(deltas).content == "Thought: go\n```py\nx = 1\n```"
    assert mlx_engine.options[0] == {"max_tokens": 32, "sampler": ("sampler", {"temp": 0.7})}


def test_mlx_generation_options_default_to_a_bounded_length() -> None:
    generation, sampler = mlx_generation_options({"top_p": 0.9, "max_new_tokens": 12})
    assert generation == {"max_tokens": 12} and sampler == {"top_p": 0.9}
    assert mlx_generation_options({})[0]["max_tokens"] == 4096


def test_vllm_and_mlx_models_record_their_configuration(
    vllm_engine: EngineRecord, mlx_engine: EngineRecord
) -> None:
    vllm_model = VLLMModel("org/model", model_kwargs={"max_model_len": 4096}, temperature=0.1)
    assert vllm_model.to_dict() == {
        "class": "VLLMModel",
        "model_id": "org/model",
        "temperature": 0.1,
        "model_kwargs": {"max_model_len": 4096},
    }
    mlx_model = MLXModel(
        "mlx/model", trust_remote_code=True, apply_chat_template_kwargs={"enable_thinking": False}
    )
    rebuilt = MLXModel.from_dict(mlx_model.to_dict())
    assert isinstance(rebuilt, MLXModel) and rebuilt.trust_remote_code
    assert rebuilt.apply_chat_template_kwargs == {"enable_thinking": False}
