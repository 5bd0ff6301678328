"""Web search tools: DuckDuckGo and Bing pages, Google through SerpAPI or Serper, Brave's API.

Each tool's endpoint is configurable (a constructor argument or an environment variable), which is
also how the tests point them at servers on 127.0.0.1. Requests are async (httpx), so a
ToolCallingAgent step with several searches runs them at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from ..tools.base import Tool
from .fetch import Fetched, FetchError, FetchLimits, fetch, require_modules
from .search_results import (
    SearchResult,
    parse_bing_rss,
    parse_brave,
    parse_duckduckgo_html,
    parse_serpapi,
    parse_serper,
    render_results,
)

__all__ = [
    "ApiWebSearchTool",
    "GoogleSearchTool",
    "NoResultsError",
    "RateLimiter",
    "WebSearchTool",
    "no_results",
]

_ENGINES = {
    "duckduckgo": ("SMOLAGENTS_DUCKDUCKGO_URL", "https://lite.duckduckgo.com/lite/"),
    "bing": ("SMOLAGENTS_BING_URL", "https://www.bing.com/search"),
    "exa": ("SMOLAGENTS_EXA_URL", "https://api.exa.ai/search"),
}
_GOOGLE_PROVIDERS = {
    "serpapi": ("SERPAPI_API_KEY", "SMOLAGENTS_SERPAPI_URL", "https://serpapi.com/search.json"),
    "serper": ("SERPER_API_KEY", "SMOLAGENTS_SERPER_URL", "https://google.serper.dev/search"),
}
_BRAVE_ENDPOINT = "https://api.search.brave.com/res/v1/web/search"


class RateLimiter:
    """Spaces calls at least ``1 / per_second`` seconds apart, across threads and event loops.

    Args:
        per_second: Most calls per second; None or 0 disables the limit.
        clock: The monotonic clock (a parameter so the spacing can be checked without waiting).
    """

    def __init__(self, per_second: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second else 0.0
        self._clock = clock
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def reserve(self) -> float:
        """Book the next free slot and return how many seconds to wait for it."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
            return slot - now

    async def wait(self) -> None:
        """Wait for the next free slot."""
        import asyncio

        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


def no_results(query: str, detail: str = "") -> str:
    """The text returned when a search finds nothing (a normal outcome, not an error)."""
    return f"No results found for {query!r}{detail}. Try a shorter or more general query."


class NoResultsError(Exception):
    """A web search found nothing. `WebSearchTool` and `DuckDuckGoSearchTool` raise it, as in 1.26;
    an agent shows the message to its model, which can try another query."""

    def __init__(self, query: str) -> None:
        super().__init__(f"No results found for {query!r}! Try a less restrictive/shorter query.")
        self.query = query


def _check_max_results(max_results: int) -> int:
    if not isinstance(max_results, int) or isinstance(max_results, bool) or max_results < 1:
        raise ValueError(f"max_results must be a positive integer, got {max_results!r}.")
    return max_results


def _provider_error(provider: str, response: Fetched) -> FetchError:
    """Say what a search API answered with an error status, quoting its own message if it gave one."""
    detail = ""
    try:
        import json

        data = json.loads(response.text())
        message = data.get("error") or data.get("message") if isinstance(data, dict) else None
        if isinstance(message, dict):
            message = message.get("detail") or message.get("message")
        if message:
            detail = f": {str(message)[:200]}"
    except ValueError:
        pass
    return FetchError(f"{provider} answered HTTP {response.status} for {response.url}{detail}.")


async def _json_from(provider: str, response: Fetched) -> dict[str, Any]:
    import json

    if response.status >= 400:
        raise _provider_error(provider, response)
    try:
        data = json.loads(response.text())
    except ValueError:
        raise FetchError(
            f"{provider} did not answer with JSON ({response.media_type or 'no content type'})."
        ) from None
    if not isinstance(data, dict):
        raise FetchError(f"{provider} answered with JSON that is not an object.")
    return data


