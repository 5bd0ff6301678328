"""`MLXModel`: a local model run with mlx-lm on Apple silicon."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from ._local import Completion, LocalModel, import_engine, probe_template_features
from ._stops import cut_at_stop_sequences

__all__ = ["MLXModel", "mlx_generation_options"]

_EXTRA = "mlx-lm"
_DEFAULT_MAX_TOKENS = 4096
_OPTION_ALIASES = {"max_new_tokens": "max_tokens", "max_completion_tokens": "max_tokens"}
# OpenAI-style sampling options that mlx-lm takes through a sampler object instead.
_SAMPLER_OPTIONS = {"temperature": "temp", "top_p": "top_p", "min_p": "min_p", "top_k": "top_k"}


def mlx_generation_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split call options into `stream_generate` keyword arguments and `make_sampler` ones.

    Returns:
        The generation keyword arguments (always with ``max_tokens``) and the sampler keyword
        arguments (empty when no sampling option was given).
    """
    generation: dict[str, Any] = {"max_tokens": _DEFAULT_MAX_TOKENS}
    sampler: dict[str, Any] = {}
    for key, value in options.items():
        if key in _SAMPLER_OPTIONS:
            sampler[_SAMPLER_OPTIONS[key]] = value
        else:
            generation[_OPTION_ALIASES.get(key, key)] = value
    return generation, sampler


class MLXModel(LocalModel):
    """A model run locally with mlx-lm (Apple silicon).

    Args:
        model_id: A Hub id or local directory of an MLX model.
        trust_remote_code: Allow tokenizer code from the Hub repository to run.
        load_kwargs: Extra keyword arguments for `mlx_lm.load`.
        apply_chat_template_kwargs: Extra keyword arguments for the chat template.
        **kwargs: Generation options forwarded to every call (``max_tokens``, ``temperature``,
            ``top_p``...); per-call options win and `REMOVE_PARAMETER` drops one.

    Raises:
        ImportError: When mlx-lm is missing (install `smolagents[mlx-lm]`).
    """

    _config_fields = ("trust_remote_code", "load_kwargs", "apply_chat_template_kwargs")

    def __init__(
        self,
        model_id: str,
        trust_remote_code: bool = False,
        load_kwargs: dict[str, Any] | None = None,
        apply_chat_template_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._mlx_lm = import_engine("mlx_lm", _EXTRA, "MLXModel")
        flatten = kwargs.pop("flatten_messages_as_text", False)
        super().__init__(flatten_messages_as_text=flatten, model_id=model_id, **kwargs)
        self.trust_remote_code = trust_remote_code
        self.load_kwargs = dict(load_kwargs or {})
        self.apply_chat_template_kwargs = dict(apply_chat_template_kwargs or {})
        self.model, self.tokenizer = self._mlx_lm.load(
            model_id, tokenizer_config={"trust_remote_code": trust_remote_code}, **self.load_kwargs
        )
        self.template_features = probe_template_features(self.tokenizer)

    def _complete(self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]) -> Completion:
        """Generate by joining the stream (mlx-lm has no separate batch call worth using)."""
        pieces: list[str] = []
        for piece in self._complete_stream(prompt, stop_sequences, options):
            if isinstance(piece, Completion):
                return Completion("".join(pieces), piece.input_tokens, piece.output_tokens)
            pieces.append(piece)
        raise AssertionError("the stream always ends with a Completion")  # pragma: no cover

    def _complete_stream(
        self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]
    ) -> Generator[str | Completion, None, None]:
        """Yield mlx-lm's text pieces; stop generating once a stop sequence has appeared."""
        generation, sampler = mlx_generation_options(options)
        if sampler:
            sample_utils = import_engine("mlx_lm.sample_utils", _EXTRA, "MLXModel")
            generation["sampler"] = sample_utils.make_sampler(**sampler)
        text = ""
        input_tokens = output_tokens = 0
        for response in self._mlx_lm.stream_generate(self.model, self.tokenizer, prompt=prompt, **generation):
            input_tokens, output_tokens = response.prompt_tokens, response.generation_tokens
            text += response.text
            yield response.text
            # mlx-lm takes no stop strings: end the loop ourselves (the caller trims the text).
            if stop_sequences and cut_at_stop_sequences(text, stop_sequences) != text:
                break
        yield Completion(text="", input_tokens=input_tokens, output_tokens=output_tokens)
