"""The helper names that smolagents 1.26 code imports, with 1.26's documented behaviour."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, Literal

import pytest

import smolagents
from smolagents import AgentLogger, CodeAgent, LogLevel, ScriptedModel
from smolagents.memory import ActionStep, CallbackRegistry, MemoryStep, PlanningStep, TaskStep
from smolagents.monitoring import Timing

# -- import paths --------------------------------------------------------------------------------

IMPORT_PATHS = {
    "smolagents.utils": [
        "parse_code_blobs",
        "parse_json_blob",
        "extract_code_from_text",
        "truncate_content",
        "is_valid_name",
        "make_json_serializable",
        "get_source",
        "instance_to_source",
        "make_init_file",
        "create_agent_gradio_app_template",
        "BASE_BUILTIN_MODULES",
        "AgentError",
        "AgentParsingError",
        "AgentExecutionError",
        "AgentMaxStepsError",
        "AgentToolCallError",
        "AgentToolExecutionError",
        "AgentGenerationError",
        "MAX_LENGTH_TRUNCATE_CONTENT",
        "encode_image_base64",
        "make_image_url",
    ],
    "smolagents.models": [
        "get_tool_call_from_text",
        "parse_json_if_needed",
        "remove_content_after_stop_sequences",
        "supports_stop_parameter",
        "agglomerate_stream_deltas",
        "MODEL_REGISTRY",
        "CODEAGENT_RESPONSE_FORMAT",
        "get_tool_json_schema",
    ],
    "smolagents.tools": [
        "get_json_schema",
        "PipelineTool",
        "BaseTool",
        "launch_gradio_demo",
        "validate_tool_arguments",
    ],
    "smolagents.tool_validation": ["validate_tool_attributes", "MethodChecker"],
    "smolagents._function_type_hints_utils": [
        "get_json_schema",
        "DocstringParsingException",
        "TypeHintParsingException",
        "get_imports",
        "get_package_name",
    ],
    "smolagents.memory": ["CallbackRegistry"],
    "smolagents.agents": [
        "populate_template",
        "handle_agent_output_types",
        "EMPTY_PROMPT_TEMPLATES",
        "AGENT_REGISTRY",
        "AgentError",
        "AgentMaxStepsError",
        "AgentToolCallError",
        "AgentGenerationError",
        "ToolCall",
    ],
    "smolagents.agent_types": ["handle_agent_output_types", "_AGENT_TYPE_MAPPING"],
}

TOP_LEVEL_OF_1_26 = [
    "AGENT_REGISTRY",
    "BaseTool",
    "CODEAGENT_RESPONSE_FORMAT",
    "CallbackRegistry",
    "EMPTY_PROMPT_TEMPLATES",
    "MODEL_REGISTRY",
    "agglomerate_stream_deltas",
    "create_agent_gradio_app_template",
    "extract_code_from_text",
    "handle_agent_output_types",
    "is_valid_name",
    "launch_gradio_demo",
    "make_init_file",
    "parse_code_blobs",
    "parse_json_if_needed",
    "populate_template",
    "truncate_content",
]


@pytest.mark.parametrize(("module", "names"), sorted(IMPORT_PATHS.items()))
def test_1_26_import_paths_resolve(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    missing = [name for name in names if not hasattr(loaded, name)]
    assert not missing, f"{module} lacks {missing}"


@pytest.mark.parametrize("name", TOP_LEVEL_OF_1_26)
def test_1_26_top_level_names_are_exported(name: str) -> None:
    assert name in smolagents.__all__ and getattr(smolagents, name) is not None


# -- utils -----------------------------------------------------------------------------------------


def test_parse_code_blobs_reads_every_format_and_raises_value_error_without_code() -> None:
    from smolagents.utils import parse_code_blobs

    assert parse_code_blobs("Here:\n<code>\nimport math\n</code>", ("<code>", "</code>")) == "import math"
    assert parse_code_blobs("Here:\n```python\nx = 1\n```", ("<code>", "</code>")) == "x = 1"
    assert parse_code_blobs("print('bare')", ("```python", "```")) == "print('bare')"
    with pytest.raises(ValueError, match=r"regex pattern <code>\(\.\*\?\)</code> was not found"):
        parse_code_blobs("No code, final answer soon.", ("<code>", "</code>"))


def test_extract_code_from_text_reads_only_the_given_tags_as_regular_expressions() -> None:
    from smolagents.utils import extract_code_from_text

    text = "<code>a = 1</code> and ```py\nb = 2\n```"
    assert extract_code_from_text(text, ("<code>", "</code>")) == "a = 1"
    assert extract_code_from_text(text, ("```(?:py|python)", "\n```")) == "b = 2"
    assert extract_code_from_text("nothing", ("<code>", "</code>")) is None


def test_parse_json_blob_returns_the_object_and_the_text_before_it() -> None:
    from smolagents.utils import parse_json_blob

    assert parse_json_blob('Action: {"name": "x", "arguments": {"a": 1}} done') == (
        {"name": "x", "arguments": {"a": 1}},
        "Action: ",
    )
    assert parse_json_blob('{"text": "two\nlines"}')[0] == {
        "text": "two\nlines"
    }  # raw newlines are tolerated
    with pytest.raises(ValueError, match="does not contain any JSON blob"):
        parse_json_blob("no json here")
    with pytest.raises(ValueError, match="The JSON blob you used is invalid due to the following error"):
        parse_json_blob('{"simple": ""json"}')


def test_truncate_content_keeps_head_and_tail() -> None:
    from smolagents.utils import truncate_content

    assert truncate_content("short", max_length=10) == "short"
    cut = truncate_content("a" * 30 + "b" * 30, max_length=20)
    assert (
        cut == "a" * 10 + "\n..._This content has been truncated to stay below 20 characters_...\n" + "b" * 10
    )


@pytest.mark.parametrize(
    ("name", "valid"),
    [("ok_name", True), ("_x", True), ("1x", False), ("a-b", False), ("class", False), (None, False)],
)
def test_is_valid_name(name: Any, valid: bool) -> None:
    from smolagents.utils import is_valid_name

    assert is_valid_name(name) is valid


def test_make_json_serializable_decodes_json_strings_and_describes_objects() -> None:
    from smolagents.utils import make_json_serializable

    class Point:
        def __init__(self) -> None:
            self.x, self.y = 1, (2, 3)

    assert make_json_serializable({"a": '{"b": [1]}', 2: Point(), "c": None}) == {
        "a": {"b": [1]},
        "2": {"_type": "Point", "x": 1, "y": [2, 3]},
        "c": None,
    }
    assert make_json_serializable("{not json}") == "{not json}"
    assert json.dumps(make_json_serializable({1, 2})).startswith('"')  # anything else becomes its str


def test_make_init_file_creates_the_folder_and_an_empty_init(tmp_path: Path) -> None:
    from smolagents.utils import make_init_file

    make_init_file(tmp_path / "pkg" / "sub")
    assert (tmp_path / "pkg" / "sub" / "__init__.py").read_text() == ""


def test_app_template_renders_1_26_variables_without_the_class_key() -> None:
    import ast

    from smolagents.utils import create_agent_gradio_app_template

    agent_dict = {
        "class": "CodeAgent",
        "model": {"class": "InferenceClientModel", "data": {"model_id": "m"}},
        "tools": [],
        "managed_agents": {},
        "requirements": [],
        "prompt_templates": {},
        "max_steps": 3,
    }
    text = create_agent_gradio_app_template().render(
        agent_name="agent",
        class_name="CodeAgent",
        agent_dict=agent_dict,
        tools={},
        managed_agents={},
        managed_agent_relative_path="",
    )
    ast.parse(text)
    assert "max_steps=3," in text and "class=" not in text and "model_id='m'," in text


# -- models ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "supported"),
    [
        ("openai/o3", False),
        ("o3-2025-04-16", False),
        ("o4-mini", False),
        ("gpt-5", False),
        ("openai/gpt-5.2-mini", False),
        ("oci/xai.grok-4", False),
        ("grok-3-mini", False),
        ("o3-mini", True),
        ("gpt-4o", True),
        ("anthropic/claude-3-5-sonnet", True),
        ("o3x", True),
        ("", True),
    ],
)
def test_supports_stop_parameter(model_id: str, supported: bool) -> None:
    from smolagents.models import supports_stop_parameter

    assert supports_stop_parameter(model_id) is supported


def test_remove_content_after_stop_sequences() -> None:
    from smolagents.models import remove_content_after_stop_sequences

    assert remove_content_after_stop_sequences("Hello<code>world", ["<code>"]) == "Hello"
    assert remove_content_after_stop_sequences("a STOP b END c", ["END", "STOP"]) == "a "
    assert remove_content_after_stop_sequences("Hello", None) == "Hello"
    assert remove_content_after_stop_sequences(None, ["x"]) is None


def test_get_tool_call_from_text_uses_1_26_wording_and_value_errors() -> None:
    from smolagents.models import get_tool_call_from_text

    call = get_tool_call_from_text(
        '{"name": "weather", "arguments": "{\\"city\\": \\"Paris\\"}"}', "name", "arguments"
    )
    assert (call.type, call.function.name, call.function.arguments) == (
        "function",
        "weather",
        {"city": "Paris"},
    )
    with pytest.raises(
        ValueError, match=r"Tool call needs to have a key 'name'\. Got keys: \['action'\] instead"
    ):
        get_tool_call_from_text('{"action": "weather"}', "name", "arguments")


def test_parse_json_if_needed() -> None:
    from smolagents.models import parse_json_if_needed

    assert parse_json_if_needed('{"a": 1}') == {"a": 1}
    assert parse_json_if_needed("plain") == "plain"
    assert parse_json_if_needed({"a": 1}) == {"a": 1}


def test_model_registry_lists_the_1_26_names_loads_lazily_and_can_be_patched() -> None:
    from unittest.mock import patch

    from smolagents.models import MODEL_REGISTRY, OpenAIServerModel

    for name in (
        "OpenAIModel",
        "InferenceClientModel",
        "LiteLLMModel",
        "TransformersModel",
        "AmazonBedrockModel",
    ):
        assert name in MODEL_REGISTRY
    assert MODEL_REGISTRY["OpenAIModel"] is OpenAIServerModel

    class MyModel(ScriptedModel):
        pass

    with patch.dict(MODEL_REGISTRY, {"MyModel": MyModel}):
        assert MODEL_REGISTRY["MyModel"] is MyModel
    assert "MyModel" not in MODEL_REGISTRY and "OpenAIModel" in MODEL_REGISTRY


def test_structured_code_agent_sends_the_1_26_response_format() -> None:
    from smolagents.models import CODEAGENT_RESPONSE_FORMAT

    model = ScriptedModel([json.dumps({"thought": "done", "code": "final_answer(3)"})])
    agent = CodeAgent(tools=[], model=model, use_structured_outputs_internally=True, logger=_quiet())
    assert agent.run("three?") == 3
    assert model.calls[0].response_format == CODEAGENT_RESPONSE_FORMAT
    assert CODEAGENT_RESPONSE_FORMAT["json_schema"]["schema"]["required"] == ["thought", "code"]


# -- memory and agents ---------------------------------------------------------------------------------


def test_callback_registry_calls_by_step_class_and_passes_what_a_callback_accepts() -> None:
    seen: list[tuple[str, object]] = []
    registry = CallbackRegistry()
    registry.register(ActionStep, lambda step: seen.append(("action", None)))
    registry.register(MemoryStep, lambda step, agent: seen.append(("any", agent)))
    registry.register(PlanningStep, lambda step, **kwargs: seen.append(("planning", kwargs)))
    registry.callback(ActionStep(step_number=1, timing=Timing(start_time=0.0)), agent="A")
    registry.callback(TaskStep(task="t"), agent="B")
    assert seen == [("action", None), ("any", "A"), ("any", "B")]
    with pytest.raises(TypeError, match="is not callable"):
        registry.register(ActionStep, "nope")  # type: ignore[arg-type]


def test_agent_step_callbacks_are_a_callback_registry() -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([]), step_callbacks=[print], logger=_quiet())
    assert isinstance(agent.step_callbacks, CallbackRegistry)


def test_empty_prompt_templates_have_every_key_empty() -> None:
    from smolagents.agents import EMPTY_PROMPT_TEMPLATES

    assert EMPTY_PROMPT_TEMPLATES["system_prompt"] == ""
    assert set(EMPTY_PROMPT_TEMPLATES["planning"]) == {
        "initial_plan",
        "update_plan_pre_messages",
        "update_plan_post_messages",
    }
    assert set(EMPTY_PROMPT_TEMPLATES["managed_agent"]) == {"task", "report"}
    assert set(EMPTY_PROMPT_TEMPLATES["final_answer"]) == {"pre_messages", "post_messages"}


def test_populate_template_and_output_types() -> None:
    from smolagents.agent_types import _AGENT_TYPE_MAPPING, AgentText
    from smolagents.agents import handle_agent_output_types, populate_template

    assert populate_template("Hi {{ name }}", {"name": "Ada"}) == "Hi Ada"
    with pytest.raises(Exception, match="name"):
        populate_template("Hi {{ name }}", {})
    assert isinstance(handle_agent_output_types("x", "string"), AgentText)
    assert _AGENT_TYPE_MAPPING["string"] is AgentText


# -- function schemas ---------------------------------------------------------------------------------


def test_get_json_schema_describes_a_function_for_chat_templates() -> None:
    from smolagents._function_type_hints_utils import get_json_schema

    def plan_trip(
        city: str, days: tuple[int, int] | None = None, mode: Literal["car", "train"] = "car"
    ) -> float:
        """Plan a trip.

        Args:
            city: Where to go (choices: ["Paris", "Rome"])
            days: First and last day.
            mode: How to travel.

        Returns:
            float: The cost.
        """
        return 0.0

    schema = get_json_schema(plan_trip)
    assert schema["type"] == "function"
    function = schema["function"]
    assert (function["name"], function["description"]) == ("plan_trip", "Plan a trip.")
    properties = function["parameters"]["properties"]
    assert properties["city"] == {"type": "string", "enum": ["Paris", "Rome"], "description": "Where to go"}
    assert properties["days"] == {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "integer"}],
        "nullable": True,
        "description": "First and last day.",
    }
    assert properties["mode"]["enum"] == ["car", "train"] and properties["mode"]["nullable"] is True
    assert function["parameters"]["required"] == ["city"]
    assert function["return"] == {"type": "number", "description": "The cost."}


def test_get_json_schema_errors_are_1_26_exceptions() -> None:
    from smolagents._function_type_hints_utils import (
        DocstringParsingException,
        TypeHintParsingException,
        get_json_schema,
    )

    def undocumented(x: int) -> int:
        return x

    def half_documented(x: int, y: int) -> int:
        """Add.

        Args:
            x: First.
        """
        return x + y

    def untyped(x):
        """Echo.

        Args:
            x: Anything.
        """
        return x

    with pytest.raises(DocstringParsingException, match="has no docstring"):
        get_json_schema(undocumented)
    with pytest.raises(DocstringParsingException, match="no description for the argument 'y'"):
        get_json_schema(half_documented)
    with pytest.raises(TypeHintParsingException, match="Argument x is missing a type hint"):
        get_json_schema(untyped)


def test_get_imports_lists_required_packages() -> None:
    from smolagents._function_type_hints_utils import get_imports

    code = """
    import numpy as np
    from torch.nn import Linear
    from .local import helper
    try:
        import optional_package
    except ImportError:
        pass
    import wikipediaapi
    """
    assert sorted(get_imports(code)) == ["numpy", "torch", "wikipedia-api"]


# -- PipelineTool and the tool demo --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny, randomly initialised) transformers classifier and tokenizer saved to disk."""
    torch = pytest.importorskip("torch")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-classifier")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "bad", "movie"]
    backend = Tokenizer(
        models.WordLevel({word: index for index, word in enumerate(words)}, unk_token="[UNK]")
    )
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]")
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        num_labels=2,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


