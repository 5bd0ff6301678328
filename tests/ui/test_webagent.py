"""The browsing agent in a real Chromium, on pages served from 127.0.0.1, driven by a scripted model.

The scripted model decides each action from what the agent observed (the current URL and the
outputs of its tools), as a real model would from the screenshot and the URL.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _browser_support import require_browser_stack

from smolagents import ChatMessage, ScriptedModel

PAGES = {
    "index.html": """<!doctype html><title>Tiny search</title><h1>Tiny search</h1>
<form action="/results.html"><input name="q" placeholder="Search the site"><button>Search</button></form>""",
    "results.html": """<!doctype html><title>Results</title><h1>Results</h1>
<ul><li><a href="/paris.html">Paris, capital of France</a></li><li><a href="/madrid.html">Madrid</a></li></ul>""",
    "paris.html": """<!doctype html><title>Paris</title>
<style>#promo{position:fixed;inset:0;background:rgba(0,0,0,.6)} #promo div{background:#fff;margin:80px auto;width:280px;padding:20px}</style>
<h1>Paris</h1><p>Paris has about 2.1 million inhabitants.</p>
<div id="promo" role="dialog" aria-modal="true"><div><p>Subscribe to our newsletter!</p>
<button aria-label="Close" onclick="document.getElementById('promo').remove()">x</button></div></div>""",
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The pages above on a loopback server; yields its URL and the paths requested."""
    root = tmp_path_factory.mktemp("site")
    for name, html in PAGES.items():
        (root / name).write_text(html)
    requested: list[str] = []
    handler = type("Handler", (QuietHandler,), {"requested": requested})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium driven by the browser agent's own Playwright thread."""
    from smolagents._ui.browser import Browser, find_chromium

    require_browser_stack("playwright", "PIL")
    with Browser(find_chromium(), headless=True) as running:
        yield running


def observed(messages: list[ChatMessage]) -> str:
    """Everything the agent observed so far, as text."""
    return "\n".join(m.text for m in messages if m.role in ("tool-response", "user"))


def browse_like_a_model(base: str) -> Any:
    def decide(messages: list[ChatMessage]) -> str:
        seen = observed(messages)
        urls = re.findall(r"Current url: (\S+)", seen)
        url = urls[-1] if urls else ""
        if not url:
            return f"Thought: I open the site.\n```py\ngo_to('{base}/index.html')\n```"
        if url.endswith("/index.html"):
            return "Thought: I search.\n```py\nwrite('capital of France', into='Search the site')\npress('Enter')\n```"
        if "/results.html" in url and "/paris.html" not in seen:
            return "Thought: I follow the link.\n```py\nclick(Link('Paris, capital of France'))\n```"
        if url.endswith("/paris.html") and "No pop-up is visible" not in seen:
            return "Thought: a pop-up hides the page.\n```py\nprint(close_popups())\n```"
        if url.endswith("/paris.html") and "Found 1 matches" not in seen:
            return "Thought: I look for the number.\n```py\nprint(search_item_ctrl_f('inhabitants'))\n```"
        if url.endswith("/paris.html"):
            return "Thought: back to the results.\n```py\ngo_back()\nprint(Link('Madrid').exists())\n```"
        return "Thought: I know it.\n```py\nfinal_answer('About 2.1 million people live in Paris.')\n```"

    return decide


def last_image(messages: list[ChatMessage]) -> Any:
    images = [
        part["image"]
        for m in messages
        if isinstance(m.content, list)
        for part in m.content
        if part.get("type") == "image"
    ]
    return images[-1]


def test_the_agent_searches_follows_a_link_closes_a_popup_and_goes_back(
    browser: Any, site: tuple[str, list[str]]
) -> None:
    from smolagents.vision_web_browser import initialize_agent

    base, requested = site
    first_request = len(requested)
    model = ScriptedModel(browse_like_a_model(base))
    agent = initialize_agent(model, browser, max_steps=10, verbosity_level=-1)
    assert (
        agent.run("How many people live in Paris? Use the site's search.")
        == "About 2.1 million people live in Paris."
    )
    pages = [path for path in requested[first_request:] if path != "/favicon.ico"]
    assert pages[:3] == ["/index.html", "/results.html?q=capital+of+France", "/paris.html"]
    observations = [step.observations for step in agent.memory.steps[1:]]
    assert any("No pop-up is visible any more." in text for text in observations)
    assert any("Found 1 matches for 'inhabitants'" in text for text in observations)
    assert "True" in observations[-2]  # Link('Madrid').exists() after going back
    # Each step's screenshot reached the model: the pop-up's dark overlay, then the page without it.
    before_close = next(call for call in model.calls if observed(call.messages).count("/paris.html") == 1)
    after_close = next(call for call in model.calls if "No pop-up is visible" in observed(call.messages))
    assert last_image(before_close.messages).size == (1000, 1350)
    assert last_image(before_close.messages).convert("RGB").getpixel((500, 700))[0] < 150
    assert last_image(after_close.messages).convert("RGB").getpixel((500, 700)) == (255, 255, 255)
    # Only the latest screenshots stay in memory, so the context does not grow with every page.
    assert sum(bool(step.observations_images) for step in agent.memory.steps[1:]) == 2


def test_page_functions_refuse_other_schemes_and_report_missing_elements(
    browser: Any, site: tuple[str, list[str]]
) -> None:
    from smolagents._ui.browser_tools import page_functions

    functions = page_functions(browser)
    with pytest.raises(ValueError, match="only opens http"):
        functions["go_to"]("file:///etc/passwd")
    assert functions["go_to"](f"{site[0]}/results.html") == f"{site[0]}/results.html"
    with pytest.raises(LookupError, match="No clickable Link\\('Nowhere'\\)"):
        functions["click"](functions["Link"]("Nowhere"))
    assert functions["Text"]("Madrid").exists() and not functions["Text"]("Berlin").exists()


def test_a_model_error_in_browser_code_is_shown_to_the_model(
    browser: Any, site: tuple[str, list[str]]
) -> None:
    from smolagents.vision_web_browser import initialize_agent

    model = ScriptedModel(
        [
            f"```py\ngo_to('{site[0]}/results.html')\nclick('Berlin')\n```",
            "```py\nfinal_answer('no Berlin')\n```",
        ]
    )
    agent = initialize_agent(model, browser, verbosity_level=-1)
    assert agent.run("Open Berlin") == "no Berlin"
    assert "No clickable Text('Berlin')" in str(agent.memory.steps[1].error)
    assert "Current url: " + site[0] + "/results.html" in agent.memory.steps[1].observations
