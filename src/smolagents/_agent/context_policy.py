"""The context policy: how an agent keeps its prompt within the tokens its model can read.

Memory stays whole; the policy only shapes the prompt built from it. When the next prompt would
exceed the budget, it cuts in this order, oldest steps first, and never touches the system
prompt, the latest task, the latest plan or the last `keep_last_steps` action steps:

1. truncate the observations of older steps (a marker says how much was cut);
2. have the model summarise the older steps (`ContextSummaryStep` in memory, shown in the prompt
   in place of the steps it covers);
3. leave older steps out (a marker names them).

Each cut prompt is announced by a `ContextCompacted` event; the prompt the model received is
recorded on its step (`model_input_messages`), so memory shows what the model saw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._messages import ChatMessage
from ..models._tokens import EstimatedTokenCounter, TokenCounter, context_window_for, token_counter_for

if TYPE_CHECKING:
    from .config import AgentConfig
    from .run_state import RunState

__all__ = ["ContextPolicy", "ContextShaper", "make_shaper", "prompt_messages", "resolve_context_policy"]

_DEFAULT_RESERVE_CAP = 4096
_REPLY_OPTIONS = ("max_new_tokens", "max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class ContextPolicy:
    """How an agent keeps its prompts within a token budget.

    Args:
        budget: Tokens a prompt may take. None: the model's known context window minus
            `reply_reserve`; when the window is unknown too, prompts are not cut.
        reply_reserve: Tokens kept free for the reply when the budget comes from the window.
            Default: the model's ``max_new_tokens``/``max_tokens`` setting, else a quarter of the
            window (at most 4096).
        keep_last_steps: Action steps at the end of the history that are always shown whole.
        observation_tokens: Tokens an older observation keeps when it is truncated (its start
            and its end).
        summarize: Have the model summarise older steps before leaving any out.
        counter: Counts tokens (anything with ``count(text) -> int`` and a ``name``). Default:
            the model's tokenizer where we can run it, else an estimate (see `models._tokens`).
        summary_prompt: Templates of the summary request, a dict with ``system`` and ``request``
            (Jinja2; see ``prompts/context_summary.yaml``). Default: ours.
        enabled: False turns the policy off: prompts hold the whole memory, as in smolagents 1.26.
    """

    budget: int | None = None
    reply_reserve: int | None = None
    keep_last_steps: int = 3
    observation_tokens: int = 256
    summarize: bool = True
    counter: TokenCounter | None = None
    summary_prompt: dict[str, str] | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        for name in ("budget", "reply_reserve"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"ContextPolicy {name} must be a positive number of tokens, got {value!r}.")
        if self.keep_last_steps < 0 or self.observation_tokens < 16:
            raise ValueError(
                "ContextPolicy needs keep_last_steps >= 0 and observation_tokens >= 16, got "
                f"{self.keep_last_steps} and {self.observation_tokens}."
            )
        if self.counter is not None and not callable(getattr(self.counter, "count", None)):
            raise TypeError("ContextPolicy counter must have a count(text) -> int method.")

    @classmethod
    def off(cls) -> ContextPolicy:
        """A policy that never cuts: every prompt holds the whole memory."""
        return cls(enabled=False)


def resolve_context_policy(value: int | ContextPolicy | None) -> ContextPolicy:
    """Return the policy an agent's `context_budget` argument asks for.

    Raises:
        TypeError: For anything but None, a positive int or a `ContextPolicy`.
    """
    if value is None:
        return ContextPolicy()
    if isinstance(value, ContextPolicy):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return ContextPolicy(budget=value)
    raise TypeError(
        "context_budget must be a number of tokens (e.g. 8000), a ContextPolicy, or None for the "
        f"model's context window; got {type(value).__name__}."
    )


class ContextShaper:
    """A policy bound to one model: its budget and token counter, resolved on first use."""

    def __init__(self, policy: ContextPolicy, model: Any) -> None:
        self.policy = policy
        self.model = model
        self._counter: TokenCounter | None = policy.counter
        self.estimator: TokenCounter = EstimatedTokenCounter()

    @property
    def budget(self) -> int | None:
        """Tokens a prompt may take, or None when no budget applies.

        Read at each call (cheap): a model's window may be set after the agent was made.
        """
        return self._find_budget()

    @property
    def counter(self) -> TokenCounter:
        """The counter of the policy, or the model's (made when first needed: it may load a tokenizer)."""
        if self._counter is None:
            self._counter = token_counter_for(self.model)
        return self._counter

    def _find_budget(self) -> int | None:
        if self.policy.budget is not None:
            return self.policy.budget
        window = context_window_for(self.model)
        if window is None:
            return None
        reserve = self.policy.reply_reserve or self._reply_tokens() or min(_DEFAULT_RESERVE_CAP, window // 4)
        return max(window - reserve, math.ceil(window / 4))

    def _reply_tokens(self) -> int | None:
        model = self.model
        settings = {**dict(getattr(model, "kwargs", None) or {}), **getattr(model, "__dict__", {})}
        for name in _REPLY_OPTIONS:
            value = settings.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        return None


def make_shaper(policy: ContextPolicy | None, model: Any) -> ContextShaper | None:
    """Bind `policy` to `model`, or return None when the policy is off."""
    if policy is None or not policy.enabled:
        return None
    return ContextShaper(policy, model)


async def prompt_messages(
    config: AgentConfig,
    run: RunState,
    purpose: Any = "action",
    summary_mode: bool = False,
    around: Sequence[ChatMessage] = (),
) -> list[ChatMessage]:
    """Return the memory of `run` as the prompt, cut to the agent's context budget when needed.

    Args:
        around: Messages the caller sends with the memory (a planning or final-answer request):
            they count against the budget too.
    """
    shaper: ContextShaper | None = getattr(config, "context", None)
    if shaper is None or shaper.budget is None:
        return run.memory.to_messages(summary_mode=summary_mode)
    from .context_shaping import shape_prompt

    return await shape_prompt(shaper, config, run, purpose, summary_mode, around)
