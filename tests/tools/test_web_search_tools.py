"""The search tools against a loopback server speaking each provider's real response format."""

from __future__ import annotations

import threading

import provider_pages as pages
import pytest
from loopback_site import LoopbackSite, Reply, json_reply

from smolagents import (
    ActionStep,
    ApiWebSearchTool,
    GoogleSearchTool,
    ScriptedModel,
    ToolCallingAgent,
    WebSearchTool,
    tool_call_message,
)
from smolagents._toolkit.fetch import FetchError
from smolagents._toolkit.search import NoResultsError, RateLimiter


def test_duckduckgo_lite_page_gives_real_links_and_skips_adverts(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.route("/lite/", Reply(body=pages.DUCKDUCKGO_LITE))
    monkeypatch.setenv("SMOLAGENTS_DUCKDUCKGO_URL", site.url("/lite/"))
    output = WebSearchTool()("hugging face")
    assert output.startswith(
        "## Search Results\n\n1. [Hugging Face \u2013 The AI community building the future.](https://huggingface.co/)"
    )
    assert "collaborates on models, datasets" in output
    assert "2. [Hugging Face - Wikipedia](https://en.wikipedia.org/wiki/Hugging_Face)" in output
    assert "Buy GPUs" not in output
    assert site.requests[0].query == {"q": "hugging face"}


def test_duckduckgo_html_layout_is_read_too(site: LoopbackSite) -> None:
    site.route("/html/", Reply(body=pages.DUCKDUCKGO_HTML))
    output = WebSearchTool(endpoint=site.url("/html/"))("smolagents")
    assert "1. [GitHub - huggingface/smolagents](https://github.com/huggingface/smolagents)" in output
    assert "think in code" in output


def test_max_results_cuts_the_list(site: LoopbackSite) -> None:
    site.route("/lite/", Reply(body=pages.DUCKDUCKGO_LITE))
    output = WebSearchTool(max_results=1, endpoint=site.url("/lite/"))("hugging face")
    assert "1. [Hugging Face" in output and "2. [" not in output


def test_empty_result_page_says_no_results(site: LoopbackSite) -> None:
    site.route("/lite/", Reply(body=pages.DUCKDUCKGO_NO_RESULTS))
    with pytest.raises(NoResultsError, match=r"^No results found for 'qwxzv'! Try a less restrictive"):
        WebSearchTool(endpoint=site.url("/lite/"))("qwxzv")


def test_bing_rss_results(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.route("/search", Reply(body=pages.BING_RSS, content_type="text/xml; charset=utf-8"))
    monkeypatch.setenv("SMOLAGENTS_BING_URL", site.url("/search"))
    output = WebSearchTool(engine="bing")("smolagents")
    assert "1. [smolagents - Hugging Face](https://huggingface.co/docs/smolagents)" in output
    assert "Date published: Mon, 01 Dec 2026" in output
    assert site.requests[0].query == {"q": "smolagents", "format": "rss"}


def test_unknown_engine_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="Unknown search engine 'altavista': choose one of duckduckgo, bing"):
        WebSearchTool(engine="altavista")


def test_server_error_is_one_sentence(site: LoopbackSite) -> None:
    site.route("/lite/", Reply(status=500, body="oops"))
    url = site.url("/lite/")
    with pytest.raises(FetchError) as caught:
        WebSearchTool(endpoint=url)("x")
    assert str(caught.value) == f"HTTP 500 (Internal Server Error) for URL {url}?q=x."


def test_slow_provider_times_out_with_the_limit_in_the_message(site: LoopbackSite) -> None:
    site.route("/lite/", Reply(body=pages.DUCKDUCKGO_LITE, is_slow=True))
    with pytest.raises(
        FetchError, match=r"^The request to http://127\.0\.0\.1:\d+/lite/ timed out after 0\.5 s\.$"
    ):
        WebSearchTool(endpoint=site.url("/lite/"), timeout_seconds=0.5)("x")


def test_unreachable_provider_says_the_connection_was_refused() -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        FetchError, match=rf"^Could not reach http://127\.0\.0\.1:{port}/: the connection was refused\.$"
    ):
        WebSearchTool(endpoint=f"http://127.0.0.1:{port}/")("x")


