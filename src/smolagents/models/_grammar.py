"""Grammars that constrain a local model's reply to what the agent asked for.

Three kinds of request get a grammar:
- a code action (the CodeAgent passes its `code_block_tags`): a one-line thought, then exactly one
  block between the configured tags holding Python statements that parse;
- tool calls (`tools_to_call_from`): one JSON object naming a tool and arguments matching its
  input schema;
- a `response_format` JSON schema, as API models get it.

The grammars are text (Lark for llguidance, or a JSON schema) so any engine can take them:
onnxruntime-genai, transformers through a logits processor, vLLM's structured outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .base import get_tool_json_schema

if TYPE_CHECKING:
    from ..tools.base import Tool

__all__ = [
    "Grammar",
    "code_action_grammar",
    "grammar_for_request",
    "response_format_grammar",
    "tool_call_grammar",
]

# Longest thought line, in characters: long enough for "a few sentences", short enough that a
# small model cannot ramble away its token budget before writing code.
THOUGHT_CHARS = 400
# Deepest nesting of blocks in code (a loop in an `if` in a function is three).
_DEPTH = 3


@dataclass(frozen=True)
class Grammar:
    """A constraint on a reply: `kind` says how to read `text`.

    `endings` are texts that complete the reply from a point where the grammar allows them
    (the code block's closing tag, after a line or a no-op `None` line): a decoder running out
    of tokens appends one, after closing brackets and strings, to finish a well-formed reply
    instead of cutting it mid-way.
    """

    kind: Literal["lark", "json_schema"]
    text: str
    endings: tuple[str, ...] = ()


def _lark_string(text: str) -> str:
    """Quote `text` as a Lark string literal."""
    return json.dumps(text)


# Python statements that always parse: simple statements, comments, and `for`/`if`/`while`/`def`
# blocks nested three deep; at most 40 lines, so a small model cannot loop
# forever inside the block. The last line is an expression (a call such as `print(...)` or
# `final_answer(...)`): small models otherwise like to define a function and never call it. Spaces are written out (no %ignore) because
# indentation carries meaning.
_PYTHON_STATEMENTS = r"""
body: line{0,39} expr COMMENT? "\n"
line: simple COMMENT? "\n" | COMMENT "\n" | header ":" COMMENT? "\n" level1{1,20} more1
{levels}statement: (simple | RETURN expr?) COMMENT? "\n"
header: FOR targets IN_KW expr | IF expr | WHILE expr | DEF FUNCTION_NAME "(" params? ")"
simple: expr | targets ASSIGN exprs | import_stmt | PASS | BREAK | CONTINUE
import_stmt: IMPORT dotted (AS NAME)? | FROM dotted FROM_IMPORT NAME (AS NAME)? (COMMA NAME (AS NAME)?)*
dotted: NAME ("." NAME)*
targets: target (COMMA target)*
target: NAME trailer*
exprs: expr (COMMA expr)* COMMA?
expr: unary (BINOP unary)* (IF expr ELSE expr)?
unary: UNOP* primary
primary: atom trailer*
atom: NAME | NUMBER | STRING
    | "(" (exprs | comprehension)? ")"
    | "[" (exprs | comprehension)? "]"
    | "{" (pairs | exprs | comprehension | pair loops)? "}"
    | LAMBDA params? ":" " "? expr
params: NAME (COMMA NAME)*
pairs: pair (COMMA pair)* COMMA?
pair: expr COLON expr
comprehension: expr loops
loops: (FOR targets IN_KW unary (IF unary)*)+
trailer: "(" arguments? ")" | "[" subscript "]" | "." NAME
arguments: argument (COMMA argument)* COMMA?
argument: expr | NAME KWEQ expr | "*" expr | "**" expr
subscript: expr | expr? COLON expr? (COLON expr?)?
NAME: /[A-Za-z_][A-Za-z0-9_]*/ & ~KEYWORD
FUNCTION_NAME: NAME & ~/final_answer/
KEYWORD: /(and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield)/
NUMBER: /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/
STRING: /[fFrRbBuU]{0,2}"([^"\\\n]|\\.)*"/ | /[fFrRbBuU]{0,2}'([^'\\\n]|\\.)*'/
COMMENT: / *#[^\n]*/
BINOP: / ?(\+|-|\*\*?|\/\/?|%|@|==|!=|<=?|>=?|&|\||\^|<<|>>) ?/ | / (and|or|in|not in|is|is not) /
UNOP: /-|\+|~|not /
ASSIGN: / ?(=|\+=|-=|\*=|\/=|\/\/=|%=|\*\*=) ?/
KWEQ: / ?= ?/
COMMA: /, ?/
COLON: /: ?/
FOR: / ?for /
IN_KW: / in /
IF: / ?if /
ELSE: / else /
WHILE: /while /
ELSE_HEADER: /else:/
ELIF: /elif /
IMPORT: /import /
FROM: /from /
FROM_IMPORT: / import /
AS: / as /
LAMBDA: /lambda ?/
PASS: /pass/
DEF: /def /
RETURN: /return/ | /return /
BREAK: /break/
CONTINUE: /continue/
"""


_BODY_RULE = 'body: line{0,39} expr COMMENT? "\\n"\n'
# Blocks for a very small model: at most 12 lines ending with a print or the answer (it repeats
# lines until any limit otherwise), or the answer alone, as the system prompt's example shows.
_LAST_LINE_PRINTS_OR_ANSWERS = 'body: line{0,11} ("print(" arguments? ")" | "final_answer(" expr ")") "\\n"\n'
_ANSWER_ONLY = 'body: "final_answer(" expr ")\\n"\n'


def _nested_blocks(depth: int) -> str:
    """Return the rules of blocks indented 1 to `depth` levels (Lark has no indentation tokens)."""
    rules = []
    for level in range(1, depth + 1):
        indent = _lark_string("    " * level)
        outer = _lark_string("    " * (level - 1)) + " " if level > 1 else ""
        rules.append(
            f'more{level}: ({outer}ELIF expr ":" "\\n" level{level}{{1,20}})* '
            f'({outer}ELSE_HEADER "\\n" level{level}{{1,20}})?'
        )
        nested = f' | {indent} header ":" COMMENT? "\\n" level{level + 1}{{1,20}} more{level + 1}'
        rules.append(f"level{level}: {indent} statement" + (nested if level < depth else ""))
    return "\n".join(rules) + "\n"


def code_action_grammar(opening: str, closing: str, plain: bool = False, answer: bool = False) -> Grammar:
    """Return the grammar of a code action: ``Thought: ...`` on one line, then one code block.

    Args:
        opening: The tag that opens the code block (e.g. ````` ```py `````, ``<code>``).
        closing: The tag that closes it.
        plain: For a very small model: at most 12 lines, the last one printing or calling
            `final_answer` (a 135M model otherwise ends on a function it never calls, or
            repeats a line until the limit).
        answer: With `plain`, the block is one `final_answer(...)` line.
    """
    thought = f"/[^\\n]{{1,{THOUGHT_CHARS}}}/"
    start = f'start: "Thought: " THOUGHT "\\n" {_lark_string(opening)} "\\n" body {_lark_string(closing)}\n'
    statements = _PYTHON_STATEMENTS.replace("{levels}", _nested_blocks(_DEPTH))
    if plain:
        last_line = _ANSWER_ONLY if answer else _LAST_LINE_PRINTS_OR_ANSWERS
        statements = statements.replace(_BODY_RULE, last_line)
    text = start + f"THOUGHT: {thought}\n" + statements
    # Ways to finish a reply early, from the end of a line, mid-thought or an empty line, with a
    # last line doing nothing (`print()` where the last line must print; no made-up answer).
    filler = "print()" if plain else "None"
    endings = (closing, f"{filler}\n{closing}", f"\n{opening}\n{filler}\n{closing}")
    return Grammar("lark", text, endings=endings)


def tool_call_grammar(tools: list[Tool], name_key: str = "name", arguments_key: str = "arguments") -> Grammar:
    """Return the grammar of one tool call: ``{"name": <tool>, "arguments": {...}}`` as JSON.

    The arguments follow the chosen tool's input schema (required inputs present, no others).
    """
    choices = []
    for tool in tools:
        parameters = dict(get_tool_json_schema(tool)["function"]["parameters"])
        parameters["additionalProperties"] = False
        choices.append(
            {
                "type": "object",
                "properties": {name_key: {"const": tool.name}, arguments_key: parameters},
                "required": [name_key, arguments_key],
                "additionalProperties": False,
            }
        )
    schema = choices[0] if len(choices) == 1 else {"anyOf": choices}
    return Grammar("json_schema", json.dumps(schema), endings=("",))


def response_format_grammar(response_format: dict[str, Any]) -> Grammar:
    """Return the grammar of an OpenAI-style `response_format` (``json_schema`` or ``json_object``).

    Raises:
        ValueError: For another type, naming the supported ones.
    """
    kind = response_format.get("type")
    if kind == "json_schema":
        wrapper = response_format.get("json_schema") or {}
        schema = wrapper.get("schema", wrapper) if isinstance(wrapper, dict) else wrapper
        return Grammar("json_schema", json.dumps(schema), endings=("",))
    if kind == "json_object":
        return Grammar("json_schema", json.dumps({"type": "object"}), endings=("",))
    raise ValueError(
        f"Unsupported response_format type {kind!r}: use {{'type': 'json_schema', 'json_schema': "
        "{'schema': {...}}} or {'type': 'json_object'}."
    )


def grammar_for_request(
    response_format: dict[str, Any] | None,
    tools_to_call_from: list[Tool] | None,
    code_block_tags: tuple[str, str] | None,
    name_key: str = "name",
    arguments_key: str = "arguments",
    plain_code: bool = False,
    must_answer: bool = False,
) -> Grammar | None:
    """Choose the grammar for one model call, or None when the reply is free text (e.g. a plan).

    An explicit `response_format` wins (a CodeAgent using structured outputs sends one), then
    tool calls, then a code action (`plain_code` and `must_answer`: see `code_action_grammar`).
    """
    if response_format is not None:
        return response_format_grammar(response_format)
    if tools_to_call_from:
        return tool_call_grammar(tools_to_call_from, name_key, arguments_key)
    if code_block_tags is not None:
        return code_action_grammar(*code_block_tags, plain=plain_code, answer=must_answer)
    return None
