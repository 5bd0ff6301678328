"""The frozen configuration of an agent, which every run of it reads and none changes.

The agent builds it from its settings the first time it runs and again only when a setting
changed (an attribute reassigned, a tool added to `agent.tools`...). The runner, the step
functions and the sessions take this record and the run's state; they never reach into the agent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from .callbacks import StepCallbacks
from .executor_slot import ExecutorSlot
from .prompts import AgentKind, PromptTemplates

if TYPE_CHECKING:
    from ..monitoring import AgentLogger

__all__ = [
    "AgentConfig",
    "CodeAction",
    "ExecutorSlot",
    "ToolCallingAction",
    "build_configuration",
    "settings_key",
]


@dataclass(frozen=True)
class CodeAction:
    """How a CodeAgent acts: code between tags, run by an executor."""

    code_block_tags: tuple[str, str]
    stop_sequences: tuple[str, ...]
    response_format: Mapping[str, Any] | None
    additional_authorized_imports: tuple[str, ...]
    max_print_outputs_length: int | None
    executor_type: str
    executor_kwargs: Mapping[str, Any]
    shared_executor: ExecutorSlot
    # Code that can call async tools or managed agents runs on a worker thread, where they get
    # a loop of their own; other code runs inline.
    needs_thread: bool
    # Whether code needs approval before it runs: a bool, or a predicate on the code.
    requires_approval: Any = False


@dataclass(frozen=True)
class ToolCallingAction:
    """How a ToolCallingAgent acts: the model's native tool calls, run concurrently."""

    stop_sequences: tuple[str, ...]
    max_tool_threads: int


Action = Union[CodeAction, ToolCallingAction]


@dataclass(frozen=True)
class AgentConfig:
    """Everything a run of an agent reads, frozen.

    `agent` is the public object, passed to step callbacks and final-answer checks as
    ``agent=``; the runner uses nothing else of it.
    """

    agent: Any
    kind: AgentKind
    model: Any
    model_id: str | None
    model_label: str
    name: str | None
    tools: Mapping[str, Any]
    callables: Mapping[str, Any]
    callable_list: tuple[Any, ...]
    prompt_templates: PromptTemplates
    system_prompt: str
    prompt_variables: Mapping[str, Any]
    max_steps: int
    planning_interval: int | None
    final_answer_checks: tuple[Callable[..., Any], ...]
    step_callbacks: StepCallbacks
    logger: AgentLogger
    stream_outputs: bool
    return_full_result: bool
    action: Action
    # The agent's 1.26 `_step_stream`, when an instrumentor (OpenInference) wrapped it: steps then
    # run through it so that its spans see them.
    step_hook: Callable[[Any], Any] | None = None
    # The agent's context policy bound to its model (a `ContextShaper`), or None when it is off.
    context: Any = None


def settings_key(agent: Any, action_settings: tuple[Any, ...]) -> tuple[Any, ...]:
    """Return what the configuration of `agent` is built from; a change means a rebuild.

    Containers are copied (tools, templates), so that a tool added to `agent.tools` in place
    counts as a change too.
    """
    templates = {
        key: dict(value) if isinstance(value, dict) else value
        for key, value in agent.prompt_templates.items()
    }
    return (
        agent.model,
        templates,
        agent.instructions,
        agent.max_steps,
        agent.planning_interval,
        agent.name,
        agent.description,
        agent.provide_run_summary,
        tuple(agent.final_answer_checks),
        agent.return_full_result,
        agent.logger,
        agent.stream_outputs,
        agent.step_callbacks,
        tuple(agent.tools.items()),
        tuple(agent.managed_agents.items()),
        getattr(agent, "context_budget", None),
        *action_settings,
    )


def build_configuration(
    agent: Any,
    kind: AgentKind,
    callables: dict[str, Any],
    action: Action,
    prompt_variables: dict[str, Any],
    step_hook: Callable[[Any], Any] | None,
) -> AgentConfig:
    """Freeze the settings of `agent` (read through its public attributes) into an `AgentConfig`."""
    from .context_policy import make_shaper, resolve_context_policy
    from .model_reply import model_id_of, model_label

    return AgentConfig(
        agent=agent,
        kind=kind,
        model=agent.model,
        model_id=model_id_of(agent.model),
        model_label=model_label(agent.model),
        name=agent.name,
        tools=dict(agent.tools),
        callables=callables,
        callable_list=tuple(callables.values()),
        prompt_templates=agent.prompt_templates,
        system_prompt=agent.system_prompt,
        prompt_variables=prompt_variables,
        max_steps=agent.max_steps,
        planning_interval=agent.planning_interval,
        final_answer_checks=tuple(agent.final_answer_checks),
        step_callbacks=agent.step_callbacks,
        logger=agent.logger,
        stream_outputs=agent.stream_outputs,
        return_full_result=agent.return_full_result,
        action=action,
        step_hook=step_hook,
        context=make_shaper(resolve_context_policy(getattr(agent, "context_budget", None)), agent.model),
    )
