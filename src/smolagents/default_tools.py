"""The default toolbox, and the registry `add_base_tools=True` draws from.

The web and speech tools live in `smolagents._toolkit`; their libraries (extra ``toolkit``:
httpx, ddgs, markdownify; extra ``audio``: faster-whisper) load when a tool is built or first
called, never on ``import smolagents``.
"""

from __future__ import annotations

from typing import Any

from ._toolkit.ddgs_search import DuckDuckGoSearchTool
from ._toolkit.search import ApiWebSearchTool, GoogleSearchTool, WebSearchTool
from ._toolkit.speech import SpeechToTextTool
from ._toolkit.webpage import VisitWebpageTool
from ._toolkit.wikipedia import WikipediaSearchTool
from .tools.base import Tool

__all__ = [
    "TOOL_MAPPING",
    "ApiWebSearchTool",
    "DuckDuckGoSearchTool",
    "FinalAnswerTool",
    "GoogleSearchTool",
    "PythonInterpreterTool",
    "SpeechToTextTool",
    "UserInputTool",
    "VisitWebpageTool",
    "WebSearchTool",
    "WikipediaSearchTool",
    "base_tools",
]


class FinalAnswerTool(Tool):
    """Ends the run: the agent's answer is the argument it is called with."""

    name = "final_answer"
    description = "Give the final answer to the task. Call it once, when you have the answer."
    inputs = {"answer": {"type": "any", "description": "The final answer to the task."}}
    output_type = "any"

    def forward(self, answer: Any) -> Any:
        """Return the answer unchanged."""
        return answer


class UserInputTool(Tool):
    """Asks the human at the terminal a question and returns the typed reply."""

    name = "user_input"
    description = "Ask the user a question and get their answer, e.g. to clarify what they want."
    inputs = {"question": {"type": "string", "description": "The question to ask the user."}}
    output_type = "string"

    def forward(self, question: str) -> str:
        """Print the question and read one line from standard input."""
        return input(f"{question} => Type your answer here: ")


class PythonInterpreterTool(Tool):
    """Runs Python code in a fresh sandboxed interpreter and returns what it printed and its last value.

    Args:
        authorized_imports: Modules the code may import, on top of the safe standard modules.
        timeout_seconds: Wall-clock limit for one run of code.
    """

    name = "python_interpreter"
    description = "Run Python code and return what it printed and the value of its last expression."
    inputs = {
        "code": {
            "type": "string",
            "description": "The Python code to run. Print what you want to see; every call starts afresh.",
        }
    }
    output_type = "string"

    def __init__(
        self, authorized_imports: list[str] | None = None, timeout_seconds: int | float | None = 30
    ) -> None:
        super().__init__()
        from .local_python_executor import BASE_BUILTIN_MODULES

        self.authorized_imports = sorted(set(BASE_BUILTIN_MODULES) | set(authorized_imports or []))
        self.timeout_seconds = timeout_seconds
        self.description = (
            "Run Python code and return what it printed and the value of its last expression. Each call "
            "starts with a fresh state. The code may import only these modules: "
            f"{', '.join(self.authorized_imports)}."
        )

    def forward(self, code: str) -> str:
        """Run `code` in a new interpreter and return its prints and last value.

        Raises:
            InterpreterError: If the code fails or does what is not allowed (an unauthorised import...);
                an agent shows the error to the model, as in smolagents 1.26.
            ExecutionTimeoutError: If the code runs past `timeout_seconds`.
        """
        from .local_python_executor import LocalPythonExecutor

        executor = LocalPythonExecutor(
            additional_authorized_imports=self.authorized_imports, timeout_seconds=self.timeout_seconds
        )
        executor.send_tools({})
        result = executor(code)
        return f"Stdout:\n{result.logs}\nOutput: {result.output}"


TOOL_MAPPING: dict[str, type[Tool]] = {
    tool_class.name: tool_class
    for tool_class in (PythonInterpreterTool, WebSearchTool, VisitWebpageTool, SpeechToTextTool)
}
"""Base tools by name: what `add_base_tools=True` adds (and the CLI's ``--tools`` names)."""


def base_tools(for_code_agent: bool) -> list[Tool]:
    """Instantiate the base toolbox for an agent: web search, visit webpage, transcriber (+ Python).

    Args:
        for_code_agent: Leave out the Python interpreter tool: a CodeAgent already runs code.

    Raises:
        ImportError: When the ``toolkit`` extra (httpx, markdownify) is not installed.
    """
    return [
        tool_class()
        for name, tool_class in TOOL_MAPPING.items()
        if not (for_code_agent and name == PythonInterpreterTool.name)
    ]


def __getattr__(name: str) -> Any:
    # 1.26 re-exported the executor's builtins here; loaded on first use (the interpreter is heavy).
    if name == "BASE_PYTHON_TOOLS":
        from .local_python_executor import BASE_PYTHON_TOOLS

        return BASE_PYTHON_TOOLS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
