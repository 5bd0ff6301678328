"""The run loop: plan, act, observe, until a final answer or the step limit.

The loop is an async generator of events. Every step record goes into the run's memory before
anything can interrupt the loop, so a failing model or tool never loses what happened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from .._errors import AgentError, AgentGenerationError, AgentInterruptedError, AgentMaxStepsError
from .._events import ActionOutput, RunFinished, RunStarted, StepStarted
from .._messages import ChatMessage, ChatMessageStreamDelta, MessageRole, agglomerate_stream_deltas
from .._usage import Timing
from ..memory import ActionStep, FinalAnswerStep, PlanningStep
from .callbacks import run_final_answer_checks
from .prompts import populate_template
from .run_state import RunState
from .sync import closing

if TYPE_CHECKING:
    from ..agents import MultiStepAgent
    from ..tools.base import Tool

__all__ = ["ModelReply", "provide_final_answer", "run_events"]


async def run_events(agent: MultiStepAgent, run: RunState) -> AsyncIterator[Any]:
    """Run the task of `run` and yield its public events; the last one is a `FinalAnswerStep`."""
    agent._emit(RunStarted(run.task, title=agent.name or "", subtitle=_model_label(agent)))
    is_done = False
    while not is_done and run.steps_left > 0:
        if run.interrupt_requested:
            raise AgentInterruptedError(
                f"Agent interrupted. The run was stopped by agent.interrupt() before step {run.step_number}."
            )
        if agent.planning_interval and (run.step_number - run.first_step) % agent.planning_interval == 0:
            async with closing(planning_events(agent, run)) as plan_events:
                async for event in plan_events:
                    yield event
        step = ActionStep(step_number=run.step_number, timing=Timing.start_now())
        agent._emit(StepStarted(run.step_number))
        try:
            async with closing(agent._step_stream(run, step)) as step_events:
                async for event in step_events:
                    if isinstance(event, ActionOutput) and event.is_final_answer:
                        if agent.final_answer_checks:
                            run_final_answer_checks(
                                agent.final_answer_checks, event.output, run.memory, agent
                            )
                        step.is_final_answer = is_done = True
                        run.output = event.output
                    agent._emit(event)
                    yield event
        except AgentGenerationError as error:
            step.error = error
            raise
        except AgentError as error:
            step.error = error  # shown to the model in the next step; the run goes on
        finally:
            _finish_step(agent, run, step)
        yield step
        run.step_number += 1
    if not is_done:
        if run.interrupt_requested:
            raise AgentInterruptedError(
                f"Agent interrupted. The run was stopped by agent.interrupt() after step {run.step_number - 1}."
            )
        await _answer_at_step_limit(agent, run)
    agent._emit(RunFinished(run.output, run.outcome))
    yield FinalAnswerStep(output=run.output)


def _finish_step(agent: MultiStepAgent, run: RunState, step: ActionStep | PlanningStep) -> None:
    step.timing.stop()
    run.memory.steps.append(step)
    agent._emit(step)
    agent.step_callbacks(step, agent)


async def _answer_at_step_limit(agent: MultiStepAgent, run: RunState) -> None:
    run.outcome = "max_steps_error"
    step = ActionStep(
        step_number=run.step_number,
        timing=Timing.start_now(),
        error=AgentMaxStepsError(
            f"Reached max steps. The step limit ({run.max_steps}) came before a final answer."
        ),
    )
    try:
        message = await provide_final_answer(agent, run)
        step.model_output_message = message
        step.model_output = message.text
        step.token_usage = message.token_usage
        step.action_output = run.output = message.text
        step.is_final_answer = True
    finally:
        _finish_step(agent, run, step)


async def provide_final_answer(agent: MultiStepAgent, run: RunState) -> ChatMessage:
    """Ask the model for a final answer from the memory alone (used at the step limit)."""
    templates = agent.prompt_templates["final_answer"]
    messages = [
        ChatMessage(MessageRole.SYSTEM, [{"type": "text", "text": templates["pre_messages"]}]),
        *agent._memory_messages(run)[1:],
        ChatMessage(
            MessageRole.USER,
            [{"type": "text", "text": populate_template(templates["post_messages"], {"task": run.task})}],
        ),
    ]
    return await call_model(agent, messages)


async def planning_events(agent: MultiStepAgent, run: RunState) -> AsyncIterator[Any]:
    """Write or update the plan, record it as a `PlanningStep`, and yield it (with deltas if streaming)."""
    timing = Timing.start_now()
    variables = agent._prompt_variables() | {"task": run.task, "remaining_steps": run.steps_left}
    templates = agent.prompt_templates["planning"]
    if run.step_number == run.first_step:
        messages = [_user(populate_template(templates["initial_plan"], variables))]
    else:
        messages = [
            ChatMessage(
                MessageRole.SYSTEM,
                [
                    {
                        "type": "text",
                        "text": populate_template(templates["update_plan_pre_messages"], variables),
                    }
                ],
            ),
            *agent._memory_messages(run, summary_mode=True),
            _user(populate_template(templates["update_plan_post_messages"], variables)),
        ]
    reply = ModelReply(agent, messages, stop_sequences=["<end_plan>"])
    async with closing(reply.deltas()) as deltas:
        async for delta in deltas:
            agent._emit(delta)
            yield delta
    message = reply.message
    step = PlanningStep(
        model_input_messages=messages,
        model_output_message=message,
        plan=message.text.split("<end_plan>")[0].strip(),
        timing=timing,
        token_usage=message.token_usage,
    )
    _finish_step(agent, run, step)
    yield step


class ModelReply:
    """One model call: stream its deltas when the agent streams, then read the whole `message`.

    Usage: ``reply = ModelReply(agent, messages, ...)``; ``async for delta in reply.deltas(): ...``;
    then ``reply.message``.
    """

    def __init__(self, agent: MultiStepAgent, messages: list[ChatMessage], **model_args: Any) -> None:
        self.agent = agent
        self.messages = messages
        self.model_args = model_args
        self.message = ChatMessage(MessageRole.ASSISTANT, None)

    async def deltas(self) -> AsyncIterator[ChatMessageStreamDelta]:
        """Call the model, yielding its deltas if the agent streams; failures become AgentGenerationError."""
        if not self.agent.stream_outputs:
            self.message = await call_model(self.agent, self.messages, **self.model_args)
            return
        received: list[ChatMessageStreamDelta] = []
        try:
            async with closing(self.agent.model.agenerate_stream(self.messages, **self.model_args)) as stream:
                async for delta in stream:
                    received.append(delta)
                    yield delta
        except AgentGenerationError:
            raise
        except Exception as error:
            raise _generation_error(error) from error
        self.message = agglomerate_stream_deltas(received)

    def record(self, step: ActionStep) -> ChatMessage:
        """Store the reply on an action step (input, output, usage) and return it."""
        step.model_input_messages = self.messages
        step.model_output_message = self.message
        step.model_output = self.message.text or None
        step.token_usage = self.message.token_usage
        return self.message


async def call_model(
    agent: MultiStepAgent,
    messages: list[ChatMessage],
    stop_sequences: list[str] | None = None,
    response_format: dict[str, Any] | None = None,
    tools_to_call_from: list[Tool] | None = None,
) -> ChatMessage:
    """Call the model once, turning any failure into `AgentGenerationError`."""
    try:
        return await agent.model.agenerate(
            messages,
            stop_sequences=stop_sequences,
            response_format=response_format,
            tools_to_call_from=tools_to_call_from,
        )
    except AgentGenerationError:
        raise
    except Exception as error:
        raise _generation_error(error) from error


def _generation_error(error: Exception) -> AgentGenerationError:
    return AgentGenerationError(
        f"Error while generating output:\nThe model call failed with {type(error).__name__}: {error}"
    )


def _user(text: str) -> ChatMessage:
    return ChatMessage(MessageRole.USER, [{"type": "text", "text": text}])


def _model_label(agent: MultiStepAgent) -> str:
    model_id = agent.model.model_id
    return f"{type(agent.model).__name__} - {model_id}" if model_id else type(agent.model).__name__
