"""The interface every code executor implements, local or remote."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

__all__ = ["CodeOutput", "PythonExecutor"]


@dataclass
class CodeOutput:
    """What running one code action produced.

    Attributes:
        output: The value of the last expression, or the final answer.
        logs: Everything the code printed.
        is_final_answer: Whether the code called `final_answer`.
    """

    output: Any
    logs: str
    is_final_answer: bool


class PythonExecutor(ABC):
    """Runs model-written Python with the agent's tools available as functions.

    State persists between calls, like a notebook.
    """

    @abstractmethod
    def send_tools(self, tools: dict[str, Any]) -> None:
        """Make `tools` callable from the code by name."""

    @abstractmethod
    def send_variables(self, variables: dict[str, Any]) -> None:
        """Make `variables` available to the code as global names."""

    @abstractmethod
    def __call__(self, code_action: str) -> CodeOutput:
        """Run `code_action` and return its output, logs and whether it gave the final answer."""

    def cleanup(self) -> None:  # noqa: B027  # optional hook: local executors hold nothing
        """Release what the executor holds (processes, containers). Local executors hold nothing."""
