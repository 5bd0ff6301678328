"""Fixtures for the HTTP model backends: loopback wire servers and fast retry policies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _servers import WireServer, openai_responder

from smolagents.models._retry import RetryPolicy
from smolagents.tools import Tool, tool


@pytest.fixture
def fast_retry() -> RetryPolicy:
    """Three attempts that wait milliseconds, not seconds."""
    return RetryPolicy(max_attempts=3, initial_delay=0.001, max_delay=0.005)


@pytest.fixture
def server() -> Iterator[WireServer]:
    """A loopback server with no default answer (each test scripts its replies)."""
    wire = WireServer()
    yield wire
    wire.close()


@pytest.fixture
def openai_server() -> Iterator[WireServer]:
    """A loopback OpenAI chat-completions server answering "Hello!" unless scripted otherwise."""
    wire = WireServer(openai_responder("Hello!"))
    yield wire
    wire.close()


@pytest.fixture
def hub_online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let huggingface_hub make HTTP calls (the suite sets HF_HUB_OFFLINE=1; the network guard
    still confines them to loopback)."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def weather_tool() -> Tool:
    """A tool with one required and one nullable input."""

    @tool
    def get_weather(city: str, unit: str | None = None) -> str:
        """Return the weather in a city.

        Args:
            city: The city name.
            unit: Temperature unit, "C" or "F".
        """
        return f"Sunny in {city}"

    return get_weather
