"""Checking and indexing an agent's configuration: tools, managed agents, names (executors: _executors/factory.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..memory import ActionStep, AgentMemory
from .code_parsing import resolve_code_block_tags
from .prompts import AgentKind
from .protocols import AgentLike

if TYPE_CHECKING:
    from ..models.base import Model

__all__ = [
    "check_name",
    "check_name_is_free",
    "code_block_tags",
    "default_model",
    "describe",
    "index_managed_agents",
    "index_tools",
    "next_step_number",
]


def default_model() -> Model:
    """Return the model used when none is given: the embedded local SmolLM2 on onnxruntime-genai."""
    from ..models import OnnxModel

    model: Model = OnnxModel()
    return model


def check_name(name: str | None) -> str | None:
    """Return `name` if it can name a function the manager calls; raise ValueError otherwise."""
    if name is not None and not (isinstance(name, str) and name.isidentifier()):
        raise ValueError(
            f"Agent name {name!r} must be a valid Python identifier (letters, digits, underscores)."
        )
    return name


def check_name_is_free(name: str | None, tools: dict[str, Any]) -> None:
    """Refuse an agent named like one of its own tools or managed agents (its manager could not tell them apart)."""
    if name is not None and name in tools:
        raise ValueError(
            "Each tool or managed_agent should have a unique name! "
            f"The agent is named {name!r}, like one of its tools: rename one."
        )


def index_managed_agents(agents: Sequence[AgentLike] | None) -> dict[str, AgentLike]:
    """Index managed agents by name, checking each has a unique name and a description."""
    indexed: dict[str, AgentLike] = {}
    for agent in agents or ():
        if not agent.name or not agent.description:
            raise ValueError(
                f"Managed agent {agent!r} needs a name and a description: the manager calls it by name and "
                "reads the description to know when. Pass name=... and description=... when creating it."
            )
        if agent.name in indexed:
            raise ValueError(
                "Each tool or managed_agent should have a unique name! "
                f"Two managed agents are named {agent.name!r}: rename one."
            )
        indexed[agent.name] = agent
    return indexed


def index_tools(
    tools: list[Any], add_base_tools: bool, kind: AgentKind, managed: dict[str, Any]
) -> dict[str, Any]:
    """Index tools by name (plus base tools and final_answer), refusing non-tools and duplicates."""
    from ..default_tools import FinalAnswerTool, base_tools

    if not isinstance(tools, (list, tuple)):
        raise TypeError(f"tools must be a list of Tool objects, got {type(tools).__name__}.")
    all_tools = list(tools)
    if add_base_tools:
        present = {tool.name for tool in all_tools}
        all_tools += [
            tool for tool in base_tools(for_code_agent=kind == "code_agent") if tool.name not in present
        ]
    indexed: dict[str, Any] = {}
    for tool in all_tools:
        name = getattr(tool, "name", None)
        if not name or not callable(tool):
            raise TypeError(
                f"{tool!r} is not a tool: build tools with the @tool decorator or by subclassing Tool."
            )
        if name in indexed or name in managed:
            raise ValueError(
                "Each tool or managed_agent should have a unique name! "
                f"Two tools or managed agents are named {name!r}: rename one."
            )
        indexed[name] = tool
    indexed.setdefault("final_answer", FinalAnswerTool())
    return indexed


def next_step_number(memory: AgentMemory) -> int:
    """Return the number of the next action step of a memory."""
    numbers = [step.step_number for step in memory.steps if isinstance(step, ActionStep)]
    return max(numbers, default=0) + 1


def describe(value: Any) -> str:
    """Return a short description of a value, for listing additional arguments in the task."""
    text = repr(value)
    return text if len(text) <= 200 else f"{type(value).__name__} ({text[:150]}...)"


def code_block_tags(tags: tuple[str, str] | list[str] | str | None) -> tuple[str, str]:
    """Return the (opening, closing) code tags from the user's setting (see `resolve_code_block_tags`)."""
    return resolve_code_block_tags(tags)
