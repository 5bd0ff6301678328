"""OpenAI and OpenAI-compatible servers, through the `openai` SDK."""

from __future__ import annotations

from typing import Any

from ._chat_completions import ChatCompletionsModel
from ._openai_wire import MalformedResponse, classify_openai_error
from ._retry import ProviderFailure

__all__ = ["OpenAIModel", "OpenAIServerModel", "import_openai"]


def import_openai() -> Any:
    """Import the openai SDK, or say which extra installs it."""
    try:
        import openai
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "This model backend needs the openai SDK: install it with `pip install 'smolagents[openai]'`."
        ) from error
    return openai


class OpenAIServerModel(ChatCompletionsModel):
    """A model served by OpenAI or any server speaking the OpenAI chat-completions API.

    The SDK reads OPENAI_API_KEY and OPENAI_BASE_URL when `api_key`/`api_base` are not given.

    Args:
        model_id: The model name on the server, e.g. ``"gpt-4o"``.
        api_base: Base URL of the API, e.g. ``"http://127.0.0.1:8000/v1"``.
        api_key: The API key.
        organization: OpenAI organization id.
        project: OpenAI project id.
        client_kwargs: More arguments for `openai.OpenAI(...)` (e.g. ``timeout``, ``default_headers``).
        custom_role_conversions: Role mapping for servers that accept only some roles.
        flatten_messages_as_text: Send message content as plain strings (for servers that reject
            lists of content parts).
        **kwargs: Forwarded to every completion call (``temperature``, ``max_tokens``, ...), or to
            `ApiModel` (``requests_per_minute``, ``retry``, ``client``).
    """

    provider_name = "openai"
    api_key_hint = "pass api_key=... or set the OPENAI_API_KEY environment variable"

    def __init__(
        self,
        model_id: str,
        api_base: str | None = None,
        api_key: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        client_kwargs: dict[str, Any] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        flatten_messages_as_text: bool = False,
        **kwargs: Any,
    ) -> None:
        import_openai()
        self.api_base = api_base
        self.api_key = api_key
        self.organization = organization
        self.project = project
        self.client_kwargs = dict(client_kwargs or {})
        super().__init__(
            model_id=model_id,
            custom_role_conversions=custom_role_conversions,
            flatten_messages_as_text=flatten_messages_as_text,
            **kwargs,
        )

    def _client_arguments(self) -> dict[str, Any]:
        # Retries are ours (with backoff shared by every backend), so the SDK's own are off.
        arguments: dict[str, Any] = {"max_retries": 0}
        for name, value in (
            ("base_url", self.api_base),
            ("api_key", self.api_key),
            ("organization", self.organization),
            ("project", self.project),
        ):
            if value is not None:
                arguments[name] = value
        arguments.update(self.client_kwargs)
        return arguments

    def create_client(self) -> Any:
        """Build an `openai.OpenAI` client.

        Raises:
            ValueError: No API key is given or set in the environment.
        """
        openai = import_openai()
        try:
            return openai.OpenAI(**self._client_arguments())
        except openai.OpenAIError as error:
            raise ValueError(
                f"{type(self).__name__} needs an API key: pass api_key=... or set OPENAI_API_KEY "
                "(any non-empty value for a local server that does not check keys)."
            ) from error

    def create_async_client(self) -> Any:
        """Build an `openai.AsyncOpenAI` client."""
        return import_openai().AsyncOpenAI(**self._client_arguments())

    def _send(self, client: Any, request: dict[str, Any]) -> Any:
        return client.chat.completions.create(**request)

    async def _asend(self, client: Any, request: dict[str, Any]) -> Any:
        return await client.chat.completions.create(**request)

    def _raw(self, response: Any) -> Any:
        if not isinstance(response, import_openai().types.chat.ChatCompletion):
            # The SDK hands back the body as text when the server did not answer with JSON.
            raise MalformedResponse(f"expected a chat completion, got {str(response)[:200]!r}")
        return response.model_dump()

    def _classify_error(self, error: BaseException) -> ProviderFailure | None:
        return classify_openai_error(error)

    def _settings(self) -> dict[str, Any]:
        settings = {"api_base": self.api_base, "organization": self.organization, "project": self.project}
        return {key: value for key, value in settings.items() if value is not None}


OpenAIModel = OpenAIServerModel
