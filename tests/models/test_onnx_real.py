"""OnnxModel, the embedded default, on the real SmolLM2-135M-Instruct weights.

One conversion (GGUF -> ONNX, numpy only) and one loaded model are shared by the module, in the
session's cache directory. Assertions are on well-formedness, never on the model's arithmetic.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _local_models import first_action_step, session_cache_root

from smolagents import CodeAgent, LogLevel, ToolCallingAgent
from smolagents._errors import AgentParsingError
from smolagents._events import ModelCallFinished
from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents.memory import ActionStep
from smolagents.models import REMOVE_PARAMETER
from smolagents.models import _embedded as embedded
from smolagents.tools import tool

pytest.importorskip("onnxruntime_genai")
from smolagents.models.onnx import OnnxModel, default_threads  # after the skip

pytestmark = pytest.mark.real_model

CODE_PROMPT = [ChatMessage(MessageRole.USER, "Write Python code that prints the sum of 2 and 3.")]
TASKS = [
    "What is 7 times 6?",
    "Print the numbers from 1 to 5.",
    "How many letters are in the word 'smolagents'?",
    "What is the square root of 144?",
    "Reverse the string 'hello'.",
]


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = session_cache_root(tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SMOLAGENTS_CACHE", str(root))
        patch.delenv("SMOLAGENTS_ONNX_MODEL", raising=False)
        yield root


@pytest.fixture(scope="module")
def conversion(cache_root: Path) -> tuple[Path, float]:
    """Build the ONNX model into this session's cache; return the directory and how long it took."""
    started = time.perf_counter()
    directory = embedded.ensure_embedded_onnx(show_progress=False)
    return directory, time.perf_counter() - started


@pytest.fixture(scope="module")
def model(conversion: tuple[Path, float]) -> OnnxModel:
    return OnnxModel(max_new_tokens=48)


@pytest.fixture(scope="module")
def reference(model: OnnxModel) -> ChatMessage:
    """The greedy free-text reply to CODE_PROMPT."""
    return model.generate(CODE_PROMPT)


def test_conversion_writes_an_onnxruntime_genai_folder_once(
    conversion: tuple[Path, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, _ = conversion
    config = json.loads((directory / "genai_config.json").read_text())
    assert config["model"]["type"] == "llama" and config["model"]["decoder"]["num_hidden_layers"] == 30
    assert 100_000_000 < (directory / "model.onnx.data").stat().st_size < 200_000_000  # 4-bit blocks

    def no_conversion(*args: object) -> None:
        raise AssertionError("the cached conversion should have been reused")

    monkeypatch.setattr(embedded, "_export_onnx", no_conversion)
    assert embedded.ensure_embedded_onnx() == directory


def test_default_model_is_the_embedded_onnx_model_on_every_core(
    model: OnnxModel, conversion: tuple[Path, float]
) -> None:
    assert model.is_embedded and model.model_id is None and model.model_path == str(conversion[0])
    assert model.threads == default_threads() >= 1
    assert model.structured_generation and model.context_length == 8192
    agent = CodeAgent(tools=[], model=None, verbosity_level=LogLevel.OFF)
    assert isinstance(agent.model, OnnxModel) and agent.model.is_embedded


def test_free_text_reply_counts_tokens_and_streams_the_same_text(
    model: OnnxModel, reference: ChatMessage
) -> None:
    assert "```" in reference.text  # SmolLM2 answers a code request with a fenced block
    usage = reference.token_usage
    assert usage is not None and 0 < usage.output_tokens <= 48
    assert usage.input_tokens == len(model._tokenizer.encode(model.render_prompt(CODE_PROMPT)))
    deltas = list(model.generate_stream(CODE_PROMPT))
    assert len([delta for delta in deltas if delta.content]) > 5
    joined = agglomerate_stream_deltas(deltas)
    assert joined.content == reference.content and joined.token_usage == reference.token_usage


def test_stop_sequence_cuts_the_reply_and_ends_generation(model: OnnxModel, reference: ChatMessage) -> None:
    stop = "print("
    assert stop in reference.text, reference.text
    stopped = model.generate(CODE_PROMPT, stop_sequences=[stop])
    assert stopped.content == reference.text[: reference.text.index(stop)]
    assert stopped.token_usage.output_tokens < reference.token_usage.output_tokens  # type: ignore[union-attr]


def test_per_call_budget_wins_and_remove_parameter_drops_it(model: OnnxModel) -> None:
    assert model.generate(CODE_PROMPT, max_new_tokens=5).token_usage.output_tokens == 5  # type: ignore[union-attr]
    model.kwargs["max_tokens"] = 3
    try:
        assert model.generate(CODE_PROMPT).token_usage.output_tokens == 3  # type: ignore[union-attr]
        dropped = model.generate(CODE_PROMPT, max_tokens=REMOVE_PARAMETER, max_new_tokens=7)
        assert dropped.token_usage.output_tokens == 7  # type: ignore[union-attr]
    finally:
        del model.kwargs["max_tokens"]


def test_unknown_option_and_overlong_prompt_are_refused_clearly(model: OnnxModel) -> None:
    with pytest.raises(ValueError, match="not_an_option"):
        model.generate(CODE_PROMPT, not_an_option=1)
    with pytest.raises(
        ValueError, match=r"The prompt has \d+ tokens but the embedded model reads at most 8192"
    ):
        model.generate([ChatMessage(MessageRole.USER, "word " * 9000)])


def test_next_prompt_reuses_the_cached_prefix_and_gives_the_same_reply(
    model: OnnxModel, reference: ChatMessage
) -> None:
    follow_up = [
        *CODE_PROMPT,
        ChatMessage(MessageRole.ASSISTANT, reference.text),
        ChatMessage(MessageRole.USER, "Now print 3 + 4 the same way."),
    ]
    model.generate(CODE_PROMPT, max_new_tokens=4)  # leaves CODE_PROMPT's cache behind
    cached = model.generate(follow_up, max_new_tokens=24)
    assert 30 <= cached.raw["cached_prompt_tokens"] < cached.token_usage.input_tokens  # type: ignore[union-attr]
    model.reuse_prompt_cache = False
    try:
        fresh = model.generate(follow_up, max_new_tokens=24)
    finally:
        model.reuse_prompt_cache = True
    assert fresh.raw["cached_prompt_tokens"] == 0 and cached.content == fresh.content


def test_abandoned_stream_frees_the_model(model: OnnxModel) -> None:
    stream = model.generate_stream(CODE_PROMPT, max_new_tokens=400)
    next(stream)
    stream.close()
    assert not model._lock.locked()
    assert model.generate(CODE_PROMPT, max_new_tokens=3).token_usage.output_tokens == 3  # type: ignore[union-attr]


def test_code_action_reply_is_a_thought_and_one_block_in_the_requested_tags(model: OnnxModel) -> None:
    for tags in (("```py", "```"), ("<code>", "</code>")):
        reply = model.generate(CODE_PROMPT, code_block_tags=tags, max_new_tokens=120).text
        assert reply.startswith("Thought: ") and reply.count(tags[0]) == 1 and reply.endswith(tags[1]), reply
        ast.parse(reply.split(tags[0] + "\n", 1)[1].removesuffix(tags[1]))


def test_a_tiny_budget_still_closes_the_code_block(model: OnnxModel) -> None:
    reply = model.generate(CODE_PROMPT, code_block_tags=("<code>", "</code>"), max_new_tokens=40).text
    assert reply.endswith("</code>"), reply


def test_response_format_reply_is_json_matching_the_schema(model: OnnxModel) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
        "additionalProperties": False,
    }
    reply = model.generate(
        [ChatMessage(MessageRole.USER, "Give the largest city of France and its population as JSON.")],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema}},
        max_new_tokens=60,
    )
    data = json.loads(reply.text)
    assert set(data) == {"city", "population"} and isinstance(data["population"], int)


