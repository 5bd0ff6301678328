"""WikipediaSearchTool against a loopback server answering like the MediaWiki action API."""

from __future__ import annotations

import provider_pages as pages
import pytest
from loopback_site import LoopbackSite, Reply, Request, json_reply

from smolagents import WikipediaSearchTool
from smolagents._toolkit.fetch import FetchError


def mediawiki(request: Request) -> Reply:
    """Answer like /w/api.php: exact titles, a search list, or missing pages."""
    if request.query.get("list") == "search":
        hits = (
            pages.WIKIPEDIA_SEARCH
            if "pyth" in request.query["srsearch"].lower()
            else pages.WIKIPEDIA_EMPTY_SEARCH
        )
        return json_reply(hits)
    if request.query.get("titles", "").lower() == "python (programming language)":
        return json_reply(pages.WIKIPEDIA_PAGE)
    return json_reply(pages.WIKIPEDIA_MISSING)


@pytest.fixture
def api(site: LoopbackSite) -> str:
    site.route("/w/api.php", mediawiki)
    return site.url("/w/api.php")


def test_exact_title_returns_the_article_and_its_url(site: LoopbackSite, api: str) -> None:
    tool = WikipediaSearchTool(user_agent="TestBot (test@example.com)", api_url=api)
    output = tool("python (programming language)")
    assert output == (
        "Wikipedia page: Python (programming language)\n\n"
        "Python is a high-level, general-purpose programming language. Its design philosophy emphasizes code "
        "readability.\n\nRead more: https://en.wikipedia.org/wiki/Python_(programming_language)"
    )
    request = site.requests[0]
    assert request.headers["user-agent"] == "TestBot (test@example.com)"
    assert request.query["prop"] == "extracts|info" and request.query["explaintext"] == "1"
    assert "exintro" not in request.query


def test_unknown_title_falls_back_to_the_top_search_hit(site: LoopbackSite, api: str) -> None:
    output = WikipediaSearchTool(api_url=api)("pythn language")
    assert output.startswith("Wikipedia page: Python (programming language)")
    assert [request.query.get("list", "page") for request in site.requests] == ["page", "search", "page"]


def test_nothing_found_says_so(api: str) -> None:
    assert (
        WikipediaSearchTool(api_url=api)("qqqq")
        == "No Wikipedia page found for 'qqqq'. Try a different query."
    )


def test_summary_and_html_options_reach_the_api(
    site: LoopbackSite, api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOLAGENTS_WIKIPEDIA_API_URL", api)
    WikipediaSearchTool(content_type="summary", extract_format="HTML")("python (programming language)")
    query = site.requests[0].query
    assert query["exintro"] == "1" and "explaintext" not in query


def test_language_fills_the_api_url_template() -> None:
    tool = WikipediaSearchTool(language="fr", api_url="http://127.0.0.1:1/{language}/api.php")
    assert tool.api_url == "http://127.0.0.1:1/fr/api.php"


def test_api_error_is_reported(site: LoopbackSite) -> None:
    site.route(
        "/w/api.php", json_reply({"error": {"code": "maxlag", "info": "Waiting for a database server"}})
    )
    with pytest.raises(
        FetchError, match=r"The Wikipedia API refused the query: Waiting for a database server\."
    ):
        WikipediaSearchTool(api_url=site.url("/w/api.php"))("x")


def test_server_error_is_reported(site: LoopbackSite) -> None:
    site.route("/w/api.php", Reply(status=502, body="bad gateway"))
    with pytest.raises(
        FetchError, match=r"^HTTP 502 \(Bad Gateway\) for URL http://127\.0\.0\.1:\d+/w/api\.php\?"
    ):
        WikipediaSearchTool(api_url=site.url("/w/api.php"))("x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user_agent": ""}, "WikipediaSearchTool needs a user_agent naming your project"),
        ({"content_type": "full"}, "content_type must be 'summary' or 'text', got 'full'"),
        ({"extract_format": "MARKDOWN"}, "extract_format must be 'WIKI' or 'HTML', got 'MARKDOWN'"),
    ],
)
def test_bad_settings_are_refused_at_construction(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WikipediaSearchTool(**kwargs)
