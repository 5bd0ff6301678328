"""MCP client internals behind `smolagents.mcp_client`: the event-loop thread, one connection per
server, and the conversion between MCP tools and smolagents tools. Needs the ``mcp`` extra."""
