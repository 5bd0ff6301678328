"""Extracting the code action from a model's output."""

from __future__ import annotations

import ast
import json
import re

from .._errors import AgentParsingError

__all__ = ["DEFAULT_CODE_BLOCK_TAGS", "extract_code", "extract_structured_code"]

DEFAULT_CODE_BLOCK_TAGS = ("```py", "```")
_MARKDOWN_BLOCK = re.compile(r"```(?:py|python|python3)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)


def _tag_pattern(opening: str, closing: str) -> re.Pattern[str]:
    return re.compile(re.escape(opening) + r"[ \t]*\n?(.*?)(?:" + re.escape(closing) + r"|\Z)", re.DOTALL)


def extract_code(text: str, code_block_tags: tuple[str, str] = DEFAULT_CODE_BLOCK_TAGS) -> str:
    """Return the code of a model output: every block between the tags, joined in order.

    Markdown fences (```py, ```python or bare ```) are accepted whatever the configured tags.
    An output that is itself valid Python with a call or an assignment is taken whole.

    Raises:
        AgentParsingError: When no code can be found, with an example of the expected format.
    """
    blocks: list[str] = []
    if code_block_tags != DEFAULT_CODE_BLOCK_TAGS:
        blocks = _blocks(_tag_pattern(*code_block_tags), text, code_block_tags[1])
    if not blocks:
        blocks = _blocks(_MARKDOWN_BLOCK, text, "```")
    code = "\n\n".join(block.strip("\n") for block in blocks if block.strip())
    if code:
        return code
    if _looks_like_bare_code(text):
        return text.strip()
    opening, closing = code_block_tags
    raise AgentParsingError(
        "Your output has no code block, so nothing was run. Write a 'Thought:' then your code between "
        f"{opening} and {closing}, like this:\n"
        f"Thought: I will compute the result and return it.\n{opening}\nresult = 2 + 2\n"
        f"final_answer(result)\n{closing}\n"
        f"Your output was:\n{_excerpt(text)}"
    )


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
    fenced = _MARKDOWN_BLOCK.findall(code)
    return str(data.get("thought", "")), "\n\n".join(fenced) if fenced else code


def _blocks(pattern: re.Pattern[str], text: str, closing: str) -> list[str]:
    blocks = []
    for match in pattern.finditer(text):
        is_closed = match.group(0).endswith(closing)
        blocks.append(match.group(1) if is_closed else _drop_trailing_prose(match.group(1)))
    return blocks


def _drop_trailing_prose(block: str) -> str:
    """Trim an unclosed block to its longest prefix of whole lines that is valid Python.

    Small models often forget the closing tag and go on in prose ("The result is 78"); that
    prose is not code. When no prefix parses, the block is kept whole so the syntax error shows.
    """
    lines = block.rstrip().split("\n")
    for end in range(len(lines), 0, -1):
        candidate = "\n".join(lines[:end])
        if _parses(candidate):
            return candidate
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
    return any(isinstance(node, (ast.Call, ast.Assign, ast.AugAssign)) for node in ast.walk(tree))


def _excerpt(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit] + " [...]"
