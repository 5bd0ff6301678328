"""The run loop: plan, act, observe, until a final answer or the step limit.

Each step function takes the agent's frozen configuration and the run's state, records the step
and returns a typed `StepOutcome`; the loop matches it exhaustively. Every event is published
once on the run's bus. A step record goes into memory before anything can end the run, so a
failing model or tool never loses what happened.
"""

from __future__ import annotations

import asyncio

from .._errors import AgentError, AgentGenerationError, AgentInterruptedError, AgentMaxStepsError
from .._events import RunFinished, RunStarted, StepStarted
from .._messages import ChatMessage, MessageRole
from .._usage import Timing
from ..agent_types import AgentText
from ..memory import ActionStep, FinalAnswerStep, PlanningStep
from .approval import PendingApproval
from .callbacks import run_final_answer_checks
from .code_actions import code_action, run_code_action
from .config import AgentConfig, CodeAction, ToolCallingAction
from .context_policy import prompt_messages
from .model_reply import ModelReply, ask_model
from .outcomes import (
    AwaitingApproval,
    Continue,
    FinalAnswer,
    RunAborted,
    StepFailed,
    StepOutcome,
    assert_never,
)
from .prompts import populate_template
from .run_state import RunState, current_run
from .tool_actions import run_tool_calls, tool_action

__all__ = ["execute_run", "perform_action", "provide_final_answer"]


async def execute_run(config: AgentConfig, run: RunState) -> None:
    """Run the task of `run` to its end; the answer is left in `run.output`.

    Raises:
        AgentGenerationError: The model failed (the run's memory keeps every step).
        AgentInterruptedError: `interrupt()` stopped the run.
    """
    bus = run.bus
    token = current_run.set(run)
    started = RunStarted(
        run_id=run.run_id,
        task=run.task,
        agent_name=config.name,
        model_id=config.model_id,
        model_label=config.model_label,
        parent_run_id=run.parent_run_id,
        images=tuple(run.images or ()),
    )
    try:
        await bus.emit(started)
        with bus.scope(started):
            await _run_steps(config, run)
            run.timing.stop()
            if run.status != "awaiting_approval":  # a run stopped for approval has no answer yet
                if isinstance(run.output, str):  # text comes back as AgentText, as in 1.26 (still a str)
                    run.output = AgentText(run.output)
                await bus.emit(FinalAnswerStep(output=run.output))
            await bus.emit(_finished(run, None))
    except BaseException as error:
        run.timing.stop()
        is_stop = isinstance(error, (AgentInterruptedError, asyncio.CancelledError, GeneratorExit))
        run.status = "interrupted" if is_stop else "error"
        bus.notify(_finished(run, error))  # subscribers only: the consumer may be gone
        raise
    finally:
        current_run.reset(token)


def _finished(run: RunState, error: BaseException | None) -> RunFinished:
    return RunFinished(
        run_id=run.run_id,
        status=run.status,
        output=run.output,
        error=error,
        token_usage=run.memory.token_usage,
        steps=run.step_number - run.first_step,
    )


async def _run_steps(config: AgentConfig, run: RunState) -> None:
    resumed = run.resumed_step
    if resumed is not None:  # first finish the step that stopped awaiting approval
        _stop_if_interrupted(run, f"before resuming step {run.step_number}")
        outcome = await action_step(config, run, resumed)
        run.step_number += 1
        if _is_last(run, outcome):
            return
    while run.steps_left > 0:
        _stop_if_interrupted(run, f"before step {run.step_number}")
        if config.planning_interval and (run.step_number - run.first_step) % config.planning_interval == 0:
            await planning_step(config, run)
        step = ActionStep(step_number=run.step_number, timing=Timing.start_now())
        outcome = await action_step(config, run, step)
        run.step_number += 1
        if _is_last(run, outcome):
            return
    _stop_if_interrupted(run, f"after step {run.step_number - 1}")
    await _answer_at_step_limit(config, run)


def _is_last(run: RunState, outcome: StepOutcome) -> bool:
    """Apply a step's outcome to the run; return whether the run ends with it."""
    match outcome:
        case Continue() | StepFailed():
            return False
        case FinalAnswer(output=output):
            run.output = output
            return True
        case AwaitingApproval(requests=requests):
            run.memory.pending_approvals = list(requests)
            run.status = "awaiting_approval"
            run.output = PendingApproval(list(requests))
            return True
        case RunAborted(error=error):
            raise error
        case _:
            assert_never(outcome)


def _stop_if_interrupted(run: RunState, when: str) -> None:
    if run.interrupt_requested:
        raise AgentInterruptedError(f"Agent interrupted. The run was stopped by interrupt() {when}.")


async def action_step(config: AgentConfig, run: RunState, step: ActionStep) -> StepOutcome:
    """Run one action step, record it in memory and publish it; return its outcome.

    The step a resumed run finishes is in memory already: it is published again, not added.
    """
    started = StepStarted(run.run_id, step.step_number, "action")
    is_new = step is not run.resumed_step
    await run.bus.emit(started)
    try:
        with run.bus.scope(started):
            outcome = await perform_action(config, run, step)
    except BaseException:
        await _record(run, step, is_ending=True, is_new=is_new)
        raise
    await _record(run, step, is_new=is_new)
    return outcome


