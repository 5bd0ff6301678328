"""Fixtures for agent tests."""

from __future__ import annotations

import pytest
from agent_helpers import quiet_logger

from smolagents import AgentLogger


@pytest.fixture
def quiet() -> AgentLogger:
    """A logger that draws nothing."""
    return quiet_logger()
