"""Counting tokens the way a model counts them, and knowing how many it can read.

A counter is chosen per model (`token_counter_for`):
- local models (`OnnxModel`, `TransformersModel`, vLLM, MLX) count with their own tokenizer;
- `LiteLLMModel` counts with litellm's `token_counter` for its model id;
- OpenAI model ids (``gpt-4o``, ``o3``...) count with `tiktoken` when it is installed and its
  encoding loads (it is downloaded once, then cached);
- anything else is estimated: one token per 3.5 bytes of UTF-8 text, rounded up. English prose
  runs at about 4 bytes per token and code at about 3 with the tokenizers we measured, so the
  estimate errs a little on the high side, which is the safe side for a budget.

Every message also costs `MESSAGE_OVERHEAD` tokens (its role and the chat template's markers),
and every image `IMAGE_TOKENS`: providers charge images by size, which we do not know here.

A model's context window (`context_window_for`) comes from the model itself when it knows it
(a local model's config), litellm's model table for `LiteLLMModel`, or a short table of well-known
model families below; otherwise it is unknown (None).
"""

from __future__ import annotations

import functools
import math
import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .._messages import ChatMessage

__all__ = [
    "IMAGE_TOKENS",
    "MESSAGE_OVERHEAD",
    "EstimatedTokenCounter",
    "TokenCounter",
    "TokenizerCounter",
    "context_window_for",
    "count_message_tokens",
    "known_context_window",
    "model_context_window",
    "token_counter_for",
]

MESSAGE_OVERHEAD = 4
IMAGE_TOKENS = 512


class TokenCounter(Protocol):
    """Something that says how many tokens a text is, and how it knows (`name`)."""

    @property
    def name(self) -> str:
        """Which tokenizer or estimate this is (shown in events and logs)."""
        ...

    def count(self, text: str) -> int:
        """Return the number of tokens of `text`."""
        ...


@dataclass(frozen=True)
class EstimatedTokenCounter:
    """An estimate for models whose tokenizer we cannot run: UTF-8 bytes over `bytes_per_token`."""

    bytes_per_token: float = 3.5
    name: str = "estimate (3.5 bytes per token)"

    def count(self, text: str) -> int:
        """Return the estimated number of tokens of `text`, rounded up."""
        return math.ceil(len(text.encode("utf-8")) / self.bytes_per_token)


class TokenizerCounter:
    """Counts with a tokenizer's `encode` (a `tokenizers.Tokenizer`, a transformers tokenizer,
    an onnxruntime-genai tokenizer, a tiktoken encoding) or any function from text to token ids.

    Args:
        encode: Returns the token ids of a text (a list, an array, or an object with `ids`).
        name: Says which tokenizer this is, for events and logs.
    """

    def __init__(self, encode: Callable[[str], Any], name: str) -> None:
        self._encode = encode
        self.name = name

    def count(self, text: str) -> int:
        """Return the number of tokens of `text`."""
        if not text:
            return 0
        encoded = self._encode(text)
        ids = getattr(encoded, "ids", encoded)  # `tokenizers` returns an Encoding
        return len(ids)


def count_message_tokens(messages: Sequence[ChatMessage], counter: TokenCounter) -> int:
    """Return the tokens `messages` take in a prompt: their text, images and per-message overhead."""
    total = 0
    for message in messages:
        total += MESSAGE_OVERHEAD + counter.count(message.text)
        if isinstance(message.content, list):
            total += IMAGE_TOKENS * sum(1 for part in message.content if part.get("type") == "image")
        for call in message.tool_calls or ():
            total += counter.count(f"{call.function.name} {call.function.arguments}")
    return total


def token_counter_for(model: Any) -> TokenCounter:
    """Return the best counter for `model` (see the module's docstring); never raises."""
    # A model class of the user's that defines `count_tokens` (a plain method: not a mock's).
    method = getattr(type(model), "count_tokens", None)
    if isinstance(method, types.FunctionType) and not _is_base_method(model, "count_tokens"):
        custom = model.count_tokens
        return TokenizerCounter(lambda text: range(int(custom(text))), f"{type(model).__name__}.count_tokens")
    tokenizer = _local_tokenizer(model)
    if tokenizer is not None:
        return TokenizerCounter(_encoder_of(tokenizer), f"tokenizer of {_label(model)}")
    if type(model).__name__ == "LiteLLMModel" and isinstance(model.model_id, str):
        return _litellm_counter(model.model_id)
    model_id = getattr(model, "model_id", None)
    if isinstance(model_id, str) and _OPENAI_ID.match(_bare_id(model_id)):
        counter = _tiktoken_counter(_bare_id(model_id))
        if counter is not None:
            return counter
    return EstimatedTokenCounter()


def _is_base_method(model: Any, name: str) -> bool:
    from .base import Model

    return getattr(type(model), name, None) is getattr(Model, name, None)


