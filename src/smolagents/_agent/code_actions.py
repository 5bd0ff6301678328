"""The action of a CodeAgent step: ask for code, run it, observe."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._errors import AgentError, AgentExecutionError, AgentParsingError
from .._events import ActionOutput, ToolCallFinished
from .._text import bounded_text
from .._threads import in_thread
from ..memory import ActionStep, ToolCall
from ..models.helpers import CODEAGENT_RESPONSE_FORMAT
from .approval import Deny, Edit, code_approval_reason, decide, denied_observation, edited_note, request_for
from .code_parsing import close_code_block, extract_code, extract_structured_code
from .config import AgentConfig, CodeAction
from .context_policy import prompt_messages
from .model_reply import ask_model
from .outcomes import AwaitingApproval, Continue, FinalAnswer, StepOutcome
from .run_state import RunState

__all__ = [
    "CODE_RESPONSE_FORMAT",
    "CODE_TOOL_NAME",
    "code_action",
    "execute_code",
    "prepare_executor",
    "release_executor",
    "run_code_action",
]

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
        await prompt_messages(config, run),
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
    await run.bus.emit(call)
    return await run_code_action(config, action, run, step)


async def run_code_action(
    config: AgentConfig, action: CodeAction, run: RunState, step: ActionStep
) -> StepOutcome:
    """Run the step's code once approved (if it needs approval), and record the observation.

    A run resumed after approval starts here, with the code of the step it stopped at.
    """
    code = step.code_action or ""
    call = (
        step.tool_calls[0] if step.tool_calls else ToolCall(CODE_TOOL_NAME, code, f"call_{step.step_number}")
    )
    note = ""
    reason = code_approval_reason(action.requires_approval, code, config.callables)
    if reason is not None:
        request = request_for(step.step_number, 0, call, reason)
        decided = await decide(run, [request])
        if isinstance(decided, AwaitingApproval):
            return decided
        decision = decided[request.id]
        if isinstance(decision, Deny):
            step.observations = denied_observation("python_interpreter (your code)", decision)
            await run.bus.emit(ActionOutput(output=None, is_final_answer=False))
            return Continue()
        if isinstance(decision, Edit):
            code = step.code_action = decision.code or ""
            note = edited_note(request, decision)
    bus = run.bus
    try:
        with bus.scope(call):
            output, logs, is_final_answer = await execute_code(action, run, code, step)
    except AgentError as error:
        await bus.emit(ToolCallFinished(run.run_id, step.step_number, call, error=error))
        raise
    await bus.emit(ToolCallFinished(run.run_id, step.step_number, call, output, None, is_final_answer))
    observation = f"{note}Execution logs:\n{logs}"
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
    config: AgentConfig, action: CodeAction, run: RunState, previous: RunState | None, owner: object
) -> None:
    """Give the run an executor: the conversation's own, the user's shared one, or a new one.

    A sandbox built from ``executor_type`` belongs to `owner` (the session): sessions never share
    one, and it is released with the conversation (see `release_executor`) or when `owner` is
    collected. An executor the user gave is shared by every session.
    """
    slot = action.shared_executor
    kept = previous.executor if previous is not None else None
    continued = kept is not None and (
        kept is slot.executor or slot.holds(kept) or action.executor_type == "local"
    )
    if continued:
        run.executor = kept  # a continued conversation keeps its variables
    elif slot.executor is not None:
        run.executor = slot.executor
    else:
        from .._executors.factory import build_executor

        run.executor = build_executor(
            action.executor_type,
            list(action.additional_authorized_imports),
            config.agent.logger,
            action.max_print_outputs_length,
            dict(action.executor_kwargs),
        )
        if action.executor_type != "local":  # a sandbox holds a process, container or machine
            slot.lease(owner, run.executor)
    run.executor.send_tools(dict(config.callables))
    # A conversation starting in this executor gets the variables set before it (agent.state, or
    # the ones of a conversation whose sandbox was released) and the additional args; a continued
    # one already holds its variables.
    given = run.additional_args if continued else run.variables
    if given:
        run.executor.send_variables(dict(given))
    state = getattr(run.executor, "state", None)
    if isinstance(state, dict):
        run.variables = state


def release_executor(run: RunState | None, running: Iterable[RunState]) -> None:
    """Release the sandbox of a conversation that ends (unless one of `running` still uses it).

    The user's shared executor and the local interpreter hold nothing to release and are left alone.
    """
    if run is None or run.executor is None or not isinstance(getattr(run.config, "action", None), CodeAction):
        return
    if any(other.executor is run.executor for other in running):
        return  # released with the session, or by agent.cleanup()
    run.config.action.shared_executor.release(run.executor)
