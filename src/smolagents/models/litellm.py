"""Any provider LiteLLM supports (Anthropic, Ollama, Azure, Bedrock, OpenAI, ...), and its Router."""

from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ._chat_completions import ChatCompletionsModel
from ._openai_wire import classify_openai_error
from ._retry import ProviderFailure, failure_from_status, parse_retry_after
from .base import ModelRequest, is_secret_name

if TYPE_CHECKING:
    pass

__all__ = ["LiteLLMModel", "LiteLLMRouterModel", "import_litellm"]

# Providers whose chat endpoints take message content only as plain text.
_TEXT_ONLY_PREFIXES = ("ollama", "groq", "cerebras")


def import_litellm() -> Any:
    """Import litellm without letting it fetch its cost map from the network."""
    # litellm otherwise downloads its model cost map at first use (and waits on retries offline).
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "LiteLLMModel needs litellm: install it with `pip install 'smolagents[litellm]'`."
        ) from error
    # Our errors say what failed and how to fix it; litellm's printed help banners only add noise.
    litellm.suppress_debug_info = True
    return litellm


def classify_litellm_error(error: BaseException) -> ProviderFailure | None:
    """Classify litellm exceptions: they derive from openai's, plus litellm's own APIError."""
    failure = classify_openai_error(error)
    if failure is not None and failure.retry_after is None:
        # litellm keeps the provider's headers apart from the (header-less) response it attaches.
        headers = getattr(error, "litellm_response_headers", None) or {}
        failure = replace(failure, retry_after=parse_retry_after(headers.get("retry-after")))
    if failure is not None:
        return failure
    litellm = import_litellm()
    if isinstance(error, litellm.exceptions.APIError):
        return failure_from_status(int(error.status_code), detail=str(error.message))
    return None


def _skip_mcp_bridge(request: dict[str, Any]) -> dict[str, Any]:
    """Tell litellm not to route tool calls through its MCP proxy bridge.

    We send plain function tools. With tools present, litellm versions that have the bridge import
    it, and it needs mcp >= 2: it fails on the mcp 1.x that `smolagents[mcp]` pins. Those versions
    pop this flag before building the provider request; older ones, without the bridge, would
    forward it, so it is set only when the bridge exists.
    """
    if request.get("tools") and _litellm_has_mcp_bridge():
        request.setdefault("_skip_mcp_handler", True)
    return request


@functools.cache
def _litellm_has_mcp_bridge() -> bool:
    return importlib.util.find_spec("litellm.responses.mcp") is not None