def test_every_reply_of_a_five_task_code_agent_run_parses(model: OnnxModel) -> None:
    agent = CodeAgent(tools=[], model=model, max_steps=3, verbosity_level=LogLevel.OFF)
    steps = [first_action_step(agent, task) for task in TASKS]
    for step in steps:
        assert not isinstance(step.error, AgentParsingError), (step.model_output, step.error)
        assert step.code_action is not None, step.model_output
        ast.parse(step.code_action)
        assert step.model_output and step.model_output.startswith("Thought: ")


def test_every_reply_of_a_tool_calling_run_is_a_call_of_a_declared_tool(model: OnnxModel) -> None:
    @tool
    def get_weather(city: str) -> str:
        """Return the weather in a city.

        Args:
            city: The city.
        """
        return f"sunny in {city}"

    agent = ToolCallingAgent(tools=[get_weather], model=model, max_steps=2, verbosity_level=LogLevel.OFF)
    agent.run("What is the weather in Paris?")
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert steps
    for step in steps:
        assert not isinstance(step.error, AgentParsingError), (step.model_output, step.error)
        assert step.tool_calls and step.tool_calls[0].name in {"get_weather", "final_answer"}


def test_to_dict_round_trips_to_the_embedded_default(model: OnnxModel) -> None:
    data = model.to_dict()
    assert data["class"] == "OnnxModel" and data["model_id"] is None and data["max_new_tokens"] == 48
    assert "threads" not in data  # the machine that loads the agent picks its own core count
    rebuilt = OnnxModel.from_dict(data)
    assert isinstance(rebuilt, OnnxModel) and rebuilt.is_embedded and rebuilt.to_dict() == data


def test_explicit_directory_loads_like_the_default(conversion: tuple[Path, float]) -> None:
    local = OnnxModel(model_id=str(conversion[0]), max_new_tokens=4, structured_generation=False)
    assert not local.is_embedded and local.model_id == str(conversion[0])
    assert local.generate([ChatMessage(MessageRole.USER, "Hi")]).token_usage.output_tokens <= 4  # type: ignore[union-attr]
    with pytest.raises(OSError, match="could not read the model"):
        OnnxModel(model_id=str(conversion[0].parent / "missing"))


def test_final_answer_at_the_step_limit_reads_the_steps_from_the_cache(model: OnnxModel) -> None:
    agent = CodeAgent(tools=[], model=model, max_steps=1, verbosity_level=LogLevel.OFF)
    replies: list[ModelCallFinished] = []
    agent.subscribe(lambda event: replies.append(event) if isinstance(event, ModelCallFinished) else None)
    agent.run("What is 7 times 6?")
    step, summary = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert summary.is_final_answer and summary.code_action is None  # the step limit's summary call
    assert summary.model_input_messages is None or summary.model_input_messages[0].role == MessageRole.SYSTEM
    assert step.token_usage is not None and summary.token_usage is not None
    # As in 1.26 the step-limit step keeps no model output: the reply is read from the event.
    message = [event for event in replies if event.purpose == "final_answer"][-1].message
    assert message is not None
    # The summary request starts with the step's whole prompt (system prompt included), so at
    # least that much is read from the cache the step left behind.
    assert message.raw["cached_prompt_tokens"] >= step.token_usage.input_tokens
    assert summary.token_usage.input_tokens > step.token_usage.input_tokens
