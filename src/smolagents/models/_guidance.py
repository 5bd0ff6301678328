"""Grammar-constrained decoding with llguidance, shared by the local engines.

`GuidedDecoder` follows one reply: it masks the logits to the tokens the grammar allows and takes
the tokens the grammar forces. When the token budget is nearly spent it finishes the reply: the
shortest run of closing brackets, quotes and newlines followed by one of the grammar's endings
(e.g. the code block's closing tag) that the grammar accepts is forced, so the reply stays
well-formed.
`GuidanceLogitsProcessor` plugs it into transformers' `generate`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ._grammar import Grammar
from ._local import import_engine

__all__ = ["GuidanceLogitsProcessor", "GuidedDecoder", "GuidanceTokenizer"]

_EXTRA = "embedded"
# Tokens kept in reserve to close a code block before the budget runs out.
_ENDING_RESERVE = 24
# What may close open brackets, strings and lines before an ending, tried shortest first.
_CLOSERS = (")", "]", "}", "\n", '"', "'")
_MAX_CLOSERS = 6


class GuidanceTokenizer:
    """An llguidance tokenizer, built on a background thread (it takes about a second).

    Args:
        build: Returns the `llguidance.LLTokenizer`; runs once, off the caller's thread.
    """

    def __init__(self, build: Callable[[], Any]) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(build,), name="smolagents-guidance", daemon=True
        )
        self._thread.start()

    def _run(self, build: Callable[[], Any]) -> None:
        try:
            self._value = build()
        except BaseException as error:  # re-raised on the thread that needs the tokenizer
            self._error = error

    def get(self) -> Any:
        """Return the tokenizer, waiting for it if it is still being built."""
        self._thread.join()
        if self._error is not None:
            raise RuntimeError(f"Building the grammar tokenizer failed: {self._error}") from self._error
        return self._value


def compile_grammar(grammar: Grammar) -> str:
    """Return llguidance's grammar text for `grammar`."""
    llguidance = import_engine("llguidance", _EXTRA, "Structured generation")
    if grammar.kind == "lark":
        return str(llguidance.LLMatcher.grammar_from_lark(grammar.text))
    # Compact JSON on one line: a small model given free whitespace spends its budget on it.
    compact = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}
    return str(llguidance.LLMatcher.grammar_from_json_schema(grammar.text, overrides=compact))


class GuidedDecoder:
    """The grammar state of one reply.

    Args:
        tokenizer: The `llguidance.LLTokenizer` of the model.
        grammar: What the reply must match.
        budget: Most tokens the reply may have.
    """

    def __init__(self, tokenizer: Any, grammar: Grammar, budget: int) -> None:
        llguidance = import_engine("llguidance", _EXTRA, "Structured generation")
        self.tokenizer = tokenizer
        self.grammar = grammar
        self.matcher: Any = llguidance.LLMatcher(tokenizer, compile_grammar(grammar), log_level=0)
        if self.matcher.is_error():
            raise ValueError(f"The grammar for this request is invalid: {self.matcher.get_error()}")
        self.budget = budget
        self.used = 0
        words = (tokenizer.vocab_size + 31) // 32
        self._bitmask = np.zeros((1, words), dtype=np.int32)
        self._bit_indices = np.arange(32, dtype=np.int32)

    @property
    def is_finished(self) -> bool:
        """Whether the grammar is complete (only the end of the text may follow) or broken."""
        return bool(self.matcher.is_stopped() or self.matcher.is_error())

    def allowed(self, vocabulary: int) -> np.ndarray:
        """Return a boolean array over the first `vocabulary` token ids: True where allowed."""
        from llguidance.numpy import fill_next_token_bitmask

        fill_next_token_bitmask(self.matcher, self._bitmask)
        bits = (self._bitmask[0][:, None] >> self._bit_indices) & 1
        flat = bits.reshape(-1).astype(bool)
        allowed = np.zeros(vocabulary, dtype=bool)
        size = min(vocabulary, flat.size)
        allowed[:size] = flat[:size]
        return allowed

    @property
    def is_closing(self) -> bool:
        """Whether the budget is nearly spent: the reply is to be finished now."""
        return self.budget - self.used <= min(_ENDING_RESERVE, self.budget // 3)

    def mask(self, logits: np.ndarray) -> np.ndarray:
        """Return `logits` (1-D) with the tokens the grammar forbids set to -inf."""
        allowed = self.allowed(logits.shape[-1])
        return np.where(allowed, logits, np.float32(-np.inf)).astype(logits.dtype, copy=False)

    def forced(self) -> list[int]:
        """Return the tokens the grammar forces next (possibly none), or an ending near the budget."""
        left = self.budget - self.used
        if self.is_closing and self.grammar.endings:
            ending = self._fitting_ending(left)
            if ending:
                return ending
        return [int(token) for token in self.matcher.compute_ff_tokens()][: max(left, 0)]

    def _fitting_ending(self, left: int) -> list[int]:
        """Return the shortest closers + ending the grammar accepts within `left` tokens, or []."""
        endings = [self.tokenizer.tokenize_str(ending) for ending in self.grammar.endings]
        closers = [self.tokenizer.tokenize_str(closer) for closer in _CLOSERS]
        prefixes: list[list[int]] = [[]]
        for _ in range(_MAX_CLOSERS + 1):
            for prefix in prefixes:
                for ending in endings:
                    candidate = prefix + ending
                    if len(candidate) <= left and self._completes(candidate):
                        return [int(token) for token in candidate]
            # Only runs the grammar accepts so far are extended, which keeps the search small.
            prefixes = [
                prefix + closer
                for prefix in prefixes
                for closer in closers
                if self.matcher.validate_tokens(prefix + closer) == len(prefix + closer)
            ]
        return []

    def _completes(self, tokens: list[int]) -> bool:
        """Whether the grammar accepts `tokens` next and is complete after them."""
        if self.matcher.validate_tokens(tokens) != len(tokens):
            return False
        trial = self.matcher.deep_copy()
        trial.consume_tokens(tokens)
        return bool(trial.is_accepting())

    def consume(self, tokens: list[int]) -> None:
        """Advance the grammar over generated tokens."""
        self.used += len(tokens)
        self.matcher.consume_tokens(tokens)


class GuidanceLogitsProcessor:
    """A transformers logits processor that keeps one reply (batch of one) within a grammar.

    It reads the tokens generated since its last call, advances the grammar, then masks the
    scores. When the grammar is complete only the end-of-text token is left.
    """

    def __init__(self, decoder: GuidedDecoder, prompt_length: int, eos_token_id: int) -> None:
        self.decoder = decoder
        self.prompt_length = prompt_length
        self.eos_token_id = eos_token_id
        self._seen = prompt_length

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        new = [int(token) for token in input_ids[0, self._seen :].tolist()]
        self._seen = int(input_ids.shape[1])
        if new:
            self.decoder.consume(new)
        if self.decoder.is_finished:
            allowed = np.zeros(scores.shape[-1], dtype=bool)
            allowed[self.eos_token_id] = True
        else:
            forced = self.decoder.forced()
            if forced:
                allowed = np.zeros(scores.shape[-1], dtype=bool)
                allowed[forced[0]] = True
            else:
                allowed = self.decoder.allowed(scores.shape[-1])
        keep = torch.from_numpy(allowed).to(scores.device)
        return scores.masked_fill(~keep, float("-inf"))
