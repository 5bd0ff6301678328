"""Helpers for agent tests: a silent logger and scripted replies."""

from __future__ import annotations

from smolagents import AgentLogger, LogLevel


def quiet_logger() -> AgentLogger:
    """A logger that draws nothing."""
    return AgentLogger(level=LogLevel.OFF)


def code(source: str, thought: str = "I will run this.") -> str:
    """A model reply carrying one code block."""
    return f"Thought: {thought}\n```py\n{source}\n```"
