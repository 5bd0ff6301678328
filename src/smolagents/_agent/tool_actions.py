"""The action of a ToolCallingAgent step: ask for tool calls, run them concurrently, observe."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from .._errors import AgentError, AgentParsingError, AgentToolCallError, AgentToolExecutionError
from .._events import ActionOutput, ToolOutput
from .._messages import ChatMessage
from .._text import bounded_text
from ..memory import ActionStep, ToolCall
from .loop import ModelReply
from .managed import ManagedAgentCall
from .run_state import RunState
from .sync import closing

if TYPE_CHECKING:
    from ..agents import ToolCallingAgent

__all__ = ["execute_tool_call", "tool_step_events"]

FINAL_ANSWER = "final_answer"


async def tool_step_events(agent: ToolCallingAgent, run: RunState, step: ActionStep) -> AsyncIterator[Any]:
    """Run one ToolCallingAgent step and yield its events, ending with an `ActionOutput`."""
    reply = ModelReply(
        agent,
        agent._memory_messages(run),
        stop_sequences=["Observation:", "Calling tools:"],
        tools_to_call_from=agent._callables_list,
    )
    async with closing(reply.deltas()) as deltas:
        async for delta in deltas:
            yield delta
    message = reply.record(step)
    calls = _read_tool_calls(agent, message)
    step.tool_calls = calls
    for call in calls:
        yield call
    if any(call.name == FINAL_ANSWER for call in calls) and len(calls) > 1:
        raise AgentToolCallError(
            "If you want to return an answer, please do not perform any other tool calls than the final answer "
            f"tool call! You called final_answer together with {len(calls) - 1} other tool call(s) in one step: "
            "call final_answer alone, once you have every result you need."
        )
    outcomes = await _execute_concurrently(agent, run, calls)
    observations, errors, final = [], [], None
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors.append(outcome)
            continue
        yield outcome
        observations.append(outcome.observation)
        if outcome.is_final_answer:
            final = outcome
    if observations:
        step.observations = "\n".join(observations)
    if errors:
        raise _combine(errors)
    if final is not None:
        step.action_output = final.output
        yield ActionOutput(output=final.output, is_final_answer=True)
    else:
        step.action_output = None
        yield ActionOutput(output=None, is_final_answer=False)


def _read_tool_calls(agent: ToolCallingAgent, message: ChatMessage) -> list[ToolCall]:
    if not message.tool_calls:
        try:
            message = agent.model.parse_tool_calls(message)
        except AgentError:
            raise
        except Exception as error:
            raise AgentParsingError(
                f"Error while parsing tool call from model output: {error}. Could not read a tool call from your output."
            ) from error
    calls = []
    for index, call in enumerate(message.tool_calls or ()):
        arguments = call.function.arguments
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError as error:
                raise AgentToolCallError(
                    f"The arguments of your call to '{call.function.name}' are not valid JSON ({error.msg} at "
                    f"column {error.colno}): {arguments[:300]!r}. Give the arguments as a JSON object."
                ) from error
        calls.append(ToolCall(name=call.function.name, arguments=arguments, id=call.id or f"call_{index}"))
    if not calls:
        raise AgentParsingError(
            "Your output contains no tool call. Call a tool, or final_answer with your answer."
        )
    return calls


async def _execute_concurrently(agent: ToolCallingAgent, run: RunState, calls: list[ToolCall]) -> list[Any]:
    if len(calls) == 1:
        try:
            return [await execute_tool_call(agent, run, calls[0], on_thread=False)]
        except AgentError as error:
            return [error]
    limit = asyncio.Semaphore(agent.max_tool_threads)

    async def bounded(call: ToolCall) -> ToolOutput:
        async with limit:
            return await execute_tool_call(agent, run, call, on_thread=True)

    return await asyncio.gather(*(bounded(call) for call in calls), return_exceptions=True)


async def execute_tool_call(
    agent: ToolCallingAgent, run: RunState, call: ToolCall, on_thread: bool
) -> ToolOutput:
    """Validate and run one tool call; sync tools run on a worker thread when `on_thread` is set.

    Raises:
        AgentToolCallError: Unknown tool or arguments that do not match its inputs.
        AgentToolExecutionError: The tool raised.
    """
    from ..tools import validate_tool_arguments

    target = agent._callables.get(call.name)
    if target is None:
        raise AgentToolCallError(
            f"Unknown tool {call.name}, should be one of: {', '.join(agent._callables)}. Call one of these names."
        )
    arguments = _substitute_variables(call.arguments, run.variables)
    if not isinstance(target, ManagedAgentCall):
        validate_tool_arguments(target, arguments)
    kwargs = arguments if isinstance(arguments, dict) else {next(iter(target.inputs), "input"): arguments}
    try:
        if target.is_async or not on_thread:
            output = await target.acall(**kwargs)
        else:
            output = await asyncio.to_thread(target, **kwargs)
    except AgentError:
        raise
    except Exception as error:
        raise AgentToolExecutionError(
            f"Error executing tool '{call.name}' with arguments {json.dumps(arguments, default=str)[:500]}: "
            f"{type(error).__name__}: {error}\nCheck the arguments, or try another approach."
        ) from error
    is_final_answer = call.name == FINAL_ANSWER
    observation = _observation(call, output, run)
    return ToolOutput(
        id=call.id, output=output, is_final_answer=is_final_answer, observation=observation, tool_call=call
    )


def _observation(call: ToolCall, output: Any, run: RunState) -> str:
    from ..agent_types import AgentAudio, AgentImage

    if isinstance(output, (AgentImage, AgentAudio)) or type(output).__module__.startswith("PIL"):
        name = f"{'image' if not isinstance(output, AgentAudio) else 'audio'}_{len(run.variables)}"
        run.variables[name] = output
        return f"Result of {call.name}: stored as '{name}'; pass '{name}' as an argument to use it."
    return f"Result of {call.name}: {bounded_text(output)}"


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
