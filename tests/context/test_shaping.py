"""How a prompt is cut: order of the cuts, what is always kept, markers, memory records, events."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from smolagents import (
    AgentLogger,
    CodeAgent,
    ContextCompacted,
    ContextPolicy,
    ContextSummaryStep,
    LogLevel,
    tool,
)
from smolagents._messages import ChatMessage
from smolagents.memory import ActionStep, AgentMemory, PlanningStep
from smolagents.models import ScriptedModel
from smolagents.models._tokens import EstimatedTokenCounter, count_message_tokens

COUNTER = EstimatedTokenCounter()
TASK = "Read the pages and report what page 1 says."
TRUNCATED = "characters of this observation were cut here to fit the context window"
SUMMARY_REQUEST = "You keep the working notes"


@tool
def page(number: int) -> str:
    """Return the text of a page.

    Args:
        number: Which page.
    """
    return f"<page {number}> " + "lorem ipsum dolor " * 80 + f"</page {number}>"


def reading(steps: int, then: str = "final_answer('done')") -> list[str]:
    replies = [f"Thought: page {n}.\n```py\nprint(page({n}))\n```" for n in range(1, steps + 1)]
    return [*replies, f"Thought: finish.\n```py\n{then}\n```"]


def agent_with(
    replies: list[str] | object, policy: ContextPolicy | int | None, **kwargs: object
) -> tuple[CodeAgent, ScriptedModel, list[object]]:
    model = ScriptedModel(replies)  # type: ignore[arg-type]
    agent = CodeAgent(
        tools=[page], model=model, verbosity_level=LogLevel.OFF, context_budget=policy, **kwargs
    )
    events: list[object] = []
    agent.subscribe(events.append)
    return agent, model, events


def text_of(messages: list[ChatMessage]) -> str:
    return "\n".join(message.text for message in messages)


def whole_prompt_size(steps: int) -> int:
    """The size of the last action prompt of a `reading(steps)` run without a policy."""
    agent, model, _ = agent_with(reading(steps), ContextPolicy.off())
    agent.run(TASK)
    return count_message_tokens(model.calls[-1].messages, COUNTER)


def test_under_budget_the_prompt_is_the_whole_memory_and_nothing_is_announced() -> None:
    agent, model, events = agent_with(reading(3), ContextPolicy(budget=100_000, counter=COUNTER))
    agent.run(TASK)
    last = agent.memory.steps[-1]
    assert isinstance(last, ActionStep)
    before_last = agent.memory.system_prompt.to_messages()
    for step in agent.memory.steps[:-1]:
        before_last += step.to_messages()
    assert text_of(model.calls[-1].messages) == text_of(before_last)
    assert not [event for event in events if isinstance(event, ContextCompacted)]


def test_older_observations_are_truncated_first_oldest_first_keeping_the_last_steps() -> None:
    whole = whole_prompt_size(6)
    agent, model, events = agent_with(
        reading(6), ContextPolicy(budget=whole - 50, counter=COUNTER, keep_last_steps=2)
    )
    assert agent.run(TASK) == "done"
    prompt = model.calls[-1].messages
    assert count_message_tokens(prompt, COUNTER) <= whole - 50
    shown = text_of(prompt)
    assert shown.count(TRUNCATED) == 1 and "<page 1>" in shown and "</page 1>" in shown
    first = shown.index("<page 1>")
    assert shown.index(TRUNCATED) < shown.index("</page 1>") and first < shown.index(TRUNCATED)
    for number in range(2, 7):  # later pages, and the last two steps, whole
        assert ("lorem ipsum dolor " * 80) + f"</page {number}>" in shown
    assert f"New task:\n{TASK}" in shown
    compacted = [event for event in events if isinstance(event, ContextCompacted)]
    assert [event.truncated_steps for event in compacted] == [(1,)]
    # Memory keeps the whole observation; the step records the prompt the model saw.
    final_step = agent.memory.steps[-1]
    assert TRUNCATED in text_of(final_step.model_input_messages)
    assert TRUNCATED not in text_of(agent.memory.to_messages())


def test_without_summaries_older_steps_are_left_out_with_a_marker_keeping_task_plan_and_last_steps() -> None:
    budget = whole_prompt_size(2) + 150
    pages = reading(8)
    replies = [
        "Plan: read every page.",
        *pages[:4],
        "Plan: keep reading.",
        *pages[4:8],
        "Plan: finish.",
        pages[8],
    ]
    agent, model, events = agent_with(
        replies,
        ContextPolicy(budget=budget, counter=COUNTER, keep_last_steps=2, summarize=False),
        planning_interval=4,
    )
    assert agent.run(TASK) == "done"
    sizes = [count_message_tokens(call.messages, COUNTER) for call in model.calls]
    assert max(sizes) <= budget
    shown = text_of(model.calls[-1].messages)
    marker = re.search(r"\[Context policy: step\(s\) ([\d, ]+) were left out", shown)
    assert marker is not None
    dropped = [int(n) for n in marker.group(1).split(", ")]
    assert dropped == list(range(1, dropped[-1] + 1))  # oldest first
    assert "</page 7>" in shown and "</page 8>" in shown  # the last two steps
    assert f"New task:\n{TASK}" in shown and "Plan: finish." in shown
    assert "Plan: keep reading." not in shown  # only the latest plan is protected
    assert not any(isinstance(step, ContextSummaryStep) for step in agent.memory.steps)
    assert any(event.dropped_steps for event in events if isinstance(event, ContextCompacted))


def test_a_failed_summary_falls_back_to_leaving_steps_out_and_the_run_goes_on() -> None:
    actions = iter(reading(8))

    def respond(messages: list[ChatMessage]) -> str:
        if SUMMARY_REQUEST in messages[0].text:
            raise ConnectionError("provider down while summarising")
        return next(actions)

    budget = whole_prompt_size(2) + 150
    agent, model, _events = agent_with(
        respond, ContextPolicy(budget=budget, counter=COUNTER, keep_last_steps=2)
    )
    assert agent.run(TASK) == "done"
    assert any(SUMMARY_REQUEST in call.messages[0].text for call in model.calls)
    assert "were left out of this prompt" in text_of(model.calls[-1].messages)
    assert not any(isinstance(step, ContextSummaryStep) for step in agent.memory.steps)


def summarising(steps: int) -> object:
    actions = iter(reading(steps))

    def respond(messages: list[ChatMessage]) -> str:
        if SUMMARY_REQUEST in messages[0].text:
            pages = sorted({int(n) for n in re.findall(r"<page (\d+)>", messages[-1].text)})
            return f"Read pages {pages[0]} to {pages[-1]}: lorem ipsum throughout."
        return next(actions)

    return respond


def test_summaries_are_shown_in_place_of_the_steps_logged_and_replayed() -> None:
    budget = whole_prompt_size(3)
    output = io.StringIO()
    logger = AgentLogger(level=LogLevel.INFO, console=Console(file=output, width=120, color_system=None))
    model = ScriptedModel(summarising(8))
    agent = CodeAgent(
        tools=[page], model=model, logger=logger, context_budget=ContextPolicy(budget=budget, counter=COUNTER)
    )
    assert agent.run(TASK) == "done"
    summaries = [step for step in agent.memory.steps if isinstance(step, ContextSummaryStep)]
    assert summaries and summaries[0].summary.startswith("Read pages 1 to")
    shown = text_of(model.calls[-1].messages)
    assert f"[Context summary: steps 1 to {summaries[-1].last_step_number}" in shown
    assert "<page 1>" not in shown and summaries[-1].summary in shown
    assert "Summary of steps 1 to" in output.getvalue()
    agent.replay()
    assert output.getvalue().count("Summary of steps 1 to") >= 2


def test_a_saved_memory_resumes_with_its_summaries_in_another_agent(tmp_path) -> None:
    budget = whole_prompt_size(3)
    policy = ContextPolicy(budget=budget, counter=COUNTER)
    first, _, _ = agent_with(summarising(8), policy)
    first.run(TASK)
    path = first.memory.save(tmp_path / "memory.json")
    covered = [s for s in first.memory.steps if isinstance(s, ContextSummaryStep)][-1]

    second, model, _ = agent_with(["Thought: answer.\n```py\nfinal_answer('again')\n```"], policy)
    second.memory = AgentMemory.load(path)
    assert second.run("And now?", reset=False) == "again"
    shown = text_of(model.calls[0].messages)
    assert covered.summary in shown and count_message_tokens(model.calls[0].messages, COUNTER) <= budget


def test_the_answer_at_the_step_limit_and_plan_updates_are_asked_within_the_budget() -> None:
    budget = whole_prompt_size(2) + 150
    replies = ["Plan: read.", *reading(6)[:6], "Plan: still reading.", "The answer is lorem."]
    agent, model, _ = agent_with(
        replies,
        ContextPolicy(budget=budget, counter=COUNTER, keep_last_steps=1, summarize=False),
        planning_interval=4,
        max_steps=6,
    )
    assert agent.run(TASK) == "The answer is lorem."
    assert all(count_message_tokens(call.messages, COUNTER) <= budget for call in model.calls)
    assert any(isinstance(step, PlanningStep) for step in agent.memory.steps)


def test_the_default_budget_is_the_models_known_window_minus_the_reply() -> None:
    model = ScriptedModel(reading(6), max_tokens=300)
    agent = CodeAgent(tools=[page], model=model, verbosity_level=LogLevel.OFF)
    assert agent.configuration.context.budget is None  # a scripted model's window is unknown
    model.context_window = whole_prompt_size(6) + 250
    agent.run(TASK)
    assert agent.configuration.context.budget == model.context_window - 300
    counter = agent.configuration.context.counter
    assert counter.name.startswith("estimate")  # no tokenizer for a scripted model
    assert count_message_tokens(model.calls[-1].messages, counter) <= model.context_window - 300
    assert TRUNCATED in text_of(model.calls[-1].messages)


@pytest.mark.parametrize(
    ("value", "error"),
    [("large", TypeError), (0, ValueError), (True, TypeError), (ContextPolicy, TypeError)],
)
def test_a_bad_budget_is_refused_when_the_agent_is_made(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"context_budget|ContextPolicy"):
        CodeAgent(tools=[], model=ScriptedModel([]), context_budget=value)  # type: ignore[arg-type]


def test_when_the_protected_steps_alone_exceed_the_budget_the_logger_says_so() -> None:
    output = io.StringIO()
    logger = AgentLogger(level=LogLevel.INFO, console=Console(file=output, width=200, color_system=None))
    model = ScriptedModel(reading(3))
    agent = CodeAgent(tools=[page], model=model, logger=logger, context_budget=ContextPolicy(budget=300))
    events: list[object] = []
    agent.subscribe(events.append)
    assert agent.run(TASK) == "done"  # sent anyway: the provider decides
    compacted = [event for event in events if isinstance(event, ContextCompacted)]
    assert compacted and not compacted[-1].fits
    assert "The latest steps alone exceed the budget" in output.getvalue()


def test_a_tool_calling_agent_counts_its_tool_definitions_against_the_budget() -> None:
    from smolagents import ToolCallingAgent
    from smolagents.models import tool_call_message

    calls = [tool_call_message(("page", {"number": n})) for n in range(1, 7)]
    model = ScriptedModel([*calls, tool_call_message(("final_answer", {"answer": "done"}))])
    budget = 2500
    agent = ToolCallingAgent(
        tools=[page],
        model=model,
        verbosity_level=LogLevel.OFF,
        context_budget=ContextPolicy(budget=budget, counter=COUNTER, summarize=False, keep_last_steps=1),
    )
    events: list[object] = []
    agent.subscribe(events.append)
    assert agent.run(TASK) == "done"
    compacted = [event for event in events if isinstance(event, ContextCompacted)]
    assert compacted and all(event.fits for event in compacted)
    # The tool definitions, which the request also carries, count against the budget.
    import json

    from smolagents.models.base import get_tool_json_schema

    tools = COUNTER.count(json.dumps([get_tool_json_schema(tool) for tool in agent.tools.values()]))
    last_sent = count_message_tokens(model.calls[-1].messages, COUNTER)
    assert compacted[-1].tokens_after - last_sent >= tools > 50
    assert last_sent + tools <= budget


def test_a_model_class_that_counts_its_own_tokens_is_asked_and_a_mock_model_is_estimated() -> None:
    from unittest.mock import MagicMock

    from smolagents.models._tokens import token_counter_for

    class WordModel(ScriptedModel):
        def count_tokens(self, text: str) -> int:
            return len(text.split())

    assert token_counter_for(WordModel([])).count("three little words") == 3
    mock = MagicMock()
    assert token_counter_for(mock).name.startswith("estimate")
