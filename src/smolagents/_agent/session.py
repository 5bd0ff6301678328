"""Sessions: the conversations one agent serves, each with its own memory, variables and executor.

`agent.run(...)` uses the agent's default session (`reset=True` starts a new conversation in it);
`agent.new_session()` gives another, so a UI can hold one conversation per user with one agent.
Runs of different sessions never share memory, variables or events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from .._events import STREAM_EVENT_TYPES, AgentEvent, StreamEvent
from .._usage import TokenUsage
from ..memory import ActionStep, AgentMemory, PlanningStep, TaskStep
from .approval import ApprovalCallback, Decisions, read_decisions
from .bus import EventBus, EventChannel, Subscriber, stream_through
from .code_actions import prepare_executor, release_executor
from .config import AgentConfig, CodeAction
from .configuration import describe
from .resume import abandon_pending, keep_executor_state, latest_task, pending_step
from .run_state import RunResult, RunState, current_run
from .runner import execute_run
from .sync import iterate_sync, run_sync
from .tracing import active_tracer

__all__ = ["AgentSession"]

_ALL_EVENTS: tuple[type, ...] = (object,)


class AgentSession:
    """One conversation with an agent: its memory, its variables and its executor state.

    Each `run` continues the conversation. Sessions of one agent may run at the same time; one
    session runs one task at a time.

    Args:
        agent: The agent (its configuration is read at the start of each run).
        active_runs: The registry of the agent's running runs, which `agent.interrupt()` stops.
    """

    def __init__(self, agent: Any, active_runs: dict[str, RunState] | None = None) -> None:
        self.agent = agent
        self._active_runs: dict[str, RunState] = {} if active_runs is None else active_runs
        self._runs: dict[str, RunState] = {}
        self._latest: RunState | None = None
        self._subscribers: list[Subscriber] = []

    # -- the conversation -------------------------------------------------------------------------
    @property
    def memory(self) -> AgentMemory:
        """The memory of this conversation (an empty memory before its first run)."""
        if self._latest is None:
            self._latest = RunState(task="", memory=AgentMemory(self.agent.system_prompt), max_steps=0)
        return self._latest.memory

    @memory.setter
    def memory(self, memory: AgentMemory) -> None:
        if not isinstance(memory, AgentMemory):
            raise TypeError(f"memory must be an AgentMemory, got {type(memory).__name__}.")
        self._latest = RunState(task="", memory=memory, max_steps=0)

    @property
    def latest_run(self) -> RunState | None:
        """The state of the latest run (its variables, executor, step counter), if any."""
        return self._latest

    def current_run(self) -> RunState:
        """Return the latest run, ready to act in (configuration, events, executor), making one if needed.

        Used by `agent.step()` and `agent.provide_final_answer()`, which act on the conversation
        without a run loop.
        """
        self.memory  # noqa: B018  # makes the empty conversation when there is none
        run = self._latest
        assert run is not None  # made just above
        if run.config is None:
            config: AgentConfig = self.agent.configuration
            run.config, run.bus, run.max_steps = config, self._bus(config), config.max_steps
            if isinstance(config.action, CodeAction) and run.executor is None:
                prepare_executor(config, config.action, run, None, self)
        return run

    @property
    def variables(self) -> dict[str, Any]:
        """The variables of the latest run; before a first run, the ones it will start with."""
        self.memory  # noqa: B018  # makes the empty conversation when there is none
        assert self._latest is not None  # made just above
        return self._latest.variables

    def _unstarted_variables(self) -> dict[str, Any]:
        # Variables set through `agent.state` before any run (1.26 keeps them for the next run).
        latest = self._latest
        return latest.variables if latest is not None and latest.config is None and not latest.task else {}

    def reset(self) -> None:
        """Start a fresh conversation: new memory, new variables, a new executor (its sandbox is released)."""
        release_executor(self._latest, self._runs.values())
        self._latest = None

    def interrupt(self) -> None:
        """Stop this session's running task at the end of its current step."""
        for run in list(self._runs.values()):
            run.interrupt_requested = True

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call `subscriber(event)` for every event of this session's runs (see `AgentEvent`)."""
        self._subscribers.append(subscriber)

    # -- running -----------------------------------------------------------------------------------
    def run(
        self,
        task: str,
        stream: bool = False,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
        approval_callback: ApprovalCallback | None = None,
    ) -> Any:
        """Continue the conversation with `task`; arguments as `MultiStepAgent.run`."""
        return self.start(
            task, False, stream, images, additional_args, max_steps, return_full_result, approval_callback
        )

    async def arun(
        self,
        task: str,
        stream: bool = False,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
        approval_callback: ApprovalCallback | None = None,
    ) -> Any:
        """Async twin of `run`; with `stream=True` it returns an async iterator of events."""
        run = self.begin(task, False, images, additional_args, max_steps, approval_callback)
        if stream:
            return self.events(run, STREAM_EVENT_TYPES)
        return await self.complete(run, return_full_result)

    def stream_events(
        self,
        task: str,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
    ) -> Iterator[AgentEvent]:
        """Continue the conversation with `task`, yielding every event of the run (`AgentEvent`)."""
        run = self.begin(
            task, reset=False, images=images, additional_args=additional_args, max_steps=max_steps
        )
        return iterate_sync(self.events(run, _ALL_EVENTS))

    def astream_events(
        self,
        task: str,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
    ) -> AsyncIterator[AgentEvent]:
        """Async twin of `stream_events`."""
        run = self.begin(
            task, reset=False, images=images, additional_args=additional_args, max_steps=max_steps
        )
        return self.events(run, _ALL_EVENTS)

    def start(
        self,
        task: str,
        reset: bool,
        stream: bool,
        images: list[Any] | None,
        additional_args: dict[str, Any] | None,
        max_steps: int | None,
        return_full_result: bool | None,
        approval_callback: ApprovalCallback | None = None,
    ) -> Any:
        """Start a run and drive it from sync code: its answer, or a generator of its events."""
        run = self.begin(task, reset, images, additional_args, max_steps, approval_callback)
        if stream:
            events: Iterator[StreamEvent] = iterate_sync(self.events(run, STREAM_EVENT_TYPES))
            return events
        return run_sync(self.complete(run, return_full_result))

    def begin(
        self,
        task: str,
        reset: bool,
        images: list[Any] | None = None,
        additional_args: dict[str, Any] | None = None,
        max_steps: int | None = None,
        approval_callback: ApprovalCallback | None = None,
    ) -> RunState:
        """Put the task in memory and prepare the run's state (nothing runs yet)."""
        if not isinstance(task, str):
            raise TypeError(f"task must be a string, got {type(task).__name__}.")
        config: AgentConfig = self.agent.configuration
        previous = self._latest if not reset else None
        if reset:
            release_executor(self._latest, self._runs.values())
        if previous is not None and any(run.memory is previous.memory for run in self._runs.values()):
            raise RuntimeError(
                "This conversation is already running a task: wait for it to end, or start another "
                "conversation with agent.new_session() to run tasks in parallel."
            )
        memory = previous.memory if previous is not None else AgentMemory("")
        memory.system_prompt.system_prompt = config.system_prompt
        abandon_pending(memory)
        if additional_args:
            task += (
                "\nYou have been given these additional arguments, available as variables of the same name:\n"
                + "\n".join(f"- {key}: {describe(value)}" for key, value in additional_args.items())
            )
        memory.steps.append(TaskStep(task=task, task_images=list(images) if images else None))
        first_step = _next_step_number(memory)
        parent = current_run.get()
        run = RunState(
            task=task,
            memory=memory,
            max_steps=max_steps if max_steps is not None else config.max_steps,
            parent_run_id=parent.run_id if parent is not None else None,
            images=list(images) if images else None,
            additional_args=additional_args,
            step_number=first_step,
            first_step=first_step,
            variables=dict(previous.variables if previous is not None else self._unstarted_variables()),
            bus=self._bus(config),
            config=config,
        )
        run.variables.update(additional_args or {})
        run.approval_callback = approval_callback or getattr(self.agent, "approval_callback", None)
        self._equip(config, run, previous)
        self._latest = run
        return run

    def _equip(self, config: AgentConfig, run: RunState, previous: RunState | None) -> None:
        """Give a code run its executor, with the variables saved with its memory restored."""
        if isinstance(config.action, CodeAction):
            prepare_executor(config, config.action, run, previous, self)
            keep_executor_state(run, is_continued=previous is not None and previous.executor is not None)

    def resume(
        self,
        decisions: Decisions | None = None,
        approval_callback: ApprovalCallback | None = None,
        stream: bool = False,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Resume the run stopped awaiting approval with `decisions`; arguments as `MultiStepAgent.resume`."""
        run = self.begin_resume(decisions, approval_callback, max_steps)
        if stream:
            events: Iterator[StreamEvent] = iterate_sync(self.events(run, STREAM_EVENT_TYPES))
            return events
        return run_sync(self.complete(run, return_full_result))

    async def aresume(
        self,
        decisions: Decisions | None = None,
        approval_callback: ApprovalCallback | None = None,
        stream: bool = False,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ) -> Any:
        """Async twin of `resume`; with `stream=True` it returns an async iterator of events."""
        run = self.begin_resume(decisions, approval_callback, max_steps)
        if stream:
            return self.events(run, STREAM_EVENT_TYPES)
        return await self.complete(run, return_full_result)

    def begin_resume(
        self,
        decisions: Decisions | None,
        approval_callback: ApprovalCallback | None = None,
        max_steps: int | None = None,
    ) -> RunState:
        """Prepare the run that finishes the step awaiting approval, then goes on (nothing runs yet).

        Raises:
            ValueError: When no action of this conversation awaits approval.
        """
        config: AgentConfig = self.agent.configuration
        previous = self._latest
        memory = self.memory
        step = pending_step(memory)
        if any(run.memory is memory for run in self._runs.values()):
            raise RuntimeError("This conversation is already running a task: wait for it to end.")
        memory.system_prompt.system_prompt = config.system_prompt
        run = RunState(
            task=latest_task(memory),
            memory=memory,
            max_steps=max_steps if max_steps is not None else config.max_steps,
            step_number=step.step_number,
            first_step=step.step_number,
            variables=dict(previous.variables if previous is not None else {}),
            bus=self._bus(config),
            config=config,
            approval_callback=approval_callback or getattr(self.agent, "approval_callback", None),
            decisions=read_decisions(decisions),
            resumed_step=step,
        )
        has_executor = previous is not None and previous.executor is not None
        self._equip(config, run, previous if has_executor else None)
        self._latest = run
        return run

    def _bus(self, config: AgentConfig) -> EventBus:
        subscribers: list[Subscriber] = []
        tracer = active_tracer()
        if tracer is not None:
            subscribers.append(tracer.on_event)
        if config.logger.level >= 0:  # LogLevel.OFF is -1: a silent logger is not subscribed at all
            subscribers.append(config.logger.on_event)
        subscribers.append(config.step_callbacks.subscriber(config.agent))
        subscribers.extend(self._subscribers)
        return EventBus(subscribers, scope=tracer.scope if tracer is not None else None)

    async def complete(self, run: RunState, return_full_result: bool | None) -> Any:
        """Drive a run to its end and return its answer (or its `RunResult`)."""
        await self._execute(run)
        config: AgentConfig = run.config
        full = config.return_full_result if return_full_result is None else return_full_result
        if not full:
            return run.output
        return RunResult(
            output=run.output,
            state=run.outcome,
            steps=run.memory.get_full_steps(),
            token_usage=_run_token_usage(run),
            timing=run.timing,
        )

    def events(self, run: RunState, accepts: tuple[type, ...]) -> AsyncIterator[Any]:
        """Drive a run, yielding the events of the types in `accepts` as they are published."""

        async def start(channel: EventChannel) -> None:
            run.bus.channel = channel
            await self._execute(run)

        return stream_through(start, accepts)

    async def _execute(self, run: RunState) -> None:
        self._runs[run.run_id] = self._active_runs[run.run_id] = run
        try:
            await execute_run(run.config, run)
        finally:
            self._runs.pop(run.run_id, None)
            self._active_runs.pop(run.run_id, None)


def _next_step_number(memory: AgentMemory) -> int:
    numbers = [step.step_number for step in memory.steps if isinstance(step, ActionStep)]
    return max(numbers, default=0) + 1


def _run_token_usage(run: RunState) -> TokenUsage | None:
    """The run's total usage; None when a model step recorded none (as 1.26: a partial sum misleads)."""
    steps = [step for step in run.memory.steps if isinstance(step, (ActionStep, PlanningStep))]
    if any(step.token_usage is None for step in steps):
        return None
    return run.memory.token_usage
