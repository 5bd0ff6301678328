"""Resuming a conversation: the step awaiting approval, and the code's variables saved with memory.

A memory saved while its conversation holds an executor saves the code's variables with it
(`AgentMemory.executor_state_source`); a conversation that goes on from a memory loaded from
JSON gets them back in its new executor, and the model is told which names could not be saved or
restored (they must be computed again).
"""

from __future__ import annotations

from typing import Any

from .._executors.saved_state import export_executor_state, restore_state
from ..memory import ActionStep, AgentMemory, TaskStep
from .run_state import RunState

__all__ = ["abandon_pending", "keep_executor_state", "latest_task", "pending_step"]

_ABANDONED = "This action did not run: it was awaiting approval when the conversation went on to a new task."


def pending_step(memory: AgentMemory) -> ActionStep:
    """Return the step whose actions await approval.

    Raises:
        ValueError: When no action awaits approval.
    """
    if not memory.pending_approvals:
        raise ValueError(
            "Nothing to resume: no action of this conversation awaits approval. Start a task with "
            "agent.run(task) (or load the memory saved while a run awaited approval into agent.memory first)."
        )
    number = memory.pending_approvals[0].step_number
    for step in reversed(memory.steps):
        if isinstance(step, ActionStep) and step.step_number == number:
            return step
    raise ValueError(f"The memory lists actions awaiting approval at step {number}, but holds no such step.")


def latest_task(memory: AgentMemory) -> str:
    """Return the task of the conversation's latest run."""
    tasks = [step.task for step in memory.steps if isinstance(step, TaskStep)]
    return tasks[-1] if tasks else ""


def abandon_pending(memory: AgentMemory) -> None:
    """Close the step awaiting approval when a new task starts instead: its actions never ran."""
    if not memory.pending_approvals:
        return
    try:
        step = pending_step(memory)
    except ValueError:  # a hand-edited memory without the step: nothing to close
        pass
    else:
        step.observations = (step.observations + "\n" if step.observations else "") + _ABANDONED
    memory.pending_approvals = []


def keep_executor_state(run: RunState, is_continued: bool) -> None:
    """Restore the variables saved with the run's memory into a new executor, and save them live.

    Args:
        run: A code run whose executor is ready.
        is_continued: The executor is the conversation's own, which already holds the variables.
    """
    memory, executor = run.memory, run.executor
    saved = memory.executor_state
    if saved and not is_continued:
        history = [
            step.code_action for step in memory.steps if isinstance(step, ActionStep) and step.code_action
        ]
        missing = restore_state(executor, saved, history)
        if missing:
            _tell_model(memory, missing)
        state = getattr(executor, "state", None)
        if isinstance(state, dict):
            run.variables = state
    memory.executor_state = None

    def current_state() -> dict[str, Any] | None:
        try:
            return export_executor_state(executor)
        except Exception as error:  # a dead sandbox must not stop the memory from saving
            return {"format": 1, "values": {}, "imports": [], "definitions": [], "unsaved": {"*": str(error)}}

    memory.executor_state_source = current_state


def _tell_model(memory: AgentMemory, missing: dict[str, str]) -> None:
    lines = "\n".join(
        f"- {name}: {reason}" if name != "*" else f"- all variables: {reason}"
        for name, reason in missing.items()
    )
    note = (
        "\n\nNote: this conversation was restored from saved memory, with the variables of your code, "
        f"except these, which no longer exist (compute them again if you need them):\n{lines}"
    )
    tasks = [step for step in memory.steps if isinstance(step, TaskStep)]
    if tasks:
        tasks[-1].task += note
