"""The action of a CodeAgent step: ask for code, run it, observe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from .._errors import AgentExecutionError, AgentParsingError
from .._events import ActionOutput
from .._text import bounded_text
from ..memory import ActionStep, ToolCall
from ..models.helpers import CODEAGENT_RESPONSE_FORMAT
from .code_parsing import close_code_block, extract_code, extract_structured_code
from .loop import ModelReply
from .run_state import RunState
from .sync import closing

if TYPE_CHECKING:
    from ..agents import CodeAgent

__all__ = ["CODE_RESPONSE_FORMAT", "code_step_events", "execute_code"]

CODE_TOOL_NAME = "python_interpreter"
MAX_OUTPUT_CHARS = 20_000

# The structured-output format is 1.26's, so providers and fine-tuned models see the same schema.
CODE_RESPONSE_FORMAT: dict[str, Any] = CODEAGENT_RESPONSE_FORMAT


async def code_step_events(agent: CodeAgent, run: RunState, step: ActionStep) -> AsyncIterator[Any]:
    """Run one CodeAgent step and yield its events, ending with an `ActionOutput`."""
    reply = ModelReply(
        agent,
        agent._memory_messages(run),
        stop_sequences=agent._stop_sequences(),
        response_format=CODE_RESPONSE_FORMAT if agent.use_structured_outputs_internally else None,
    )
    async with closing(reply.deltas()) as deltas:
        async for delta in deltas:
            yield delta
    message = reply.record(step)
    if agent.use_structured_outputs_internally:
        _, code = extract_structured_code(message.text)
    else:
        if isinstance(message.content, str):  # the closing tag was a stop sequence: show it in memory
            message.content = step.model_output = close_code_block(message.content, agent.code_block_tags)
        code = extract_code(message.text, agent.code_block_tags)
    step.code_action = code
    call = ToolCall(name=CODE_TOOL_NAME, arguments=code, id=f"call_{step.step_number}")
    step.tool_calls = [call]
    yield call
    output, logs, is_final_answer = await execute_code(agent, run, code, step)
    observation = f"Execution logs:\n{logs}"
    if not is_final_answer:
        observation += f"Last output from code snippet:\n{bounded_text(output, MAX_OUTPUT_CHARS)}"
    step.observations = observation
    step.action_output = output
    yield ActionOutput(output=output, is_final_answer=is_final_answer)


async def execute_code(agent: CodeAgent, run: RunState, code: str, step: ActionStep) -> tuple[Any, str, bool]:
    """Run code in the run's executor; failures become `AgentExecutionError` with the logs observed.

    Code runs on the event loop's thread when it can reach only synchronous tools, and on a
    worker thread when it can call async tools or managed agents (which then get their own loop).
    """
    from ..local_python_executor import InterpreterError

    try:
        if agent._code_needs_thread:
            result = await asyncio.to_thread(run.executor, code)
        else:
            result = run.executor(code)
    except InterpreterError as error:
        logs = getattr(error, "logs", "") or ""
        if logs:
            step.observations = f"Execution logs:\n{logs}"
        raise AgentExecutionError(f"Code execution failed: {error}") from error
    except (AgentParsingError, AgentExecutionError):
        raise
    except Exception as error:
        raise AgentExecutionError(f"Code execution failed with {type(error).__name__}: {error}") from error
    return result.output, result.logs, result.is_final_answer
