"""Responses in each search provider's own format, as their public endpoints return them (trimmed)."""

DUCKDUCKGO_LITE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"><title>hugging face at DuckDuckGo</title></head>
<body>
<form action="/lite/" method="post"><input class="query" type="text" size="40" name="q" value="hugging face"></form>
<table border="0">
  <tr class="result-sponsored">
    <td valign="top">1.&nbsp;</td>
    <td><a rel="nofollow" href="https://duckduckgo.com/y.js?ad_domain=ads.example" class='result-link'>Buy GPUs now</a></td>
  </tr>
  <tr class="result-sponsored"><td>&nbsp;&nbsp;&nbsp;</td><td class='result-snippet'>Sponsored snippet.</td></tr>
  <tr>
    <td valign="top">1.&nbsp;</td>
    <td><a rel="nofollow" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fhuggingface.co%2F&amp;rut=abc123" class='result-link'>Hugging Face &ndash; The AI community building the future.</a></td>
  </tr>
  <tr>
    <td>&nbsp;&nbsp;&nbsp;</td>
    <td class='result-snippet'>The platform where the machine learning community collaborates on <b>models</b>, datasets, and applications.</td>
  </tr>
  <tr><td>&nbsp;&nbsp;&nbsp;</td><td><span class='link-text'>huggingface.co</span></td></tr>
  <tr><td>&nbsp;</td><td>&nbsp;</td></tr>
  <tr>
    <td valign="top">2.&nbsp;</td>
    <td><a rel="nofollow" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fen.wikipedia.org%2Fwiki%2FHugging_Face&amp;rut=def456" class='result-link'>Hugging Face - Wikipedia</a></td>
  </tr>
  <tr>
    <td>&nbsp;&nbsp;&nbsp;</td>
    <td class='result-snippet'>Hugging Face, Inc. is a French-American company based in New York City.</td>
  </tr>
  <tr><td>&nbsp;&nbsp;&nbsp;</td><td><span class='link-text'>en.wikipedia.org/wiki/Hugging_Face</span></td></tr>
</table>
</body></html>
"""

DUCKDUCKGO_HTML = """<!DOCTYPE html><html><head><title>smolagents at DuckDuckGo</title></head><body>
<div class="serp__results"><div id="links" class="results">
  <div class="result results_links results_links_deep web-result">
    <div class="links_main links_deep result__body">
      <h2 class="result__title"><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fgithub.com%2Fhuggingface%2Fsmolagents&amp;rut=1">GitHub - huggingface/smolagents</a></h2>
      <div class="result__extras"><span class="result__url">github.com/huggingface/smolagents</span></div>
      <a class="result__snippet" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fgithub.com%2Fhuggingface%2Fsmolagents">A barebones library for agents that <b>think in code</b>.</a>
    </div>
  </div>
</div></div></body></html>
"""

DUCKDUCKGO_NO_RESULTS = (
    """<html><body><table border="0"><tr><td>No results.</td></tr></table></body></html>"""
)

BING_RSS = """<?xml version="1.0" encoding="utf-8" ?><rss version="2.0"><channel>
<title>Bing: smolagents</title><link>http://www.bing.com:80/search?q=smolagents</link>
<description>Search results</description>
<item><title>smolagents - Hugging Face</title><link>https://huggingface.co/docs/smolagents</link>
<description>smolagents is a library that enables you to run powerful agents in a few lines of code.</description>
<pubDate>Mon, 01 Dec 2026 10:00:00 GMT</pubDate></item>
<item><title>huggingface/smolagents - GitHub</title><link>https://github.com/huggingface/smolagents</link>
<description>Agents that think in code.</description><pubDate>Sun, 30 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>
"""

SERPAPI = {
    "search_metadata": {"id": "6756e1", "status": "Success"},
    "search_parameters": {"engine": "google", "q": "smolagents", "google_domain": "google.com"},
    "organic_results": [
        {
            "position": 1,
            "title": "smolagents - Hugging Face",
            "link": "https://huggingface.co/docs/smolagents/index",
            "displayed_link": "https://huggingface.co \u203a docs \u203a smolagents",
            "snippet": "smolagents is an open-source Python library designed to make it extremely easy to build agents.",
            "date": "Jan 9, 2025",
            "source": "Hugging Face",
        },
        {
            "position": 2,
            "title": "GitHub - huggingface/smolagents",
            "link": "https://github.com/huggingface/smolagents",
            "snippet": "Agents that think in code!",
        },
    ],
}

SERPER = {
    "searchParameters": {"q": "smolagents", "type": "search", "engine": "google"},
    "knowledgeGraph": {"title": "Hugging Face", "type": "Company"},
    "organic": [
        {
            "title": "smolagents - Hugging Face",
            "link": "https://huggingface.co/docs/smolagents/index",
            "snippet": "smolagents is a library to build agents in a few lines of code.",
            "position": 1,
        },
        {
            "title": "Introducing smolagents",
            "link": "https://huggingface.co/blog/smolagents",
            "snippet": "Today we are launching smolagents.",
            "date": "Dec 31, 2024",
            "position": 2,
        },
    ],
}

BRAVE = {
    "type": "search",
    "query": {"original": "smolagents", "more_results_available": True},
    "mixed": {"type": "mixed", "main": [{"type": "web", "index": 0, "all": False}]},
    "web": {
        "type": "search",
        "results": [
            {
                "title": "<strong>smolagents</strong> - Hugging Face",
                "url": "https://huggingface.co/docs/smolagents",
                "is_source_local": False,
                "description": "A barebones library for <strong>agents</strong>.",
                "age": "January 9, 2025",
                "language": "en",
                "type": "search_result",
            }
        ],
        "family_friendly": True,
    },
}

WIKIPEDIA_PAGE = {
    "batchcomplete": True,
    "query": {
        "normalized": [
            {
                "fromencoded": False,
                "from": "python (programming language)",
                "to": "Python (programming language)",
            }
        ],
        "pages": [
            {
                "pageid": 23862,
                "ns": 0,
                "title": "Python (programming language)",
                "extract": "Python is a high-level, general-purpose programming language. Its design philosophy emphasizes code readability.",
                "contentmodel": "wikitext",
                "pagelanguage": "en",
                "touched": "2026-11-30T12:00:00Z",
                "lastrevid": 1260000000,
                "length": 150000,
                "fullurl": "https://en.wikipedia.org/wiki/Python_(programming_language)",
                "editurl": "https://en.wikipedia.org/w/index.php?title=Python_(programming_language)&action=edit",
                "canonicalurl": "https://en.wikipedia.org/wiki/Python_(programming_language)",
            }
        ],
    },
}

WIKIPEDIA_MISSING = {
    "batchcomplete": True,
    "query": {"pages": [{"ns": 0, "title": "Pythn language", "missing": True}]},
}

WIKIPEDIA_SEARCH = {
    "batchcomplete": True,
    "continue": {"sroffset": 1, "continue": "-||"},
    "query": {
        "searchinfo": {"totalhits": 9200},
        "search": [
            {
                "ns": 0,
                "title": "Python (programming language)",
                "pageid": 23862,
                "size": 150000,
                "wordcount": 14000,
                "snippet": '<span class="searchmatch">Python</span> is a high-level',
            }
        ],
    },
}

WIKIPEDIA_EMPTY_SEARCH = {"batchcomplete": True, "query": {"searchinfo": {"totalhits": 0}, "search": []}}
