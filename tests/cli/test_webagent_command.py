"""The installed `webagent` command: errors a person meets, and one browsing run end to end."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _commands import assert_one_sentence_errors, model_flags, run, scripted_replies
from _servers import WireServer

from system_requirements import require


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


@pytest.fixture
def page_url(tmp_path: Path) -> Iterator[str]:
    """A page with a pop-up, served on loopback."""
    (tmp_path / "offer.html").write_text(
        "<!doctype html><title>Offer</title><h1>Today's offer: 3 lemons</h1>"
        "<div role=dialog aria-modal=true><p>Cookies?</p><button aria-label=Close "
        'onclick="this.parentElement.remove()">x</button></div>'
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/offer.html"
    server.shutdown()
    server.server_close()
    thread.join()


def test_webagent_browses_a_page_and_the_model_sees_screenshots(
    model_server: WireServer, page_url: str
) -> None:
    from smolagents._ui.browser import find_chromium

    require(find_chromium() is not None, "a Chromium browser", "run scripts/system/40-browser.sh")
    model_server.responder = scripted_replies(
        f"Thought: open it.\n```py\ngo_to('{page_url}')\n```",
        "Thought: a pop-up.\n```py\nprint(close_popups())\n```",
        "Thought: I can read the offer.\n```py\nfinal_answer('3 lemons')\n```",
    )
    result = run("webagent", "What is today's offer?", *model_flags(model_server), "--max-steps", "5")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "Final answer: 3 lemons" in result.stdout
    assert "No pop-up is visible any more." in result.stdout
    requests = [request.json for request in model_server.sent_to("/v1/chat/completions")]
    assert len(requests) == 3
    last_messages = json.dumps(requests[-1]["messages"])
    assert "data:image/png;base64," in last_messages and f"Current url: {page_url}" in last_messages
    assert "close_popups" in json.dumps(requests[0]["messages"][0])  # the tool is offered to the model


def test_webagent_errors_are_one_sentence_and_status_2() -> None:
    no_key = "LiteLLMModel 'gpt-4o' needs an API key: pass --api-key or set OPENAI_API_KEY"
    some_model = ["--model-type", "OpenAIModel", "--api-base", "http://127.0.0.1:9"]
    assert_one_sentence_errors("webagent", [
        ([], no_key),  # the default model type, without a key
        ([*some_model, "--browser-path", "/nonexistent/chromium"], "No browser at /nonexistent/chromium: install Chromium"),
        ([*some_model, "--browser-path", "/bin/true"], "Chromium could not start ("),
    ])  # fmt: skip