class WebSearchTool(Tool):
    """Search the web through DuckDuckGo's or Bing's public result pages (no API key), or Exa's API.

    Args:
        max_results: Most results returned.
        engine: "duckduckgo" (its lite HTML page), "bing" (its RSS feed) or "exa" (its search API;
            the key comes from $EXA_API_KEY, read at each search).
        endpoint: The engine's search URL; defaults to $SMOLAGENTS_DUCKDUCKGO_URL,
            $SMOLAGENTS_BING_URL or $SMOLAGENTS_EXA_URL, else the public site.
        timeout_seconds: Limit for each request.
    """

    name = "web_search"
    description = (
        "Performs a web search for a query and returns the top results as a markdown list of titles, "
        "links and snippets."
    )
    inputs = {"query": {"type": "string", "description": "The search query to perform."}}
    output_type = "string"

    def __init__(
        self,
        max_results: int = 10,
        engine: str = "duckduckgo",
        endpoint: str | None = None,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__()
        if engine not in _ENGINES:
            raise ValueError(f"Unknown search engine {engine!r}: choose one of {', '.join(_ENGINES)}.")
        require_modules("WebSearchTool", *(("requests",) if engine == "exa" else ("httpx", "bs4")))
        self.max_results = _check_max_results(max_results)
        self.engine = engine
        variable, default = _ENGINES[engine]
        self.endpoint = endpoint or os.environ.get(variable) or default
        self.limits = FetchLimits(timeout_seconds=timeout_seconds, max_bytes=2_000_000)

    def forward(self, query: str) -> str:
        """Run `aforward` to completion (for sync callers, as in smolagents 1.26)."""
        result: str = self.run_aforward(query)
        return result

    async def aforward(self, query: str) -> str:
        """Search and return the results as markdown."""
        results = await self.search(query)
        if not results:
            raise NoResultsError(query)
        return render_results(results[: self.max_results])

    async def search(self, query: str) -> list[SearchResult]:
        """Run the search and return the parsed results."""
        if self.engine == "exa":
            from .._threads import in_thread  # a daemon worker: a stuck request cannot block exit

            return await in_thread(self._search_exa, query)
        if self.engine == "bing":
            response = await fetch(
                self.endpoint, self.limits, params={"q": query, "format": "rss"}, must_be_complete=True
            )
            try:
                return parse_bing_rss(response.text())
            except ValueError as error:
                raise FetchError(f"Bing's answer from {response.url} could not be read: {error}.") from None
        response = await fetch(
            self.endpoint, self.limits, params={"q": query}, headers={"Accept": "text/html"}
        )
        return parse_duckduckgo_html(response.text(), response.url)

    def _search_exa(self, query: str) -> list[SearchResult]:
        """Ask Exa's search API (with `requests`, as smolagents 1.26 does) for highlights of the top pages."""
        import requests

        api_key = os.environ.get("EXA_API_KEY")
        if not api_key:
            raise ValueError(
                "Missing API key. Make sure you have 'EXA_API_KEY' in your env variables: WebSearchTool(engine='exa') "
                "reads it at each search."
            )
        response = requests.post(
            self.endpoint,
            headers={
                "x-api-key": api_key,
                "Content-Type": "application/json",
                "x-exa-integration": "smolagents",
            },
            json={"query": query, "numResults": self.max_results, "contents": {"highlights": True}},
            timeout=self.limits.timeout_seconds,
        )
        response.raise_for_status()
        data = response.json()
        return [
            SearchResult(
                title=str(item.get("title") or ""),
                url=str(item.get("url") or ""),
                snippet=" ".join(str(text) for text in item.get("highlights") or []),
            )
            for item in (data.get("results") or [] if isinstance(data, dict) else [])
            if isinstance(item, dict)
        ]


class GoogleSearchTool(Tool):
    """Search Google through SerpAPI or Serper; the API key comes from the environment.

    Args:
        provider: "serpapi" (key in $SERPAPI_API_KEY) or "serper" (key in $SERPER_API_KEY).
        endpoint: The provider's URL; defaults to $SMOLAGENTS_SERPAPI_URL or $SMOLAGENTS_SERPER_URL,
            else the provider's public API.
        max_results: Most results returned.
        timeout_seconds: Limit for each request.
    """

    name = "web_search"
    description = (
        "Performs a google web search for your query then returns a string of the top search results."
    )
    inputs = {
        "query": {"type": "string", "description": "The search query to perform."},
        "filter_year": {
            "type": "integer",
            "description": "Optionally restrict results to a certain year",
            "nullable": True,
        },
    }
    output_type = "string"

    def __init__(
        self,
        provider: str = "serpapi",
        endpoint: str | None = None,
        max_results: int = 10,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__()
        if provider not in _GOOGLE_PROVIDERS:
            raise ValueError(f"Unknown provider {provider!r}: choose one of {', '.join(_GOOGLE_PROVIDERS)}.")
        require_modules("GoogleSearchTool", "httpx")
        key_variable, url_variable, default_url = _GOOGLE_PROVIDERS[provider]
        api_key = os.environ.get(key_variable)
        if not api_key:
            raise ValueError(
                f"Missing API key for {provider}: set the environment variable {key_variable!r}."
            )
        self.provider = provider
        self.api_key = api_key
        self.endpoint = endpoint or os.environ.get(url_variable) or default_url
        self.max_results = _check_max_results(max_results)
        self.limits = FetchLimits(timeout_seconds=timeout_seconds, max_bytes=2_000_000)

    def forward(self, query: str, filter_year: int | None = None) -> str:
        """Run `aforward` to completion (for sync callers, as in smolagents 1.26)."""
        result: str = self.run_aforward(query, filter_year)
        return result

    async def aforward(self, query: str, filter_year: int | None = None) -> str:
        """Search and return the results as markdown."""
        period = f"cdr:1,cd_min:01/01/{filter_year},cd_max:12/31/{filter_year}" if filter_year else None
        if self.provider == "serpapi":
            params = {"q": query, "api_key": self.api_key, "engine": "google", "google_domain": "google.com"}
            if period:
                params["tbs"] = period
            response = await fetch(
                self.endpoint, self.limits, params=params, must_be_complete=True, accept_error_status=True
            )
            results = parse_serpapi(await _json_from("SerpAPI", response))
        else:
            body: dict[str, Any] = {"q": query, "num": self.max_results}
            if period:
                body["tbs"] = period
            response = await fetch(
                self.endpoint,
                self.limits,
                method="POST",
                headers={"X-API-KEY": self.api_key},
                json_body=body,
                must_be_complete=True,
                accept_error_status=True,
            )
            results = parse_serper(await _json_from("Serper", response))
        if not results:
            return no_results(query, f" with filter_year={filter_year}" if filter_year else "")
        return render_results(results[: self.max_results])


class ApiWebSearchTool(Tool):
    """Search the web through a JSON search API: Brave Search by default.

    Override `extract_results` and `format_markdown` to read another API's format.

    Args:
        endpoint: The API's URL (default: Brave's web search).
        api_key: The key; defaults to the environment variable named by `api_key_name`.
        api_key_name: The environment variable holding the key (default "BRAVE_API_KEY").
        headers: Request headers (default: Brave's ``X-Subscription-Token`` with the key).
        params: Query parameters added to ``q`` (default ``{"count": 10}``).
        rate_limit: Most queries per second; None disables the limit.
        timeout_seconds: Limit for each request.
    """

    name = "web_search"
    description = (
        "Performs a web search for a query and returns a string of the top search results formatted as "
        "markdown with titles, URLs, and descriptions."
    )
    inputs = {"query": {"type": "string", "description": "The search query to perform."}}
    output_type = "string"

    def __init__(
        self,
        endpoint: str = "",
        api_key: str = "",
        api_key_name: str = "",
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        rate_limit: float | None = 1.0,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__()
        require_modules("ApiWebSearchTool", "httpx")
        self.endpoint = endpoint or _BRAVE_ENDPOINT
        self.api_key_name = api_key_name or "BRAVE_API_KEY"
        self.api_key = api_key or os.environ.get(self.api_key_name, "")
        if headers is None and not self.api_key:
            raise ValueError(
                f"ApiWebSearchTool needs an API key: pass api_key=... or set {self.api_key_name!r} in the "
                "environment (or pass the headers your API expects)."
            )
        self.headers = (
            headers
            if headers is not None
            else {
                "X-Subscription-Token": self.api_key,
                "Accept": "application/json",
            }
        )
        self.params = params if params is not None else {"count": 10}
        self.rate_limit = rate_limit
        self.limiter = RateLimiter(rate_limit)
        self.limits = FetchLimits(timeout_seconds=timeout_seconds, max_bytes=2_000_000)

    def forward(self, query: str) -> str:
        """Run `aforward` to completion (for sync callers, as in smolagents 1.26)."""
        result: str = self.run_aforward(query)
        return result

    async def aforward(self, query: str) -> str:
        """Search and return the results as markdown."""
        await self.limiter.wait()
        response = await fetch(
            self.endpoint,
            self.limits,
            params={**self.params, "q": query},
            headers=self.headers,
            must_be_complete=True,
            accept_error_status=True,
        )
        return self.format_markdown(self.extract_results(await _json_from("The search API", response)))

    def extract_results(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Return ``[{"title", "url", "description"}]`` from the API's JSON (Brave's format)."""
        return [{"title": hit.title, "url": hit.url, "description": hit.snippet} for hit in parse_brave(data)]

    def format_markdown(self, results: list[dict[str, Any]]) -> str:
        """Render `extract_results` output as a numbered markdown list."""
        if not results:
            return "No results found."
        return render_results(
            [
                SearchResult(
                    title=str(r.get("title", "")),
                    url=str(r.get("url", "")),
                    snippet=str(r.get("description", "")),
                )
                for r in results
            ]
        )
