"""Steps run through the agent's 1.26 `_step_stream`, when an instrumentor wrapped it.

OpenInference's smolagents instrumentor wraps `CodeAgent._step_stream` and
`ToolCallingAgent._step_stream` (sync generators taking the step record) to open a span per step.
When it has, each step runs through that method on a worker thread, inside the wrapper's span;
its model and tool calls then nest under it.
"""

from __future__ import annotations

from typing import Any

from .._events import ActionOutput
from .._threads import in_thread
from ..memory import ActionStep
from .config import AgentConfig
from .outcomes import Continue, FinalAnswer, StepOutcome
from .run_state import RunState

__all__ = ["act_once", "step_through_hook"]


async def step_through_hook(config: AgentConfig, run: RunState, step: ActionStep) -> StepOutcome:
    """Run the step through `config.step_hook` (the wrapped `_step_stream`) on a worker thread."""
    hook = config.step_hook
    assert hook is not None  # only called when there is one

    def drive() -> Any:
        last = None
        for item in hook(step):
            last = item
        return last

    output = await in_thread(drive)
    if isinstance(output, ActionOutput) and output.is_final_answer:
        return FinalAnswer(output.output)
    return Continue()


async def act_once(config: AgentConfig, run: RunState, step: ActionStep) -> ActionOutput:
    """Run the action into `step` and return its `ActionOutput` (what `_step_stream` yields last)."""
    from .runner import dispatch_action

    outcome = await dispatch_action(config, run, step)
    return ActionOutput(output=step.action_output, is_final_answer=isinstance(outcome, FinalAnswer))
