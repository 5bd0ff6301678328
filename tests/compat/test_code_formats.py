"""Code formats of smolagents 1.26: ``<code>`` tags by default, markdown fences always accepted.

Which block runs when an output holds several is the rule documented in
``smolagents._agent.code_parsing``; each rule has a test here.
"""

from __future__ import annotations

import pytest

from smolagents import AgentLogger, AgentParsingError, CodeAgent, LogLevel, ScriptedModel
from smolagents._agent.code_parsing import close_code_block, extract_code, resolve_code_block_tags
from smolagents.memory import ActionStep

CODE_TAGS = ("<code>", "</code>")
MARKDOWN = ("```python", "```")


def quiet() -> AgentLogger:
    return AgentLogger(level=LogLevel.OFF)


def action_steps(agent: CodeAgent) -> list[ActionStep]:
    return [step for step in agent.memory.steps if isinstance(step, ActionStep)]


# -- the default and the setting --------------------------------------------------------------


def test_default_tags_are_code_tags_as_in_1_26() -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([]), logger=quiet())
    assert agent.code_block_tags == ("<code>", "</code>")
    assert "<code>" in agent.system_prompt and "</code>" in agent.system_prompt


def test_markdown_setting_gives_python_fences() -> None:
    assert resolve_code_block_tags("markdown") == ("```python", "```")
    agent = CodeAgent(tools=[], model=ScriptedModel([]), code_block_tags="markdown", logger=quiet())
    assert "```python" in agent.system_prompt


def test_unknown_string_setting_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="Only 'markdown' is supported"):
        resolve_code_block_tags("html")


def test_closing_tag_is_a_stop_sequence_and_is_put_back_in_memory() -> None:
    # A model stopped on "</code>" returns the block without its closing tag.
    model = ScriptedModel(["Thought: done.\n<code>\nfinal_answer(7)\n"])
    agent = CodeAgent(tools=[], model=model, logger=quiet())
    assert agent.run("seven?") == 7
    assert "</code>" in (model.calls[0].stop_sequences or [])
    assert action_steps(agent)[0].model_output == "Thought: done.\n<code>\nfinal_answer(7)\n</code>"


# -- every format is accepted whatever the setting --------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "Thought: add.\n<code>\nfinal_answer(1 + 1)\n</code>",
        "Thought: add.\n```py\nfinal_answer(1 + 1)\n```",
        "Thought: add.\n```python\nfinal_answer(1 + 1)\n```",
        "Thought: add.\n```\nfinal_answer(1 + 1)\n```",
        "Thought: add.\n```py\nfinal_answer(1 + 1)\n```<end_code>",
    ],
)
@pytest.mark.parametrize("tags", [None, "markdown", ("<python>", "</python>")])
def test_code_agent_runs_every_format_whatever_its_tags(reply: str, tags: object) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([reply]), code_block_tags=tags, logger=quiet())
    assert agent.run("1 + 1?") == 2


def test_configured_custom_tags_are_read() -> None:
    text = "Thought: go.\n<python>\nx = 3\n</python>"
    assert extract_code(text, ("<python>", "</python>")) == "x = 3"


def test_fences_in_code_tags_are_unwrapped() -> None:
    assert extract_code("<code>\n```python\nprint(2)\n```\n</code>", CODE_TAGS) == "print(2)"


def test_space_after_the_opening_tag_is_ignored() -> None:
    assert extract_code("<code>    \ncode_a\n</code>", CODE_TAGS) == "code_a"


# -- which block runs ----------------------------------------------------------------------------


def test_configured_format_wins_over_a_sample_in_another_format() -> None:
    text = (
        "Thought: I could call it like ```py\nsearch('sample')\n``` but here is my step.\n"
        "<code>\nresult = search('real')\n</code>"
    )
    assert extract_code(text, CODE_TAGS) == "result = search('real')"


def test_with_markdown_tags_python_fences_win_over_code_tags() -> None:
    text = "Thought: in HTML I would write <code>\nnot_run()\n</code>\n```python\nrun()\n```"
    assert extract_code(text, MARKDOWN) == "run()"


