"""MCPClient over streamable HTTP and SSE to real servers on 127.0.0.1, a list of servers, and
ToolCollection.from_mcp as the documentation uses it."""

from __future__ import annotations

import threading

import pytest
from mcp_servers import HttpServer, stdio_parameters

from smolagents import ActionStep, CodeAgent, ScriptedModel, ToolCollection
from smolagents.mcp_client import MCPClient


def test_streamable_http_tools_answer(http_server: HttpServer) -> None:
    with MCPClient({"url": http_server.url, "transport": "streamable-http"}, structured_output=True) as tools:
        add = next(tool for tool in tools if tool.name == "add")
        assert add(a=40, b=2) == {"result": 42}


def test_transport_defaults_to_streamable_http(http_server: HttpServer) -> None:
    with MCPClient({"url": http_server.url}, structured_output=False) as tools:
        assert next(tool for tool in tools if tool.name == "echo")(text="hi") == "hi"


def test_sse_transport(sse_server: HttpServer) -> None:
    with MCPClient({"url": sse_server.url, "transport": "sse"}, structured_output=False) as tools:
        assert next(tool for tool in tools if tool.name == "add")(a=1, b=2) == "3"


def test_session_is_re_established_after_the_server_restarts() -> None:
    server = HttpServer("streamable-http")
    try:
        with MCPClient({"url": server.url}, structured_output=True) as tools:
            pid = next(tool for tool in tools if tool.name == "pid")
            first = pid()["result"]
            server.stop()
            server.start()  # same port, new process: it does not know the old session
            second = pid()["result"]
        assert first != second
    finally:
        server.stop()


def test_unreachable_http_server_fails_at_construction() -> None:
    from mcp_servers import free_port

    url = f"http://127.0.0.1:{free_port()}/mcp"
    with pytest.raises(
        ConnectionError, match=rf"^Could not connect to the MCP server at {url} \(streamable-http\): "
    ):
        MCPClient({"url": url}, adapter_kwargs={"connect_timeout": 2}, structured_output=False)


def test_a_url_server_still_starting_is_waited_for_until_the_connect_timeout() -> None:
    from mcp_servers import free_port

    port = free_port()
    outcome: dict[str, object] = {}

    def connect() -> None:
        try:
            options = {"connect_timeout": 120}
            with MCPClient(
                {"url": f"http://127.0.0.1:{port}/mcp"}, adapter_kwargs=options, structured_output=False
            ) as tools:
                outcome["echo"] = next(tool for tool in tools if tool.name == "echo")(text="late")
        except Exception as error:  # reported by the assertion below
            outcome["error"] = error

    client = threading.Thread(target=connect)
    client.start()  # refused at first: nothing listens on the port yet
    server = HttpServer("streamable-http", port=port)
    try:
        client.join(timeout=150)
    finally:
        server.stop()
    assert outcome == {"echo": "late"}


def test_a_list_of_servers_gives_the_tools_of_each(http_server: HttpServer) -> None:
    with MCPClient([stdio_parameters(), {"url": http_server.url}], structured_output=True) as tools:
        pids = [tool()["result"] for tool in tools if tool.name == "pid"]
    assert len(pids) == 2 and pids[0] != pids[1]


def test_tool_collection_from_mcp_feeds_a_code_agent_with_output_schemas(http_server: HttpServer) -> None:
    model = ScriptedModel(
        [
            "Thought: ask the weather tool.\n```py\nweather = get_weather(city='Lima')\nprint(weather['temperature'])\n```",
            "Thought: done.\n```py\nfinal_answer(weather['temperature'])\n```",
        ]
    )
    with ToolCollection.from_mcp(
        {"url": http_server.url, "transport": "streamable-http"},
        trust_remote_code=True,
        structured_output=True,
    ) as tool_collection:
        agent = CodeAgent(
            tools=[*tool_collection.tools], add_base_tools=True, model=model, verbosity_level=-1
        )
        assert agent.run("What is the temperature in Lima?") == 21.5
    system_prompt = model.calls[0].messages[0].text
    assert "get_weather(" in system_prompt
    assert "Temperature in the unit asked for" in system_prompt  # the output schema is shown to the model
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert "21.5" in steps[0].observations
