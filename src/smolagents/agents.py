"""The agents: `MultiStepAgent` and its two kinds, `CodeAgent` and `ToolCallingAgent`.

An agent object holds configuration only (model, tools, prompts, limits). Each run gets its own
`RunState` (memory, step counter, executor), so one agent can serve many concurrent `arun` calls.
`agent.memory` is the memory of the latest run, which `reset=False` continues.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from ._agent import configuration, loop, persistence
from ._agent.callbacks import StepCallbacks
from ._agent.code_actions import code_step_events
from ._agent.managed import ManagedAgentCall
from ._agent.prompts import (
    AgentKind,
    FinalAnswerPromptTemplate,
    ManagedAgentPromptTemplate,
    PlanningPromptTemplate,
    PromptTemplates,
    complete_prompt_templates,
    populate_template,
)
from ._agent.run_state import RunResult, RunState
from ._agent.sync import closing, iterate_sync, run_sync
from ._agent.tool_actions import execute_tool_call, tool_step_events
from ._errors import (  # noqa: F401  # importable from here, as in smolagents 1.26
    AgentError,
    AgentExecutionError,
    AgentGenerationError,
    AgentMaxStepsError,
    AgentParsingError,
    AgentToolCallError,
    AgentToolExecutionError,
)
from ._events import ActionOutput, ToolOutput
from ._executors import factory as executor_factory
from ._messages import ChatMessage
from .agent_types import handle_agent_output_types  # noqa: F401  # importable from here, as in 1.26
from .memory import ActionStep, AgentMemory, TaskStep, ToolCall
from .models.base import Model
from .monitoring import AgentLogger, LogLevel, Monitor

__all__ = [
    "AGENT_REGISTRY",
    "EMPTY_PROMPT_TEMPLATES",
    "ActionOutput",
    "CodeAgent",
    "FinalAnswerPromptTemplate",
    "ManagedAgentPromptTemplate",
    "MultiStepAgent",
    "PlanningPromptTemplate",
    "PromptTemplates",
    "RunResult",
    "ToolCallingAgent",
    "ToolOutput",
    "populate_template",
]

EMPTY_PROMPT_TEMPLATES = PromptTemplates(
    system_prompt="",
    planning=PlanningPromptTemplate(
        initial_plan="", update_plan_pre_messages="", update_plan_post_messages=""
    ),
    managed_agent=ManagedAgentPromptTemplate(task="", report=""),
    final_answer=FinalAnswerPromptTemplate(pre_messages="", post_messages=""),
)
"""Prompt templates whose every text is empty: a base for building your own."""


class MultiStepAgent:
    """An agent that solves a task step by step with a model and tools.

    Use `CodeAgent` or `ToolCallingAgent`; this base class holds what they share. Arguments are
    those of API.md: `tools`, `model`, `prompt_templates`, `instructions`, `max_steps`,
    `add_base_tools`, `verbosity_level`, `managed_agents`, `step_callbacks`, `planning_interval`,
    `name`, `description`, `provide_run_summary`, `final_answer_checks`, `return_full_result`,
    `logger`, and `stream_outputs` (stream model deltas as events).
    """

    _prompt_kind: AgentKind = "code_agent"

    def __init__(
        self,
        tools: list[Any],
        model: Model | None,
        prompt_templates: PromptTemplates | None = None,
        instructions: str | None = None,
        max_steps: int = 20,
        add_base_tools: bool = False,
        verbosity_level: LogLevel | int = LogLevel.INFO,
        managed_agents: list[MultiStepAgent] | None = None,
        step_callbacks: list[Callable[..., Any]] | dict[type, Any] | None = None,
        planning_interval: int | None = None,
        name: str | None = None,
        description: str | None = None,
        provide_run_summary: bool = False,
        final_answer_checks: list[Callable[..., Any]] | None = None,
        return_full_result: bool = False,
        logger: AgentLogger | None = None,
        stream_outputs: bool = False,
    ) -> None:
        self.model = model if model is not None else configuration.default_model()
        if not isinstance(self.model, Model) and not callable(getattr(self.model, "agenerate", None)):
            raise TypeError(
                f"model must be a smolagents Model (e.g. InferenceClientModel()), got {type(model).__name__}."
            )
        if max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, got {max_steps}.")
        if planning_interval is not None and planning_interval < 1:
            raise ValueError(
                f"planning_interval must be a positive number of steps, got {planning_interval}."
            )
        self.prompt_templates = complete_prompt_templates(self._prompt_kind, prompt_templates)
        self.instructions = instructions
        self.max_steps = max_steps
        self.planning_interval = planning_interval
        self.name = configuration.check_name(name)
        self.description = description
        self.provide_run_summary = provide_run_summary
        self.final_answer_checks = list(final_answer_checks or ())
        self.return_full_result = return_full_result
        self.logger = logger or AgentLogger(level=verbosity_level)
        self.stream_outputs = stream_outputs
        self.step_callbacks = StepCallbacks(step_callbacks)
        self.managed_agents: dict[str, MultiStepAgent] = configuration.index_managed_agents(managed_agents)
        self.tools: dict[str, Any] = configuration.index_tools(
            tools, add_base_tools, self._prompt_kind, self.managed_agents
        )
        self._callables: dict[str, Any] = {
            **self.tools,
            **{name: ManagedAgentCall(agent) for name, agent in self.managed_agents.items()},
        }
        self._callables_list = list(self._callables.values())
        self._current: RunState | None = None
        self._active_runs: set[int] = set()
        self._runs: dict[int, RunState] = {}

    # -- running -----------------------------------------------------------------------------
    def run(
        self,
        task: str,
        stream: bool = False,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Run the agent on `task` and return the final answer.

        Args:
            task: What to do.
            stream: Return a generator of the run's events (steps, tool calls and outputs, and
                model deltas when `stream_outputs` is set) instead of the answer.
            reset: Start from an empty memory; False continues the previous run's conversation.
            images: Images given to the model with the task.
            additional_args: Values handed to the run: variables of the code for a CodeAgent,
                and listed in the task for the model.
            max_steps: Step limit of this run (default: the agent's `max_steps`).
            return_full_result: Return a `RunResult` instead of the bare answer.
        """
        run = self._start_run(task, reset, images, additional_args, max_steps)
        if stream:
            return iterate_sync(self._events(run))
        return run_sync(self._complete(run, return_full_result))

    async def arun(
        self,
        task: str,
        stream: bool = False,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Async twin of `run`; with `stream=True` it returns an async iterator of events."""
        run = self._start_run(task, reset, images, additional_args, max_steps)
        if stream:
            return self._events(run)
        return await self._complete(run, return_full_result)

    async def _complete(self, run: RunState, return_full_result: bool | None) -> Any:
        async with closing(self._events(run)) as events:
            async for _ in events:
                pass
        full = self.return_full_result if return_full_result is None else return_full_result
        if not full:
            return run.output
        usage = run.memory.token_usage
        return RunResult(
            output=run.output,
            state=run.outcome,
            steps=run.memory.get_full_steps(),
            token_usage=usage,
            timing=run.timing,
        )

    async def _events(self, run: RunState) -> AsyncIterator[Any]:
        key = id(run)
        self._runs[key] = run
        try:
            async with closing(loop.run_events(self, run)) as events:
                async for event in events:
                    yield event
        finally:
            run.timing.stop()
            self._runs.pop(key, None)
            self._close_run(run)

    def _start_run(
        self,
        task: str,
        reset: bool,
        images: list[Any] | None,
        additional_args: dict[str, Any] | None,
        max_steps: int | None,
    ) -> RunState:
        if not isinstance(task, str):
            raise TypeError(f"task must be a string, got {type(task).__name__}.")
        previous = self._current
        continuing = not reset and previous is not None
        memory = previous.memory if continuing else AgentMemory("")  # type: ignore[union-attr]  # checked
        memory.system_prompt.system_prompt = self.system_prompt
        if additional_args:
            task += (
                "\nYou have been given these additional arguments, available as variables of the same name:\n"
                + "\n".join(
                    f"- {key}: {configuration.describe(value)}" for key, value in additional_args.items()
                )
            )
        memory.steps.append(TaskStep(task=task, task_images=list(images) if images else None))
        run = RunState(
            task=task,
            memory=memory,
            max_steps=max_steps if max_steps is not None else self.max_steps,
            images=list(images) if images else None,
            additional_args=additional_args,
            step_number=configuration.next_step_number(memory),
            first_step=configuration.next_step_number(memory),
            variables=dict(previous.variables) if continuing else {},  # type: ignore[union-attr]  # checked
        )
        run.variables.update(additional_args or {})
        self._prepare_run(run, previous if continuing else None)
        self._current = run
        return run

    def _prepare_run(self, run: RunState, previous: RunState | None) -> None:
        """Give the run what its action needs (CodeAgent: an executor)."""

    def _close_run(self, run: RunState) -> None:
        """Release what `_prepare_run` acquired, when it must not outlive the run."""

    async def _step_stream(self, run: RunState, step: ActionStep) -> AsyncIterator[Any]:
        raise NotImplementedError
        yield  # pragma: no cover  # makes this an async generator

    def _emit(self, event: Any) -> None:
        if self.logger.level != LogLevel.OFF:
            self.logger.on_event(event)

    # -- public helpers -------------------------------------------------------------------------
    def step(self, memory_step: ActionStep) -> Any:
        """Run one action step of the current run into `memory_step`; return the answer if final."""
        run = self._require_run()

        async def one_step() -> Any:
            async with closing(self._step_stream(run, memory_step)) as events:
                async for event in events:
                    if isinstance(event, ActionOutput) and event.is_final_answer:
                        memory_step.is_final_answer = True
                        return event.output
            return None

        return run_sync(one_step())

    def interrupt(self) -> None:
        """Stop every run of this agent at the end of its current step (it raises AgentInterruptedError)."""
        for run in list(self._runs.values()):
            run.interrupt_requested = True

    def provide_final_answer(self, task: str, images: list[Any] | None = None) -> ChatMessage:
        """Ask the model for a final answer to `task` from the current memory alone."""
        run = self._require_run()
        run.task = task
        return run_sync(loop.provide_final_answer(self, run))

    def write_memory_to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the current memory as the chat messages the model would see."""
        return self._memory_messages(self._require_run(), summary_mode)

    def _memory_messages(self, run: RunState, summary_mode: bool = False) -> list[ChatMessage]:
        messages = run.memory.system_prompt.to_messages(summary_mode=summary_mode)
        cache = run.message_cache
        for step in run.memory.steps:
            # A step's messages are rebuilt only when one of its fields was reassigned (a callback
            # may drop old images, say); otherwise each step would be converted again at every step.
            key = (id(step), summary_mode)
            fingerprint = tuple(map(id, vars(step).values()))
            cached = cache.get(key)
            if cached is None or cached[0] != fingerprint:
                cached = cache[key] = (fingerprint, step.to_messages(summary_mode=summary_mode))
            messages.extend(cached[1])
        return messages

    def replay(self, detailed: bool = False) -> None:
        """Render the steps of the latest run again."""
        self.memory.replay(self.logger, detailed=detailed)

    def visualize(self) -> None:
        """Draw the agent, its tools and its managed agents as a tree."""
        self.logger.visualize_agent_tree(self)

    # -- saving and loading the configuration ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the agent's configuration (model, tools with their code, prompts, settings)."""
        return persistence.agent_to_dict(self)

    @classmethod
    def from_dict(cls, agent_dict: dict[str, Any], **kwargs: Any) -> MultiStepAgent:
        """Rebuild an agent from `to_dict()` output; `kwargs` override saved arguments (e.g. model=)."""
        return persistence.agent_from_dict(agent_dict, _agent_classes(), top_class=cls, **kwargs)

    def save(self, output_dir: str | Any, relative_path: str | None = None) -> None:
        """Write the agent to a folder in smolagents 1.26's layout.

        The folder holds ``agent.json``, ``tools/*.py``, ``managed_agents/``, ``prompts.yaml``,
        ``requirements.txt`` and an ``app.py`` starting a Gradio UI; it loads with `from_folder`
        here and in smolagents 1.26. `relative_path` is used when saving managed agents.
        """
        persistence.save_agent(self, output_dir, relative_path=relative_path)

    @classmethod
    def from_folder(cls, folder: str | Any, **kwargs: Any) -> MultiStepAgent:
        """Load an agent saved with `save` (this runs its tools' code: load only trusted folders)."""
        return persistence.agent_from_folder(folder, _agent_classes(), top_class=cls, **kwargs)

    def push_to_hub(
        self,
        repo_id: str,
        commit_message: str = "Upload agent",
        private: bool | None = None,
        token: str | bool | None = None,
        create_pr: bool = False,
    ) -> str:
        """Upload the saved agent to a Gradio Space on the Hugging Face Hub; return the commit URL."""
        return persistence.push_agent_to_hub(self, repo_id, commit_message, private, token, create_pr)

    @classmethod
    def from_hub(
        cls, repo_id: str, token: str | None = None, trust_remote_code: bool = False, **kwargs: Any
    ) -> MultiStepAgent:
        """Download an agent pushed with `push_to_hub` and load it (its tools' code runs).

        Download options (``cache_dir``, ``revision``, ``force_download``, ``proxies``,
        ``local_files_only``) in `kwargs` go to the download, the rest to the agent.
        """
        return persistence.agent_from_hub(
            repo_id, _agent_classes(), token, trust_remote_code, top_class=cls, **kwargs
        )

    def _require_run(self) -> RunState:
        if self._current is None:
            raise RuntimeError("This agent has not run yet: call agent.run(task) first.")
        return self._current

    # -- views ------------------------------------------------------------------------------------
    @property
    def memory(self) -> AgentMemory:
        """The memory of the latest run (an empty memory before the first run)."""
        if self._current is None:
            return AgentMemory(self.system_prompt)
        return self._current.memory

    @memory.setter
    def memory(self, memory: AgentMemory) -> None:
        """Replace the memory, e.g. with `AgentMemory.load(path)`; `run(..., reset=False)` resumes it."""
        if not isinstance(memory, AgentMemory):
            raise TypeError(f"memory must be an AgentMemory, got {type(memory).__name__}.")
        self._current = RunState(task="", memory=memory, max_steps=self.max_steps)

    @property
    def logs(self) -> tuple[Any, ...]:
        """A read-only view of the latest run: the system prompt step, then every step."""
        memory = self.memory
        return (memory.system_prompt, *memory.steps)

    @property
    def monitor(self) -> Monitor:
        """Metrics of the latest run (step durations, token totals)."""
        return Monitor(self.model, self.logger, memory=self.memory)

    @property
    def state(self) -> dict[str, Any]:
        """Variables of the latest run (a CodeAgent's Python variables)."""
        return self._current.variables if self._current else {}

    @property
    def system_prompt(self) -> str:
        """The system prompt rendered from the templates, tools and instructions."""
        return populate_template(self.prompt_templates["system_prompt"], self._prompt_variables())

    def _prompt_variables(self) -> dict[str, Any]:
        return {
            "tools": self.tools,
            "managed_agents": {name: self._callables[name] for name in self.managed_agents},
            "custom_instructions": self.instructions,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model.model_id!r}, tools={list(self.tools)})"


