"""DuckDuckGoSearchTool on the real ddgs library, reaching a loopback stand-in through its proxy setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import provider_pages as pages
import pytest
from tls_proxy import InterceptingProxy

pytest.importorskip("ddgs", reason="the toolkit extra is not installed")
from smolagents import DuckDuckGoSearchTool
from smolagents._toolkit.fetch import FetchError
from smolagents._toolkit.search import NoResultsError


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[InterceptingProxy]:
    def answer(host: str, request_line: str, body: bytes) -> tuple[int, str, bytes]:
        query = parse_qs(body.decode()).get("q", [""])[0]
        if host != "html.duckduckgo.com":
            return 404, "text/plain", b"not here"
        if query == "nothing":
            return 200, "text/html", pages.DUCKDUCKGO_NO_RESULTS.encode()
        if query == "broken":
            return 0, "", b""
        return 200, "text/html; charset=utf-8", pages.DUCKDUCKGO_HTML.encode()

    server = InterceptingProxy(tmp_path, answer)
    yield server
    server.close()


def test_ddgs_results_are_rendered_as_markdown(proxy: InterceptingProxy) -> None:
    tool = DuckDuckGoSearchTool(max_results=5, rate_limit=None, proxy=proxy.url, verify=False)
    output = tool("smolagents")
    assert output.startswith("## Search Results\n\n1. [GitHub - huggingface/smolagents](")
    assert "github.com/huggingface/smolagents" in output
    assert "think in code" in output
    assert proxy.requests[0] == ("html.duckduckgo.com", "POST /html/ HTTP/1.1")


def test_ddgs_with_nothing_found_says_so(proxy: InterceptingProxy) -> None:
    tool = DuckDuckGoSearchTool(rate_limit=None, proxy=proxy.url, verify=False)
    with pytest.raises(NoResultsError, match=r"^No results found for 'nothing'! Try a less restrictive"):
        tool("nothing")


def test_ddgs_failure_is_one_sentence(proxy: InterceptingProxy) -> None:
    tool = DuckDuckGoSearchTool(rate_limit=None, proxy=proxy.url, verify=False)
    with pytest.raises(FetchError, match=r"^The DuckDuckGo search for 'broken' (failed: .*|timed out)\.$"):
        tool("broken")
