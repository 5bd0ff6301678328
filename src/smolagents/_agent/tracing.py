"""OpenTelemetry spans of a run, made by a subscriber of its events (see `smolagents.telemetry`).

One `RunTracer` per run turns start/end events into spans: the run, each step, each model call,
each tool call or code execution. Its `scope` makes the span of the work an event starts the
current context while that work runs, so spans of SDKs called inside (and of managed agents'
runs) nest under it. Attributes follow the OpenTelemetry GenAI semantic conventions.
"""

from __future__ import annotations

import contextlib
import json
from contextlib import AbstractContextManager
from typing import Any

from .._events import (
    AgentEvent,
    ModelCallFinished,
    ModelCallStarted,
    RunFinished,
    RunStarted,
    StepStarted,
    ToolCallFinished,
)
from .._text import bounded_text
from ..memory import ActionStep, PlanningStep, ToolCall
from ..telemetry import tracer as configured_tracer

__all__ = ["RunTracer", "active_tracer"]

_MAX_ATTRIBUTE_CHARS = 4000
_NO_SCOPE: AbstractContextManager[None] = contextlib.nullcontext()


def active_tracer() -> RunTracer | None:
    """Return a tracer for a new run when tracing is on, else None (and nothing is loaded)."""
    tracer = configured_tracer()
    return RunTracer(tracer) if tracer is not None else None