class CodeAgent(MultiStepAgent):
    """An agent whose actions are Python code, run by an executor with the tools as functions.

    Args:
        additional_authorized_imports: Modules the code may import besides the safe base set;
            ``"pkg.*"`` authorises a package and its submodules, ``"*"`` any module.
        executor: An executor instance to use (shared by every run of this agent).
        executor_type: ``"local"`` (our interpreter, a fresh one per run) or a remote sandbox.
        executor_kwargs: Keyword arguments for the executor built from `executor_type`.
        max_print_outputs_length: Cap on the printed output kept per step.
        use_structured_outputs_internally: Ask the model for ``{"thought", "code"}`` JSON.
        code_block_tags: The (opening, closing) tags the prompt asks for: default ``<code>`` and
            ``</code>`` (as in smolagents 1.26), ``"markdown"`` for ```` ```python ```` fences, or
            a pair of your own. ``<code>`` tags and markdown fences are always accepted too.
        Other arguments: see `MultiStepAgent`.
    """

    _prompt_kind = "code_agent"

    def __init__(
        self,
        tools: list[Any],
        model: Model | None,
        prompt_templates: PromptTemplates | None = None,
        additional_authorized_imports: list[str] | None = None,
        planning_interval: int | None = None,
        executor: Any = None,
        executor_type: str = "local",
        executor_kwargs: dict[str, Any] | None = None,
        max_print_outputs_length: int | None = None,
        stream_outputs: bool = False,
        use_structured_outputs_internally: bool = False,
        code_block_tags: tuple[str, str] | str | None = None,
        **kwargs: Any,
    ) -> None:
        from .local_python_executor import BASE_BUILTIN_MODULES

        self.additional_authorized_imports = list(additional_authorized_imports or ())
        self.authorized_imports = sorted(set(BASE_BUILTIN_MODULES) | set(self.additional_authorized_imports))
        self.code_block_tags = configuration.code_block_tags(code_block_tags)
        self.use_structured_outputs_internally = use_structured_outputs_internally
        self.max_print_outputs_length = max_print_outputs_length
        executor_factory.check_executor_type(executor_type, executor)
        self.executor_type = executor_type
        self.executor_kwargs = dict(executor_kwargs or {})
        self._executor = executor
        super().__init__(
            tools,
            model,
            prompt_templates,
            planning_interval=planning_interval,
            stream_outputs=stream_outputs,
            **kwargs,
        )
        if executor is None:
            executor_factory.check_tools(executor_type, self._callables)
        self._code_needs_thread = bool(self.managed_agents) or any(
            getattr(tool, "is_async", False) for tool in self.tools.values()
        )

    def _prompt_variables(self) -> dict[str, Any]:
        imports = "any module" if "*" in self.authorized_imports else ", ".join(self.authorized_imports)
        return super()._prompt_variables() | {
            "authorized_imports": imports,
            "code_block_opening_tag": self.code_block_tags[0],
            "code_block_closing_tag": self.code_block_tags[1],
        }

    def _stop_sequences(self) -> list[str]:
        opening, closing = self.code_block_tags
        return ["Observation:", "Calling tools:"] + ([closing] if closing not in opening else [])

    def _prepare_run(self, run: RunState, previous: RunState | None) -> None:
        if previous is not None and previous.executor is not None:
            run.executor = previous.executor  # a continued conversation keeps its variables
        elif self._executor is not None:
            run.executor = self._executor
        else:
            run.executor = executor_factory.build_executor(
                self.executor_type,
                self.additional_authorized_imports,
                self.logger,
                self.max_print_outputs_length,
                self.executor_kwargs,
            )
            if self.executor_type != "local":  # a sandbox is kept for the agent's runs until cleanup()
                self._executor = run.executor
        run.executor.send_tools(self._callables)
        if run.additional_args:
            run.executor.send_variables(run.additional_args)
        state = getattr(run.executor, "state", None)
        if isinstance(state, dict):
            run.variables = state

    def _step_stream(self, run: RunState, step: ActionStep) -> AsyncIterator[Any]:
        return code_step_events(self, run, step)

    def cleanup(self) -> None:
        """Release the executor (a remote sandbox stops; the local interpreter holds nothing)."""
        if self._executor is not None:
            self._executor.cleanup()

    def __enter__(self) -> CodeAgent:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()


