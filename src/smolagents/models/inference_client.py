"""Hugging Face Inference Providers (and OpenAI-compatible endpoints), through `huggingface_hub`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._chat_completions import ChatCompletionsModel
from ._retry import ProviderFailure, failure_from_status, parse_retry_after
from .base import ModelRequest

if TYPE_CHECKING:
    pass

__all__ = ["InferenceClientModel"]

DEFAULT_MODEL_ID = "Qwen/Qwen2.5-Coder-32B-Instruct"

# Keyword arguments `InferenceClient.chat_completion` takes; anything else goes in `extra_body`.
_CHAT_COMPLETION_PARAMETERS = frozenset(
    {
        "messages",
        "model",
        "stream",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "max_tokens",
        "n",
        "presence_penalty",
        "response_format",
        "seed",
        "stop",
        "stream_options",
        "temperature",
        "tool_choice",
        "tool_prompt",
        "tools",
        "top_logprobs",
        "top_p",
        "extra_body",
    }
)


def _import_hub() -> Any:
    try:
        import huggingface_hub
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "InferenceClientModel needs huggingface_hub: install it with `pip install 'smolagents[hf]'`."
        ) from error
    return huggingface_hub


class InferenceClientModel(ChatCompletionsModel):
    """A model served by Hugging Face Inference Providers, or by any endpoint given as `base_url`.

    Args:
        model_id: A Hub model id (default ``"Qwen/Qwen2.5-Coder-32B-Instruct"``).
        provider: An Inference Provider (``"together"``, ``"sambanova"``, ...); by default the
            Hugging Face router picks one.
        token: A Hugging Face token (or the provider's key); defaults to HF_TOKEN.
        timeout: Seconds to wait for an answer.
        client_kwargs: More arguments for `InferenceClient(...)` (e.g. ``headers``).
        custom_role_conversions: Role mapping for models that accept only some roles.
        api_key: Alias of `token`.
        bill_to: Organization to bill, for Enterprise Hub organizations.
        base_url: An OpenAI-compatible endpoint to call instead of the router
            (``/v1/chat/completions`` is appended).
        **kwargs: Forwarded to every `chat_completion` call (``temperature``, ``max_tokens``, ...;
            others go in ``extra_body``), or to `ApiModel` (``requests_per_minute``, ``retry``).
    """

    provider_name = "hf-inference-providers"
    api_key_hint = "pass token=... or set the HF_TOKEN environment variable to a valid Hugging Face token"

    def __init__(
        self,
        model_id: str = DEFAULT_MODEL_ID,
        provider: str | None = None,
        token: str | None = None,
        timeout: float = 120,
        client_kwargs: dict[str, Any] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        api_key: str | None = None,
        bill_to: str | None = None,
        base_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        if token is not None and api_key is not None and token != api_key:
            raise ValueError(
                "Received both `token` and `api_key` arguments. They are aliases (api_key as in OpenAI's client): pass only one."
            )
        _import_hub()
        self.provider = provider
        self.token = token if token is not None else api_key
        self.timeout = timeout
        self.bill_to = bill_to
        self.base_url = base_url
        self.client_kwargs = dict(client_kwargs or {})
        super().__init__(model_id=model_id, custom_role_conversions=custom_role_conversions, **kwargs)

    def _client_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "provider": self.provider,
            "token": self.token,
            "timeout": self.timeout,
            "bill_to": self.bill_to,
        }
        # The SDK takes a model or an endpoint URL, not both; the model then travels in the body.
        if self.base_url is not None:
            arguments["base_url"] = self.base_url
        else:
            arguments["model"] = self.model_id
        arguments.update(self.client_kwargs)
        return arguments

    def create_client(self) -> Any:
        """Build a `huggingface_hub.InferenceClient`."""
        return _import_hub().InferenceClient(**self._client_arguments())

    def create_async_client(self) -> Any:
        """Build a `huggingface_hub.AsyncInferenceClient`."""
        return _import_hub().AsyncInferenceClient(**self._client_arguments())

    def _build_request(self, request: ModelRequest) -> dict[str, Any]:
        """Assemble a `chat_completion` call; parameters it does not name go in ``extra_body``."""
        wire = super()._build_request(request)
        extra = {key: wire.pop(key) for key in list(wire) if key not in _CHAT_COMPLETION_PARAMETERS}
        if extra:
            wire["extra_body"] = {**extra, **wire.get("extra_body", {})}
        return wire

    def _router_token_problem(self) -> str | None:
        """Why the Hugging Face router would refuse our token, or None when it looks usable."""
        calls_router = self.base_url is None and self.provider in (None, "auto")
        if not calls_router or (self.model_id or "").startswith(("http://", "https://")):
            return None  # an endpoint of the user's own, or a named provider that may take its own key
        token = self.token if self.token is not None else _import_hub().get_token()
        if not token:
            return "no Hugging Face token was found"
        if not token.startswith("hf_"):
            return "the Hugging Face router takes only Hugging Face tokens (hf_...); for a provider's own key, also pass provider=..."
        return None

    def _send(self, client: Any, request: dict[str, Any]) -> Any:
        return client.chat_completion(**request)

    async def _asend(self, client: Any, request: dict[str, Any]) -> Any:
        return await client.chat_completion(**request)

    def _raw(self, response: Any) -> Any:
        return dict(response)  # huggingface_hub's output types are dicts

    def _classify_error(self, error: BaseException) -> ProviderFailure | None:
        failure = classify_hub_error(error)
        # The SDK refuses a missing token with a bare ValueError, the router a bad one with a 401:
        # either way, say what is wrong with the token and how to fix it.
        if (failure is None and isinstance(error, ValueError)) or (
            failure is not None and failure.kind == "auth"
        ):
            problem = self._router_token_problem()
            if problem is not None:
                return ProviderFailure("auth", detail=problem)
        return failure

    def _settings(self) -> dict[str, Any]:
        settings = {
            "provider": self.provider,
            "timeout": self.timeout,
            "bill_to": self.bill_to,
            "base_url": self.base_url,
        }
        return {key: value for key, value in settings.items() if value is not None}


def classify_hub_error(error: BaseException) -> ProviderFailure | None:
    """Classify exceptions of `huggingface_hub` inference calls and of httpx beneath them."""
    import httpx
    from huggingface_hub import errors

    if isinstance(error, errors.OfflineModeIsEnabled):  # HF_HUB_OFFLINE=1: retrying cannot help
        return ProviderFailure("other", detail=str(error))
    if isinstance(error, (errors.InferenceTimeoutError, httpx.TimeoutException)):
        return ProviderFailure("timeout", detail="no answer before the client timeout")
    if isinstance(error, errors.HfHubHTTPError):
        response = error.response
        return failure_from_status(
            response.status_code,
            detail=_hub_error_detail(response),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    if isinstance(error, errors.OverloadedError):
        return ProviderFailure("server", detail=f"the model is overloaded: {error}")
    if isinstance(error, errors.ValidationError):
        return ProviderFailure("bad_request", detail=str(error))
    if isinstance(error, errors.TextGenerationError):
        return ProviderFailure("other", detail=str(error))
    if isinstance(error, httpx.TransportError):
        return ProviderFailure("connection", detail=str(error))
    if isinstance(error, json.JSONDecodeError):
        return ProviderFailure("malformed", detail=f"the response body is not valid JSON ({error})")
    return None


def _hub_error_detail(response: Any) -> str:
    try:
        body = response.json()
    except (ValueError, RuntimeError):  # not JSON, or a streamed body that was not read
        return str(response.reason_phrase)
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        error = error.get("message", error)
    return str(error)
