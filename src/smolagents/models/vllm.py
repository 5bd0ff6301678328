"""`VLLMModel`: a local model run in-process with vLLM's offline engine."""

from __future__ import annotations

import json
from typing import Any

from ._grammar import Grammar
from ._local import Completion, LocalModel, import_engine, probe_template_features

__all__ = ["VLLMModel", "vllm_sampling_options"]

_EXTRA = "vllm"
_OPTION_ALIASES = {"max_new_tokens": "max_tokens", "max_completion_tokens": "max_tokens"}


def vllm_sampling_options(stop_sequences: list[str] | None, options: dict[str, Any]) -> dict[str, Any]:
    """Build the keyword arguments of `vllm.SamplingParams` for one call.

    `response_format` (OpenAI style: ``{"type": "json_schema", "json_schema": {"schema": ...}}``
    or ``{"type": "json_object"}``) becomes a ``structured_outputs`` request, returned under that
    key as a plain dict (the caller wraps it in vLLM's params class); the rest passes through,
    with ``max_new_tokens`` spelled as vLLM's ``max_tokens``.

    Raises:
        ValueError: For a `response_format` of an unknown type.
    """
    sampling: dict[str, Any] = {"max_tokens": None}  # None: until end of text or context, not vLLM's 16
    for key, value in options.items():
        if key == "response_format":
            sampling["structured_outputs"] = _structured_outputs(value)
        elif key == "grammar":
            sampling["structured_outputs"] = _grammar_outputs(value)
        else:
            sampling[_OPTION_ALIASES.get(key, key)] = value
    if stop_sequences:
        sampling["stop"] = list(stop_sequences)
    return sampling


def _grammar_outputs(grammar: Grammar) -> dict[str, Any]:
    """Map a structured-generation grammar to vLLM's structured outputs (Lark needs its guidance backend)."""
    if grammar.kind == "lark":
        return {"grammar": grammar.text}
    return {"json": json.loads(grammar.text)}


def _structured_outputs(response_format: dict[str, Any]) -> dict[str, Any]:
    kind = response_format.get("type")
    if kind == "json_schema":
        schema = response_format.get("json_schema", {})
        return {"json": schema.get("schema", schema)}
    if kind == "json_object":
        return {"json_object": True}
    raise ValueError(
        f"Unsupported response_format type {kind!r}: use {{'type': 'json_schema', 'json_schema': "
        "{'schema': {...}}} or {'type': 'json_object'}."
    )


class VLLMModel(LocalModel):
    """A model run locally with vLLM (offline `LLM` engine, GPU or CPU build).

    Args:
        model_id: A Hub id or local directory vLLM can load.
        model_kwargs: Extra keyword arguments for `vllm.LLM` (e.g. ``max_model_len``, ``dtype``).
        apply_chat_template_kwargs: Extra keyword arguments for the chat template.
        structured_generation: Constrain replies with a grammar when the agent asks for a code
            action, a tool call or a `response_format` (vLLM's structured outputs; code actions
            use a Lark grammar, which needs vLLM's ``guidance`` backend). Off by default:
            `response_format` is honoured either way.
        **kwargs: Sampling options forwarded to every call (``temperature``, ``top_p``,
            ``max_tokens``...); per-call options win and `REMOVE_PARAMETER` drops one.

    Raises:
        ImportError: When vLLM is missing (install `smolagents[vllm]`).
    """

    supports_streaming = False
    supports_response_format = True
    _config_fields = ("model_kwargs", "apply_chat_template_kwargs", "structured_generation")

    def __init__(
        self,
        model_id: str,
        model_kwargs: dict[str, Any] | None = None,
        apply_chat_template_kwargs: dict[str, Any] | None = None,
        structured_generation: bool = False,
        **kwargs: Any,
    ) -> None:
        self._vllm = import_engine("vllm", _EXTRA, "VLLMModel")
        self.structured_generation = structured_generation
        flatten = kwargs.pop("flatten_messages_as_text", False)
        super().__init__(flatten_messages_as_text=flatten, model_id=model_id, **kwargs)
        self.model_kwargs = dict(model_kwargs or {})
        self.apply_chat_template_kwargs = dict(apply_chat_template_kwargs or {})
        self.model = self._vllm.LLM(model=model_id, **self.model_kwargs)
        self.tokenizer = self.model.get_tokenizer()
        self.template_features = probe_template_features(self.tokenizer)

    def _complete(self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]) -> Completion:
        """Generate with `LLM.generate`; vLLM applies the stop sequences itself."""
        sampling = vllm_sampling_options(stop_sequences, options)
        if "structured_outputs" in sampling:
            sampling["structured_outputs"] = self._vllm.sampling_params.StructuredOutputsParams(
                **sampling["structured_outputs"]
            )
        params = self._vllm.SamplingParams(**sampling)
        (result,) = self.model.generate([prompt], sampling_params=params, use_tqdm=False)
        output = result.outputs[0]
        return Completion(
            text=output.text,
            input_tokens=len(result.prompt_token_ids or ()),
            output_tokens=len(output.token_ids),
        )
