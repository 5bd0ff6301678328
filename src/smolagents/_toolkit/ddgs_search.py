"""`DuckDuckGoSearchTool`: web search through the `ddgs` metasearch library."""

from __future__ import annotations

import time
from typing import Any

from ..tools.base import Tool
from .fetch import FetchError
from .search import NoResultsError, RateLimiter
from .search_results import SearchResult, render_results

__all__ = ["DuckDuckGoSearchTool"]


class DuckDuckGoSearchTool(Tool):
    """Search the web with DuckDuckGo through the `ddgs` library.

    Args:
        max_results: Most results returned.
        rate_limit: Most queries per second; None disables the limit.
        backend: The ddgs backend(s), comma-separated: "duckduckgo" by default, "auto" lets ddgs
            mix several engines.
        **kwargs: Passed to ``ddgs.DDGS`` (``proxy``, ``timeout``, ``verify``).
    """

    name = "web_search"
    description = (
        "Performs a duckduckgo web search based on your query (think a Google search) then returns the top "
        "search results."
    )
    inputs = {"query": {"type": "string", "description": "The search query to perform."}}
    output_type = "string"

    def __init__(
        self,
        max_results: int = 10,
        rate_limit: float | None = 1.0,
        backend: str = "duckduckgo",
        **kwargs: Any,
    ) -> None:
        super().__init__()
        try:
            from ddgs import DDGS
        except ImportError as error:
            raise ImportError(
                "DuckDuckGoSearchTool needs ddgs: pip install 'smolagents[toolkit]'."
            ) from error
        self.max_results = max_results
        self.rate_limit = rate_limit
        self.backend = backend
        self.limiter = RateLimiter(rate_limit)
        kwargs.setdefault("timeout", 20)
        self.ddgs = DDGS(**kwargs)

    def forward(self, query: str) -> str:
        """Search and return the results as markdown (ddgs is synchronous: the agent runs it on a thread)."""
        from ddgs.exceptions import DDGSException, TimeoutException

        delay = self.limiter.reserve()
        if delay > 0:
            time.sleep(delay)  # spacing queries out is the point of the rate limit
        try:
            hits = self.ddgs.text(query, max_results=self.max_results, backend=self.backend)
        except TimeoutException:
            raise FetchError(f"The DuckDuckGo search for {query!r} timed out.") from None
        except DDGSException as error:
            if "No results" in str(error):  # ddgs has no distinct exception for an empty result
                raise NoResultsError(query) from None
            raise FetchError(f"The DuckDuckGo search for {query!r} failed: {_first_line(error)}.") from None
        if not hits:
            raise NoResultsError(query)
        return render_results(
            [
                SearchResult(title=hit.get("title", ""), url=hit.get("href", ""), snippet=hit.get("body", ""))
                for hit in hits
            ]
        )


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
