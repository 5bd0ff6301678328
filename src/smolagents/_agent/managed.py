"""Managed agents, offered to their manager like a tool taking a `task`."""

from __future__ import annotations

import json
from typing import Any

from .._text import bounded_text
from .._threads import in_thread
from .prompts import populate_template
from .protocols import AgentLike
from .seams import is_wrapped
from .sync import run_sync

__all__ = ["ManagedAgentCall", "managed_agent_report"]

MAX_SUMMARY_CHARS = 20_000  # per message of the summary, as the observations are cut


def managed_agent_report(agent: AgentLike, result: Any) -> str:
    """Wrap a managed agent's `RunResult` in its report template (and a summary of its steps)."""
    output = getattr(result, "output", result)
    report = populate_template(
        agent.prompt_templates["managed_agent"]["report"], {"name": agent.name, "final_answer": output}
    )
    if agent.provide_run_summary:
        # 1.26's layout: the messages of the agent's memory in summary mode, one block each.
        report += "\n\nFor more detail, find below a summary of this agent's work:\n<summary_of_work>\n"
        for message in agent.write_memory_to_messages(summary_mode=True):
            report += "\n" + bounded_text(str(message.content), MAX_SUMMARY_CHARS) + "\n---"
        report += "\n</summary_of_work>"
    return report


class ManagedAgentCall:
    """A managed agent seen as a tool: ``name(task, additional_args=None) -> report``.

    Each call is a fresh run of the managed agent (its own memory), so a manager can call it
    several times, also concurrently.
    """

    output_type = "string"
    output_schema = None
    is_async = True

    def __init__(self, agent: AgentLike) -> None:
        self.agent = agent
        self.name: str = agent.name or ""
        self.description: str = agent.description or ""
        self.inputs: dict[str, dict[str, Any]] = {
            "task": {
                "type": "string",
                "description": "The task to hand over, with all the context it needs.",
            },
            "additional_args": {
                "type": "object",
                "description": "Data the team member needs (e.g. documents, numbers), passed as variables.",
                "nullable": True,
            },
        }

    async def acall(self, task: str, additional_args: dict[str, Any] | None = None) -> str:
        """Run the managed agent on `task` and return its report."""
        templates = self.agent.prompt_templates["managed_agent"]
        full_task = populate_template(templates["task"], {"name": self.name, "task": task})
        if additional_args:
            full_task += (
                "\nYou can use these additional arguments directly as variables: "
                f"{json.dumps(list(additional_args))}."
            )
        if is_wrapped(type(self.agent), "run"):
            # An instrumentor wrapped `run`: go through it, so that it sees the managed agent's run.
            result = await in_thread(
                self.agent.run, full_task, additional_args=additional_args or None, return_full_result=True
            )
        else:
            result = await self.agent.arun(
                full_task, additional_args=additional_args or None, return_full_result=True
            )
        return managed_agent_report(self.agent, result)

    def __call__(self, task: str, additional_args: dict[str, Any] | None = None) -> str:
        """Run the managed agent from sync code (e.g. a CodeAgent's code, on a worker thread)."""
        return run_sync(self.acall(task, additional_args))

    def to_code_prompt(self) -> str:
        """Return the function stub shown to a code-writing manager."""
        return (
            f"def {self.name}(task: str, additional_args: dict | None = None) -> str:\n"
            f'    """{self.description}"""'
        )

    def to_tool_calling_prompt(self) -> str:
        """Return the one-line description shown to a tool-calling manager."""
        return f"{self.name}: {self.description}\n    Takes inputs: {self.inputs}\n    Returns an output of type: string"
