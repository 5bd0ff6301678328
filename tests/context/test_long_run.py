"""A 100-step run whose prompt stays under a small budget while its answer needs step 1's observation.

The scripted model answers like a careful agent: it reads one log page per step, and when it is
asked for notes (the context policy's summary request) it writes down the vault code if the text
it was given shows one. The last step answers with the code the prompt shows, so the answer is
right only if the first observation survived in a summary.
"""

from __future__ import annotations

import re

import pytest

from smolagents import CodeAgent, ContextCompacted, ContextPolicy, ContextSummaryStep, LogLevel, tool
from smolagents._messages import ChatMessage
from smolagents.memory import ActionStep, AgentMemory
from smolagents.models import ScriptedModel
from smolagents.models._tokens import EstimatedTokenCounter, count_message_tokens

BUDGET = 4000
STEPS = 100
SUMMARY_REQUEST = "You keep the working notes"  # the first words of our summary prompt
CODE = re.compile(r"vault code is (\d+)")


@tool
def read_page(page: int) -> str:
    """Read one page of the station's log.

    Args:
        page: The page number, from 1.
    """
    fact = "The vault code is 7431. " if page == 1 else ""
    return fact + f"Page {page}: " + " ".join(f"entry {page}.{i}: all quiet." for i in range(50))


class Agentlike:
    """The scripted replies: a page per step, notes on request, then the answer the prompt supports."""

    def __init__(self) -> None:
        self.pages_read = 0

    def __call__(self, messages: list[ChatMessage]) -> str:
        shown = "\n".join(message.text for message in messages)
        found = CODE.search(shown)
        if SUMMARY_REQUEST in messages[0].text:
            return f"- Vault code: the vault code is {found.group(1) if found else 'not found yet'}.\n- Pages read."
        self.pages_read += 1
        if self.pages_read < STEPS:
            return f"Thought: next page.\n```py\nprint(read_page({self.pages_read}))\n```"
        return f"Thought: done.\n```py\nfinal_answer({found.group(1) if found else 'None'!r})\n```"


@pytest.fixture(scope="module")
def long_run() -> tuple[CodeAgent, ScriptedModel, list[object], EstimatedTokenCounter]:
    counter = EstimatedTokenCounter()
    model = ScriptedModel(Agentlike())
    agent = CodeAgent(
        tools=[read_page],
        model=model,
        max_steps=STEPS + 5,
        verbosity_level=LogLevel.OFF,
        context_budget=ContextPolicy(budget=BUDGET, counter=counter, keep_last_steps=2),
    )
    events = list(agent.stream_events("Read the log page by page (100 pages) and report the vault code."))
    return agent, model, events, counter


def test_the_answer_depends_on_the_first_observation_carried_by_a_summary(long_run) -> None:
    agent, _model, events, _ = long_run
    actions = [step for step in agent.memory.steps if isinstance(step, ActionStep)]
    assert len(actions) == STEPS
    assert agent.memory.steps[-1].is_final_answer
    assert events[-1].output == "7431"
    # The prompt of the last step no longer holds step 1 itself, only a summary carrying its fact.
    last_prompt = "\n".join(message.text for message in actions[-1].model_input_messages)
    assert "Page 1:" not in last_prompt
    assert "[Context summary: steps 1 to" in last_prompt and "7431" in last_prompt


def test_every_prompt_the_model_received_stays_under_the_budget(long_run) -> None:
    agent, model, _, counter = long_run
    sizes = [count_message_tokens(call.messages, counter) for call in model.calls]
    assert max(sizes) <= BUDGET
    # Without the policy the last prompt would hold every page.
    whole = count_message_tokens(agent.memory.to_messages(), counter)
    assert whole > 10 * BUDGET


def test_memory_stays_whole_and_records_the_summaries(long_run) -> None:
    agent, _model, _, _ = long_run
    memory = agent.memory
    first = next(step for step in memory.steps if isinstance(step, ActionStep))
    assert first.observations.startswith("Execution logs:\nThe vault code is 7431.")
    summaries = [step for step in memory.steps if isinstance(step, ContextSummaryStep)]
    assert summaries and summaries[0].first_step_number == 1
    assert all("7431" in summary.summary for summary in summaries)
    assert "7431" in summaries[0].model_input_messages[-1].text  # the model saw step 1 to summarise it
    # The summaries' model calls count in the run's usage, and the whole history still renders.
    assert memory.token_usage.input_tokens >= sum(s.token_usage.input_tokens for s in summaries)
    rendered = "\n".join(message.text for message in memory.to_messages())
    assert rendered.count("Page ") >= STEPS - 1
    # A saved memory loads back with its summaries.
    loaded = AgentMemory.from_dict(memory.to_dict())
    again = [step for step in loaded.steps if isinstance(step, ContextSummaryStep)]
    assert [s.dict() for s in again] == [s.dict() for s in summaries]


def test_each_cut_prompt_is_announced_with_what_was_cut(long_run) -> None:
    _, _, events, _ = long_run
    compacted = [event for event in events if isinstance(event, ContextCompacted)]
    assert compacted and all(event.fits for event in compacted)
    assert all(event.tokens_after < event.tokens_before for event in compacted)
    truncating = next(event for event in compacted if event.truncated_steps)
    assert truncating.truncated_steps[0] == 1  # oldest first
    assert any(1 in event.summarised_steps for event in compacted)
    summaries = [event for event in events if isinstance(event, ContextSummaryStep)]
    assert summaries  # published on the bus as they are made
