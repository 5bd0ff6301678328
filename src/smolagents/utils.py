"""Public home of the error tree and small helpers shared across the library."""

from __future__ import annotations

from ._errors import (
    AgentError,
    AgentExecutionError,
    AgentGenerationError,
    AgentInterruptedError,
    AgentMaxStepsError,
    AgentParsingError,
    AgentToolCallError,
    AgentToolExecutionError,
    ModelProviderError,
)

__all__ = [
    "AgentError",
    "AgentExecutionError",
    "AgentGenerationError",
    "AgentInterruptedError",
    "AgentMaxStepsError",
    "AgentParsingError",
    "AgentToolCallError",
    "AgentToolExecutionError",
    "ModelProviderError",
]