class LiteLLMModel(ChatCompletionsModel):
    """A model reached through LiteLLM, named ``"<provider>/<model>"``.

    Examples: ``"anthropic/claude-3-5-sonnet-latest"``, ``"ollama_chat/llama3.2"`` (with
    ``api_base`` and ``num_ctx``), ``"azure/<deployment>"``, ``"bedrock/<model id>"``, ``"gpt-4o"``.
    LiteLLM reads each provider's usual environment variables (ANTHROPIC_API_KEY, AZURE_API_KEY, ...).

    Args:
        model_id: The LiteLLM model name.
        api_base: Base URL of the provider's API.
        api_key: The provider API key.
        custom_role_conversions: Role mapping for providers that accept only some roles.
        flatten_messages_as_text: Send content as plain strings; by default True for Ollama,
            Groq and Cerebras models.
        model_name: Alias of `model_id`.
        **kwargs: Forwarded to every `litellm.completion` call (``temperature``, ``num_ctx``, ...),
            or to `ApiModel` (``requests_per_minute``, ``retry``).
    """

    provider_name = "litellm"
    api_key_hint = (
        "pass api_key=... or set the provider's API key environment variable (e.g. ANTHROPIC_API_KEY)"
    )

    def __init__(
        self,
        model_id: str | None = None,
        api_base: str | None = None,
        api_key: str | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        flatten_messages_as_text: bool | None = None,
        *,
        model_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if model_id is not None and model_name is not None and model_id != model_name:
            raise ValueError(
                f"LiteLLMModel got model_id={model_id!r} and model_name={model_name!r}: pass only one of them."
            )
        model_id = model_id or model_name
        if not model_id:
            raise ValueError(
                'LiteLLMModel needs model_id, e.g. LiteLLMModel(model_id="anthropic/claude-3-5-sonnet-latest").'
            )
        if flatten_messages_as_text is None:
            flatten_messages_as_text = model_id.startswith(_TEXT_ONLY_PREFIXES)
        self.api_base = api_base
        self.api_key = api_key
        super().__init__(
            model_id=model_id,
            custom_role_conversions=custom_role_conversions,
            flatten_messages_as_text=flatten_messages_as_text,
            **kwargs,
        )

    @property
    def model_name(self) -> str | None:
        """Alias of `model_id`."""
        return self.model_id

    def create_client(self) -> Any:
        """Return the litellm module: its `completion`/`acompletion` functions are the client."""
        return import_litellm()

    def create_async_client(self) -> Any:
        """Return the litellm module (`acompletion` is its async client)."""
        return self.client

    def _build_request(self, request: ModelRequest) -> dict[str, Any]:
        """Assemble a `litellm.completion` request."""
        options = {**self._connection(), **request.options}
        return _skip_mcp_bridge(super()._build_request(replace(request, options=options)))

    def _connection(self) -> dict[str, Any]:
        """Per-call connection settings; our retries replace litellm's own."""
        connection: dict[str, Any] = {"max_retries": 0}
        if self.api_base is not None:
            connection["api_base"] = self.api_base
        if self.api_key is not None:
            connection["api_key"] = self.api_key
        return connection

    def _send(self, client: Any, request: dict[str, Any]) -> Any:
        return client.completion(**request)

    async def _asend(self, client: Any, request: dict[str, Any]) -> Any:
        return await client.acompletion(**request)

    def _classify_error(self, error: BaseException) -> ProviderFailure | None:
        return classify_litellm_error(error)

    def _settings(self) -> dict[str, Any]:
        return {"api_base": self.api_base} if self.api_base is not None else {}


class LiteLLMRouterModel(LiteLLMModel):
    """A model group served by a `litellm.Router` (load balancing and fallbacks across deployments).

    Args:
        model_id: The `model_name` of the group in `model_list` to call.
        model_list: The Router's deployments, e.g. ``[{"model_name": "g", "litellm_params": {...}}]``.
        client_kwargs: More arguments for `litellm.Router(...)` (``routing_strategy``, ...;
            ``num_retries`` turns the Router's own retries back on, on top of ours).
        custom_role_conversions: Role mapping for providers that accept only some roles.
        flatten_messages_as_text: Send content as plain strings; by default decided from model_id.
        **kwargs: Forwarded to every completion call, or to `ApiModel`.
    """

    provider_name = "litellm-router"

    def __init__(
        self,
        model_id: str,
        model_list: list[dict[str, Any]],
        client_kwargs: dict[str, Any] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        flatten_messages_as_text: bool | None = None,
        **kwargs: Any,
    ) -> None:
        if not model_list:
            raise ValueError("LiteLLMRouterModel needs a non-empty model_list of Router deployments.")
        self.model_list = model_list
        self.client_kwargs = dict(client_kwargs or {})
        super().__init__(
            model_id=model_id,
            custom_role_conversions=custom_role_conversions,
            flatten_messages_as_text=flatten_messages_as_text,
            **kwargs,
        )

    def create_client(self) -> Any:
        """Build the `litellm.Router`; its own retries are off unless `client_kwargs` sets them.

        Each of our retries calls the Router again, which picks a deployment again.
        """
        import_litellm()  # names the extra to install when litellm is missing
        from litellm.router import Router  # where 1.26 takes it from (and code patching it expects)

        return Router(model_list=self.model_list, **{"num_retries": 0, **self.client_kwargs})

    def create_async_client(self) -> Any:
        """Return the Router (it has `acompletion`)."""
        return self.client

    def _connection(self) -> dict[str, Any]:
        """Connection settings come from `model_list`; retries from `client_kwargs` and ours."""
        return {}

    def _settings(self) -> dict[str, Any]:
        # The deployments may hold credentials: drop every parameter that looks like one.
        deployments = [
            {
                **entry,
                "litellm_params": {
                    key: value
                    for key, value in entry.get("litellm_params", {}).items()
                    if not is_secret_name(key)
                },
            }
            for entry in self.model_list
        ]
        return {"model_list": deployments, "client_kwargs": self.client_kwargs}