def _label(model: Any) -> str:
    return getattr(model, "model_id", None) or type(model).__name__


def _local_tokenizer(model: Any) -> Any:
    # OnnxModel keeps onnxruntime-genai's tokenizer in `_tokenizer` (its `tokenizer` renders the
    # chat template only); the transformers-based engines keep theirs in `tokenizer`.
    from ._local import LocalModel

    if not isinstance(model, LocalModel):
        return None
    for attribute in ("_tokenizer", "tokenizer"):
        tokenizer = getattr(model, attribute, None)
        if callable(getattr(tokenizer, "encode", None)):
            return tokenizer
    return None


def _encoder_of(tokenizer: Any) -> Callable[[str], Any]:
    try:  # transformers tokenizers add special tokens unless told not to
        tokenizer.encode("probe", add_special_tokens=False)
    except TypeError:
        return tokenizer.encode  # type: ignore[no-any-return]  # a duck-typed tokenizer
    return lambda text: tokenizer.encode(text, add_special_tokens=False)


def _litellm_counter(model_id: str) -> TokenCounter:
    try:
        import litellm
    except ImportError:
        return EstimatedTokenCounter()

    def encode(text: str) -> range:
        return range(litellm.token_counter(model=model_id, text=text))

    return TokenizerCounter(encode, f"litellm token_counter ({model_id})")


_OPENAI_ID = re.compile(r"^(gpt-|o\d|chatgpt-|text-davinci|davinci|babbage)")


def _bare_id(model_id: str) -> str:
    """The model's own name, without a provider prefix (``openai/gpt-4o`` -> ``gpt-4o``)."""
    return model_id.rsplit("/", 1)[-1].lower()


def _tiktoken_counter(model_id: str) -> TokenCounter | None:
    try:
        import tiktoken
    except ImportError:
        return None
    try:
        encoding = tiktoken.encoding_for_model(model_id)
    except KeyError:  # a newer id than this tiktoken knows: the current family's encoding
        try:
            encoding = tiktoken.get_encoding("o200k_base")
        except Exception:  # the encoding file could not be fetched (offline)
            return None
    except Exception:  # the encoding file could not be fetched (offline)
        return None
    return TokenizerCounter(encoding.encode_ordinary, f"tiktoken {encoding.name}")


# Context windows of well-known model families, in tokens, matched on the id without its
# provider prefix, first match wins (so more specific patterns come first).
_KNOWN_WINDOWS: tuple[tuple[str, int], ...] = (
    (r"^gpt-4\.1", 1_047_576),
    (r"^gpt-5", 400_000),
    (r"^gpt-4o|^gpt-4-turbo|^chatgpt-4o", 128_000),
    (r"^gpt-4-32k", 32_768),
    (r"^gpt-4", 8_192),
    (r"^gpt-3\.5-turbo", 16_385),
    (r"^o[134](-|$)", 200_000),
    (r"^claude-", 200_000),
    (r"^gemini-(1\.5|2|3)", 1_048_576),
    (r"^qwen2\.5-coder|^qwen2\.5-|^qwq-", 32_768),
    (r"^qwen3", 32_768),
    (r"^(meta-)?llama-3\.[123]", 131_072),
    (r"^deepseek-(chat|reasoner|v3|r1)", 128_000),
    (r"^smollm2", 8_192),
)


def known_context_window(model_id: str | None) -> int | None:
    """Return the context window of a well-known model id (``gpt-4o``, ``Qwen/Qwen2.5-72B-Instruct``)."""
    if not model_id:
        return None
    bare = _bare_id(model_id)
    for pattern, window in _KNOWN_WINDOWS:
        if re.search(pattern, bare):
            return window
    return None


def context_window_for(model: Any) -> int | None:
    """Return how many tokens `model` reads at most, or None when we cannot know.

    A model's own `context_window` wins (our `Model`s have one, and a user may set it).
    """
    value = getattr(model, "context_window", None)
    if isinstance(value, int) and _is_window(value):
        return value
    return model_context_window(model)


def _is_window(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def model_context_window(model: Any) -> int | None:
    """Return the window a model's engine reports, litellm's table says, or our table knows."""
    value = getattr(model, "context_length", None)  # the local engines report it
    if isinstance(value, int) and _is_window(value):
        return value
    model_id = getattr(model, "model_id", None)
    if not isinstance(model_id, str):
        return None
    if type(model).__name__ == "LiteLLMModel":
        window = _litellm_window(model_id)
        if window is not None:
            return window
    return known_context_window(model_id)


@functools.lru_cache(maxsize=64)
def _litellm_window(model_id: str) -> int | None:
    try:
        import litellm

        info = litellm.get_model_info(model_id)
    except Exception:  # litellm missing, or a model its table does not list
        return None
    window = info.get("max_input_tokens") or info.get("max_tokens")
    return int(window) if isinstance(window, int) and window > 0 else None
