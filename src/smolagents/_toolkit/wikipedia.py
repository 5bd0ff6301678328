"""`WikipediaSearchTool`: an article's summary or text from the MediaWiki API.

It talks to the MediaWiki action API directly (``action=query`` with the TextExtracts and Info
props), so the API URL is configurable: another language, a private wiki, or a test server.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..tools.base import Tool
from .fetch import FetchError, FetchLimits, fetch, require_modules

__all__ = ["WikipediaSearchTool"]

_API_VARIABLE = "SMOLAGENTS_WIKIPEDIA_API_URL"
_DEFAULT_API = "https://{language}.wikipedia.org/w/api.php"
_CONTENT_TYPES = ("summary", "text")
_EXTRACT_FORMATS = ("WIKI", "HTML")


class WikipediaSearchTool(Tool):
    """Search Wikipedia and return the summary or full text of the best-matching article, with its URL.

    Args:
        user_agent: Identifies your project to Wikipedia, as its API policy requires, e.g.
            ``"MyResearchBot (me@example.com)"``.
        language: The Wikipedia edition, e.g. "en", "fr".
        content_type: "summary" (the introduction) or "text" (the whole article).
        extract_format: "WIKI" (plain text) or "HTML".
        api_url: The MediaWiki API URL; ``{language}`` is filled in. Defaults to
            $SMOLAGENTS_WIKIPEDIA_API_URL, else ``https://{language}.wikipedia.org/w/api.php``.
        max_output_length: Most characters of article text returned.
        timeout_seconds: Limit for each request.
    """

    name = "wikipedia_search"
    description = (
        "Searches Wikipedia and returns a summary or full text of the given topic, along with the page URL."
    )
    inputs = {"query": {"type": "string", "description": "The topic to search on Wikipedia."}}
    output_type = "string"

    def __init__(
        self,
        user_agent: str = "Smolagents (myemail@example.com)",
        language: str = "en",
        content_type: str = "text",
        extract_format: str = "WIKI",
        api_url: str | None = None,
        max_output_length: int = 40000,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__()
        require_modules("WikipediaSearchTool", "httpx")
        if not user_agent or not user_agent.strip():
            raise ValueError(
                "WikipediaSearchTool needs a user_agent naming your project and a contact, e.g. "
                "'MyResearchBot (me@example.com)': Wikipedia's API policy requires one."
            )
        if content_type not in _CONTENT_TYPES:
            raise ValueError(f"content_type must be 'summary' or 'text', got {content_type!r}.")
        if extract_format not in _EXTRACT_FORMATS:
            raise ValueError(f"extract_format must be 'WIKI' or 'HTML', got {extract_format!r}.")
        self.user_agent = user_agent
        self.language = language
        self.content_type = content_type
        self.extract_format = extract_format
        template = api_url or os.environ.get(_API_VARIABLE) or _DEFAULT_API
        self.api_url = template.replace("{language}", language)
        self.max_output_length = max_output_length
        self.limits = FetchLimits(timeout_seconds=timeout_seconds, max_bytes=5_000_000)

    def forward(self, query: str) -> str:
        """Run `aforward` to completion (for sync callers, as in smolagents 1.26)."""
        result: str = self.run_aforward(query)
        return result

    async def aforward(self, query: str) -> str:
        """Return the article for `query` (its exact title, else the top search hit)."""
        page = await self._page(query)
        if page is None:
            title = await self._search(query)
            page = await self._page(title) if title else None
        if page is None:
            return f"No Wikipedia page found for {query!r}. Try a different query."
        text = str(page.get("extract") or "").strip()
        if len(text) > self.max_output_length:
            text = (
                text[: self.max_output_length]
                + f"\n\n[Note: the article was cut to {self.max_output_length:,} characters.]"
            )
        url = page.get("fullurl") or page.get("canonicalurl") or ""
        return f"Wikipedia page: {page.get('title', query)}\n\n{text}\n\nRead more: {url}"

    async def _page(self, title: str) -> dict[str, Any] | None:
        params: dict[str, Any] = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "prop": "extracts|info",
            "inprop": "url",
            "redirects": "1",
            "titles": title,
        }
        if self.extract_format == "WIKI":
            params["explaintext"] = "1"
        if self.content_type == "summary":
            params["exintro"] = "1"
        data = await self._query(params)
        pages = (data.get("query") or {}).get("pages") or []
        page = pages[0] if pages and isinstance(pages[0], dict) else None
        if page is None or page.get("missing") or page.get("invalid"):
            return None
        return page

    async def _search(self, query: str) -> str | None:
        params = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "list": "search",
            "srsearch": query,
            "srlimit": "1",
        }
        hits = (await self._query(params)).get("query", {}).get("search") or []
        return str(hits[0]["title"]) if hits and isinstance(hits[0], dict) and "title" in hits[0] else None

    async def _query(self, params: dict[str, Any]) -> dict[str, Any]:
        response = await fetch(
            self.api_url,
            self.limits,
            params=params,
            headers={"User-Agent": self.user_agent},
            must_be_complete=True,
        )
        try:
            data = json.loads(response.text())
        except ValueError:
            raise FetchError(f"The Wikipedia API at {response.url} did not answer with JSON.") from None
        if not isinstance(data, dict):
            raise FetchError(f"The Wikipedia API at {response.url} answered with unexpected JSON.")
        if "error" in data:
            error = data["error"]
            info = error.get("info") if isinstance(error, dict) else error
            raise FetchError(f"The Wikipedia API refused the query: {info}.")
        return data
