"""`MultiStepAgent`: the configuration and public API the two agent kinds share.

An agent object holds configuration and the public API only. Its settings are frozen into an
`AgentConfig` the first time it runs (and again when one changes); each run has its own
`RunState` (memory, step counter, executor), driven by the runner, so one agent serves many
concurrent runs and conversations (`new_session()`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, cast

from .._events import (
    STREAM_EVENT_TYPES,
    AgentEvent,
    StreamEvent,
)
from .._messages import ChatMessage
from ..memory import ActionStep, AgentMemory, MemoryStep
from ..monitoring import AgentLogger, LogLevel, Monitor
from . import configuration, persistence
from .approval import ApprovalCallback, Decisions
from .callbacks import StepCallbacks
from .config import (
    AgentConfig,
    CodeAction,
    ToolCallingAction,
    build_configuration,
    settings_key,
)
from .context_policy import ContextPolicy, resolve_context_policy
from .instrumented import act_once
from .managed import ManagedAgentCall, managed_agent_report
from .model_reply import model_label
from .outcomes import FinalAnswer
from .prompts import (
    AgentKind,
    PromptTemplates,
    complete_prompt_templates,
    populate_template,
)
from .run_state import RunState, current_run
from .runner import perform_action, provide_final_answer
from .seams import is_wrapped
from .session import AgentSession
from .sync import iterate_sync, run_sync


class MultiStepAgent:
    """An agent that solves a task step by step with a model and tools.

    Use `CodeAgent` or `ToolCallingAgent`; this base class holds what they share. Arguments are
    those of API.md: `tools`, `model`, `prompt_templates`, `instructions`, `max_steps`,
    `add_base_tools`, `verbosity_level`, `managed_agents`, `step_callbacks`, `planning_interval`,
    `name`, `description`, `provide_run_summary`, `final_answer_checks`, `return_full_result`,
    `logger`, and `stream_outputs` (stream model deltas as events).

    `context_budget` keeps prompts within what the model can read: a number of tokens, a
    `ContextPolicy`, or None (the default) for the model's known context window, when it has one.
    Over budget, older observations are truncated, then older steps summarised by the model or
    left out; memory keeps every step (see `ContextPolicy`).

    The model may be any object with a ``generate(messages, stop_sequences=None, ...)`` method
    returning a `ChatMessage`: a `Model`, a subclass that implements only `generate`, a
    duck-typed object, or a `unittest.mock` model.
    """

    _prompt_kind: AgentKind = "code_agent"

    def __init__(
        self,
        tools: list[Any],
        model: Any,
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
        context_budget: int | ContextPolicy | None = None,
        approval_callback: ApprovalCallback | None = None,
    ) -> None:
        self.approval_callback = approval_callback
        self.model = model if model is not None else configuration.default_model()
        if not callable(getattr(self.model, "generate", None)):
            raise TypeError(
                "model must have a generate(messages, stop_sequences=None, ...) method returning a ChatMessage "
                f"(e.g. InferenceClientModel() or a Model subclass), got {type(model).__name__}."
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
        self._monitor: Monitor | None = None
        resolve_context_policy(context_budget)  # refuses a bad value now rather than at the first run
        self.context_budget = context_budget
        self.managed_agents = cast(
            "dict[str, MultiStepAgent]", configuration.index_managed_agents(managed_agents)
        )
        self.tools: dict[str, Any] = configuration.index_tools(
            tools, add_base_tools, self._prompt_kind, self.managed_agents
        )
        configuration.check_name_is_free(self.name, {**self.tools, **self.managed_agents})
        self._configuration: tuple[tuple[Any, ...], AgentConfig] | None = None
        self._active_runs: dict[str, RunState] = {}
        self._session = AgentSession(self, self._active_runs)
        self._setup_step_callbacks(step_callbacks)

    def _setup_step_callbacks(
        self, step_callbacks: list[Callable[..., Any]] | dict[type, Any] | None
    ) -> None:
        """Build `step_callbacks` from the constructor's argument, plus the monitor's `update_metrics`.

        The monitor is registered for action steps, as in 1.26, so that code replacing
        `agent.monitor` with its own gets every action step.
        """
        self.step_callbacks = StepCallbacks(step_callbacks)
        self.step_callbacks.register(ActionStep, self.monitor.update_metrics)

    def _finalize_step(self, memory_step: MemoryStep) -> None:
        """Run the step callbacks registered for the class of `memory_step` (1.26's hook name)."""
        self.step_callbacks(memory_step, self)

    # -- configuration -------------------------------------------------------------------------------
    @property
    def configuration(self) -> AgentConfig:
        """The frozen configuration runs read; rebuilt only when a setting of the agent changed."""
        step_hook = self._step_stream if is_wrapped(type(self), "_step_stream") else None
        key = settings_key(self, (step_hook is not None, *self._action_settings()))
        cached = self._configuration
        if cached is None or cached[0] != key:
            callables = {
                **self.tools,
                **{name: ManagedAgentCall(agent) for name, agent in self.managed_agents.items()},
            }
            action, variables = self._action(callables), self._prompt_variables(callables)
            config = build_configuration(self, self._prompt_kind, callables, action, variables, step_hook)
            cached = self._configuration = (key, config)
        return cached[1]

    def _action_settings(self) -> tuple[Any, ...]:
        return ()

    def _action(self, callables: dict[str, Any]) -> CodeAction | ToolCallingAction:
        raise NotImplementedError(
            f"{type(self).__name__} must define its action: use CodeAgent or ToolCallingAgent."
        )

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
        approval_callback: ApprovalCallback | None = None,
    ) -> Any:
        """Run the agent on `task` and return the final answer.

        Args:
            task: What to do.
            stream: Return a generator of the run's events (steps, tool calls and outputs, and
                model deltas when `stream_outputs` is set) instead of the answer. For every event
                of the run (starts and ends included), use `stream_events`.
            reset: Start from an empty memory; False continues the previous run's conversation.
            images: Images given to the model with the task.
            additional_args: Values handed to the run: variables of the code for a CodeAgent,
                and listed in the task for the model.
            max_steps: Step limit of this run (default: the agent's `max_steps`).
            return_full_result: Return a `RunResult` instead of the bare answer.
            approval_callback: Decides on actions that need approval during this run (default:
                the agent's). With none, the run stops before such an action and returns a
                `PendingApproval` (`RunResult.state` ``"awaiting_approval"``); see `resume`.
        """
        return self._session.start(
            task, reset, stream, images, additional_args, max_steps, return_full_result, approval_callback
        )

    async def arun(
        self,
        task: str,
        stream: bool = False,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
        approval_callback: ApprovalCallback | None = None,
    ) -> Any:
        """Async twin of `run`; with `stream=True` it returns an async iterator of events."""
        run = self._session.begin(task, reset, images, additional_args, max_steps, approval_callback)
        if stream:
            events: AsyncIterator[StreamEvent] = self._session.events(run, STREAM_EVENT_TYPES)
            return events
        return await self._session.complete(run, return_full_result)

    def stream_events(
        self,
        task: str,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
    ) -> Iterator[AgentEvent]:
        """Run the agent on `task`, yielding every event of the run as it happens.

        The events (`AgentEvent`) are those `run(stream=True)` yields, plus `RunStarted`,
        `StepStarted`, `ModelCallStarted`/`ModelCallFinished`, `ToolCallFinished` and a last
        `RunFinished`. Stopping the iteration stops the run.
        """
        return iterate_sync(self.astream_events(task, reset, images, additional_args, max_steps))

    def astream_events(
        self,
        task: str,
        reset: bool = True,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
    ) -> AsyncIterator[AgentEvent]:
        """Async twin of `stream_events`."""
        return self._session.events(
            self._session.begin(task, reset, images, additional_args, max_steps), (object,)
        )

    def resume(
        self,
        decisions: Decisions | None = None,
        approval_callback: ApprovalCallback | None = None,
        stream: bool = False,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Resume the run that stopped awaiting approval, and return its answer as `run` does.

        The memory may come from another process: ``agent.memory = AgentMemory.load(path)``
        (a CodeAgent's variables saved with it are restored first).

        Args:
            decisions: `Approve()`, `Deny(reason)`, `Edit(arguments=...)` / `Edit(code=...)`, or a
                bool: for every pending action; or a dict of them by request id
                (`memory.pending_approvals`). Actions left undecided go to `approval_callback`,
                or stop the run again.
            approval_callback: Decides on actions needing approval later in the run.
            stream, max_steps, return_full_result: As for `run` (steps count from the resumed one).

        Raises:
            ValueError: When no action awaits approval.
        """
        return self._session.resume(decisions, approval_callback, stream, max_steps, return_full_result)

    async def aresume(
        self,
        decisions: Decisions | None = None,
        approval_callback: ApprovalCallback | None = None,
        stream: bool = False,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Async twin of `resume`."""
        return await self._session.aresume(
            decisions, approval_callback, stream, max_steps, return_full_result
        )

    def new_session(self) -> AgentSession:
        """Start a conversation of its own (memory, variables, executor), e.g. one per UI user."""
        return AgentSession(self, self._active_runs)

    def subscribe(self, subscriber: Callable[[AgentEvent], None]) -> None:
        """Call `subscriber(event)` for every event of this agent's default session's runs."""
        self._session.subscribe(subscriber)

    # -- public helpers -------------------------------------------------------------------------
    def step(self, memory_step: ActionStep) -> Any:
        """Run one action step of the current run into `memory_step`; return the answer if final.

        The step is not added to memory. Final-answer checks apply, as in a run.
        """
        outcome = run_sync(perform_action(self.configuration, self._session.current_run(), memory_step))
        return outcome.output if isinstance(outcome, FinalAnswer) else None

    def _step_stream(self, memory_step: ActionStep) -> Iterator[Any]:
        """Run one action into `memory_step`, yielding its tool calls then its `ActionOutput` (the 1.26 step hook).

        Instrumentors written for smolagents 1.26 wrap this method; the runner then calls it.
        """
        run = current_run.get() or self._session.current_run()
        output = run_sync(act_once(self.configuration, run, memory_step))
        yield from memory_step.tool_calls or ()  # the calls made, which 1.26 yields before the output
        yield output

    def interrupt(self) -> None:
        """Stop every run of this agent at the end of its current step (it raises AgentInterruptedError)."""
        for run in list(self._active_runs.values()):
            run.interrupt_requested = True

    def provide_final_answer(self, task: str, images: list[Any] | None = None) -> ChatMessage:
        """Ask the model for a final answer to `task` from the current memory alone."""
        run = self._session.current_run()
        run.task = task
        return run_sync(provide_final_answer(run.config, run)).message

    def write_memory_to_messages(self, summary_mode: bool = False) -> list[ChatMessage]:
        """Return the current memory as the chat messages the model would see."""
        return self.memory.to_messages(summary_mode=summary_mode)

    def replay(self, detailed: bool = False) -> None:
        """Render the steps of the latest run again."""
        self.memory.replay(self.logger, detailed=detailed)

    def visualize(self) -> None:
        """Draw the agent, its tools and its managed agents as a tree."""
        self.logger.visualize_agent_tree(self)

    def __call__(self, task: str, **kwargs: Any) -> str:
        """Run as a manager runs a managed agent: the task in its template, the answer in a report."""
        full_task = populate_template(
            self.prompt_templates["managed_agent"]["task"], {"name": self.name, "task": task}
        )
        return managed_agent_report(self, self.run(full_task, **{"return_full_result": True, **kwargs}))

    # -- saving and loading the configuration ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the agent's configuration (model, tools with their code, prompts, settings)."""
        return persistence.agent_to_dict(self)

    @classmethod
    def from_dict(cls, agent_dict: dict[str, Any], **kwargs: Any) -> MultiStepAgent:
        """Rebuild an agent from `to_dict()` output; `kwargs` override saved arguments (e.g. model=)."""
        return cast(
            MultiStepAgent, persistence.agent_from_dict(agent_dict, _agent_classes(), top_class=cls, **kwargs)
        )

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
        return cast(
            MultiStepAgent, persistence.agent_from_folder(folder, _agent_classes(), top_class=cls, **kwargs)
        )

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
        return cast(
            MultiStepAgent,
            persistence.agent_from_hub(
                repo_id, _agent_classes(), token, trust_remote_code, top_class=cls, **kwargs
            ),
        )

    # -- views ------------------------------------------------------------------------------------
    @property
    def memory(self) -> AgentMemory:
        """The memory of the default conversation (continued by `run(..., reset=False)`)."""
        return self._session.memory

    @memory.setter
    def memory(self, memory: AgentMemory) -> None:
        """Replace the memory, e.g. with `AgentMemory.load(path)`; `run(..., reset=False)` resumes it."""
        self._session.memory = memory

    @property
    def logs(self) -> tuple[Any, ...]:
        """A read-only view of the latest run: the system prompt step, then every step."""
        memory = self.memory
        return (memory.system_prompt, *memory.steps)

    @property
    def monitor(self) -> Monitor:
        """Metrics of the latest run (step durations, token totals), unless replaced by assignment."""
        if self._monitor is not None:
            return self._monitor
        return Monitor(self.model, self.logger, memory=lambda: self.memory)

    @monitor.setter
    def monitor(self, monitor: Any) -> None:
        """Use `monitor` (e.g. one of the user's own) instead of the memory-backed one."""
        self._monitor = monitor

    @property
    def state(self) -> dict[str, Any]:
        """Variables of the latest run (a CodeAgent's Python variables); set before a run, it starts with them."""
        return self._session.variables

    @property
    def task(self) -> str | None:
        """The task of the latest run (None before the first run)."""
        run = self._session.latest_run
        return run.task if run is not None and run.task else None

    @property
    def step_number(self) -> int:
        """The number of the step the latest run is at (or would take next); 0 before any run."""
        run = self._session.latest_run
        return run.step_number if run is not None and run.config is not None else 0

    @property
    def system_prompt(self) -> str:
        """The system prompt runs start with: what `initialize_system_prompt()` returns."""
        return self.initialize_system_prompt()

    @system_prompt.setter
    def system_prompt(self, value: str) -> None:
        raise AttributeError(
            """The 'system_prompt' property is read-only. Use 'self.prompt_templates["system_prompt"]' instead."""
        )

    def initialize_system_prompt(self) -> str:
        """Render the system prompt from the templates, tools and instructions (override to change it)."""
        managed = {name: ManagedAgentCall(agent) for name, agent in self.managed_agents.items()}
        return populate_template(self.prompt_templates["system_prompt"], self._prompt_variables(managed))

    def _prompt_variables(self, callables: dict[str, Any]) -> dict[str, Any]:
        return {
            "tools": self.tools,
            "managed_agents": {name: callables[name] for name in self.managed_agents},
            "custom_instructions": self.instructions,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={model_label(self.model)!r}, tools={list(self.tools)})"


AGENT_REGISTRY: dict[str, type[MultiStepAgent]] = {}
"""The agent classes a saved agent may name: the only classes loading one builds (each kind adds itself)."""


def _agent_classes() -> dict[str, type[MultiStepAgent]]:
    from . import code_agent, tool_calling_agent  # noqa: F401  # defining them registers them

    return AGENT_REGISTRY
