"""Building a model from command-line settings, with errors a person at a terminal can act on."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models.base import Model

__all__ = [
    "DEFAULT_HUB_MODEL_ID",
    "FIREWORKS_API_BASE",
    "MODEL_TYPES",
    "CommandLineError",
    "default_model",
    "has_hub_token",
    "load_model",
]

DEFAULT_HUB_MODEL_ID = "Qwen/Qwen3-Next-80B-A3B-Thinking"
FIREWORKS_API_BASE = "https://api.fireworks.ai/inference/v1"
# Tokens one step of the embedded model may generate on the command line. The small model often
# repeats itself until its budget runs out; a step needs far fewer, and a confused run then ends in
# a minute or two on a laptop CPU rather than in a quarter of an hour.
EMBEDDED_MAX_NEW_TOKENS = 512
MODEL_TYPES = (
    "InferenceClientModel",
    "OpenAIModel",
    "OpenAIServerModel",
    "LiteLLMModel",
    "TransformersModel",
)


class CommandLineError(ValueError):
    """A setting given on the command line cannot work; the message says how to fix it."""


def has_hub_token(api_key: str | None = None) -> bool:
    """Return whether a Hugging Face token is available: given, in the environment, or stored by `hf auth login`."""
    if api_key or os.environ.get("HF_TOKEN") or os.environ.get("HF_API_KEY"):
        return True
    try:
        from huggingface_hub import get_token
    except ImportError:  # without the hf extra there is no stored token to find
        return False
    return get_token() is not None


def load_model(
    model_type: str,
    model_id: str | None,
    api_base: str | None = None,
    api_key: str | None = None,
    provider: str | None = None,
) -> Model:
    """Build the model named by `model_type` (a class name such as ``"InferenceClientModel"``).

    Args:
        model_type: One of `MODEL_TYPES`.
        model_id: The model to use; None picks the type's default (for TransformersModel, the
            embedded SmolLM2 weights).
        api_base: The server URL, for API models.
        api_key: The key for the API (default: the provider's environment variable).
        provider: The inference provider, for InferenceClientModel.

    Raises:
        CommandLineError: The type is unknown or its key is missing.
    """
    if model_type in ("OpenAIModel", "OpenAIServerModel"):
        if not model_id:
            raise CommandLineError(f"{model_type} needs a model: pass --model-id, e.g. --model-id gpt-4o.")
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key and api_base is None and os.environ.get("FIREWORKS_API_KEY"):
            # 1.26's command sends OpenAIModel to Fireworks by default: keep that for its users.
            key, api_base = os.environ["FIREWORKS_API_KEY"], FIREWORKS_API_BASE
        if not key and api_base is None:
            raise CommandLineError(
                f"{model_type} needs an API key: pass --api-key or set OPENAI_API_KEY (or FIREWORKS_API_KEY "
                "for Fireworks), or point --api-base at a server that needs none."
            )
        # Servers of one's own often need no key, but the OpenAI client insists on one.
        from ..models.openai import OpenAIModel

        return OpenAIModel(model_id=model_id, api_base=api_base, api_key=key or "not-needed")
    if model_type == "LiteLLMModel":
        model_id = model_id or "gpt-4o"
        _check_litellm_key(model_id, api_key, api_base)
        from ..models.litellm import LiteLLMModel

        return LiteLLMModel(model_id=model_id, api_key=api_key, api_base=api_base)
    if model_type == "TransformersModel":
        from ..models.transformers import TransformersModel

        return TransformersModel(model_id=model_id or None)  # None: the embedded SmolLM2 weights
    if model_type == "InferenceClientModel":
        if api_base is None and not has_hub_token(api_key):
            raise CommandLineError(
                "InferenceClientModel needs a Hugging Face token: pass --api-key, set HF_TOKEN, or run "
                "`hf auth login` (or drop --model-type to run the embedded local model)."
            )
        token = api_key or os.environ.get("HF_API_KEY") or os.environ.get("HF_TOKEN")
        from ..models.inference_client import InferenceClientModel

        return InferenceClientModel(
            model_id=model_id or DEFAULT_HUB_MODEL_ID, token=token, provider=provider, base_url=api_base
        )
    raise CommandLineError(f"Unsupported model type: {model_type}; use one of {', '.join(MODEL_TYPES)}.")


def default_model() -> Model:
    """Return the library's default model (the embedded local one, offline), with a short token budget."""
    from .._agent.configuration import default_model as configured_default

    model = configured_default()
    budget = getattr(model, "max_new_tokens", None)
    if isinstance(budget, int):
        model.max_new_tokens = min(budget, EMBEDDED_MAX_NEW_TOKENS)  # type: ignore[attr-defined]  # checked above
    return model


def _check_litellm_key(model_id: str, api_key: str | None, api_base: str | None) -> None:
    if api_key or api_base:
        return
    import litellm

    report: dict[str, Any] = litellm.validate_environment(model=model_id)
    missing = report.get("missing_keys") or []
    if not report.get("keys_in_environment", True) and missing:
        raise CommandLineError(
            f"LiteLLMModel {model_id!r} needs an API key: pass --api-key or set {' or '.join(missing)}."
        )
