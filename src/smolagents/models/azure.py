"""Azure OpenAI deployments, through the `openai` SDK's Azure client."""

from __future__ import annotations

from typing import Any

from .openai import OpenAIServerModel, import_openai

__all__ = ["AzureOpenAIModel", "AzureOpenAIServerModel"]


class AzureOpenAIServerModel(OpenAIServerModel):
    """A model deployed on Azure OpenAI; requests go to the deployment named by `model_id`.

    Missing arguments are read by the SDK from AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
    OPENAI_API_VERSION.

    Args:
        model_id: The deployment name.
        azure_endpoint: e.g. ``"https://example-endpoint.openai.azure.com"``.
        api_key: The Azure OpenAI key.
        api_version: e.g. ``"2024-10-21"``.
        client_kwargs: More arguments for `openai.AzureOpenAI(...)` (e.g. ``azure_ad_token_provider``).
        custom_role_conversions: Role mapping for deployments that accept only some roles.
        **kwargs: As for `OpenAIServerModel`.
    """

    provider_name = "azure-openai"
    api_key_hint = "pass api_key=... or set the AZURE_OPENAI_API_KEY environment variable"

    def __init__(
        self,
        model_id: str,
        azure_endpoint: str | None = None,
        api_key: str | None = None,
        api_version: str | None = None,
        client_kwargs: dict[str, Any] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.azure_endpoint = azure_endpoint
        self.api_version = api_version
        super().__init__(
            model_id=model_id,
            api_key=api_key,
            client_kwargs=client_kwargs,
            custom_role_conversions=custom_role_conversions,
            **kwargs,
        )

    def _client_arguments(self) -> dict[str, Any]:
        # base_url is always named (None: the endpoint comes from azure_endpoint), as 1.26 builds it.
        arguments: dict[str, Any] = {"max_retries": 0, "base_url": self.api_base}
        for name, value in (
            ("azure_endpoint", self.azure_endpoint),
            ("api_key", self.api_key),
            ("api_version", self.api_version),
            ("organization", self.organization),
            ("project", self.project),
        ):
            if value is not None:
                arguments[name] = value
        arguments.update(self.client_kwargs)
        return arguments

    def create_client(self) -> Any:
        """Build an `openai.AzureOpenAI` client."""
        openai = import_openai()
        try:
            return openai.AzureOpenAI(**self._client_arguments())
        except openai.OpenAIError as error:
            raise ValueError(
                f"Cannot configure Azure OpenAI: {error} Pass azure_endpoint=, api_key= and api_version= or "
                "set AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION."
            ) from error

    def create_async_client(self) -> Any:
        """Build an `openai.AsyncAzureOpenAI` client."""
        return import_openai().AsyncAzureOpenAI(**self._client_arguments())

    def _settings(self) -> dict[str, Any]:
        settings = {"azure_endpoint": self.azure_endpoint, "api_version": self.api_version}
        return {key: value for key, value in settings.items() if value is not None}


AzureOpenAIModel = AzureOpenAIServerModel