def test_serpapi_request_and_results(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.route("/search.json", json_reply(pages.SERPAPI))
    monkeypatch.setenv("SERPAPI_API_KEY", "serp-key")
    monkeypatch.setenv("SMOLAGENTS_SERPAPI_URL", site.url("/search.json"))
    output = GoogleSearchTool()("smolagents", filter_year=2025)
    assert "1. [smolagents - Hugging Face](https://huggingface.co/docs/smolagents/index)" in output
    assert "Date published: Jan 9, 2025\nSource: Hugging Face" in output
    query = site.requests[0].query
    assert query["api_key"] == "serp-key" and query["engine"] == "google" and query["q"] == "smolagents"
    assert query["tbs"] == "cdr:1,cd_min:01/01/2025,cd_max:12/31/2025"


def test_serper_posts_json_with_the_key_header(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.route("/search", json_reply(pages.SERPER))
    monkeypatch.setenv("SERPER_API_KEY", "serper-key")
    output = GoogleSearchTool(provider="serper", endpoint=site.url("/search"))("smolagents")
    assert "2. [Introducing smolagents](https://huggingface.co/blog/smolagents)" in output
    request = site.requests[0]
    assert request.method == "POST" and request.headers["x-api-key"] == "serper-key"
    assert request.json() == {"q": "smolagents", "num": 10}


def test_google_search_without_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERPAPI_API_KEY", raising=False)
    with pytest.raises(
        ValueError, match="Missing API key for serpapi: set the environment variable 'SERPAPI_API_KEY'"
    ):
        GoogleSearchTool()


def test_provider_error_message_is_quoted(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.route(
        "/search.json", json_reply({"error": "Invalid API key. Your API key should be here."}, status=401)
    )
    monkeypatch.setenv("SERPAPI_API_KEY", "wrong")
    with pytest.raises(FetchError, match=r"SerpAPI answered HTTP 401 for .*: Invalid API key\. Your API key"):
        GoogleSearchTool(endpoint=site.url("/search.json"))("x")


def test_google_search_with_no_organic_results(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.route("/search.json", json_reply({"search_metadata": {"status": "Success"}, "organic_results": []}))
    monkeypatch.setenv("SERPAPI_API_KEY", "k")
    output = GoogleSearchTool(endpoint=site.url("/search.json"))("x", filter_year=1990)
    assert output == "No results found for 'x' with filter_year=1990. Try a shorter or more general query."


def test_brave_api_search_sends_token_and_params(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site.route("/res/v1/web/search", json_reply(pages.BRAVE))
    monkeypatch.setenv("BRAVE_API_KEY", "brave-token")
    tool = ApiWebSearchTool(endpoint=site.url("/res/v1/web/search"), rate_limit=None)
    output = tool("smolagents")
    assert output == (
        "## Search Results\n\n1. [smolagents - Hugging Face](https://huggingface.co/docs/smolagents)\n"
        "A barebones library for agents."
    )
    request = site.requests[0]
    assert request.headers["x-subscription-token"] == "brave-token"
    assert request.query == {"count": "10", "q": "smolagents"}


def test_api_search_with_custom_headers_and_params(site: LoopbackSite) -> None:
    site.route("/api", json_reply({"web": {"results": []}}))
    tool = ApiWebSearchTool(
        endpoint=site.url("/api"),
        headers={"Authorization": "Bearer t"},
        params={"lang": "fr"},
        rate_limit=None,
    )
    assert tool("x") == "No results found."
    assert site.requests[0].headers["authorization"] == "Bearer t"
    assert site.requests[0].query == {"lang": "fr", "q": "x"}


def test_api_search_without_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRAVE_API_KEY", raising=False)
    with pytest.raises(
        ValueError, match=r"ApiWebSearchTool needs an API key: pass api_key=\.\.\. or set 'BRAVE_API_KEY'"
    ):
        ApiWebSearchTool()


def test_rate_limiter_spaces_reservations_by_the_interval() -> None:
    now = [100.0]
    limiter = RateLimiter(2.0, clock=lambda: now[0])
    assert [limiter.reserve(), limiter.reserve(), limiter.reserve()] == [0.0, 0.5, 1.0]
    now[0] = 200.0
    assert limiter.reserve() == 0.0
    assert RateLimiter(None).reserve() == 0.0


def test_tool_calling_agent_runs_searches_of_one_step_concurrently(site: LoopbackSite) -> None:
    """Each request waits until all three are in flight: run one after another, they would fail."""
    everyone_in = threading.Barrier(3, timeout=20)

    def results(request):  # type: ignore[no-untyped-def]
        everyone_in.wait()
        return Reply(body=pages.DUCKDUCKGO_LITE.replace("Hugging Face - Wikipedia", request.query["q"]))

    site.route("/lite/", results)
    model = ScriptedModel(
        [
            tool_call_message(*[("web_search", {"query": q}) for q in ("alpha", "beta", "gamma")]),
            tool_call_message(("final_answer", {"answer": "done"})),
        ]
    )
    agent = ToolCallingAgent(
        tools=[WebSearchTool(endpoint=site.url("/lite/"))], model=model, verbosity_level=-1
    )
    assert agent.run("search three things") == "done"
    step = next(step for step in agent.memory.steps if isinstance(step, ActionStep))
    assert step.error is None
    assert all(word in step.observations for word in ("alpha", "beta", "gamma"))


def test_failed_search_is_an_error_step_and_the_run_goes_on(site: LoopbackSite) -> None:
    site.route("/lite/", Reply(status=503, body="busy"))
    model = ScriptedModel(
        [
            tool_call_message(("web_search", {"query": "x"})),
            tool_call_message(("final_answer", {"answer": "gave up searching"})),
        ]
    )
    agent = ToolCallingAgent(
        tools=[WebSearchTool(endpoint=site.url("/lite/"))], model=model, verbosity_level=-1
    )
    assert agent.run("search") == "gave up searching"
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert len(steps) == 2
    assert "HTTP 503 (Service Unavailable) for URL" in steps[0].error.message
    assert "Traceback" not in steps[0].error.message
    assert "HTTP 503" in model.calls[1].messages[-1].text
