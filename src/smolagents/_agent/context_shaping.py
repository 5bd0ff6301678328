"""Cutting one prompt to the context budget: truncate old observations, summarise, leave out.

The cost of each step (and of its truncated form) is counted once and cached per memory, keyed on
the step and its messages, so a prompt under budget costs a sum of cached numbers per call, and
only steps that changed are counted again.
"""

from __future__ import annotations

import dataclasses
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._errors import AgentGenerationError
from .._events import ContextCompacted, StepKind
from .._messages import ChatMessage, MessageRole
from .._usage import Timing
from ..memory import ActionStep, AgentMemory, ContextSummaryStep, MemoryStep, PlanningStep, TaskStep
from ..models._tokens import MESSAGE_OVERHEAD, TokenCounter, count_message_tokens
from .config import AgentConfig, ToolCallingAction
from .context_policy import ContextShaper
from .model_reply import ask_model
from .prompts import _load_yaml, populate_template
from .run_state import RunState

__all__ = ["shape_prompt"]

# Below this share of the budget (estimated), a prompt is sent whole without loading the
# model's tokenizer: estimates are not off by a factor of three.
_ESTIMATE_SHORTCUT = 3
_TRUNCATED_MARKER = (
    "[... {cut} characters of this observation were cut here to fit the context window; "
    "the whole observation stays in the agent's memory ...]"
)
_DROPPED_MARKER = (
    "[Context policy: step(s) {steps} were left out of this prompt to fit the context window; "
    "they stay in the agent's memory.]"
)
_SUMMARY_HEADER = (
    "[Context summary: steps {first} to {last} are summarised here to fit the context window; "
    "the full steps stay in the agent's memory.]\n"
)
_MARKER_ALLOWANCE = 48  # tokens kept free for the markers of left-out steps


