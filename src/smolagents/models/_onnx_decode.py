"""The decoding loop of `OnnxModel`: prefix-cached generator, sampling, grammar, stop sequences.

onnxruntime-genai runs the network and keeps the key/value cache; we pick each token ourselves
from its logits. That keeps one generator alive across calls (an agent's next prompt starts
with the previous one, so only the new tokens are read: `rewind_to` the shared prefix), whatever
grammar each call uses.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._guidance import GuidedDecoder

__all__ = ["PrefixCachedGenerator", "Sampler", "decode_tokens"]

# Reusing fewer tokens than this is not worth keeping a generator alive for.
_MIN_REUSED_TOKENS = 16
# The key/value cache is allocated for a whole sequence up front: start with room for this many
# tokens and double when a call needs more (the full 8k context would take ~380 MB for SmolLM2).
_MIN_CAPACITY = 2048
_SAMPLING_OPTIONS = {"temperature", "top_p", "top_k", "do_sample", "seed"}


@dataclass
class Sampler:
    """Picks the next token from logits: greedy by default, sampled when asked (OpenAI semantics)."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    do_sample: bool | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        self._random = np.random.default_rng(self.seed)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Sampler:
        """Build a sampler from the sampling keys of `options`."""
        return cls(**{key: options[key] for key in _SAMPLING_OPTIONS if key in options})

    @property
    def is_greedy(self) -> bool:
        """Whether the most likely token is always taken."""
        if self.do_sample is not None:
            return not self.do_sample
        return not self.temperature  # None or 0: greedy, as OpenAI's temperature 0

    def pick(self, logits: np.ndarray) -> int:
        """Return the chosen token id from 1-D `logits`."""
        if self.is_greedy:
            return int(np.argmax(logits))
        scaled = logits.astype(np.float64) / max(self.temperature or 1.0, 1e-5)
        if self.top_k:
            cutoff = np.partition(scaled, -self.top_k)[-self.top_k]
            scaled = np.where(scaled < cutoff, -np.inf, scaled)
        probabilities = np.exp(scaled - np.max(scaled))
        probabilities /= probabilities.sum()
        if self.top_p is not None and self.top_p < 1:
            order = np.argsort(-probabilities)
            cumulative = np.cumsum(probabilities[order])
            keep = order[: int(np.searchsorted(cumulative, self.top_p)) + 1]
            trimmed = np.zeros_like(probabilities)
            trimmed[keep] = probabilities[keep]
            probabilities = trimmed / trimmed.sum()
        return int(self._random.choice(probabilities.size, p=probabilities))


class PrefixCachedGenerator:
    """One onnxruntime-genai generator kept across calls, with the tokens its cache holds.

    Args:
        og: The `onnxruntime_genai` module.
        model: The loaded `og.Model`.
        max_length: The longest sequence (prompt and reply) the model can attend to.
    """

    def __init__(self, og: Any, model: Any, max_length: int) -> None:
        self.og = og
        self.model = model
        self.max_length = max_length
        self.capacity = 0  # the longest sequence the current generator can hold
        self.generator: Any = None
        self.tokens: list[int] = []
        self.enabled = True

    def start(self, prompt: list[int], budget: int) -> int:
        """Make the generator hold `prompt` and its logits, with room for `budget` more tokens.

        Returns:
            How many prompt tokens came from the cache.
        """
        needed = len(prompt) + budget
        reusable = self.enabled and self.generator is not None and needed <= self.capacity
        shared = _shared_prefix(self.tokens, prompt) if reusable else 0
        shared = min(shared, len(prompt) - 1)  # at least one token must be read to get logits
        try:
            if shared >= _MIN_REUSED_TOKENS:
                if shared < len(self.tokens):
                    self.generator.rewind_to(shared)
                    self.tokens = self.tokens[:shared]
            else:
                shared = 0
                self._new_generator(needed)
            self.append(prompt[shared:])
        except Exception:
            self.reset()
            raise
        return shared

    def _new_generator(self, needed: int) -> None:
        self.generator = None  # free the old cache before allocating a new one
        capacity = max(_MIN_CAPACITY, self.capacity)
        while capacity < needed:
            capacity *= 2
        self.capacity = min(capacity, self.max_length)
        params = self.og.GeneratorParams(self.model)
        params.set_search_options(max_length=self.capacity)
        self.generator = self.og.Generator(self.model, params)
        self.tokens = []

    def append(self, tokens: list[int]) -> None:
        """Feed tokens to the network (their logits become available)."""
        if not tokens:
            return
        try:
            self.generator.append_tokens(np.asarray(tokens, dtype=np.int32))
        except Exception:
            self.reset()
            raise
        self.tokens.extend(tokens)

    def logits(self) -> np.ndarray:
        """Return the logits after the last token fed (1-D)."""
        logits: np.ndarray = np.asarray(self.generator.get_logits(), dtype=np.float32)[0, -1]
        return logits

    def reset(self) -> None:
        """Drop the generator and its cache (after an error, the state is unknown)."""
        self.generator = None
        self.tokens = []


def _shared_prefix(first: list[int], second: list[int]) -> int:
    shared = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        shared += 1
    return shared


def decode_tokens(
    state: PrefixCachedGenerator,
    sampler: Sampler,
    budget: int,
    end_tokens: set[int],
    decoder: GuidedDecoder | None,
) -> Generator[list[int], None, None]:
    """Yield the reply's tokens, one batch at a time, until an end token, the grammar's end or `budget`.

    Forced tokens (the grammar leaves one choice) come in one batch and are read by the network
    in one pass. The last batch is not fed to the network: nothing reads its logits, and the
    next call's prefix match sees exactly the tokens the cache holds.
    """
    used = 0
    pending: list[int] = []
    while used < budget:
        state.append(pending)
        if decoder is not None and decoder.is_finished:
            return
        batch = decoder.forced() if decoder is not None else []
        if not batch:
            logits = state.logits()
            if decoder is not None:
                logits = decoder.mask(logits)
                if not np.isfinite(logits).any():
                    return  # the grammar allows nothing more: the reply is complete
            token = sampler.pick(logits)
            if token in end_tokens:
                return
            batch = [token]
        batch = batch[: budget - used]
        if decoder is not None:
            decoder.consume(batch)
        used += len(batch)
        pending = batch
        yield batch
