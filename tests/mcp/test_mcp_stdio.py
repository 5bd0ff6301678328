"""MCPClient against a real MCP server (the mcp SDK's FastMCP) run as a stdio subprocess."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Iterator

import pytest
from mcp_servers import stdio_parameters

from mcp import StdioServerParameters
from smolagents import ActionStep, AgentImage, ScriptedModel, ToolCallingAgent, tool_call_message
from smolagents.mcp_client import MCPClient


@pytest.fixture(scope="module")
def structured() -> Iterator[dict]:
    with MCPClient(stdio_parameters(), structured_output=True) as tools:
        yield {tool.name: tool for tool in tools}


def test_input_schemas_keep_descriptions_enums_and_optional_arguments(structured: dict) -> None:
    weather = structured["get_weather"]  # "get-weather" on the server: names become identifiers
    assert weather.server_tool_name == "get-weather"
    assert weather.description == "Report the weather of a city."
    assert weather.inputs["city"] == {"type": "string", "description": "The city name"}
    assert weather.inputs["unit"] == {
        "type": "string",
        "enum": ["celsius", "fahrenheit"],
        "default": "celsius",
        "description": "see tool description",
        "nullable": True,
    }
    assert structured["add"].inputs["a"]["type"] == "integer"


def test_structured_output_gives_python_values_and_the_output_schema(structured: dict) -> None:
    weather = structured["get_weather"]
    assert weather(city="Paris", unit="fahrenheit") == {
        "city": "Paris",
        "temperature": 70.7,
        "unit": "fahrenheit",
    }
    assert weather.output_type == "object"
    assert (
        weather.output_schema["properties"]["temperature"]["description"]
        == "Temperature in the unit asked for"
    )
    assert structured["add"](a=2, b=3) == {"result": 5}


def test_omitted_optional_argument_takes_the_server_default(structured: dict) -> None:
    assert structured["get_weather"](city="Oslo", unit=None)["unit"] == "celsius"


def test_image_results_are_agent_images(structured: dict) -> None:
    image = structured["red_square"]()
    assert isinstance(image, AgentImage)
    assert image.size == (4, 4)
    assert image.to_raw().convert("RGB").getpixel((1, 1)) == (255, 0, 0)


def test_server_side_error_is_a_clear_tool_error(structured: dict) -> None:
    with pytest.raises(
        RuntimeError, match=r"^The MCP tool 'fail' reported an error: .*the gizmo is out of order"
    ):
        structured["fail"]()


def test_without_structured_output_results_are_text() -> None:
    with MCPClient(stdio_parameters(), structured_output=False) as tools:
        add = next(tool for tool in tools if tool.name == "add")
        assert add(a=2, b=3) == "5"
        # The schema is not exposed, but the type says the server declared one (1.26 does the same).
        assert add.output_schema is None and add.output_type == "object"
        assert add.forward(a=2, b=3) == "5"  # forward returns the result to sync callers, as in 1.26


def test_server_dying_mid_run_is_a_tool_error_and_the_next_call_reconnects() -> None:
    with MCPClient(stdio_parameters(), structured_output=True) as tools:
        model = ScriptedModel(
            [
                tool_call_message(("pid", {})),
                tool_call_message(("crash", {})),
                tool_call_message(("pid", {})),
                tool_call_message(("final_answer", {"answer": "recovered"})),
            ]
        )
        agent = ToolCallingAgent(tools=tools, model=model, verbosity_level=-1)
        assert agent.run("Survive a crash") == "recovered"
    steps = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert len(steps) == 4
    assert steps[0].error is None and steps[2].error is None
    message = steps[1].error.message
    assert "closed the connection during the call to 'crash' (it may have crashed or restarted)" in message
    assert "The server wrote: demo server: crashing on purpose" in message
    first_pid, second_pid = (
        int(s.observations.split("'result': ")[1].rstrip("}")) for s in (steps[0], steps[2])
    )
    assert first_pid != second_pid  # a new server process answered after the crash


def test_slow_call_times_out_and_the_client_stays_usable() -> None:
    options = {"client_session_timeout_seconds": 0.5}
    with MCPClient(stdio_parameters(), adapter_kwargs=options, structured_output=False) as tools:
        by_name = {tool.name: tool for tool in tools}
        with pytest.raises(RuntimeError, match=r"^The MCP tool 'slow' did not answer within 0\.5 s\.$"):
            by_name["slow"](seconds=60)
        assert by_name["echo"](text="still here") == "still here"


def test_server_that_exits_immediately_fails_at_construction_in_one_sentence() -> None:
    quitter = StdioServerParameters(
        command=sys.executable, args=["-c", "import sys; sys.stderr.write('no license key\\n'); sys.exit(3)"]
    )
    with pytest.raises(ConnectionError) as caught:
        MCPClient(quitter, structured_output=False)
    message = str(caught.value)
    assert message.startswith(f"Could not connect to the MCP server `{sys.executable} -c import sys;")
    assert "(stdio): Connection closed." in message and message.endswith("The server wrote: no license key")


def test_missing_command_fails_at_construction() -> None:
    with pytest.raises(
        ConnectionError, match=r"^Could not connect to the MCP server `no-such-mcp-server` \(stdio\): "
    ):
        MCPClient(StdioServerParameters(command="no-such-mcp-server"), structured_output=False)


def test_disconnect_leaves_no_process_and_no_thread() -> None:
    threads_before = set(threading.enumerate())
    client = MCPClient(stdio_parameters(), structured_output=True)
    server_pid = next(tool for tool in client.get_tools() if tool.name == "pid")()["result"]
    client.disconnect()
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
    assert set(threading.enumerate()) <= threads_before
    with pytest.raises(ValueError, match=r"run `mcp_client.connect\(\)` first"):
        client.get_tools()


async def test_two_agents_share_one_client_concurrently() -> None:
    """The server answers each call only once both are waiting: serialised calls would time out."""

    def agent_for(who: str, tools: list) -> ToolCallingAgent:
        model = ScriptedModel(
            [
                tool_call_message(("rendezvous", {"who": who})),
                tool_call_message(("final_answer", {"answer": who})),
            ]
        )
        return ToolCallingAgent(tools=tools, model=model, verbosity_level=-1)

    with MCPClient(stdio_parameters(), structured_output=False) as tools:
        ann, bob = agent_for("ann", tools), agent_for("bob", tools)
        assert await asyncio.gather(ann.arun("meet"), bob.arun("meet")) == ["ann", "bob"]
    for agent, who in ((ann, "ann"), (bob, "bob")):
        step = next(step for step in agent.memory.steps if isinstance(step, ActionStep))
        assert f"{who} met a partner" in step.observations


def test_bad_parameters_are_refused_with_a_hint() -> None:
    with pytest.raises(
        ValueError,
        match=r"Unsupported transport: websocket\. Supported transports are 'streamable-http' and 'sse'\.",
    ):
        MCPClient({"url": "http://127.0.0.1:1/mcp", "transport": "websocket"})
    with pytest.raises(
        ValueError, match=r"Unknown adapter_kwargs retries: MCPClient accepts connect_timeout"
    ):
        MCPClient(stdio_parameters(), adapter_kwargs={"retries": 3})
    with pytest.raises(
        TypeError, match=r"must be mcp\.StdioServerParameters or a dict with a 'url', got str"
    ):
        MCPClient("python server.py")
