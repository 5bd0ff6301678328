"""Saving an agent's configuration (not a run) to a dict or a folder, and loading it back.

The format is smolagents 1.26's, both ways: a folder written by 1.26's ``agent.save()`` or
``push_to_hub`` loads here, and a folder written here loads in 1.26. A folder holds
``agent.json`` (settings, model, prompt templates, tool and managed-agent names),
``tools/<name>.py`` (one ``Tool`` subclass each), ``managed_agents/<name>/`` (the same layout,
recursively), ``prompts.yaml``, ``requirements.txt``, ``app.py`` (a Gradio UI for a Space) and
``__init__.py`` files so that ``app.py`` can import the tools.

Settings 1.26 does not know (``instructions``, ``stream_outputs``...) are written as extra keys,
which 1.26 ignores. Loading runs the tools' code, so only load folders you trust.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .app_template import create_agent_gradio_app_template

if TYPE_CHECKING:
    from ..tools.base import Tool

MultiStepAgent = Any  # the agent classes live in the layer above (smolagents.agents)

__all__ = [
    "AGENT_REGISTRY_NAMES",
    "agent_from_dict",
    "agent_from_folder",
    "agent_from_hub",
    "agent_to_dict",
    "push_agent_to_hub",
    "save_agent",
]

logger = logging.getLogger(__name__)

AGENT_REGISTRY_NAMES = ("CodeAgent", "ToolCallingAgent")

# Our model classes whose 1.26 name is the alias: 1.26 registers only that name.
_MODEL_NAMES_OF_1_26 = {
    "OpenAIServerModel": "OpenAIModel",
    "AzureOpenAIServerModel": "AzureOpenAIModel",
    "AmazonBedrockServerModel": "AmazonBedrockModel",
}
_RENAMED_MODELS = {"HfApiModel": "InferenceClientModel"}
# Keys written by older versions (before 1.20) that no longer mean anything: dropped on load.
_RETIRED_MODEL_KEYS = ("last_input_token_count", "last_output_token_count")
_RETIRED_PLANNING_KEYS = ("initial_facts", "update_facts_pre_messages", "update_facts_post_messages")

# Settings of ours that 1.26 does not save; written as extra keys of agent.json.
_EXTRA_SETTINGS = {
    "MultiStepAgent": ("instructions", "provide_run_summary", "return_full_result", "stream_outputs"),
    "CodeAgent": ("use_structured_outputs_internally",),
    "ToolCallingAgent": ("max_tool_threads",),
}
_DOWNLOAD_KWARGS = ("cache_dir", "force_download", "proxies", "revision", "local_files_only")


def agent_to_dict(agent: MultiStepAgent) -> dict[str, Any]:
    """Return the agent's configuration as 1.26's ``to_dict`` does: tools with their code, managed agents nested."""
    from ..local_python_executor import BASE_BUILTIN_MODULES

    kind = _kind(agent)
    tools = [tool.to_dict() for tool in _saved_tools(agent)]
    managed = [agent_to_dict(managed) for managed in agent.managed_agents.values()]
    requirements = {req for tool in tools for req in tool["requirements"]}
    requirements |= {req for data in managed for req in data["requirements"]}
    data: dict[str, Any] = {
        "class": kind,
        "tools": tools,
        "model": _model_to_dict(agent.model),
        "managed_agents": managed,
        "prompt_templates": agent.prompt_templates,
        "max_steps": agent.max_steps,
        "verbosity_level": int(agent.logger.level),
        "planning_interval": agent.planning_interval,
        "name": agent.name,
        "description": agent.description,
    }
    if kind == "CodeAgent":
        authorized = list(getattr(agent, "authorized_imports", []))
        packages = {module.split(".")[0] for module in authorized if module not in BASE_BUILTIN_MODULES}
        requirements |= packages - set(sys.stdlib_module_names) - {"*"}  # pip cannot install "json"
        data |= {
            "authorized_imports": authorized,
            "executor_type": getattr(agent, "executor_type", "local"),
            "executor_kwargs": getattr(agent, "executor_kwargs", {}),
            "max_print_outputs_length": getattr(agent, "max_print_outputs_length", None),
            "code_block_tags": _tags_to_json(getattr(agent, "code_block_tags", None)),
        }
    data["requirements"] = sorted(requirements)
    for key in (*_EXTRA_SETTINGS["MultiStepAgent"], *_EXTRA_SETTINGS.get(kind, ())):
        data[key] = getattr(agent, key, None)
    return data


def agent_from_dict(
    data: dict[str, Any],
    agent_classes: dict[str, type[MultiStepAgent]],
    top_class: type[MultiStepAgent] | None = None,
    **overrides: Any,
) -> MultiStepAgent:
    """Rebuild an agent from a 1.26-format dict; `overrides` replace saved arguments (e.g. ``model=``).

    Args:
        data: The dict written by `agent_to_dict` (or 1.26's ``to_dict``).
        agent_classes: The registry of agent classes, by the name saved under ``"class"``.
        top_class: The class `from_dict` was called on: it builds the agent, as in 1.26, unless it
            is `MultiStepAgent` itself (then the saved ``"class"`` is looked up in
            `agent_classes`, as it always is for managed agents).
        **overrides: Keyword arguments of the agent that replace the saved ones.

    Raises:
        ValueError: When the dict is not a saved agent, or names an unknown agent or model class.
    """
    from ..tools import Tool

    agent_class = _agent_class(data, agent_classes, top_class)
    if "model" not in overrides:
        overrides["model"] = _model_from_dict(data.get("model"))
    if "tools" not in overrides:
        overrides["tools"] = [_tool_from_entry(entry, Tool) for entry in data.get("tools") or ()]
    if "managed_agents" not in overrides:
        overrides["managed_agents"] = [
            agent_from_dict(managed, agent_classes) for managed in data.get("managed_agents") or ()
        ]
    arguments = {
        key: value for key, value in _saved_arguments(data, agent_class).items() if value is not None
    }
    arguments.update(overrides)
    return agent_class(**arguments)


def save_agent(
    agent: MultiStepAgent, output_dir: str | os.PathLike[str], relative_path: str | None = None
) -> None:
    """Write the agent to `output_dir` in 1.26's folder layout (see the module docstring).

    Args:
        agent: The agent to save.
        output_dir: The folder, created if needed.
        relative_path: The dotted path of this folder inside the top agent's folder (for the
            imports of a managed agent's ``app.py``); leave it None.
    """
    from ..utils import make_init_file

    make_init_file(output_dir)
    if agent.managed_agents:
        make_init_file(os.path.join(output_dir, "managed_agents"))
        for name, managed in agent.managed_agents.items():
            suffix = (
                f"managed_agents.{name}"
                if relative_path is None
                else f"{relative_path}.managed_agents.{name}"
            )
            save_agent(managed, os.path.join(output_dir, "managed_agents", name), relative_path=suffix)
    tools = _saved_tools(agent)
    if tools:
        make_init_file(os.path.join(output_dir, "tools"))
    for tool in tools:
        tool.save(os.path.join(output_dir, "tools"), tool_file_name=tool.name, make_gradio_app=False)
    _write(os.path.join(output_dir, "prompts.yaml"), _prompts_yaml(agent.prompt_templates))
    data = agent_to_dict(agent)
    data["tools"] = [tool.name for tool in tools]
    data["managed_agents"] = {managed.name: _kind(managed) for managed in agent.managed_agents.values()}
    _write(os.path.join(output_dir, "agent.json"), json.dumps(data, indent=4, default=str))
    _write(os.path.join(output_dir, "requirements.txt"), "".join(f"{req}\n" for req in data["requirements"]))
    app = create_agent_gradio_app_template().render(
        agent_name=f"agent_{agent.name}" if agent.name else "agent",
        class_name=_kind(agent),
        agent_dict=data,
        tools={tool.name: tool for tool in tools},
        managed_agents=agent.managed_agents,
        managed_agent_relative_path="" if relative_path is None else relative_path + ".",
    )
    _write(os.path.join(output_dir, "app.py"), app)


def agent_from_folder(
    folder: str | os.PathLike[str],
    agent_classes: dict[str, type[MultiStepAgent]],
    top_class: type[MultiStepAgent] | None = None,
    **overrides: Any,
) -> MultiStepAgent:
    """Load an agent from a folder written by `save_agent` or by 1.26's ``agent.save()``."""
    path = Path(folder)
    if not (path / "agent.json").is_file():
        raise FileNotFoundError(
            f"No agent.json in {folder}: save an agent there with agent.save(folder) first."
        )
    data = json.loads((path / "agent.json").read_text(encoding="utf-8"))
    if not isinstance(data.get("tools", []), list) or not isinstance(data.get("managed_agents", {}), dict):
        raise ValueError(
            f"{path / 'agent.json'} is not a saved agent folder's agent.json: 'tools' must list tool names and "
            "'managed_agents' map names to agent classes."
        )
    if "managed_agents" not in overrides:
        overrides["managed_agents"] = [
            agent_from_folder(path / "managed_agents" / name, agent_classes)
            for name in data.get("managed_agents", {})
        ]
    data["tools"] = [_read_tool(path, name) for name in data.get("tools", [])]
    data["managed_agents"] = []
    return agent_from_dict(data, agent_classes, top_class, **overrides)


def push_agent_to_hub(
    agent: MultiStepAgent,
    repo_id: str,
    commit_message: str = "Upload agent",
    private: bool | None = None,
    token: str | bool | None = None,
    create_pr: bool = False,
) -> str:
    """Save the agent and upload the folder to a Gradio Space tagged ``smolagents`` and ``agent``."""
    from huggingface_hub import create_repo, metadata_update, upload_folder

    repo_url = create_repo(
        repo_id, token=token, private=private, exist_ok=True, repo_type="space", space_sdk="gradio"
    )
    # metadata_update takes no boolean token: True means "the saved login", which None also means.
    metadata_update(
        repo_url.repo_id,
        {"tags": ["smolagents", "agent"]},
        repo_type="space",
        token=token if isinstance(token, str) else None,
        overwrite=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        save_agent(agent, folder)
        commit = upload_folder(
            repo_id=repo_url.repo_id,
            folder_path=folder,
            commit_message=commit_message,
            token=token,
            create_pr=create_pr,
            repo_type="space",
        )
    return str(commit)


def agent_from_hub(
    repo_id: str,
    agent_classes: dict[str, type[MultiStepAgent]],
    token: str | None = None,
    trust_remote_code: bool = False,
    top_class: type[MultiStepAgent] | None = None,
    **kwargs: Any,
) -> MultiStepAgent:
    """Download an agent's Space and load it; download options in `kwargs` go to the download."""
    if not trust_remote_code:
        raise ValueError(
            "Loading an agent from Hub requires to acknowledge you trust its code: to do so, pass "
            f"`trust_remote_code=True`. Loading {repo_id!r} runs its tools' code on this machine: read it first."
        )
    from huggingface_hub import snapshot_download

    download = {key: kwargs.pop(key) for key in _DOWNLOAD_KWARGS if key in kwargs}
    folder = snapshot_download(repo_id=repo_id, repo_type="space", token=token, **download)
    return agent_from_folder(folder, agent_classes, top_class, **kwargs)


# -- pieces --------------------------------------------------------------------------------------


def _kind(agent: MultiStepAgent) -> str:
    """The class name saved for `agent`: CodeAgent or ToolCallingAgent for their subclasses too."""
    return _kind_of_class(type(agent))


def _saved_tools(agent: MultiStepAgent) -> list[Tool]:
    """The tools written out: all of them, final_answer included (as 1.26 writes it)."""
    return list(agent.tools.values())


def _agent_class(
    data: dict[str, Any],
    agent_classes: dict[str, type[MultiStepAgent]],
    top_class: type[MultiStepAgent] | None = None,
) -> type[MultiStepAgent]:
    if not isinstance(data, dict) or "model" not in data:
        raise ValueError(
            "This is not a saved agent: expected a dict with 'class' (CodeAgent or ToolCallingAgent), 'model' "
            "and 'tools', as written by agent.to_dict() or agent.save()."
        )
    if top_class is not None and top_class.__name__ != "MultiStepAgent":
        return top_class
    agent_class = agent_classes.get(data.get("class", ""))
    if agent_class is None:
        raise ValueError(
            f"Unknown agent class '{data.get('class')}'. Supported agents: {', '.join(sorted(agent_classes))}"
        )
    return agent_class


def _saved_arguments(data: dict[str, Any], agent_class: type[MultiStepAgent]) -> dict[str, Any]:
    """Map the keys of a saved agent to keyword arguments of its class."""
    from ..local_python_executor import BASE_BUILTIN_MODULES

    kind = _kind_of_class(agent_class)
    keys = ["prompt_templates", "max_steps", "verbosity_level", "planning_interval", "name", "description"]
    keys += [*_EXTRA_SETTINGS["MultiStepAgent"], *_EXTRA_SETTINGS.get(kind, ())]
    arguments = {key: data.get(key) for key in keys}
    arguments["prompt_templates"] = _current_prompt_templates(arguments["prompt_templates"])
    if kind == "CodeAgent":
        authorized = data.get("authorized_imports")
        if authorized is not None:  # 1.26 saves every authorised module, the base ones included
            arguments["additional_authorized_imports"] = [
                m for m in authorized if m not in BASE_BUILTIN_MODULES
            ]
        arguments |= {
            key: data.get(key) for key in ("executor_type", "executor_kwargs", "max_print_outputs_length")
        }
        arguments["code_block_tags"] = _tags_from_json(data.get("code_block_tags"))
    return arguments


def _current_prompt_templates(templates: Any) -> Any:
    """Drop the fact-finding planning prompts of versions before 1.20 (planning is one prompt now)."""
    if not isinstance(templates, dict) or not isinstance(templates.get("planning"), dict):
        return templates
    planning = {
        key: value for key, value in templates["planning"].items() if key not in _RETIRED_PLANNING_KEYS
    }
    return {**templates, "planning": planning}


def _kind_of_class(agent_class: type[MultiStepAgent]) -> str:
    for cls in agent_class.__mro__:
        if cls.__name__ in AGENT_REGISTRY_NAMES:
            return cls.__name__
    return agent_class.__name__


def _tags_to_json(tags: Any) -> Any:
    """Write code tags so that 1.26 reads them: None for its default, ``"markdown"`` for fences."""
    from .code_parsing import DEFAULT_CODE_BLOCK_TAGS, MARKDOWN_CODE_BLOCK_TAGS

    if tags is None or tuple(tags) == DEFAULT_CODE_BLOCK_TAGS:
        return None
    if tuple(tags) == MARKDOWN_CODE_BLOCK_TAGS:
        return "markdown"
    return list(tags)


def _tags_from_json(tags: Any) -> Any:
    return tuple(tags) if isinstance(tags, list) else tags


def _model_to_dict(model: Any) -> dict[str, Any]:
    data = {key: value for key, value in model.to_dict().items() if key != "class"}
    class_name = type(model).__name__
    return {"class": _MODEL_NAMES_OF_1_26.get(class_name, class_name), "data": data}


def _model_from_dict(entry: Any) -> Any:
    from ..models.helpers import MODEL_REGISTRY

    if not isinstance(entry, dict) or "class" not in entry:
        raise ValueError("The saved agent has no 'model' entry with a 'class': pass model=... to load it.")
    class_name = entry["class"]
    if class_name in _RENAMED_MODELS:
        logger.warning(
            "The agent you're loading uses the deprecated %r class: it was automatically updated to %r.",
            class_name,
            _RENAMED_MODELS[class_name],
        )
        class_name = _RENAMED_MODELS[class_name]
    model_class = MODEL_REGISTRY.get(class_name)
    if model_class is None:
        raise ValueError(
            f"Unknown model class '{class_name}'. Supported models: {', '.join(sorted(MODEL_REGISTRY))}. "
            "Pass model=... to load the agent with a model of your own."
        )
    # 1.26 nests the settings under "data"; a flat entry (older saves of ours) is read as it is.
    settings = entry["data"] if isinstance(entry.get("data"), dict) else entry
    ignored = ("class", *_RETIRED_MODEL_KEYS)
    return model_class.from_dict({key: value for key, value in settings.items() if key not in ignored})


def _tool_from_entry(entry: Any, tool_class: type[Tool]) -> Tool:
    if not isinstance(entry, dict):
        raise ValueError(f"A saved tool must be a dict with its 'code', got {type(entry).__name__}.")
    return tool_class.from_dict(entry)


def _read_tool(folder: Path, name: str) -> dict[str, str]:
    path = folder / "tools" / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"agent.json lists the tool {name!r} but {path} is missing.")
    return {"name": name, "code": path.read_text(encoding="utf-8")}


def _prompts_yaml(prompt_templates: Any) -> str:
    import yaml

    return str(
        yaml.safe_dump(
            dict(prompt_templates),
            default_style="|",  # block literals keep multi-line prompts readable
            default_flow_style=False,
            width=float("inf"),
            sort_keys=False,
            allow_unicode=True,
            indent=2,
        )
    )


def _write(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