def test_labelled_fences_win_over_bare_fences() -> None:
    text = "Thought: the output looks like\n```\n42 apples\n```\nso:\n```py\nprint('apples')\n```"
    assert extract_code(text, CODE_TAGS) == "print('apples')"


def test_fences_of_other_languages_never_run() -> None:
    text = 'Thought: the API returns\n```json\n{"a": 1}\n```\n```python\nprint(3)\n```'
    assert extract_code(text, CODE_TAGS) == "print(3)"


def test_blocks_before_a_code_heading_belong_to_the_thought() -> None:
    # The upstream bug: a fenced example in the thought was run with (or instead of) the real code.
    text = "Thought:\nxxxxxxxxxxxxxxx\n```\ninvalid code\n```\n\nCode:\n```\nprint('valid code')\n```"
    assert extract_code(text, MARKDOWN) == "print('valid code')"


def test_several_blocks_of_the_chosen_format_run_in_order() -> None:
    text = "<code>\nFoo\n</code>\n\n<code>\ncode_a\n</code>\n\n<code>\ncode_b\n</code>"
    assert extract_code(text, CODE_TAGS) == "Foo\n\ncode_a\n\ncode_b"


def test_inline_backticks_in_the_thought_are_not_code() -> None:
    text = "Thought: I'll use `web_search` then ```final_answer``` on the result.\n<code>\nx = 1\n</code>"
    assert extract_code(text, CODE_TAGS) == "x = 1"


def test_a_closing_tag_inside_a_string_does_not_end_the_block() -> None:
    assert extract_code("<code>\nprint('</code>')\n</code>", CODE_TAGS) == "print('</code>')"
    fenced = "```python\ntext = '''\n```\nsample\n```\n'''\nprint(text)\n```"
    assert extract_code(fenced, MARKDOWN) == "text = '''\n```\nsample\n```\n'''\nprint(text)"


def test_an_unclosed_block_followed_by_another_keeps_both() -> None:
    text = "```py\nx = 1\n\nThought: and now\n```py\ny = 2\n```"
    assert extract_code(text, MARKDOWN) == "x = 1\n\ny = 2"


def test_unclosed_block_loses_the_prose_after_it() -> None:
    assert (
        extract_code("<code>\nx = 1\nfinal_answer(x)\nThe answer is 1.", CODE_TAGS)
        == "x = 1\nfinal_answer(x)"
    )


def test_bare_python_output_is_taken_whole() -> None:
    assert (
        extract_code("import math\nfinal_answer(math.pi)", CODE_TAGS) == "import math\nfinal_answer(math.pi)"
    )


# -- an agent driven through these cases -------------------------------------------------------------


def test_agent_runs_the_real_block_not_the_thought_sample() -> None:
    reply = (
        "Thought: `double` takes `x`; a call looks like ```py\ndouble(x=-1)\n```.\n"
        "Code:\n```py\nfinal_answer(21 * 2)\n```"
    )
    agent = CodeAgent(tools=[], model=ScriptedModel([reply]), logger=quiet())
    assert agent.run("go") == 42
    assert action_steps(agent)[0].code_action == "final_answer(21 * 2)"


def test_missing_code_leads_with_the_1_26_message_and_the_run_recovers() -> None:
    model = ScriptedModel(
        ["I think the final answer is 4.", "Thought: now with code.\n<code>\nfinal_answer(4)\n</code>"]
    )
    agent = CodeAgent(tools=[], model=model, logger=quiet())
    assert agent.run("2 + 2?") == 4
    error = action_steps(agent)[0].error
    assert isinstance(error, AgentParsingError)
    assert error.message.startswith(
        "Error in code parsing:\nYour code snippet is invalid, because the regex pattern <code>(.*?)</code> "
        "was not found in it."
    )
    assert 'final_answer("YOUR FINAL ANSWER HERE")' in error.message


def test_close_code_block_leaves_closed_or_codeless_output_alone() -> None:
    assert close_code_block("Thought: hi", CODE_TAGS) == "Thought: hi"
    assert close_code_block("<code>\nx\n</code>", CODE_TAGS) == "<code>\nx\n</code>"
    assert close_code_block("```python\nx\n```", MARKDOWN) == "```python\nx\n```"
    assert close_code_block("<code>\nx\n", CODE_TAGS) == "<code>\nx\n</code>"
