"""The helium backend of the webagent (1.26's): real Chromium through Selenium, pages on 127.0.0.1.

Text from the model goes into XPath queries only as a quoted literal: a text that tries to close
the quote and add to the query finds nothing instead of matching other elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser_support import require_browser_stack, served_directory

from smolagents import ChatMessage, ScriptedModel
from smolagents.vision_web_browser import _escape_xpath_string
from system_requirements import require_executable

PAGE = """<!doctype html><title>Quotes</title><h1>Quotes</h1>
<p>She said "it's fine" twice.</p><p>Plain line.</p><p>Another plain line.</p>"""
TRICKY = [
    "plain",
    "it's",
    'say "hi"',
    'She said "it\'s fine"',
    "'",
    '"',
    "''\"\"'",
    "')] | //p | x[contains(text(), '",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("quotes")
    (root / "quotes.html").write_text(PAGE)
    with served_directory(root) as url:
        yield url


@pytest.fixture(scope="module")
def helium_driver() -> Iterator[Any]:
    """Headless Chromium started the way `webagent --backend helium` starts it; set as the module's driver."""
    from smolagents import vision_web_browser

    executable = require_browser_stack("helium", "selenium", "PIL")
    require_executable("chromedriver", "apt-get install chromium-driver (scripts/system/40-browser.sh)")
    driver = vision_web_browser.initialize_driver(executable, headless=True)
    vision_web_browser.driver = driver
    try:
        yield driver
    finally:
        vision_web_browser.driver = None
        driver.quit()


def test_escaped_text_is_an_xpath_expression_for_exactly_that_text(helium_driver: Any) -> None:
    for text in TRICKY:
        expression = _escape_xpath_string(text)
        value = helium_driver.execute_script(
            "return document.evaluate(arguments[0], document, null, XPathResult.STRING_TYPE, null).stringValue;",
            expression,
        )
        assert value == text, expression


def test_search_finds_quoted_text_and_an_injection_finds_nothing(helium_driver: Any, site: str) -> None:
    from smolagents.vision_web_browser import search_item_ctrl_f

    helium_driver.get(f"{site}/quotes.html")
    assert search_item_ctrl_f(text='said "it\'s fine"') == (
        "Found 1 matches for 'said \"it's fine\"'. Focused on element 1 of 1"
    )
    assert search_item_ctrl_f(text="plain line", nth_result=1).startswith("Found 1 matches")
    # Unescaped, this would close the literal and match every <p> of the page.
    with pytest.raises(Exception, match="Match n°1 not found \\(only 0 matches found\\)"):
        search_item_ctrl_f(text="')] | //p | x[contains(text(), '")


def test_the_helium_agent_drives_the_page_from_its_code_and_sees_screenshots(
    helium_driver: Any, site: str
) -> None:
    from smolagents.vision_web_browser import helium_instructions, initialize_agent

    def decide(messages: list[ChatMessage]) -> str:
        seen = "\n".join(m.text for m in messages if m.role in ("tool-response", "user"))
        if "Current url:" not in seen:
            return f"Thought: open it.\n```py\ngo_to('{site}/quotes.html')\n```"
        if "Found" not in seen:
            return "Thought: find it.\n```py\nprint(search_item_ctrl_f('twice'))\nprint(Text('Plain line.').exists())\n```"
        return "Thought: done.\n```py\nfinal_answer('found')\n```"

    helium_driver.get("about:blank")  # the agent's own go_to must bring the page
    agent = initialize_agent(ScriptedModel(decide), max_steps=5, verbosity_level=-1)
    assert sorted(agent.tools) == [
        "close_popups",
        "final_answer",
        "go_back",
        "search_item_ctrl_f",
        "web_search",
    ]
    assert agent.run("Find 'twice'." + helium_instructions) == "found"
    steps = agent.memory.steps[1:]
    assert f"Current url: {site}/quotes.html" in steps[0].observations
    assert "Found 1 matches for 'twice'" in steps[1].observations, (steps[1].error, steps[1].code_action)
    assert "True" in steps[1].observations, str(
        steps[1].error
    )  # helium's Text, as after `from helium import *`
    assert steps[-2].observations_images and steps[-2].observations_images[0].size[0] > 0