class RunTracer:
    """Makes the spans of one run from its events."""

    def __init__(self, tracer: Any) -> None:
        from opentelemetry import trace

        self._trace = trace
        self._tracer = tracer
        self._run: Any = None
        self._step: Any = None
        self._model_call: Any = None
        self._tools: dict[int, Any] = {}  # id(ToolCall) -> span: tool calls of a step run at once

    # -- subscriber ---------------------------------------------------------------------------------
    def on_event(self, event: AgentEvent) -> None:
        """Start or end the span an event marks."""
        if isinstance(event, RunStarted):
            self._start_run(event)
        elif isinstance(event, StepStarted):
            self._step = self._child(
                self._run,
                f"{event.kind} step {event.step_number}"
                if event.kind != "action"
                else f"step {event.step_number}",
                {"smolagents.step.number": event.step_number, "smolagents.step.kind": event.kind},
            )
        elif isinstance(event, ModelCallStarted):
            self._start_model_call(event)
        elif isinstance(event, ModelCallFinished):
            self._end_model_call(event)
        elif isinstance(event, ToolCall):
            self._start_tool(event)
        elif isinstance(event, ToolCallFinished):
            self._end_tool(event)
        elif isinstance(event, (ActionStep, PlanningStep)):
            self._end_step(event)
        elif isinstance(event, RunFinished):
            self._end_run(event)

    def scope(self, event: AgentEvent) -> AbstractContextManager[Any]:
        """Make the span `event` started current while its work runs."""
        span: Any = None
        if isinstance(event, RunStarted):
            span = self._run
        elif isinstance(event, StepStarted):
            span = self._step
        elif isinstance(event, ModelCallStarted):
            span = self._model_call
        elif isinstance(event, ToolCall):
            span = self._tools.get(id(event))
        if span is None:
            return _NO_SCOPE
        return self._trace.use_span(span, end_on_exit=False)

    # -- spans --------------------------------------------------------------------------------------
    def _child(self, parent: Any, name: str, attributes: dict[str, Any]) -> Any:
        context = self._trace.set_span_in_context(parent) if parent is not None else None
        return self._tracer.start_span(name, context=context, attributes=attributes)

    def _start_run(self, event: RunStarted) -> None:
        name = event.agent_name or "agent"
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": name,
            "smolagents.run.id": event.run_id,
            "smolagents.task": bounded_text(event.task, _MAX_ATTRIBUTE_CHARS),
        }
        if event.model_id:
            attributes["gen_ai.request.model"] = event.model_id
        if event.parent_run_id:
            attributes["smolagents.parent_run.id"] = event.parent_run_id
        # The current context is the caller's: a manager's tool-call span, or the user's own span.
        self._run = self._tracer.start_span(f"invoke_agent {name}", attributes=attributes)

    def _start_model_call(self, event: ModelCallStarted) -> None:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "smolagents.model_call.purpose": event.purpose,
            "smolagents.model_call.streaming": event.is_streaming,
        }
        if event.model_id:
            attributes["gen_ai.request.model"] = event.model_id
        if event.stop_sequences:
            attributes["gen_ai.request.stop_sequences"] = list(event.stop_sequences)
        if event.tool_names:
            attributes["smolagents.tools"] = list(event.tool_names)
        self._model_call = self._child(
            self._step or self._run, f"chat {event.model_id or 'model'}", attributes
        )

    def _end_model_call(self, event: ModelCallFinished) -> None:
        span, self._model_call = self._model_call, None
        if span is None:
            return
        message = event.message
        if message is not None:
            usage = message.token_usage
            if usage is not None:
                span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
                span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
            reasons = _finish_reasons(message.raw)
            if reasons:
                span.set_attribute("gen_ai.response.finish_reasons", reasons)
            if event.model_id:
                span.set_attribute("gen_ai.response.model", event.model_id)
        self._finish(span, event.error)

    def _start_tool(self, call: ToolCall) -> None:
        arguments = (
            call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments, default=str)
        )
        self._tools[id(call)] = self._child(
            self._step or self._run,
            f"execute_tool {call.name}",
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": call.name,
                "gen_ai.tool.call.id": call.id,
                "gen_ai.tool.call.arguments": bounded_text(arguments, _MAX_ATTRIBUTE_CHARS),
            },
        )

    def _end_tool(self, event: ToolCallFinished) -> None:
        span = self._tools.pop(id(event.call), None)
        if span is None:
            return
        if event.error is None:
            span.set_attribute("gen_ai.tool.call.result", bounded_text(event.output, _MAX_ATTRIBUTE_CHARS))
        span.set_attribute("smolagents.is_final_answer", event.is_final_answer)
        self._finish(span, event.error)

    def _end_step(self, step: ActionStep | PlanningStep) -> None:
        span, self._step = self._step, None
        if span is None:
            return
        usage = step.token_usage
        if usage is not None:
            span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
        error = step.error if isinstance(step, ActionStep) else None
        self._finish(span, error)

    def _end_run(self, event: RunFinished) -> None:
        span, self._run = self._run, None
        if span is None:
            return
        for leftover in [self._model_call, self._step, *self._tools.values()]:
            if leftover is not None:  # the run ended inside them (a failure, a cancellation)
                self._finish(leftover, event.error)
        self._tools.clear()
        span.set_attribute("smolagents.run.status", event.status)
        span.set_attribute("gen_ai.usage.input_tokens", event.token_usage.input_tokens)
        span.set_attribute("gen_ai.usage.output_tokens", event.token_usage.output_tokens)
        if event.error is None:
            span.set_attribute("smolagents.output", bounded_text(event.output, _MAX_ATTRIBUTE_CHARS))
        self._finish(span, event.error)

    def _finish(self, span: Any, error: BaseException | None) -> None:
        if error is not None:
            span.record_exception(error)
            span.set_attribute("error.type", type(error).__qualname__)
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, str(error)[:500]))
        span.end()


def _finish_reasons(raw: Any) -> list[str]:
    """Read the provider's finish reasons from a raw response, when it has them."""
    if not isinstance(raw, dict):
        return []
    choices = raw.get("choices")
    if isinstance(choices, list):
        return [
            str(choice["finish_reason"])
            for choice in choices
            if isinstance(choice, dict) and choice.get("finish_reason")
        ]
    reason = raw.get("stopReason") or raw.get("finish_reason")
    return [str(reason)] if reason else []
