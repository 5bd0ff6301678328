"""The default toolbox's internals: safe fetching, search providers, web pages, speech.

The public names live in `smolagents.default_tools`; nothing here is imported by
`import smolagents`, and optional libraries (httpx, ddgs, markdownify, faster-whisper) load only
inside the tool that needs them.
"""
