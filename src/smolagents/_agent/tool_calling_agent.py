"""`ToolCallingAgent`: actions are the model's native tool calls (JSON), run concurrently."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from .._events import ToolOutput
from .._messages import ChatMessage
from ..memory import ActionStep, AgentMemory, ToolCall
from .config import (
    ToolCallingAction,
)
from .multistep import AGENT_REGISTRY, MultiStepAgent
from .prompts import (
    PromptTemplates,
)
from .run_state import RunState
from .sync import run_sync
from .tool_actions import execute_tool_call


class ToolCallingAgent(MultiStepAgent):
    """An agent whose actions are the model's native tool calls (JSON), run concurrently.

    Args:
        max_tool_threads: How many tool calls of one step may run at once (default: CPU count + 4,
            at most 32).
        Other arguments: see `MultiStepAgent`.
    """

    _prompt_kind = "toolcalling_agent"

    def __init__(
        self,
        tools: list[Any],
        model: Any,
        prompt_templates: PromptTemplates | None = None,
        planning_interval: int | None = None,
        stream_outputs: bool = False,
        max_tool_threads: int | None = None,
        **kwargs: Any,
    ) -> None:
        if max_tool_threads is not None and max_tool_threads < 1:
            raise ValueError(f"max_tool_threads must be at least 1, got {max_tool_threads}.")
        self.max_tool_threads = max_tool_threads or min(32, (os.cpu_count() or 1) + 4)
        super().__init__(
            tools,
            model,
            prompt_templates,
            planning_interval=planning_interval,
            stream_outputs=stream_outputs,
            **kwargs,
        )

    def _action_settings(self) -> tuple[Any, ...]:
        return (self.max_tool_threads,)

    def _action(self, callables: dict[str, Any]) -> ToolCallingAction:
        return ToolCallingAction(
            stop_sequences=("Observation:", "Calling tools:"), max_tool_threads=self.max_tool_threads
        )

    @property
    def tools_and_managed_agents(self) -> list[Any]:
        """Everything the model can call: tools, then managed agents."""
        return list(self.configuration.callable_list)

    def execute_tool_call(self, tool_name: str, arguments: dict[str, Any] | str) -> Any:
        """Run one tool (or managed agent) by name with validated arguments; return its output."""
        call = ToolCall(name=tool_name, arguments=arguments, id="manual")
        return run_sync(
            execute_tool_call(self.configuration, self._manual_run(), call, on_thread=False)
        ).output

    def process_tool_calls(
        self, chat_message: ChatMessage, memory_step: ActionStep
    ) -> Iterator[ToolCall | ToolOutput]:
        """Run the tool calls of `chat_message` outside a run and record them in `memory_step`.

        smolagents 1.26's step hook: yields each `ToolCall`, then each `ToolOutput` (calls run one
        after the other here; a run's steps run them concurrently), and sets the step's
        `tool_calls` and `observations` (ordered by call id).

        Raises:
            AgentToolCallError: Unknown tool or arguments that do not match its inputs.
            AgentToolExecutionError: A tool raised.
        """
        calls = [
            ToolCall(name=call.function.name, arguments=call.function.arguments, id=call.id)
            for call in chat_message.tool_calls or ()
        ]
        yield from calls
        config, run = self.configuration, self._manual_run()
        outputs: list[ToolOutput] = []
        for call in calls:
            output = run_sync(execute_tool_call(config, run, call, on_thread=False))
            outputs.append(output)
            yield output
        memory_step.tool_calls = sorted(calls, key=lambda call: call.id)
        observations = [memory_step.observations or ""]
        observations += [output.observation for output in sorted(outputs, key=lambda output: output.id)]
        memory_step.observations = "\n".join(part for part in observations if part)

    def _manual_run(self) -> RunState:
        return self._session.latest_run or RunState(task="", memory=AgentMemory(""), max_steps=self.max_steps)


AGENT_REGISTRY["ToolCallingAgent"] = ToolCallingAgent