class ToolCallingAgent(MultiStepAgent):
    """An agent whose actions are the model's native tool calls (JSON), run concurrently.

    Args:
        max_tool_threads: How many tool calls of one step may run at once (default: CPU count + 4,
            at most 32).
        Other arguments: see `MultiStepAgent`.
    """

    _prompt_kind = "toolcalling_agent"

    def __init__(
        self,
        tools: list[Any],
        model: Model | None,
        prompt_templates: PromptTemplates | None = None,
        planning_interval: int | None = None,
        stream_outputs: bool = False,
        max_tool_threads: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            tools,
            model,
            prompt_templates,
            planning_interval=planning_interval,
            stream_outputs=stream_outputs,
            **kwargs,
        )
        if max_tool_threads is not None and max_tool_threads < 1:
            raise ValueError(f"max_tool_threads must be at least 1, got {max_tool_threads}.")
        self.max_tool_threads = max_tool_threads or min(32, (os.cpu_count() or 1) + 4)

    @property
    def tools_and_managed_agents(self) -> list[Any]:
        """Everything the model can call: tools, then managed agents."""
        return self._callables_list

    def _step_stream(self, run: RunState, step: ActionStep) -> AsyncIterator[Any]:
        return tool_step_events(self, run, step)

    def execute_tool_call(self, tool_name: str, arguments: dict[str, Any] | str) -> Any:
        """Run one tool (or managed agent) by name with validated arguments; return its output."""
        run = self._current or RunState(task="", memory=AgentMemory(""), max_steps=self.max_steps)
        call = ToolCall(name=tool_name, arguments=arguments, id="manual")
        return run_sync(execute_tool_call(self, run, call, on_thread=False)).output


AGENT_REGISTRY: dict[str, type[MultiStepAgent]] = {
    "ToolCallingAgent": ToolCallingAgent,
    "CodeAgent": CodeAgent,
}
"""The agent classes a saved agent may name: the only classes loading one builds."""


def _agent_classes() -> dict[str, type[MultiStepAgent]]:
    return AGENT_REGISTRY
