"""Fixtures of the command tests: a loopback OpenAI-compatible server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))  # the shared wire servers

from _servers import WireServer


@pytest.fixture
def model_server() -> Iterator[WireServer]:
    """A loopback OpenAI-compatible server; tests set its `responder`."""
    server = WireServer()
    yield server
    server.close()