async def perform_action(config: AgentConfig, run: RunState, step: ActionStep) -> StepOutcome:
    """Act once into `step` (model call, action, final-answer checks); return the outcome.

    Errors the model can fix become `StepFailed`, a failed model call `RunAborted`; both are
    recorded on the step. The step is not added to memory (the loop does that).
    """
    try:
        outcome = await _act(config, run, step)
        if isinstance(outcome, FinalAnswer) and config.final_answer_checks:
            run_final_answer_checks(
                list(config.final_answer_checks), outcome.output, run.memory, config.agent
            )
    except AgentGenerationError as error:
        step.error = error
        return RunAborted(error)
    except AgentError as error:
        step.error = error
        return StepFailed(error)
    if isinstance(outcome, FinalAnswer):
        step.is_final_answer = True
    return outcome


async def _act(config: AgentConfig, run: RunState, step: ActionStep) -> StepOutcome:
    if step is run.resumed_step:
        return await _finish_resumed(config, run, step)
    if config.step_hook is not None:
        from .instrumented import step_through_hook

        return await step_through_hook(config, run, step)
    return await dispatch_action(config, run, step)


async def dispatch_action(config: AgentConfig, run: RunState, step: ActionStep) -> StepOutcome:
    """Run the action of the agent's kind (code or tool calls) into `step`."""
    action = config.action
    match action:
        case CodeAction():
            return await code_action(config, action, run, step)
        case ToolCallingAction():
            return await tool_action(config, action, run, step)
        case _:
            assert_never(action)


async def _finish_resumed(config: AgentConfig, run: RunState, step: ActionStep) -> StepOutcome:
    """Run the actions of the step that stopped awaiting approval, now that decisions can be had."""
    run.memory.pending_approvals = []
    action = config.action
    try:
        match action:
            case CodeAction():
                return await run_code_action(config, action, run, step)
            case ToolCallingAction():
                return await run_tool_calls(config, action, run, step, list(step.tool_calls or ()))
            case _:
                assert_never(action)
    finally:
        run.decisions = {}  # given for the stopped step only: later actions are asked anew


async def _record(
    run: RunState, step: ActionStep | PlanningStep, is_ending: bool = False, is_new: bool = True
) -> None:
    step.timing.stop()
    if is_new:
        run.memory.steps.append(step)
    if is_ending:
        run.bus.notify(step)  # the run is ending: subscribers only, the consumer may be gone
    else:
        await run.bus.emit(step)


async def planning_step(config: AgentConfig, run: RunState) -> None:
    """Write (at the first step) or update the plan, and record it as a `PlanningStep`."""
    started = StepStarted(run.run_id, run.step_number, "planning")
    await run.bus.emit(started)
    timing = Timing.start_now()
    variables = {**config.prompt_variables, "task": run.task, "remaining_steps": run.steps_left}
    templates = config.prompt_templates["planning"]
    # An initial plan when the task is all the memory holds (as 1.26); a conversation continued
    # or given earlier steps gets a plan update, which shows the model that history.
    if len(run.memory.steps) == 1:
        messages = [_text(MessageRole.USER, populate_template(templates["initial_plan"], variables))]
    else:
        pre = _text(MessageRole.SYSTEM, populate_template(templates["update_plan_pre_messages"], variables))
        post = _text(MessageRole.USER, populate_template(templates["update_plan_post_messages"], variables))
        memory = await prompt_messages(config, run, "planning", summary_mode=True, around=(pre, post))
        messages = [pre, *memory, post]
    with run.bus.scope(started):
        reply = await ask_model(config, run, "planning", messages, stop_sequences=["<end_plan>"])
    step = PlanningStep(
        model_input_messages=messages,
        model_output_message=reply.message,
        plan=reply.message.text.split("<end_plan>")[0].strip(),
        timing=timing,
        token_usage=reply.message.token_usage,
    )
    await _record(run, step)


async def _answer_at_step_limit(config: AgentConfig, run: RunState) -> None:
    run.status = "max_steps_error"
    step = ActionStep(
        step_number=run.step_number,
        timing=Timing.start_now(),
        error=AgentMaxStepsError(
            f"Reached max steps. The step limit ({run.max_steps}) came before a final answer."
        ),
    )
    started = StepStarted(run.run_id, run.step_number, "final_answer")
    await run.bus.emit(started)
    try:
        with run.bus.scope(started):
            reply = await provide_final_answer(config, run)
    except BaseException:
        await _record(run, step, is_ending=True)
        raise
    message = reply.message
    # As in 1.26 the step holds the answer as its action output, not as a model output: the model
    # wrote no action here (and the answer is not repeated as an assistant turn in memory).
    step.token_usage = message.token_usage
    step.action_output = run.output = message.text
    step.is_final_answer = True
    await _record(run, step)


async def provide_final_answer(config: AgentConfig, run: RunState) -> ModelReply:
    """Ask the model for a final answer to the run's task from its memory alone."""
    templates = config.prompt_templates["final_answer"]
    question = populate_template(templates["post_messages"], {"task": run.task})
    if getattr(config.model, "reuse_prompt_cache", False) is True:
        # A local model keeping its key/value cache between calls: the steps' conversation, system
        # prompt included, is already in the cache, so the request keeps it as its beginning.
        ask = _text(MessageRole.USER, f"{templates['pre_messages']}\n\n{question}")
        messages = [*await prompt_messages(config, run, "final_answer", around=(ask,)), ask]
    else:
        pre = _text(MessageRole.SYSTEM, templates["pre_messages"])
        post = _text(MessageRole.USER, question)
        # The memory's system prompt is replaced by `pre` (so it is counted twice against the budget).
        memory = await prompt_messages(config, run, "final_answer", around=(pre, post))
        messages = [pre, *memory[1:], post]
    return await ask_model(config, run, "final_answer", messages)


def _text(role: MessageRole, text: str) -> ChatMessage:
    return ChatMessage(role, [{"type": "text", "text": text}])
