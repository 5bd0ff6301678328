"""The action of a ToolCallingAgent step: ask for tool calls, run them concurrently, observe."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from .._errors import AgentError, AgentParsingError, AgentToolCallError, AgentToolExecutionError
from .._events import ActionOutput, ToolCallFinished, ToolOutput
from .._messages import ChatMessage
from .._text import bounded_text
from .._threads import in_thread
from ..memory import ActionStep, ToolCall
from ..models.base import Model, parse_tool_calls
from .approval import (
    Approve,
    Deny,
    Edit,
    decide,
    denied_observation,
    edited_note,
    request_for,
    tool_approval_reason,
)
from .config import AgentConfig, ToolCallingAction
from .context_policy import prompt_messages
from .managed import ManagedAgentCall
from .model_reply import ask_model
from .outcomes import AwaitingApproval, Continue, FinalAnswer, StepOutcome
from .run_state import RunState
from .seams import is_wrapped

__all__ = ["execute_tool_call", "run_tool_calls", "tool_action"]

FINAL_ANSWER = "final_answer"


async def tool_action(
    config: AgentConfig, action: ToolCallingAction, run: RunState, step: ActionStep
) -> StepOutcome:
    """Ask the model for tool calls, run them concurrently, and record the observations.

    Raises:
        AgentGenerationError: The model call failed.
        AgentParsingError: The reply holds no tool call.
        AgentToolCallError: A call is malformed (unknown tool, bad arguments).
        AgentToolExecutionError: A tool failed.
    """
    reply = await ask_model(
        config,
        run,
        "action",
        await prompt_messages(config, run),
        stop_sequences=action.stop_sequences,
        tools=config.callable_list,
    )
    message = reply.record(step)
    calls = _read_tool_calls(config.model, message)
    step.tool_calls = calls
    for call in calls:
        await run.bus.emit(call)
    if any(call.name == FINAL_ANSWER for call in calls) and len(calls) > 1:
        raise AgentToolCallError(
            "If you want to return an answer, please do not perform any other tool calls than the final answer "
            f"tool call! You called final_answer together with {len(calls) - 1} other tool call(s) in one step: "
            "call final_answer alone, once you have every result you need."
        )
    return await run_tool_calls(config, action, run, step, calls)


async def run_tool_calls(
    config: AgentConfig, action: ToolCallingAction, run: RunState, step: ActionStep, calls: list[ToolCall]
) -> StepOutcome:
    """Run a step's calls once those that need approval are decided, and record the observations.

    A run resumed after approval starts here, with the calls of the step it stopped at.
    """
    decisions = await _approve(config, run, step, calls)
    if isinstance(decisions, AwaitingApproval):
        return decisions
    outcomes = await _execute_concurrently(config, action, run, calls, decisions)
    observations, errors, final = [], [], None
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors.append(outcome)
            continue
        await run.bus.emit(outcome)
        observations.append(outcome.observation)
        if outcome.is_final_answer:
            final = outcome
    if observations:
        step.observations = "\n".join(observations)
    if errors:
        raise _combine(errors)
    step.action_output = final.output if final is not None else None
    await run.bus.emit(ActionOutput(output=step.action_output, is_final_answer=final is not None))
    return FinalAnswer(final.output) if final is not None else Continue()


def _read_tool_calls(model: Any, message: ChatMessage) -> list[ToolCall]:
    if not message.tool_calls:
        try:
            # A model that is not one of ours (a mock, a duck-typed object) gets the base parsing.
            message = (
                model.parse_tool_calls(message)
                if issubclass(type(model), Model)
                else parse_tool_calls(message)
            )
        except AgentError:
            raise
        except Exception as error:
            raise AgentParsingError(
                f"Error while parsing tool call from model output: {error}. Could not read a tool call from your output."
            ) from error
    calls = []
    for index, call in enumerate(message.tool_calls or ()):
        arguments = call.function.arguments
        if isinstance(arguments, str) and arguments.strip().startswith(("{", "[")):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError as error:
                raise AgentToolCallError(
                    f"The arguments of your call to '{call.function.name}' are not valid JSON ({error.msg} at "
                    f"column {error.colno}): {arguments[:300]!r}. Give the arguments as a JSON object."
                ) from error
        elif isinstance(arguments, str):
            # Not a JSON object: a bare value for the tool's single input (as 1.26 takes it).
            arguments = _json_or_text(arguments)
        calls.append(ToolCall(name=call.function.name, arguments=arguments, id=call.id or f"call_{index}"))
    if not calls:
        raise AgentParsingError(
            "Your output contains no tool call. Call a tool, or final_answer with your answer."
        )
    return calls


async def _approve(
    config: AgentConfig, run: RunState, step: ActionStep, calls: list[ToolCall]
) -> dict[str, Any] | AwaitingApproval:
    """Return the decisions on the calls that need approval, by call id (or the step must wait)."""
    requests = []
    for index, call in enumerate(calls):
        reason = tool_approval_reason(call.name, config.callables.get(call.name), call.arguments)
        if reason is not None:
            requests.append(request_for(step.step_number, index, call, reason))
    if not requests:
        return {}
    decided = await decide(run, requests)
    if isinstance(decided, AwaitingApproval):
        return decided
    return {request.tool_call.id: (request, decided[request.id]) for request in requests}


async def _execute_decided(
    config: AgentConfig, run: RunState, call: ToolCall, decision: Any, on_thread: bool
) -> ToolOutput:
    """Run `call` as decided: unchanged, with edited arguments, or not at all (denied)."""
    if decision is None or isinstance(decision[1], Approve):
        return await execute_tool_call(config, run, call, on_thread)
    request, choice = decision
    if isinstance(choice, Deny):
        observation = denied_observation(call.name, choice)
        return ToolOutput(
            id=call.id, output=None, is_final_answer=False, observation=observation, tool_call=call
        )
    assert isinstance(choice, Edit)  # the decisions are Approve, Deny or Edit
    edited = ToolCall(name=call.name, arguments=choice.arguments, id=call.id)
    output = await execute_tool_call(config, run, edited, on_thread)
    output.observation = edited_note(request, choice) + output.observation
    return output


async def _execute_concurrently(
    config: AgentConfig,
    action: ToolCallingAction,
    run: RunState,
    calls: list[ToolCall],
    decisions: dict[str, Any],
) -> list[Any]:
    if len(calls) == 1:
        try:
            return [
                await _execute_decided(config, run, calls[0], decisions.get(calls[0].id), on_thread=False)
            ]
        except AgentError as error:
            return [error]
    limit = asyncio.Semaphore(action.max_tool_threads)

    async def bounded(call: ToolCall) -> ToolOutput:
        async with limit:
            return await _execute_decided(config, run, call, decisions.get(call.id), on_thread=True)

    return await asyncio.gather(*(bounded(call) for call in calls), return_exceptions=True)


async def execute_tool_call(
    config: AgentConfig, run: RunState, call: ToolCall, on_thread: bool
) -> ToolOutput:
    """Validate and run one tool call; sync tools run on a worker thread when `on_thread` is set.

    Raises:
        AgentToolCallError: Unknown tool or arguments that do not match its inputs.
        AgentToolExecutionError: The tool raised.
    """
    bus = run.bus
    try:
        with bus.scope(call):
            output = await _call_tool(config, run, call, on_thread)
    except AgentError as error:
        await bus.emit(ToolCallFinished(run.run_id, run.step_number, call, error=error))
        raise
    is_final_answer = call.name == FINAL_ANSWER
    await bus.emit(ToolCallFinished(run.run_id, run.step_number, call, output, None, is_final_answer))
    observation = _observation(call, output, run)
    return ToolOutput(
        id=call.id, output=output, is_final_answer=is_final_answer, observation=observation, tool_call=call
    )


async def _call_tool(config: AgentConfig, run: RunState, call: ToolCall, on_thread: bool) -> Any:
    from ..tools import validate_tool_arguments

    target = config.callables.get(call.name)
    if target is None:
        raise AgentToolCallError(
            f"Unknown tool {call.name}, should be one of: {', '.join(config.callables)}. Call one of these names."
        )
    arguments = _substitute_variables(call.arguments, run.variables)
    if not isinstance(target, ManagedAgentCall):
        validate_tool_arguments(target, arguments)
    kwargs = arguments if isinstance(arguments, dict) else {next(iter(target.inputs), "input"): arguments}
    try:
        if isinstance(target, ManagedAgentCall):
            return await target.acall(**kwargs)
        # Outputs as 1.26's tool calls give them: wrapped in the AgentType of the tool's output_type.
        if is_wrapped(type(target), "__call__"):
            # An instrumentor wrapped Tool.__call__: call through it so that it sees the call.
            return await in_thread(target, **kwargs, sanitize_inputs_outputs=True)
        if target.is_async or not on_thread:
            return await target.acall(**kwargs, sanitize_inputs_outputs=True)
        return await in_thread(target, **kwargs, sanitize_inputs_outputs=True)
    except AgentError:
        raise
    except Exception as error:
        raise AgentToolExecutionError(
            f"Error executing tool '{call.name}' with arguments {json.dumps(arguments, default=str)[:500]}: "
            f"{type(error).__name__}: {error}\nCheck the arguments, or try another approach."
        ) from error


def _observation(call: ToolCall, output: Any, run: RunState) -> str:
    from ..agent_types import AgentAudio, AgentImage

    if isinstance(output, (AgentImage, AgentAudio)) or type(output).__module__.startswith("PIL"):
        name = f"{'image' if not isinstance(output, AgentAudio) else 'audio'}_{len(run.variables)}"
        run.variables[name] = output
        # The latest one is also under 1.26's fixed name, which models and prompts written for it use.
        run.variables["audio.mp3" if isinstance(output, AgentAudio) else "image.png"] = output
        return f"Result of {call.name}: stored as '{name}'; pass '{name}' as an argument to use it."
    return bounded_text(output).strip()  # the output alone, as 1.26 shows it (models are tuned to it)


def _json_or_text(arguments: str) -> Any:
    """A JSON scalar decoded, anything else as the text itself; blank means no arguments."""
    if not arguments.strip():
        return {}
    try:
        return json.loads(arguments)
    except json.JSONDecodeError:
        return arguments


def _substitute_variables(arguments: Any, variables: dict[str, Any]) -> Any:
    """Replace string arguments that name a stored variable (e.g. an image) with its value."""
    if not variables:
        return arguments
    if isinstance(arguments, str):
        return variables.get(arguments, arguments)
    if isinstance(arguments, dict):
        return {
            key: variables.get(value, value) if isinstance(value, str) else value
            for key, value in arguments.items()
        }
    return arguments


def _combine(errors: list[BaseException]) -> AgentError:
    agent_errors = [
        e if isinstance(e, AgentError) else AgentToolExecutionError(f"{type(e).__name__}: {e}")
        for e in errors
    ]
    if len(agent_errors) == 1:
        return agent_errors[0]
    return type(agent_errors[0])("\n".join(error.message for error in agent_errors))
