"""The action of a CodeAgent step: ask for code, run it, observe."""

from __future__ import annotations

from typing import Any

from .._errors import AgentError, AgentExecutionError, AgentParsingError
from .._events import ActionOutput, ToolCallFinished
from .._text import bounded_text
from .._threads import in_thread
from ..memory import ActionStep, ToolCall
from ..models.helpers import CODEAGENT_RESPONSE_FORMAT
from .code_parsing import close_code_block, extract_code, extract_structured_code
from .config import AgentConfig, CodeAction
from .model_reply import ask_model
from .outcomes import Continue, FinalAnswer, StepOutcome
from .run_state import RunState

__all__ = ["CODE_RESPONSE_FORMAT", "CODE_TOOL_NAME", "code_action", "execute_code", "prepare_executor"]

CODE_TOOL_NAME = "python_interpreter"
MAX_OUTPUT_CHARS = 20_000

# The structured-output format is 1.26's, so providers and fine-tuned models see the same schema.
CODE_RESPONSE_FORMAT: dict[str, Any] = CODEAGENT_RESPONSE_FORMAT


async def code_action(
    config: AgentConfig, action: CodeAction, run: RunState, step: ActionStep
) -> StepOutcome:
    """Ask the model for code, run it, and record the observation; return the outcome.

    Raises:
        AgentGenerationError: The model call failed.
        AgentParsingError: The reply holds no code.
        AgentExecutionError: The code failed.
    """
    reply = await ask_model(
        config,
        run,
        "action",
        run.memory.to_messages(),
        stop_sequences=action.stop_sequences,
        response_format=dict(action.response_format) if action.response_format is not None else None,
        options=_code_request(config, action),
    )
    message = reply.record(step)
    if action.response_format is not None:
        _, code = extract_structured_code(message.text)
    else:
        if isinstance(message.content, str):  # the closing tag was a stop sequence: show it in memory
            message.content = step.model_output = close_code_block(message.content, action.code_block_tags)
        code = extract_code(message.text, action.code_block_tags)
    step.code_action = code
    call = ToolCall(name=CODE_TOOL_NAME, arguments=code, id=f"call_{step.step_number}")
    step.tool_calls = [call]
    bus = run.bus
    await bus.emit(call)
    try:
        with bus.scope(call):
            output, logs, is_final_answer = await execute_code(action, run, code, step)
    except AgentError as error:
        await bus.emit(ToolCallFinished(run.run_id, step.step_number, call, error=error))
        raise
    await bus.emit(ToolCallFinished(run.run_id, step.step_number, call, output, None, is_final_answer))
    observation = f"Execution logs:\n{logs}"
    if not is_final_answer:
        observation += f"Last output from code snippet:\n{bounded_text(output, MAX_OUTPUT_CHARS)}"
    step.observations = observation
    step.action_output = output
    await bus.emit(ActionOutput(output=output, is_final_answer=is_final_answer))
    return FinalAnswer(output) if is_final_answer else Continue()


def _code_request(config: AgentConfig, action: CodeAction) -> dict[str, Any]:
    """Say which code tags are asked for, to models that declare they take `code_block_tags`."""
    from ..models.base import Model

    model = config.model
    if isinstance(model, Model) and model.accepts_code_block_tags and action.response_format is None:
        return {"code_block_tags": action.code_block_tags}
    return {}


async def execute_code(
    action: CodeAction, run: RunState, code: str, step: ActionStep
) -> tuple[Any, str, bool]:
    """Run code in the run's executor; failures become `AgentExecutionError` with the logs observed.

    Code runs on the event loop's thread when it can reach only synchronous tools, and on a
    worker thread when it can call async tools or managed agents (which then get their own loop).
    """
    from ..local_python_executor import InterpreterError

    try:
        if action.needs_thread:
            result = await in_thread(run.executor, code)
        else:
            result = run.executor(code)
    except InterpreterError as error:
        logs = getattr(error, "logs", "") or ""
        if logs:
            step.observations = f"Execution logs:\n{logs}"
        if "Import of " in str(error) and " is not allowed" in str(error):
            _advise_on_import(run)
        raise AgentExecutionError(f"Code execution failed: {error}") from error
    except (AgentParsingError, AgentExecutionError):
        raise
    except Exception as error:
        raise AgentExecutionError(f"Code execution failed with {type(error).__name__}: {error}") from error
    return result.output, result.logs, result.is_final_answer


def _advise_on_import(run: RunState) -> None:
    """Tell the user (not the model) how to allow an import the model's code needed."""
    if run.config is not None:
        run.config.logger.log(
            "Warning to user: code execution failed on an import that is not authorized. If the agent "
            "needs that module, pass it in `additional_authorized_imports` when creating the CodeAgent.",
            style="bold red",
        )


def prepare_executor(
    config: AgentConfig, action: CodeAction, run: RunState, previous: RunState | None
) -> None:
    """Give the run an executor: the conversation's own, the agent's shared one, or a new one."""
    if previous is not None and previous.executor is not None:
        run.executor = previous.executor  # a continued conversation keeps its variables
    elif action.shared_executor.executor is not None:
        run.executor = action.shared_executor.executor
    else:
        from .._executors.factory import build_executor

        run.executor = build_executor(
            action.executor_type,
            list(action.additional_authorized_imports),
            config.agent.logger,
            action.max_print_outputs_length,
            dict(action.executor_kwargs),
        )
        if action.executor_type != "local":  # a sandbox is kept for the agent's runs until cleanup()
            action.shared_executor.executor = run.executor
    run.executor.send_tools(dict(config.callables))
    # A new conversation starts with the variables set before it (agent.state) and the additional
    # args; a continued one already holds its variables.
    given = run.variables if previous is None else run.additional_args
    if given:
        run.executor.send_variables(dict(given))
    state = getattr(run.executor, "state", None)
    if isinstance(state, dict):
        run.variables = state
