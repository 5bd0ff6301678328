"""Errors of executors that run code outside this process."""

from __future__ import annotations

from .._interpreter.errors import ExecutionTimeoutError, InterpreterError
from ..serialization import SerializationError

__all__ = ["SandboxError", "SandboxTimeoutError", "SandboxUnavailableError", "ValueTransferError"]

VARIABLES_LOST = (
    "The sandbox was restarted: every variable your code defined so far is lost (variables the agent "
    "passed in are set again). Define what you still need again before using it."
)


class SandboxError(InterpreterError):
    """The sandbox itself failed (it crashed, was killed, or broke the protocol) and was restarted."""


class SandboxTimeoutError(SandboxError, ExecutionTimeoutError):
    """The code outlasted its time limit and did not stop by itself, so its sandbox was killed."""


class ValueTransferError(InterpreterError, SerializationError):
    """A value could not cross the sandbox boundary (its type has no safe encoding)."""


class SandboxUnavailableError(RuntimeError):
    """The sandbox cannot be created here (a missing program, service or permission); says how to fix it."""
