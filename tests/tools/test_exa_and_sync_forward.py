"""WebSearchTool(engine="exa") against a loopback Exa API, and sync `forward` of async-backed tools (1.26's API)."""

from __future__ import annotations

import pytest
from loopback_site import LoopbackSite, json_reply

from smolagents._toolkit.search import NoResultsError
from smolagents.default_tools import WebSearchTool

EXA_ANSWER = {
    "results": [
        {"title": "Exa AI", "url": "https://exa.ai", "highlights": ["Search for AI.", "Fast."]},
        {"title": "No highlights", "url": "https://example.com"},
        {"title": "Null highlights", "url": "https://example.org", "highlights": None},
    ]
}


def test_exa_engine_posts_the_query_with_its_key_and_renders_highlights(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.route("/search", json_reply(EXA_ANSWER))
    monkeypatch.setenv("EXA_API_KEY", "key-123")
    tool = WebSearchTool(engine="exa", max_results=3, endpoint=site.url("/search"))

    output = tool.forward("agents")  # sync, as 1.26's forward is

    assert output.startswith("## Search Results")
    assert "[Exa AI](https://exa.ai)\nSearch for AI. Fast." in output
    assert "[No highlights](https://example.com)" in output
    assert "[Null highlights](https://example.org)" in output
    request = site.requests[-1]
    assert request.method == "POST"
    assert request.headers["x-api-key"] == "key-123"
    assert request.headers["x-exa-integration"] == "smolagents"
    assert request.json() == {"query": "agents", "numResults": 3, "contents": {"highlights": True}}


def test_exa_engine_without_key_says_which_variable_to_set(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXA_API_KEY", raising=False)
    tool = WebSearchTool(engine="exa", endpoint=site.url("/search"))
    with pytest.raises(ValueError, match="EXA_API_KEY"):
        tool("agents")
    assert site.requests == []


async def test_async_backed_tool_is_awaited_by_acall_and_reports_is_async(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.route("/search", json_reply({"results": []}))
    monkeypatch.setenv("EXA_API_KEY", "k")
    tool = WebSearchTool(engine="exa", endpoint=site.url("/search"))
    assert tool.is_async
    with pytest.raises(NoResultsError, match=r"^No results found for 'nothing'! Try a less restrictive"):
        await tool.acall(query="nothing")
