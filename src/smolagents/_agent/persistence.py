"""Saving an agent's configuration (not a run) to a dict or a folder, and loading it back.

A saved agent is ``agent.json`` (settings, model, prompt templates, managed agents) plus one
``tools/<name>.py`` per tool. Loading runs the tools' code, so only load folders you trust.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MultiStepAgent = Any  # the agent classes live in the layer above (smolagents.agents)

__all__ = ["agent_from_dict", "agent_from_folder", "agent_to_dict", "save_agent"]

FORMAT_VERSION = 1

_COMMON_SETTINGS = (
    "max_steps",
    "planning_interval",
    "name",
    "description",
    "instructions",
    "provide_run_summary",
    "return_full_result",
    "stream_outputs",
)
_KIND_SETTINGS = {
    "CodeAgent": (
        "additional_authorized_imports",
        "executor_type",
        "executor_kwargs",
        "max_print_outputs_length",
        "use_structured_outputs_internally",
        "code_block_tags",
    ),
    "ToolCallingAgent": ("max_tool_threads",),
}


def agent_to_dict(agent: MultiStepAgent) -> dict[str, Any]:
    """Return the agent's configuration as a JSON-ready dict (tools carry their source code)."""
    kind = type(agent).__name__
    if kind not in _KIND_SETTINGS:
        raise TypeError(f"Only CodeAgent and ToolCallingAgent can be saved, not {kind}.")
    settings = {key: getattr(agent, key) for key in (*_COMMON_SETTINGS, *_KIND_SETTINGS[kind])}
    if "code_block_tags" in settings:
        settings["code_block_tags"] = list(settings["code_block_tags"])
    return {
        "format_version": FORMAT_VERSION,
        "class": kind,
        "settings": settings,
        "verbosity_level": int(agent.logger.level),
        "model": agent.model.to_dict(),
        "prompt_templates": agent.prompt_templates,
        "tools": [tool.to_dict() for name, tool in agent.tools.items() if name != "final_answer"],
        "managed_agents": [agent_to_dict(managed) for managed in agent.managed_agents.values()],
    }


def agent_from_dict(
    data: dict[str, Any], agent_classes: dict[str, type[MultiStepAgent]], **overrides: Any
) -> MultiStepAgent:
    """Rebuild an agent from `agent_to_dict` output; `overrides` replace saved arguments (e.g. model=).

    `agent_classes` maps the saved class names to the classes to build.

    Raises:
        ValueError: When the dict is not a saved agent or names an unknown class.
    """
    from ..tools import Tool

    if data.get("class") not in _KIND_SETTINGS or "settings" not in data:
        raise ValueError(
            "This is not a saved agent: expected 'class' (CodeAgent or ToolCallingAgent) and 'settings'."
        )
    arguments: dict[str, Any] = dict(data["settings"])
    if "code_block_tags" in arguments:
        arguments["code_block_tags"] = tuple(arguments["code_block_tags"])
    arguments["verbosity_level"] = data.get("verbosity_level", 1)
    arguments["prompt_templates"] = data.get("prompt_templates")
    arguments["tools"] = [Tool.from_dict(tool) for tool in data.get("tools", ())]
    arguments["managed_agents"] = [
        agent_from_dict(managed, agent_classes) for managed in data.get("managed_agents", ())
    ]
    if "model" not in overrides:
        arguments["model"] = _model_from_dict(data["model"])
    arguments.update(overrides)
    return agent_classes[data["class"]](**arguments)


def save_agent(agent: MultiStepAgent, output_dir: str | Path) -> Path:
    """Write ``agent.json`` and ``tools/<name>.py`` files into `output_dir`; return its path."""
    folder = Path(output_dir)
    (folder / "tools").mkdir(parents=True, exist_ok=True)
    data = agent_to_dict(agent)
    for tool in data["tools"]:
        (folder / "tools" / f"{tool['name']}.py").write_text(tool["code"], encoding="utf-8")
    requirements = sorted({req for tool in data["tools"] for req in tool.get("requirements", ())})
    (folder / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    (folder / "agent.json").write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return folder


def agent_from_folder(
    folder: str | Path, agent_classes: dict[str, type[MultiStepAgent]], **overrides: Any
) -> MultiStepAgent:
    """Load an agent written by `save_agent`."""
    path = Path(folder) / "agent.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"No agent.json in {folder}: save an agent there with agent.save(folder) first."
        )
    return agent_from_dict(json.loads(path.read_text(encoding="utf-8")), agent_classes, **overrides)


def _model_from_dict(data: dict[str, Any]) -> Any:
    from .. import models

    class_name = data.get("class", "")
    model_class = getattr(models, class_name, None)
    if model_class is None:
        raise ValueError(f"Unknown model class {class_name!r} in saved agent; pass model=... to load it.")
    return model_class.from_dict(data)
