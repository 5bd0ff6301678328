"""The `smolagent` command: run an agent on a task from the terminal.

    smolagent "What is 2 + 2?"                       # the embedded local model, offline
    smolagent "Summarise today's AI news" --model-type InferenceClientModel --tools web_search
    smolagent                                        # interactive: asks for the task, model, tools

Without `--model-type` and without a Hugging Face token, the agent runs on the embedded local
model (SmolLM2-135M-Instruct), so the command works offline right after install.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._ui.model_loading import (
    DEFAULT_HUB_MODEL_ID,
    MODEL_TYPES,
    CommandLineError,
    default_model,
    has_hub_token,
    load_model,
)

# Imported here, not in `run_smolagent`, so that `smolagents.cli.CodeAgent` is a name tests and
# wrappers can patch, as in 1.26.
from .agents import CodeAgent, ToolCallingAgent

if TYPE_CHECKING:
    from .models.base import Model
    from .tools.base import Tool

__all__ = ["CommandLineError", "load_model", "load_tools", "main", "parse_arguments", "run_smolagent"]

ACTION_TYPES = ("code", "tool_calling")
DEFAULT_VERBOSITY = 1  # the agents' own default (LogLevel.INFO)
EMBEDDED = "embedded"  # the model type of the embedded local model
EXAMPLE_TASK = "How many seconds would it take for a leopard at full speed to run through Pont des Arts?"


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line (default: `sys.argv`)."""
    parser = argparse.ArgumentParser(
        prog="smolagent",
        description="Run an agent on a task. Without a task, asks for the task, model and tools interactively.",
    )
    parser.add_argument("prompt", nargs="?", default=None, help="The task for the agent.")
    parser.add_argument(
        "--model-type",
        default=None,
        help=f"One of {', '.join(MODEL_TYPES)}, or '{EMBEDDED}' for the local model (default: "
        "InferenceClientModel when a Hugging Face token is available, else the embedded local model).",
    )
    parser.add_argument("--model-id", default=None, help="The model to use with --model-type.")
    parser.add_argument(
        "--action-type", default="code", help="How the agent acts: 'code' (default) or 'tool_calling'."
    )
    parser.add_argument(
        "--tools",
        nargs="*",
        default=None,
        help="Tools to give the agent: default tool names or Hub Space ids (default: web_search, or none "
        "with the embedded local model).",
    )
    parser.add_argument(
        "--imports",
        nargs="*",
        default=[],
        help="Extra modules the agent's code may import, e.g. numpy pandas.",
    )
    parser.add_argument("--verbosity-level", type=int, default=1, help="0 (answer only), 1 or 2 (debug).")
    parser.add_argument("--max-steps", type=int, default=None, help="Most steps the agent may take.")
    api = parser.add_argument_group("API options", "For models served by an API")
    api.add_argument("--provider", default=None, help="The inference provider (InferenceClientModel).")
    api.add_argument("--api-base", default=None, help="The URL of the model's server.")
    api.add_argument("--api-key", default=None, help="The API key of the model's server.")
    return parser.parse_args(argv)


def tool_names() -> list[str]:
    """Return the names `--tools` accepts besides Space ids."""
    from .default_tools import TOOL_MAPPING

    return sorted(TOOL_MAPPING)


def load_tools(names: Sequence[str]) -> list[Tool]:
    """Build the tools named on the command line: default tools by name, Hub Spaces by id."""
    from .default_tools import TOOL_MAPPING
    from .tools.base import Tool

    tools: list[Tool] = []
    for name in names:
        if "/" in name:
            space_tool_name = name.split("/")[-1].lower().replace("-", "_").replace(".", "_")
            description = f"Tool loaded from the Hugging Face Space {name}"
            tools.append(Tool.from_space(space_id=name, name=space_tool_name, description=description))
        elif name in TOOL_MAPPING:
            tools.append(TOOL_MAPPING[name]())
        else:
            raise CommandLineError(
                f"Unknown tool {name!r}: use one of {', '.join(tool_names()) or '(none installed)'}, "
                "or a Hub Space id such as 'user/space'."
            )
    return tools


def resolve_model(
    model_type: str | None,
    model_id: str | None,
    api_base: str | None = None,
    api_key: str | None = None,
    provider: str | None = None,
) -> tuple[Model, bool]:
    """Build the model the settings ask for, or the embedded local model when none is configured.

    Returns:
        The model, and whether it is the embedded default.
    """
    if model_type == EMBEDDED:
        return default_model(), True
    if model_type is None:
        if not (model_id or api_base or has_hub_token(api_key)):
            print(
                "No model configured: running the embedded local model (small, offline). "
                "Pass --model-type and --model-id, or set HF_TOKEN, for a stronger model.",
                file=sys.stderr,
            )
            return default_model(), True
        model_type = "InferenceClientModel"
    return load_model(model_type, model_id, api_base=api_base, api_key=api_key, provider=provider), False


def default_tool_names(is_embedded: bool) -> list[str]:
    """Return the tools given when `--tools` is not: web search, except for the small local model."""
    from .default_tools import TOOL_MAPPING

    return ["web_search"] if not is_embedded and "web_search" in TOOL_MAPPING else []