class _Costs:
    """Token costs of the steps of one memory, per counter, cached while a step is unchanged."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int, bool, str], tuple[MemoryStep, Any, Any]] = {}
        # Estimated cost of each message shown (the message is kept so that its id stays its own).
        self.messages: dict[int, tuple[ChatMessage, int]] = {}

    def prune(self, steps: int) -> None:
        """Forget everything once the cache holds far more than the memory (after a reset, say)."""
        if len(self._cache) > 8 * steps + 64 or len(self.messages) > 16 * steps + 64:
            self._cache.clear()
            self.messages.clear()

    def get(self, key: tuple[int, int, bool, str], step: MemoryStep, fingerprint: Any) -> Any:
        cached = self._cache.get(key)
        if cached is not None and cached[0] is step and cached[1] is fingerprint:
            return cached[2]
        return None

    def put(self, key: tuple[int, int, bool, str], step: MemoryStep, fingerprint: Any, value: Any) -> Any:
        self._cache[key] = (step, fingerprint, value)
        return value


_COSTS: weakref.WeakKeyDictionary[AgentMemory, _Costs] = weakref.WeakKeyDictionary()


@dataclass
class _Layout:
    """One way of showing the memory: which steps are whole, truncated, summarised or left out."""

    shaper: ContextShaper
    memory: AgentMemory
    summary_mode: bool
    steps: list[MemoryStep]
    summary: ContextSummaryStep | None
    protected: list[bool]
    tail_start: int
    variants: list[str] = field(default_factory=list)
    markers: list[ChatMessage] = field(default_factory=list)

    @property
    def counter(self) -> TokenCounter:
        return self.shaper.counter

    @property
    def covered(self) -> int:
        return min(self.summary.covered_steps, len(self.steps)) if self.summary is not None else 0

    def candidates(self) -> list[int]:
        """Steps that may be cut, oldest first."""
        return [i for i in range(self.covered, len(self.steps)) if not self.protected[i]]

    # -- costs -------------------------------------------------------------------------------------
    def cost(self, index: int, variant: str) -> int:
        if variant in ("covered", "dropped"):
            return 0
        if variant == "truncated":
            truncated = self.truncated(index)
            assert truncated is not None  # only truncatable steps get this variant
            return int(truncated[1])
        return step_cost(self.memory, self.steps[index], self.summary_mode, self.counter)

    def truncated(self, index: int) -> tuple[list[ChatMessage], int] | None:
        """The step with its observation cut to `observation_tokens`, and its cost (None: nothing to cut)."""
        step = self.steps[index]
        if not isinstance(step, ActionStep) or not step.observations:
            return None
        costs = _COSTS.setdefault(self.memory, _Costs())
        fingerprint = self.memory.step_messages(step, self.summary_mode)
        key = (id(self.counter), id(step), self.summary_mode, "truncated")
        known = costs.get(key, step, fingerprint)
        if known is not None:
            return known if known != () else None
        value = _truncate(step, self.summary_mode, self.counter, self.shaper.policy.observation_tokens)
        costs.put(key, step, fingerprint, value if value is not None else ())
        return value

    def cost_of_summary(self, summary: ContextSummaryStep) -> int:
        return self.counter.count(summary.summary) + MESSAGE_OVERHEAD

    def summary_message(self) -> ChatMessage:
        summary = self.summary
        assert summary is not None
        header = _SUMMARY_HEADER.format(first=summary.first_step_number, last=summary.last_step_number)
        return ChatMessage(MessageRole.USER, [{"type": "text", "text": header + summary.summary}])

    def total(self, system_cost: int) -> int:
        total = system_cost + sum(self.cost(i, v) for i, v in enumerate(self.variants))
        if self.summary is not None and self.covered:
            total += count_message_tokens([self.summary_message()], self.counter)
        return total

    # -- fitting -----------------------------------------------------------------------------------
    def truncate_until(self, budget: int, system_cost: int) -> int:
        total = self.total(system_cost)
        for index in self.candidates():
            if total <= budget:
                break
            truncated = self.truncated(index)
            if truncated is not None and self.variants[index] == "full":
                total -= self.cost(index, "full") - truncated[1]
                self.variants[index] = "truncated"
        return total

    def drop_until(self, budget: int, total: int) -> int:
        for index in self.candidates():
            if total <= budget - _MARKER_ALLOWANCE:
                break
            total -= self.cost(index, self.variants[index])
            self.variants[index] = "dropped"
        return total

    # -- rendering ---------------------------------------------------------------------------------
    def render(self, system: list[ChatMessage]) -> list[ChatMessage]:
        messages = list(system)
        summary_shown = self.summary is None or not self.covered
        dropped_run: list[int] = []
        for index, variant in enumerate(self.variants):
            if not summary_shown and (variant == "covered" or index >= self.covered):
                messages.append(self.summary_message())
                summary_shown = True
            if variant == "dropped":
                dropped_run.append(index)
                continue
            if dropped_run:
                messages.append(self._dropped_marker(dropped_run))
                dropped_run = []
            if variant == "truncated":
                truncated = self.truncated(index)
                assert truncated is not None
                messages.extend(truncated[0])
            elif variant == "full":
                messages.extend(self.memory.step_messages(self.steps[index], self.summary_mode))
        if dropped_run:
            messages.append(self._dropped_marker(dropped_run))
        if not summary_shown:
            messages.append(self.summary_message())
        return messages

    def _dropped_marker(self, indices: list[int]) -> ChatMessage:
        numbers = self.numbers(indices) or [f"#{i + 1} of memory" for i in indices]
        text = _DROPPED_MARKER.format(steps=", ".join(map(str, numbers)))
        marker = ChatMessage(MessageRole.USER, [{"type": "text", "text": text}])
        self.markers.append(marker)
        return marker

    def numbers(self, indices: list[int]) -> list[Any]:
        return [s.step_number for s in (self.steps[i] for i in indices) if isinstance(s, ActionStep)]

    def numbers_with(self, *variants: str) -> tuple[int, ...]:
        return tuple(self.numbers([i for i, v in enumerate(self.variants) if v in variants]))


def step_cost(memory: AgentMemory, step: MemoryStep, summary_mode: bool, counter: TokenCounter) -> int:
    """Return the tokens a step takes in the prompt, counted once while the step is unchanged."""
    costs = _COSTS.setdefault(memory, _Costs())
    messages = memory.step_messages(step, summary_mode)
    key = (id(counter), id(step), summary_mode, "full")
    known = costs.get(key, step, messages)
    if known is not None:
        return int(known)
    return int(costs.put(key, step, messages, count_message_tokens(messages, counter)))


def _truncate(
    step: ActionStep, summary_mode: bool, counter: TokenCounter, keep_tokens: int
) -> tuple[list[ChatMessage], int] | None:
    observation = step.observations or ""
    tokens = counter.count(observation)
    if tokens <= keep_tokens * 5 // 4:
        return None
    keep_chars = max(1, len(observation) * keep_tokens // tokens)
    head = observation[: keep_chars * 2 // 3]
    tail = observation[len(observation) - (keep_chars - len(head)) :]
    cut = len(observation) - len(head) - len(tail)
    text = f"{head}\n{_TRUNCATED_MARKER.format(cut=cut)}\n{tail}"
    messages = dataclasses.replace(step, observations=text).to_messages(summary_mode=summary_mode)
    return messages, count_message_tokens(messages, counter)


def _layout(shaper: ContextShaper, memory: AgentMemory, summary_mode: bool) -> _Layout:
    steps: list[MemoryStep] = []
    summary: ContextSummaryStep | None = None
    for step in memory.steps:
        if isinstance(step, ContextSummaryStep):
            summary = step
        else:
            steps.append(step)
    keep = shaper.policy.keep_last_steps
    actions = [i for i, step in enumerate(steps) if isinstance(step, ActionStep)]
    tail_start = len(steps)
    if keep and actions:
        tail_start = actions[-keep] if len(actions) >= keep else actions[0]
    protected = [i >= tail_start for i in range(len(steps))]
    for kind in (TaskStep, PlanningStep):  # the latest task and the latest plan
        latest = max((i for i, step in enumerate(steps) if isinstance(step, kind)), default=None)
        if latest is not None:
            protected[latest] = True
    layout = _Layout(shaper, memory, summary_mode, steps, summary, protected, tail_start)
    layout.variants = [
        "covered" if i < layout.covered and not protected[i] else "full" for i in range(len(steps))
    ]
    return layout


async def shape_prompt(
    shaper: ContextShaper,
    config: AgentConfig,
    run: RunState,
    purpose: StepKind,
    summary_mode: bool,
    around: Sequence[ChatMessage] = (),
) -> list[ChatMessage]:
    """Return the prompt of `run`'s memory within the budget (see `context_policy`).

    `around` are the messages sent with it; they, and the tool definitions of a tool-calling
    action, count against the budget.
    """
    memory = run.memory
    budget = shaper.budget or 0
    _COSTS.setdefault(memory, _Costs()).prune(len(memory.steps))
    whole_prompt = memory.to_messages(summary_mode=summary_mode)
    estimate = count_message_tokens(around, shaper.estimator) + _estimate(memory, whole_prompt, shaper)
    if estimate * _ESTIMATE_SHORTCUT <= budget:
        return whole_prompt
    system = memory.system_prompt.to_messages(summary_mode=summary_mode)
    whole = [s for s in memory.steps if not isinstance(s, ContextSummaryStep)]
    fixed = count_message_tokens(around, shaper.counter) + (
        _tools_cost(shaper, config) if purpose == "action" else 0
    )
    system_cost = fixed + count_message_tokens(system, shaper.counter)
    before = system_cost + sum(step_cost(memory, step, summary_mode, shaper.counter) for step in whole)
    if before <= budget:
        return whole_prompt
    layout = _layout(shaper, memory, summary_mode)
    total = layout.truncate_until(budget, system_cost)
    if total > budget and shaper.policy.summarize and await _summarise(shaper, config, run, layout, budget):
        layout = _layout(shaper, memory, summary_mode)
        total = layout.truncate_until(budget, system_cost)
    if total > budget:
        total = layout.drop_until(budget, total)
    messages = layout.render(system)
    await run.bus.emit(
        ContextCompacted(
            run_id=run.run_id,
            step_number=run.step_number,
            purpose=purpose,
            budget=budget,
            tokens_before=before,
            tokens_after=total + count_message_tokens(layout.markers, shaper.counter),
            counter=str(getattr(shaper.counter, "name", type(shaper.counter).__name__)),
            truncated_steps=layout.numbers_with("truncated"),
            summarised_steps=layout.numbers_with("covered"),
            dropped_steps=layout.numbers_with("dropped"),
        )
    )
    return messages


def _estimate(memory: AgentMemory, messages: list[ChatMessage], shaper: ContextShaper) -> int:
    """Estimate the tokens of `messages`, each message's count cached (a step's messages are reused)."""
    costs = _COSTS.setdefault(memory, _Costs()).messages
    total = 0
    for message in messages:
        cached = costs.get(id(message))
        if cached is None or cached[0] is not message:
            cached = costs[id(message)] = (message, count_message_tokens([message], shaper.estimator))
        total += cached[1]
    return total


def _tools_cost(shaper: ContextShaper, config: AgentConfig) -> int:
    """Tokens the tool definitions take in a tool-calling request (counted once per configuration)."""
    if not isinstance(config.action, ToolCallingAction):
        return 0
    cached = getattr(shaper, "_tools_cost", None)
    if cached is None:
        from ..models.base import get_tool_json_schema

        schemas = [get_tool_json_schema(tool) for tool in config.callable_list if hasattr(tool, "inputs")]
        cached = shaper.counter.count(json.dumps(schemas)) + MESSAGE_OVERHEAD
        shaper._tools_cost = cached  # type: ignore[attr-defined]  # a cache the shaper carries
    return int(cached)


async def _summarise(
    shaper: ContextShaper, config: AgentConfig, run: RunState, layout: _Layout, budget: int
) -> bool:
    """Have the model summarise the steps that may be cut, in chunks that fit; False if it could not."""
    pending = [i for i in layout.candidates() if i < layout.tail_start]
    previous = layout.summary
    made = False
    # The request holds the instructions, the notes so far and the steps; the budget already
    # leaves room for the reply.
    chunk_limit = max(budget * 3 // 4 - (layout.cost_of_summary(previous) if previous else 0), budget // 4)
    while pending:
        chunk: list[int] = []
        used = 0
        for index in pending:
            cost = _chunk_cost(layout, index, chunk_limit)
            if chunk and used + cost > chunk_limit:
                break
            chunk.append(index)
            used += cost
        pending = pending[len(chunk) :]
        summary = await _summarise_chunk(config, run, layout, chunk, previous, chunk_limit)
        if summary is None:
            return made
        previous, made = summary, True
        chunk_limit = max(budget * 3 // 4 - layout.cost_of_summary(summary), budget // 4)
    return made


def _shown_truncated(layout: _Layout, index: int, limit: int) -> bool:
    """Whether a step goes into a summary request truncated: when it alone takes half the request."""
    return layout.cost(index, "full") > limit // 2 and layout.truncated(index) is not None


def _chunk_cost(layout: _Layout, index: int, limit: int) -> int:
    return layout.cost(index, "truncated" if _shown_truncated(layout, index, limit) else "full")


def _chunk_text(layout: _Layout, chunk: list[int], limit: int) -> str:
    parts: list[str] = []
    for index in chunk:
        truncated = layout.truncated(index) if _shown_truncated(layout, index, limit) else None
        messages = (
            truncated[0]
            if truncated is not None
            else layout.memory.step_messages(layout.steps[index], layout.summary_mode)
        )
        parts.extend(f"[{message.role}] {message.text}" for message in messages)
    return "\n\n".join(parts)


async def _summarise_chunk(
    config: AgentConfig,
    run: RunState,
    layout: _Layout,
    chunk: list[int],
    previous: ContextSummaryStep | None,
    limit: int,
) -> ContextSummaryStep | None:
    templates = layout.shaper.policy.summary_prompt or _load_yaml("context_summary")
    numbers = layout.numbers(chunk)
    first = previous.first_step_number if previous is not None else (numbers[0] if numbers else None)
    variables = {
        "task": run.task,
        "previous_summary": previous.summary if previous is not None else "",
        "previous_last_step": previous.last_step_number if previous is not None else None,
        "first_step": numbers[0] if numbers else None,
        "last_step": numbers[-1] if numbers else None,
        "steps": _chunk_text(layout, chunk, limit),
    }
    messages = [
        ChatMessage(MessageRole.SYSTEM, [{"type": "text", "text": templates["system"]}]),
        ChatMessage(
            MessageRole.USER, [{"type": "text", "text": populate_template(templates["request"], variables)}]
        ),
    ]
    # The summary is a model call of the step that needed it (purpose "summary"), recorded as a
    # `ContextSummaryStep`: no step of its own, so traces and step counts keep their shape.
    timing = Timing.start_now()
    try:
        reply = await ask_model(config, run, "summary", messages)
    except AgentGenerationError:
        return None  # the steps are left out instead; the failure was published as ModelCallFinished
    text = reply.message.text.strip()
    if not text:
        return None
    timing.stop()
    step = ContextSummaryStep(
        summary=text,
        covered_steps=chunk[-1] + 1,
        first_step_number=first,
        last_step_number=numbers[-1] if numbers else (previous.last_step_number if previous else None),
        timing=timing,
        model_input_messages=messages,
        model_output_message=reply.message,
        token_usage=reply.message.token_usage,
    )
    run.memory.steps.append(step)
    await run.bus.emit(step)
    return step
