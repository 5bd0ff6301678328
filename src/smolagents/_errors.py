"""The error tree of the library.

Errors are plain data: they never log or print. Code that catches one decides how to show it.
"""

from __future__ import annotations

from typing import Any

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

Dict = dict  # the records' `dict()` methods shadow the builtin inside class bodies


class AgentError(Exception):
    """Base class of every error an agent run can meet.

    Args:
        message: What went wrong and, where possible, how to fix it.
        logger: Accepted for compatibility with code written for the original library; ignored
            (errors in this library never log themselves).
    """

    def __init__(self, message: str, logger: Any = None) -> None:
        super().__init__(message)
        self.message = message

    def dict(self) -> Dict[str, str]:
        """Return a JSON-ready record of the error: its type name and message."""
        return {"type": type(self).__name__, "message": self.message}

    @classmethod
    def from_dict(cls, data: Dict[str, str]) -> AgentError:
        """Rebuild an error saved with `dict()`, keeping its subclass when it is one of ours."""
        error_type = _ERROR_TYPES.get(data.get("type", ""), AgentError)
        error = error_type.__new__(error_type)
        AgentError.__init__(error, data.get("message", ""))
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        return (AgentError.from_dict, (self.dict(),))


class AgentParsingError(AgentError):
    """The model's output could not be parsed into an action."""


class AgentExecutionError(AgentError):
    """The action failed while it ran."""


class AgentToolCallError(AgentExecutionError):
    """A tool was called wrongly: unknown tool, missing or badly typed arguments."""


class AgentToolExecutionError(AgentExecutionError):
    """A tool raised while it ran."""


class AgentMaxStepsError(AgentError):
    """The run reached its step limit before a final answer."""


class AgentGenerationError(AgentError):
    """The model could not produce an output; this ends the run."""


class AgentInterruptedError(AgentError):
    """The run was stopped by `agent.interrupt()`."""


class ModelProviderError(AgentGenerationError):
    """A model provider call failed, after retries when the failure was transient.

    Attributes:
        status_code: The HTTP status the provider answered, when there was one.
        provider: The backend that failed, e.g. ``"openai"``.
        is_retryable: Whether the failure is of a kind that may pass on a later attempt
            (rate limit, server error, timeout).
    """

    status_code: int | None = None
    provider: str | None = None
    is_retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        provider: str | None = None,
        is_retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.provider = provider
        self.is_retryable = is_retryable


_ERROR_TYPES: Dict[str, type[AgentError]] = {
    cls.__name__: cls
    for cls in (
        AgentError,
        AgentParsingError,
        AgentExecutionError,
        AgentToolCallError,
        AgentToolExecutionError,
        AgentMaxStepsError,
        AgentGenerationError,
        AgentInterruptedError,
        ModelProviderError,
    )
}
