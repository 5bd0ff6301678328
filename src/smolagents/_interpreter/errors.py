"""Errors the interpreter raises, and the internal signals model code can never catch."""

from __future__ import annotations

__all__ = [
    "BudgetExceededSignal",
    "ExecutionTimeoutError",
    "FinalAnswerSignal",
    "HostAccessDenied",
    "InterpreterError",
    "RefusedError",
    "text_only",
]


class InterpreterError(ValueError):
    """Model code failed: it raised, was refused, or ran out of time or operations.

    Attributes:
        logs: What the code printed before it failed, so the agent can show it to the model.
        lineno: The line of the model code where it failed, when known.
    """

    def __init__(self, message: str, *, logs: str = "", lineno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.logs = logs
        self.lineno = lineno


class ExecutionTimeoutError(InterpreterError):
    """Model code exceeded its wall-clock deadline, operation budget or memory allowance."""


class RefusedError(InterpreterError):
    """Model code tried something the interpreter does not allow (raised while the code runs)."""


class FinalAnswerSignal(BaseException):
    """Raised by `final_answer(...)` to end the code; model code cannot catch it (it is not an Exception)."""


class BudgetExceededSignal(BaseException):
    """Raised at a loop iteration or function entry once the time, operation or memory budget is spent.

    Attributes:
        reason: What ran out, worded for the model.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HostAccessDenied(PermissionError):
    """Model code (or a library it called) tried a host effect its executor was not granted.

    The message says what was refused and how to grant it. It is a `PermissionError`, so libraries
    that handle file errors handle it too; the run reports it like any other error.
    """


def text_only(error: BaseException) -> BaseException:
    """Return an exception like `error` that holds only its message: no objects, cause or context.

    Exceptions raised while a guard looks something up on a real module or type carry that object
    (`AttributeError.obj`, an `ImportError`'s context); the guard layer raises this copy instead.
    The copy has the nearest builtin type of `error`, so `except AttributeError` still catches it.
    """
    if isinstance(error, InterpreterError):
        error.__cause__ = error.__context__ = None
        error.__traceback__ = None
        return error
    builtin = next(
        kind
        for kind in type(error).__mro__
        if kind.__module__ == "builtins" and issubclass(kind, BaseException)
    )
    try:
        message = str(error)
    except Exception:  # a hostile __str__
        message = f"{type(error).__name__} (its message could not be rendered)"
    if builtin is BaseException or not issubclass(builtin, Exception):
        builtin = RuntimeError
    try:
        copy = builtin(message)
    except Exception:  # a builtin exception whose constructor wants other arguments
        copy = RuntimeError(message)
    return copy