def test_pipeline_tool_loads_its_checkpoint_at_first_call_and_runs_it(tiny_classifier: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from smolagents.tools import PipelineTool

    class SentimentTool(PipelineTool):
        name = "sentiment"
        description = "Classify the sentiment of a text."
        inputs = {"text": {"type": "string", "description": "The text."}}
        output_type = "string"
        model_class = AutoModelForSequenceClassification
        pre_processor_class = AutoTokenizer
        default_checkpoint = str(tiny_classifier)

        def encode(self, text: str) -> Any:
            return self.pre_processor(text, return_tensors="pt")

        def decode(self, outputs: Any) -> str:
            return self.model.config.id2label[int(outputs.logits.argmax(-1))]

    sentiment = SentimentTool()
    assert not sentiment.is_initialized and isinstance(sentiment.model, str)
    label = sentiment(text="good movie")
    assert sentiment.is_initialized and str(sentiment.device) == "cpu"
    reference = AutoModelForSequenceClassification.from_pretrained(tiny_classifier)
    tokens = AutoTokenizer.from_pretrained(tiny_classifier)("good movie", return_tensors="pt")
    with torch.no_grad():
        expected = reference.config.id2label[int(reference(**tokens).logits.argmax(-1))]
    assert label == expected
    assert sentiment(text="bad movie", sanitize_inputs_outputs=True) in ("NEGATIVE", "POSITIVE")


def test_pipeline_tool_without_a_checkpoint_says_what_to_pass() -> None:
    pytest.importorskip("torch")
    from smolagents.tools import PipelineTool

    with pytest.raises(ValueError, match="does not implement a default checkpoint, you need to pass one"):
        PipelineTool()


def test_tool_demo_builds_a_form_that_calls_the_tool() -> None:
    pytest.importorskip("gradio", reason="gradio arrives in the test profile with the UI work")
    from smolagents import tool
    from smolagents.tools.gradio_demo import tool_demo

    @tool
    def repeat(text: str, times: int, loud: bool = False) -> str:
        """Repeat a text.

        Args:
            text: The text.
            times: How many times.
            loud: Shout it.
        """
        return (text.upper() if loud else text) * times

    demo = tool_demo(repeat)
    assert demo.title == "repeat"
    assert [type(component).__name__ for component in demo.input_components] == [
        "Textbox",
        "Number",
        "Checkbox",
    ]
    assert demo.fn("ab", 2.0, True) == "ABAB"


def _quiet() -> AgentLogger:
    return AgentLogger(level=LogLevel.OFF)
