"""Canaries, host objects with secrets behind them, and the assertions every attack shares."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from smolagents.tools.base import Tool

__all__ = [
    "AnswerTool",
    "Canary",
    "ExecutorFactory",
    "HostConfig",
    "SearchTool",
    "expect_no_escape",
    "expect_refused",
    "host_helper",
    "interpreter_api",
    "make_canary",
    "make_executor_factory",
    "safe_repr",
]

# Read by attacks that reach this module's globals through a handed-in object: proof of escape.
HOST_SECRET_NAME = "SMOLAGENTS_CANARY"


@dataclass(frozen=True)
class Canary:
    """What an escape would reveal (`token` in the environment) or create (`marker`).

    Attributes:
        token: Random secret stored in the environment variable `env_var`.
        marker: Path that must not exist after the attack; attacks try to create it.
        env_var: Name of the environment variable holding `token`.
    """

    token: str
    marker: Path
    env_var: str = HOST_SECRET_NAME

    def assert_intact(self, *texts: str) -> None:
        """Fail if the marker exists or the secret appears in any of `texts`."""
        assert not self.marker.exists(), f"the attack created {self.marker}: host code ran"
        for text in texts:
            assert self.token not in text, "the canary secret leaked to the model code"


def make_canary(tmp_path: Path) -> Canary:
    """Create a fresh canary whose marker lives in `tmp_path`."""
    return Canary(token=f"canary-{secrets.token_hex(8)}", marker=tmp_path / "escaped.marker")


class SearchTool(Tool):
    """A tool whose hidden state an escape would reach: the instance holds the canary token."""

    name = "web_search"
    description = "Search the web."
    inputs = {"query": {"type": "string", "description": "What to look for."}}
    output_type = "string"

    def __init__(self, token: str) -> None:
        super().__init__()
        self.secret = token
        self.calls: list[str] = []

    def forward(self, query: str) -> str:
        """Return a canned result and record the call."""
        self.calls.append(query)
        return f"results for {query}"


class AnswerTool(Tool):
    """The final_answer tool: records what it was given."""

    name = "final_answer"
    description = "Give the final answer."
    inputs = {"answer": {"type": "any", "description": "The answer."}}
    output_type = "any"

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def forward(self, answer: Any) -> Any:
        """Record and return `answer`."""
        self.answers.append(answer)
        return answer


def host_helper(value: int) -> int:
    """A host function handed in through additional_functions; its globals hold `os`."""
    return value + len(os.sep)


class HostConfig:
    """A host class handed in as a variable; its methods' globals hold `os`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def describe(self) -> str:
        """Return a description (a normal public method)."""
        return f"config {self.name}"


def interpreter_api() -> Any:
    """Return the interpreter's public module, skipping the test until it exists."""
    return pytest.importorskip("smolagents.local_python_executor")


@dataclass
class ExecutorFactory:
    """Builds `LocalPythonExecutor`s with the hostile-test tools sent in."""

    canary: Canary
    search_tool: SearchTool = field(init=False)
    answer_tool: AnswerTool = field(init=False)

    def __post_init__(self) -> None:
        self.search_tool = SearchTool(self.canary.token)
        self.answer_tool = AnswerTool()

    def __call__(
        self,
        imports: Sequence[str] = (),
        *,
        timeout_seconds: float = 5,
        variables: dict[str, Any] | None = None,
        functions: dict[str, Any] | None = None,
        max_print_outputs_length: int | None = None,
        search: Any = None,
        **options: Any,
    ) -> Any:
        """Return a new executor authorising `imports`, with web_search and final_answer sent.

        `search` replaces the `SearchTool` as the web_search callable (a bound method, a closure...);
        `options` go to the executor as they are (allow_read, allow_write, allow_net...).
        """
        api = interpreter_api()
        executor = api.LocalPythonExecutor(
            additional_authorized_imports=list(imports),
            max_print_outputs_length=max_print_outputs_length,
            additional_functions=functions,
            timeout_seconds=timeout_seconds,
            **options,
        )
        web_search = self.search_tool if search is None else search
        executor.send_tools({"final_answer": self.answer_tool, "web_search": web_search})
        if variables:
            executor.send_variables(variables)
        return executor


def make_executor_factory(canary: Canary) -> ExecutorFactory:
    """Return a factory bound to `canary`."""
    return ExecutorFactory(canary)


def safe_repr(value: Any, limit: int = 300) -> str:
    """Render `value` for a failure message without trusting its `__repr__`."""
    try:
        text = repr(value)
    except Exception as error:  # the value may be hostile; the message must still render
        text = f"<unrepresentable {type(value).__name__}: {type(error).__name__}>"
    return text[:limit]


def expect_refused(executor: Any, code: str, canary: Canary | None = None) -> Exception:
    """Run `code` and require an `InterpreterError` with the canary untouched.

    Any other exception propagates and fails the test: the executor must only raise its own errors.

    Returns:
        The InterpreterError, for tests that check its message.
    """
    api = interpreter_api()
    try:
        result = executor(code)
    except api.InterpreterError as error:
        if canary is not None:
            canary.assert_intact(str(error), str(getattr(error, "logs", "") or ""))
        return error
    if canary is not None:
        canary.assert_intact(safe_repr(result.output, 10_000), str(result.logs))
    pytest.fail(
        "the executor ran the attack instead of refusing it:\n"
        f"{code}\n--> output={safe_repr(result.output)} logs={safe_repr(result.logs)}"
    )


def expect_no_escape(executor: Any, code: str, canary: Canary) -> Any:
    """Run `code`, which may legitimately succeed, and require the canary untouched.

    For searches (walking `dir()` results, say) whose honest outcome is "found nothing".

    Returns:
        The CodeOutput, or the InterpreterError if the executor refused.
    """
    api = interpreter_api()
    try:
        result = executor(code)
    except api.InterpreterError as error:
        canary.assert_intact(str(error), str(getattr(error, "logs", "") or ""))
        return error
    canary.assert_intact(safe_repr(result.output, 100_000), str(result.logs))
    return result