def run_smolagent(
    prompt: str,
    tools: Sequence[str] | None,
    model_type: str | None,
    model_id: str | None,
    api_base: str | None = None,
    api_key: str | None = None,
    imports: Sequence[str] | None = None,
    provider: str | None = None,
    action_type: str = "code",
    verbosity_level: int = 1,
    max_steps: int | None = None,
) -> Any:
    """Build the agent the settings describe, run it on `prompt`, and return its answer."""
    if action_type not in ACTION_TYPES:
        raise CommandLineError(f"Unknown action type {action_type!r}: use 'code' or 'tool_calling'.")
    if not 0 <= verbosity_level <= 2:
        raise CommandLineError(f"--verbosity-level must be 0, 1 or 2, got {verbosity_level}.")
    _load_dotenv()
    model, is_embedded = resolve_model(
        model_type, model_id, api_base=api_base, api_key=api_key, provider=provider
    )
    agent_tools = load_tools(default_tool_names(is_embedded) if tools is None else tools)
    # Only settings that differ from the agent's defaults are passed, as 1.26's command does.
    options: dict[str, Any] = {"stream_outputs": True}
    if verbosity_level != DEFAULT_VERBOSITY:
        options["verbosity_level"] = verbosity_level
    if max_steps is not None:
        options["max_steps"] = max_steps
    if action_type == "code":
        agent: CodeAgent | ToolCallingAgent = CodeAgent(
            tools=agent_tools,
            model=model,
            additional_authorized_imports=list(imports) if imports is not None else None,
            **options,
        )
    else:
        agent = ToolCallingAgent(tools=agent_tools, model=model, **options)
    return agent.run(prompt)


def interactive_mode() -> dict[str, Any]:
    """Ask for the settings and the task on the terminal; return them as `run_smolagent` arguments."""
    from rich.console import Console
    from rich.prompt import Confirm, Prompt
    from rich.table import Table

    console = Console()
    console.print("[bold]smolagent[/] — let's set up your agent. Press Enter to take the default.\n")
    action_type = Prompt.ask("Action type", choices=list(ACTION_TYPES), default="code", console=console)
    table = Table("Tool", "What it does", title="Available tools")
    for name in tool_names():
        table.add_row(name, _tool_description(name))
    console.print(table)
    console.print("[dim]Also possible: a Hub Space id such as 'user/space'. Separate names with spaces.[/]")
    tools = Prompt.ask("Tools", default="", console=console).split()
    model_type = Prompt.ask(
        "Model type",
        choices=[*MODEL_TYPES, EMBEDDED],
        default="InferenceClientModel" if has_hub_token() else EMBEDDED,
        console=console,
    )
    model_id = None
    if model_type != EMBEDDED:
        default_id = {"InferenceClientModel": DEFAULT_HUB_MODEL_ID, "LiteLLMModel": "gpt-4o"}.get(
            model_type, ""
        )
        hint = " (empty: the embedded SmolLM2 weights)" if model_type == "TransformersModel" else ""
        model_id = Prompt.ask(f"Model id{hint}", default=default_id, console=console) or None
    settings: dict[str, Any] = {"provider": None, "api_base": None, "api_key": None, "imports": []}
    if Confirm.ask("Configure advanced options?", default=False, console=console):
        if model_type not in ("TransformersModel", EMBEDDED):
            settings["provider"] = Prompt.ask("Provider", default="", console=console) or None
            settings["api_base"] = Prompt.ask("API base URL", default="", console=console) or None
            settings["api_key"] = Prompt.ask("API key", default="", password=True, console=console) or None
        settings["imports"] = Prompt.ask(
            "Extra imports (space-separated)", default="", console=console
        ).split()
    prompt = Prompt.ask("Your task", default=EXAMPLE_TASK, console=console)
    return settings | {
        "prompt": prompt,
        "tools": tools,
        "model_type": model_type,
        "model_id": model_id,
        "action_type": action_type,
    }


def _tool_description(name: str) -> str:
    from .default_tools import TOOL_MAPPING

    description = str(getattr(TOOL_MAPPING[name], "description", "") or "")
    return description.split(". ")[0][:100]


def _load_dotenv() -> None:
    try:
        from dotenv import load_dotenv
    except ImportError:  # python-dotenv is optional: without it, .env files are not read
        return
    load_dotenv()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `smolagent` command; returns the exit status."""
    args = parse_arguments(argv)
    try:
        if args.prompt is None:
            settings = interactive_mode()
            settings["verbosity_level"] = args.verbosity_level
        else:
            settings = {
                "prompt": args.prompt,
                "tools": args.tools,
                "model_type": args.model_type,
                "model_id": args.model_id,
                "api_base": args.api_base,
                "api_key": args.api_key,
                "imports": args.imports,
                "provider": args.provider,
                "action_type": args.action_type,
                "verbosity_level": args.verbosity_level,
            }
        settings["max_steps"] = args.max_steps
        answer = run_smolagent(**settings)
    except (CommandLineError, ImportError) as error:
        return fail(str(error), status=2)
    except EOFError:
        return fail("The input ended before the task was given: type a task, or pass it as an argument.", 2)
    except KeyboardInterrupt:
        return fail("Interrupted.", status=130)
    except Exception as error:  # a failed run: one line, not a traceback
        return fail(f"The run failed: {type(error).__name__}: {error}", status=1)
    if args.verbosity_level == 0:
        print(answer)
    return 0


def fail(message: str, status: int, program: str = "smolagent") -> int:
    """Print `message` as the command's error on stderr and return `status`."""
    print(f"{program}: error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
