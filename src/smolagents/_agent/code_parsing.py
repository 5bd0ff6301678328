"""Extracting the code action from a model's output.

Which code runs when an output holds several blocks (the rule `extract_code` applies):

1. Every format is accepted whatever `code_block_tags` says: the configured tags, ``<code>``
   tags, ```` ```py ```` / ```` ```python ```` fences and bare ```` ``` ```` fences. Fences
   labelled with another language (```` ```json ````, ```` ```text ````...) are never run.
2. Formats are tried in order of preference: the configured one, then ``<code>`` tags, then
   Python fences, then bare fences. The first format that has a non-empty block is used; blocks
   of the other formats are left alone, so a sample written in another format in the thought
   does not run.
3. When the prose before some block is a ``Code:`` heading, blocks that come before the first
   such heading are part of the thought and are dropped.
4. The blocks left run in order, joined by a blank line (a model may split its code).

A closing tag that sits inside the code (in a string, say) does not end the block: the block
ends at the first closing tag after which the code parses. An unclosed last block (the closing
tag is a stop sequence) ends at its longest prefix of whole lines that parses.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .._errors import AgentParsingError

__all__ = [
    "DEFAULT_CODE_BLOCK_TAGS",
    "MARKDOWN_CODE_BLOCK_TAGS",
    "close_code_block",
    "extract_code",
    "extract_code_from_text",
    "extract_structured_code",
    "find_code",
    "parse_code_blobs",
    "resolve_code_block_tags",
]

DEFAULT_CODE_BLOCK_TAGS = ("<code>", "</code>")
MARKDOWN_CODE_BLOCK_TAGS = ("```python", "```")

Format = Literal["configured", "code_tag", "python_fence", "bare_fence"]

_PYTHON_LANGUAGES = {"py", "python", "python3", "py3"}
# An opening fence: three backticks, an optional language word, then the end of the line.
_FENCE_OPENING = re.compile(r"```[ \t]*([\w+#.-]*)[ \t]*\r?\n")
# A closing fence: three backticks at the start of a line (``` or ```<end_code> both close).
_FENCE_CLOSING = re.compile(r"^[ \t]*```", re.MULTILINE)
# A fence line with a language word opens a block (```python), whatever precedes it.
_LABELLED_FENCE = re.compile(r"^[ \t]*```[ \t]*[\w+#.-]+[ \t]*\r?$", re.MULTILINE)
_CODE_HEADING = re.compile(r"^[ \t*#]*code[ \t*]*:[ \t*]*$", re.IGNORECASE | re.MULTILINE)
# Candidate closing tags examined per block: bounds the parsing work on pathological outputs.
_MAX_CLOSING_CANDIDATES = 16


@dataclass(frozen=True)
class _Block:
    format: Format
    code: str
    start: int
    end: int


def resolve_code_block_tags(tags: tuple[str, str] | list[str] | str | None) -> tuple[str, str]:
    """Return the (opening, closing) code tags from a `code_block_tags` setting.

    None gives ``<code>``/``</code>`` (1.26's default); ``"markdown"`` gives ```` ```python ````
    fences; a pair of non-empty strings is taken as it is.

    Raises:
        ValueError: For any other value.
    """
    if tags is None:
        return DEFAULT_CODE_BLOCK_TAGS
    if tags == "markdown":
        return MARKDOWN_CODE_BLOCK_TAGS
    if isinstance(tags, (tuple, list)) and len(tags) == 2 and all(isinstance(t, str) and t for t in tags):
        return (tags[0], tags[1])
    if isinstance(tags, str):
        raise ValueError(
            f"Only 'markdown' is supported for a string argument to `code_block_tags`, got {tags!r}. "
            "Pass 'markdown', a pair (opening, closing) such as ('<code>', '</code>'), or None."
        )
    raise ValueError(
        f"code_block_tags must be 'markdown' or a pair of non-empty strings (opening, closing), got {tags!r}."
    )


def find_code(text: str, code_block_tags: tuple[str, str] = DEFAULT_CODE_BLOCK_TAGS) -> str | None:
    """Return the code of a model output by the rule of this module, or None if it has no block."""
    blocks = _chosen_blocks(text, code_block_tags)
    code = "\n\n".join(block.code for block in blocks)
    return code or None


def extract_code(text: str, code_block_tags: tuple[str, str] = DEFAULT_CODE_BLOCK_TAGS) -> str:
    """Return the code of a model output (see the module docstring for which blocks run).

    An output without any block that is itself valid Python with a call or an assignment is
    taken whole.

    Raises:
        AgentParsingError: When no code can be found, with an example of the expected format.
    """
    code = find_code(text, code_block_tags)
    if code:
        return code
    if _looks_like_bare_code(text):
        return text.strip()
    raise AgentParsingError("Error in code parsing:\n" + missing_code_message(text, code_block_tags))


def parse_code_blobs(text: str, code_block_tags: tuple[str, str] = DEFAULT_CODE_BLOCK_TAGS) -> str:
    """Return the code of a model output, as smolagents 1.26's helper of this name does.

    Blocks are chosen by the rule of this module; an output without blocks that parses as
    Python is returned whole.

    Raises:
        ValueError: When the output has no code, with 1.26's message and an example.
    """
    code = find_code(text, code_block_tags)
    if code:
        return code
    if _parses(text):
        return text
    raise ValueError(missing_code_message(text, code_block_tags))


def extract_code_from_text(text: str, code_block_tags: tuple[str, str]) -> str | None:
    """Return the blocks between the two tags, joined by a blank line, or None if there are none.

    As in smolagents 1.26 the tags are regular expressions (a tag that is not a valid one is
    taken literally), and no other format is looked for.
    """
    opening, closing = (_as_pattern(tag) for tag in code_block_tags)
    matches = re.findall(f"{opening}(.*?){closing}", text, re.DOTALL)
    return "\n\n".join(match.strip() for match in matches) if matches else None


def _as_pattern(tag: str) -> str:
    try:
        re.compile(tag)
    except re.error:
        return re.escape(tag)
    return tag


def missing_code_message(text: str, code_block_tags: tuple[str, str]) -> str:
    """Explain that `text` has no code block, leading with the words of smolagents 1.26."""
    opening, closing = code_block_tags
    lead = (
        f"Your code snippet is invalid, because the regex pattern {opening}(.*?){closing} was not found in it.\n"
        f"Here is your code snippet:\n{_excerpt(text)}\n"
    )
    if "final" in text and "answer" in text:
        return (
            lead + "It seems like you're trying to return the final answer, you can do it as follows:\n"
            f'{opening}\nfinal_answer("YOUR FINAL ANSWER HERE")\n{closing}\n'
            "Nothing was run: code outside the tags is not executed."
        )
    return (
        lead + "Make sure to include code with the correct pattern, for instance:\n"
        f"Thought: Your thoughts\n{opening}\n# Your python code here\n{closing}\n"
        "Nothing was run: write a 'Thought:' then your code between the tags."
    )


def close_code_block(text: str, code_block_tags: tuple[str, str]) -> str:
    """Append the closing tag to an output that stopped on it (it is a stop sequence).

    The output is kept in memory as the model's turn; closing the block there shows the model
    its own format at the next step.
    """
    opening, closing = code_block_tags
    stripped = text.rstrip()
    if not stripped or stripped.endswith(closing) or opening not in text:
        return text
    last_opening = text.rfind(opening)
    if text.find(closing, last_opening + len(opening)) != -1:
        return text
    return stripped + "\n" + closing


def extract_structured_code(text: str) -> tuple[str, str]:
    """Read a structured output ``{"thought": ..., "code": ...}``; return (thought, code).

    Raises:
        AgentParsingError: When the output is not such a JSON object.
    """
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1]) if start != -1 else None
    except json.JSONDecodeError as error:
        raise AgentParsingError(
            f"Your output is not valid JSON ({error.msg} at line {error.lineno}): answer with an object "
            '{"thought": "...", "code": "..."}.'
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        raise AgentParsingError(
            'Your output must be a JSON object with a string "code" field: {"thought": "...", "code": "..."}. '
            f"Your output was:\n{_excerpt(text)}"
        )
    code = data["code"]
    return str(data.get("thought", "")), find_code(code) or code


# -- choosing the blocks ------------------------------------------------------------------------


def _chosen_blocks(text: str, code_block_tags: tuple[str, str]) -> list[_Block]:
    by_format: dict[Format, list[_Block]] = {}
    for block in _all_blocks(text, code_block_tags):
        if block.code.strip():
            by_format.setdefault(block.format, []).append(block)
    for preferred in _preference(code_block_tags):
        if preferred in by_format:
            return _after_code_heading(text, by_format[preferred])
    return []


def _preference(code_block_tags: tuple[str, str]) -> list[Format]:
    configured = _configured_format(code_block_tags)
    order: list[Format] = [configured, "code_tag", "python_fence", "bare_fence"]
    return list(dict.fromkeys(order))


def _configured_format(code_block_tags: tuple[str, str]) -> Format:
    opening, closing = code_block_tags
    if (opening, closing) == DEFAULT_CODE_BLOCK_TAGS:
        return "code_tag"
    if opening.startswith("```"):
        language = opening[3:].strip().lower()
        return "bare_fence" if not language else "python_fence"
    return "configured"


def _all_blocks(text: str, code_block_tags: tuple[str, str]) -> Iterator[_Block]:
    if _configured_format(code_block_tags) == "configured":
        yield from _tagged_blocks(text, *code_block_tags, block_format="configured")
    yield from _tagged_blocks(text, *DEFAULT_CODE_BLOCK_TAGS, block_format="code_tag")
    yield from _fenced_blocks(text)


def _after_code_heading(text: str, blocks: list[_Block]) -> list[_Block]:
    """Drop blocks written before the first ``Code:`` heading that introduces a block."""
    previous_end = 0
    for index, block in enumerate(blocks):
        if _CODE_HEADING.search(text, previous_end, block.start):
            return blocks[index:]
        previous_end = block.end
    return blocks


# -- scanning -------------------------------------------------------------------------------------


def _tagged_blocks(text: str, opening: str, closing: str, block_format: Format) -> Iterator[_Block]:
    position = 0
    while (found := text.find(opening, position)) != -1:
        body_start = _skip_to_line_end(text, found + len(opening))
        closings = [(index, index + len(closing)) for index in _occurrences(text, closing, body_start)]
        next_opening = text.find(opening, body_start)
        body_end, end = _close(text, body_start, closings, len(text) if next_opening == -1 else next_opening)
        yield _Block(block_format, _clean(text[body_start:body_end], is_closed=end != body_end), found, end)
        position = max(end, body_start)


def _fenced_blocks(text: str) -> Iterator[_Block]:
    position = 0
    while (opening := _FENCE_OPENING.search(text, position)) is not None:
        body_start = opening.end()
        closings = [
            (match.start(), _line_end(text, match.end())) for match in _fence_closings(text, body_start)
        ]
        next_opening = _LABELLED_FENCE.search(text, body_start)
        body_end, end = _close(
            text, body_start, closings, len(text) if next_opening is None else next_opening.start()
        )
        language = opening.group(1).lower()
        if language in _PYTHON_LANGUAGES or not language:
            block_format: Format = "python_fence" if language else "bare_fence"
            code = _clean(text[body_start:body_end], is_closed=end != body_end)
            yield _Block(block_format, code, opening.start(), end)
        position = max(end, body_start)


def _fence_closings(text: str, start: int) -> Iterator[re.Match[str]]:
    count = 0
    for match in _FENCE_CLOSING.finditer(text, start):
        if _LABELLED_FENCE.match(text, match.start()):
            continue  # ```py opens a block, it does not close one
        yield match
        count += 1
        if count >= _MAX_CLOSING_CANDIDATES:
            return


def _close(text: str, body_start: int, closings: list[tuple[int, int]], next_opening: int) -> tuple[int, int]:
    """Pick the closing tag of a block; return (end of the body, end of the block).

    The first closing after which the body parses wins. If none does, the first closing before
    the next opening tag (so a syntax error is shown for the code the model meant); without one,
    the block is unclosed and runs up to the next opening tag or the end of the text.
    """
    for body_end, end in closings:
        if _parses(textwrap.dedent(text[body_start:body_end])):
            return body_end, end
    if closings and closings[0][0] < next_opening:
        return closings[0]
    return next_opening, next_opening


def _occurrences(text: str, needle: str, start: int) -> list[int]:
    found: list[int] = []
    while len(found) < _MAX_CLOSING_CANDIDATES and (index := text.find(needle, start)) != -1:
        found.append(index)
        start = index + len(needle)
    return found


def _skip_to_line_end(text: str, index: int) -> int:
    """Skip spaces after an opening tag, and the line break if the code starts on the next line."""
    match = re.compile(r"[ \t]*\r?\n?").match(text, index)
    return match.end() if match else index


def _line_end(text: str, index: int) -> int:
    newline = text.find("\n", index)
    return len(text) if newline == -1 else newline


def _clean(body: str, is_closed: bool) -> str:
    code = textwrap.dedent(body).strip("\r\n").rstrip()
    inner = _single_fenced_block(code)
    if inner is not None:  # a fence inside tags: <code>```python ... ```</code>
        code = inner
    return code if is_closed else _drop_trailing_prose(code)


def _single_fenced_block(code: str) -> str | None:
    if not code.startswith("```"):
        return None
    blocks = list(_fenced_blocks(code))
    if len(blocks) == 1 and blocks[0].start == 0 and not code[blocks[0].end :].strip():
        return blocks[0].code
    return None


def _drop_trailing_prose(block: str) -> str:
    """Trim an unclosed block to its longest prefix of whole lines that is valid Python.

    Small models often forget the closing tag and go on in prose ("The result is 78"); that
    prose is not code. When no prefix parses, the block is kept whole so the syntax error shows.
    """
    lines = block.rstrip().split("\n")
    for end in range(len(lines), 0, -1):
        candidate = "\n".join(lines[:end])
        if _parses(candidate):
            return candidate.rstrip()
    return block


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _looks_like_bare_code(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped.startswith(("Thought", "Observation")):
        return False
    try:
        tree = ast.parse(stripped)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(
        isinstance(node, (ast.Call, ast.Assign, ast.AugAssign, ast.Import, ast.ImportFrom))
        for node in ast.walk(tree)
    )


def _excerpt(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit] + " [...]"
