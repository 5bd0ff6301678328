"""OpenTelemetry spans of runs: the tree, GenAI attributes, errors, nesting, and OTLP/HTTP export."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from agent_helpers import code

from smolagents import CodeAgent, ScriptedModel, ToolCallingAgent, tool, tool_call_message
from smolagents.telemetry import disable_tracing, enable_tracing, is_tracing_enabled

pytest.importorskip("opentelemetry.sdk")
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    enable_tracing(tracer_provider=provider)
    exporter.provider = provider  # type: ignore[attr-defined]  # for tests that open spans of their own
    yield exporter
    disable_tracing()
    provider.shutdown()


@tool
def divide(a: int, b: int) -> float:
    """Divide two numbers.

    Args:
        a: The dividend.
        b: The divisor.
    """
    return a / b


def by_name(exported: tuple[ReadableSpan, ...]) -> dict[str, list[ReadableSpan]]:
    found: dict[str, list[ReadableSpan]] = {}
    for span in exported:
        found.setdefault(span.name, []).append(span)
    return found


def parent_of(span: ReadableSpan, exported: tuple[ReadableSpan, ...]) -> ReadableSpan | None:
    if span.parent is None:
        return None
    return next((s for s in exported if s.context.span_id == span.parent.span_id), None)


def test_a_run_makes_a_tree_of_run_step_model_and_tool_spans(quiet, spans) -> None:
    model = ScriptedModel(
        [
            tool_call_message(("divide", {"a": 1, "b": 0})),
            tool_call_message(("divide", {"a": 6, "b": 3})),
            tool_call_message(("final_answer", {"answer": "2"})),
        ]
    )
    assert ToolCallingAgent(tools=[divide], model=model, logger=quiet, name="calc").run("6/3") == "2"
    exported = spans.get_finished_spans()
    named = by_name(exported)
    run = named["invoke_agent calc"][0]
    assert run.parent is None and run.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert (
        run.attributes["smolagents.run.status"] == "success"
        and run.attributes["gen_ai.usage.input_tokens"] > 0
    )
    steps = [named[f"step {n}"][0] for n in (1, 2, 3)]
    assert all(parent_of(step, exported) is run for step in steps)
    chats = named["chat scripted-model"]
    assert len(chats) == 3 and {parent_of(c, exported).name for c in chats} == {"step 1", "step 2", "step 3"}
    assert (
        chats[0].attributes["gen_ai.usage.output_tokens"] >= 0
        and "gen_ai.request.model" in chats[0].attributes
    )
    failed, succeeded = named["execute_tool divide"]
    assert failed.status.status_code == trace.StatusCode.ERROR and failed.attributes["error.type"]
    assert any(event.name == "exception" for event in failed.events)
    assert (
        parent_of(failed, exported).name == "step 1" and steps[0].status.status_code == trace.StatusCode.ERROR
    )
    assert succeeded.attributes["gen_ai.tool.call.result"] == "2.0"
    assert '"a": 6' in succeeded.attributes["gen_ai.tool.call.arguments"]


def test_a_managed_agent_run_nests_under_the_managers_code_execution(quiet, spans) -> None:
    helper = CodeAgent(
        tools=[],
        model=ScriptedModel([code("final_answer('Paris')")]),
        logger=quiet,
        name="geo",
        description="Geo.",
    )
    manager_model = ScriptedModel([code("print(geo(task='Capital?'))"), code("final_answer('done')")])
    CodeAgent(tools=[], model=manager_model, logger=quiet, managed_agents=[helper], name="boss").run("t")
    exported = spans.get_finished_spans()
    named = by_name(exported)
    helper_run = named["invoke_agent geo"][0]
    execution = parent_of(helper_run, exported)
    assert execution is not None and execution.name == "execute_tool python_interpreter"
    assert parent_of(parent_of(execution, exported), exported).name == "invoke_agent boss"
    assert helper_run.context.trace_id == named["invoke_agent boss"][0].context.trace_id
    assert (
        helper_run.attributes["smolagents.parent_run.id"]
        == named["invoke_agent boss"][0].attributes["smolagents.run.id"]
    )


async def test_concurrent_runs_get_separate_trees_under_the_callers_span(quiet, spans) -> None:
    agent = CodeAgent(
        tools=[], model=ScriptedModel(lambda messages: code("final_answer(1)"), delay=0.01), logger=quiet
    )
    tracer = spans.provider.get_tracer("test")

    async def traced(label: str) -> Any:
        with tracer.start_as_current_span(label):
            return await agent.arun(label)

    assert await asyncio.gather(traced("first"), traced("second")) == [1, 1]
    exported = spans.get_finished_spans()
    runs = by_name(exported)["invoke_agent agent"]
    assert len(runs) == 2
    for run in runs:
        caller = parent_of(run, exported)
        assert caller is not None and caller.name == run.attributes["smolagents.task"]
        steps = [s for s in exported if parent_of(s, exported) is run]
        assert [s.name for s in steps] == ["step 1"]
        chats = [s for s in exported if parent_of(s, exported) is steps[0]]
        assert {c.name for c in chats} == {"chat scripted-model", "execute_tool python_interpreter"}


def test_a_failed_model_call_is_recorded_and_tracing_is_off_by_default(quiet, spans) -> None:
    agent = CodeAgent(tools=[], model=ScriptedModel([ConnectionError("down")]), logger=quiet)
    with pytest.raises(Exception, match="down"):
        agent.run("t")
    named = by_name(spans.get_finished_spans())
    assert named["chat scripted-model"][0].status.status_code == trace.StatusCode.ERROR
    assert named["invoke_agent agent"][0].attributes["smolagents.run.status"] == "error"
    spans.clear()
    disable_tracing()
    assert not is_tracing_enabled()
    CodeAgent(tools=[], model=ScriptedModel([code("final_answer(1)")]), logger=quiet).run("t")
    assert spans.get_finished_spans() == ()


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: decodes each export request and keeps its span names."""

    received: list[str]
    got_run: threading.Event

    def do_POST(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.received.append(span.name)
                    if span.name.startswith("invoke_agent"):
                        self.got_run.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # the server's signature
        """Keep the test output quiet."""


def test_spans_reach_a_collector_over_otlp_http(quiet) -> None:
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    handler = type("Handler", (_Collector,), {"received": [], "got_run": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    provider = TracerProvider()
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"http://127.0.0.1:{server.server_port}/v1/traces"))
    )
    enable_tracing(tracer_provider=provider)
    try:
        CodeAgent(tools=[], model=ScriptedModel([code("final_answer(7)")]), logger=quiet, name="otlp").run(
            "t"
        )
        assert handler.got_run.wait(timeout=60)
    finally:
        disable_tracing()
        provider.shutdown()
        server.shutdown()
        server.server_close()
        serving.join(timeout=60)
    assert {"invoke_agent otlp", "step 1", "chat scripted-model", "execute_tool python_interpreter"} <= set(
        handler.received
    )
