"""Read each search provider's response format into `SearchResult`s, and render them for the model.

Pure functions over the bytes or JSON a provider returned: DuckDuckGo's HTML result pages (the
"lite" table and the "html" list), Bing's RSS, SerpAPI, Serper and Brave JSON.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

__all__ = [
    "SearchResult",
    "parse_bing_rss",
    "parse_brave",
    "parse_duckduckgo_html",
    "parse_serpapi",
    "parse_serper",
    "render_results",
]

_SNIPPET_LIMIT = 500


@dataclass(frozen=True)
class SearchResult:
    """One hit of a web search."""

    title: str
    url: str
    snippet: str = ""
    date: str | None = None
    source: str | None = None


def render_results(results: list[SearchResult]) -> str:
    """Render results as the numbered markdown list the model reads."""
    blocks = []
    for number, result in enumerate(results, start=1):
        lines = [f"{number}. [{result.title}]({result.url})"]
        if result.date:
            lines.append(f"Date published: {result.date}")
        if result.source:
            lines.append(f"Source: {result.source}")
        if result.snippet:
            lines.append(result.snippet)
        blocks.append("\n".join(lines))
    return "## Search Results\n\n" + "\n\n".join(blocks)


def parse_duckduckgo_html(html: str, base_url: str) -> list[SearchResult]:
    """Read DuckDuckGo's result page: the "lite" table layout or the "html" list layout.

    Args:
        html: The page.
        base_url: The URL the page came from, to resolve relative links.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    results: list[SearchResult] = []
    for link in soup.select("a.result-link, a.result__a"):
        row = link.find_parent("tr")
        if row is not None and "result-sponsored" in (row.get("class") or []):
            continue  # adverts
        if link.find_parent(class_="result--ad") is not None:
            continue
        url = _unwrap_duckduckgo_link(str(link.get("href") or ""), base_url)
        snippet_node = _lite_snippet(row) if row is not None else _html_snippet(link)
        snippet = _text_of(snippet_node) if snippet_node is not None else ""
        results.append(SearchResult(title=_text_of(link), url=url, snippet=_cut(snippet)))
    return results


def _text_of(node: Any) -> str:
    """Return a node's text with whitespace runs collapsed (inline tags such as <b> add none)."""
    return " ".join(node.get_text().split())


def _lite_snippet(row: Any) -> Any:
    """The lite layout puts the snippet in the next table row's ``td.result-snippet``."""
    following = row.find_next_sibling("tr")
    return following.find("td", class_="result-snippet") if following is not None else None


def _html_snippet(link: Any) -> Any:
    body = link.find_parent(class_="result__body") or link.find_parent(class_="result")
    return body.select_one(".result__snippet") if body is not None else None


def _unwrap_duckduckgo_link(href: str, base_url: str) -> str:
    """Return the target of DuckDuckGo's ``/l/?uddg=<target>`` redirect links, else the link itself."""
    absolute = urljoin(base_url, href)
    parts = urlsplit(absolute)
    if parts.path.rstrip("/").endswith("/l"):
        targets = parse_qs(parts.query).get("uddg")
        if targets:
            return targets[0]
    return absolute


def parse_bing_rss(xml_text: str) -> list[SearchResult]:
    """Read Bing's RSS results (``format=rss``): one ``<item>`` per hit."""
    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError as error:
        raise ValueError(f"the response is not valid RSS ({error})") from None
    return [
        SearchResult(
            title=(item.findtext("title") or "").strip(),
            url=(item.findtext("link") or "").strip(),
            snippet=_cut((item.findtext("description") or "").strip()),
            date=(item.findtext("pubDate") or "").strip() or None,
        )
        for item in root.iter("item")
    ]


def parse_serpapi(data: dict[str, Any]) -> list[SearchResult]:
    """Read SerpAPI's Google results: ``organic_results`` with title, link, snippet, date, source."""
    return [_organic(item) for item in data.get("organic_results") or [] if isinstance(item, dict)]


def parse_serper(data: dict[str, Any]) -> list[SearchResult]:
    """Read Serper's Google results: ``organic`` with title, link, snippet, date."""
    return [_organic(item) for item in data.get("organic") or [] if isinstance(item, dict)]


def parse_brave(data: dict[str, Any]) -> list[SearchResult]:
    """Read Brave's web search results: ``web.results`` with title, url, description, age."""
    web = data.get("web") or {}
    items = web.get("results") if isinstance(web, dict) else None
    return [
        SearchResult(
            title=_plain(str(item.get("title", ""))),
            url=str(item.get("url", "")),
            snippet=_cut(_plain(str(item.get("description", "")))),
            date=item.get("age") or item.get("page_age"),
        )
        for item in items or []
        if isinstance(item, dict)
    ]


def _organic(item: dict[str, Any]) -> SearchResult:
    return SearchResult(
        title=str(item.get("title", "")),
        url=str(item.get("link", "")),
        snippet=_cut(str(item.get("snippet", ""))),
        date=item.get("date"),
        source=item.get("source"),
    )


def _plain(text: str) -> str:
    """Drop the ``<strong>`` highlighting Brave puts in titles and descriptions."""
    if "<" not in text:
        return text
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html.parser").get_text()


def _cut(text: str) -> str:
    return text if len(text) <= _SNIPPET_LIMIT else text[: _SNIPPET_LIMIT - 1] + "…"
