"""Users of the OpenInference instrumentor written for smolagents 1.26 keep getting their traces."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from agent_helpers import code

pytest.importorskip("openinference.instrumentation.smolagents")
from openinference.instrumentation.smolagents import SmolagentsInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import smolagents
from smolagents import CodeAgent, ScriptedModel, ToolCallingAgent, tool, tool_call_message


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # The instrumentor's undo sets each model class's `generate` to what it read before wrapping:
    # for a class inheriting `generate`, the base's method, or the base's *wrapper* when the base
    # was wrapped first. Put the classes back exactly as they were, so later tests see no wrapper.
    models = [c for c in vars(smolagents).values() if isinstance(c, type) and issubclass(c, smolagents.Model)]
    saved = {(c, name): vars(c).get(name) for c in models for name in ("generate", "generate_stream")}
    instrumentor = SmolagentsInstrumentor()
    instrumentor.instrument(tracer_provider=provider)  # checks our version against ">= 1.2.2"
    yield exporter
    instrumentor.uninstrument()
    for (cls, name), method in saved.items():
        if method is None:
            if name in vars(cls):
                delattr(cls, name)
        else:
            setattr(cls, name, method)
    provider.shutdown()


@tool
def double(x: int) -> int:
    """Double a number.

    Args:
        x: The number.
    """
    return 2 * x


def kind(span: ReadableSpan) -> str:
    return str(span.attributes.get("openinference.span.kind"))


def parent(span: ReadableSpan, exported: tuple[ReadableSpan, ...]) -> ReadableSpan | None:
    return next((s for s in exported if span.parent and s.context.span_id == span.parent.span_id), None)


def test_the_instrumentor_finds_lazily_exported_model_classes(spans) -> None:
    for name in (
        "OpenAIServerModel",
        "LiteLLMModel",
        "InferenceClientModel",
        "TransformersModel",
        "ScriptedModel",
    ):
        assert hasattr(vars(getattr(smolagents, name))["generate"], "__wrapped__"), name


def test_run_step_model_and_tool_spans_of_a_tool_calling_agent(quiet, spans) -> None:
    model = ScriptedModel(
        [tool_call_message(("double", {"x": 2})), tool_call_message(("final_answer", {"answer": "4"}))]
    )
    assert ToolCallingAgent(tools=[double], model=model, logger=quiet).run("Double 2") == "4"
    exported = spans.get_finished_spans()
    run = next(s for s in exported if s.name == "ToolCallingAgent.run")
    assert kind(run) == "AGENT" and run.attributes["llm.token_count.prompt"] > 0
    steps = [s for s in exported if kind(s) == "CHAIN"]
    assert [s.name for s in steps] == ["Step 1", "Step 2"] and all(parent(s, exported) is run for s in steps)
    llm = [s for s in exported if kind(s) == "LLM"]
    assert len(llm) == 2 and [parent(s, exported) for s in llm] == steps
    assert llm[0].attributes["llm.model_name"] == "scripted-model"
    tools = [s for s in exported if kind(s) == "TOOL"]
    assert [s.name for s in tools] == [
        "SimpleTool",
        "FinalAnswerTool",
    ]  # @tool builds a SimpleTool, as in 1.26
    assert [parent(s, exported) for s in tools] == steps


def test_code_agent_with_a_managed_agent_nests_the_managed_run(quiet, spans) -> None:
    helper = ToolCallingAgent(
        tools=[],
        model=ScriptedModel([tool_call_message(("final_answer", {"answer": "Paris"}))]),
        logger=quiet,
        name="geo",
        description="Knows capitals.",
    )
    manager_model = ScriptedModel([code("print(geo(task='Capital?'))\nfinal_answer(double(3))")])
    manager = CodeAgent(tools=[double], model=manager_model, logger=quiet, managed_agents=[helper])
    assert manager.run("t") == 6
    exported = spans.get_finished_spans()
    manager_run = next(s for s in exported if s.name == "CodeAgent.run")
    helper_run = next(s for s in exported if s.name == "geo.run")
    ancestors = []
    node = parent(helper_run, exported)
    while node is not None:
        ancestors.append(node.name)
        node = parent(node, exported)
    assert ancestors[-2:] == ["Step 1", "CodeAgent.run"]
    assert helper_run.context.trace_id == manager_run.context.trace_id
    assert any(s.name == "SimpleTool" for s in exported)


def test_a_streamed_run_is_traced_and_keeps_its_stream(quiet, spans) -> None:
    from smolagents import ActionStep, FinalAnswerStep, ToolCall

    model = ScriptedModel([code("print(double(4))"), code("final_answer(1)")])
    events = list(
        CodeAgent(tools=[double], model=model, logger=quiet, stream_outputs=True).run("t", stream=True)
    )
    assert [type(e).__name__ for e in events if isinstance(e, (ToolCall, ActionStep, FinalAnswerStep))] == [
        "ToolCall",
        "ActionStep",
        "ToolCall",
        "ActionStep",
        "FinalAnswerStep",
    ]
    names = [s.name for s in spans.get_finished_spans()]
    assert names.count("Step 1") == 1 and names.count("Step 2") == 1 and "CodeAgent.run" in names
    assert "ScriptedModel.generate_stream" in names and "SimpleTool" in names
