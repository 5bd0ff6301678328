"""Amazon Bedrock through boto3's `bedrock-runtime` Converse and ConverseStream APIs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._messages import ChatMessage, ChatMessageStreamDelta
from ._converse import (
    INFERENCE_CONFIG_NAMES,
    delta_from_event,
    message_from_converse,
    to_converse_messages,
    to_tool_config,
)
from ._retry import FailureKind, ProviderFailure, failure_from_status
from .api import ApiModel
from .base import ModelRequest

if TYPE_CHECKING:
    pass

__all__ = ["AmazonBedrockModel", "AmazonBedrockServerModel"]

# Bedrock error codes whose meaning is clearer than their HTTP status (or that come without one,
# as errors inside an event stream do).
_ERROR_CODES: dict[str, FailureKind] = {
    "ThrottlingException": "rate_limit",
    "TooManyRequestsException": "rate_limit",
    "ServiceQuotaExceededException": "rate_limit",
    "ModelTimeoutException": "timeout",
    "InternalServerException": "server",
    "ServiceUnavailableException": "server",
    "ModelNotReadyException": "server",
    "ModelStreamErrorException": "server",
    "AccessDeniedException": "auth",
    "UnrecognizedClientException": "auth",
    "ExpiredTokenException": "auth",
    "ResourceNotFoundException": "not_found",
    "ValidationException": "bad_request",
}


def _import_boto3() -> Any:
    try:
        import boto3
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "AmazonBedrockServerModel needs boto3: install it with `pip install 'smolagents[bedrock]'`."
        ) from error
    return boto3


class AmazonBedrockServerModel(ApiModel):
    """A model on Amazon Bedrock, called through the Converse API.

    boto3 finds credentials and region the usual way (AWS_ACCESS_KEY_ID, AWS_REGION, profiles,
    roles...); AWS_ENDPOINT_URL_BEDROCK_RUNTIME points it at another endpoint.

    Args:
        model_id: A Bedrock model or inference-profile id, e.g. ``"us.amazon.nova-pro-v1:0"``.
        client: A ready ``boto3.client("bedrock-runtime")`` to use.
        client_kwargs: Arguments for ``boto3.client("bedrock-runtime", ...)`` (``region_name``, ...).
        custom_role_conversions: Role mapping for models that accept only some roles.
        **kwargs: Converse request fields sent with every call (``inferenceConfig``,
            ``guardrailConfig``, ``additionalModelRequestFields``, ...); ``temperature``,
            ``max_tokens`` and ``top_p`` are moved into ``inferenceConfig``. Also `ApiModel`
            options (``requests_per_minute``, ``retry``).
    """

    provider_name = "amazon-bedrock"
    api_key_hint = (
        "check the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE) and model access"
    )
    has_async_client = False  # boto3 has none: the async twins run the sync calls on a worker thread

    def __init__(
        self,
        model_id: str,
        client: Any = None,
        client_kwargs: dict[str, Any] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.client_kwargs = dict(client_kwargs or {})
        super().__init__(
            model_id=model_id, custom_role_conversions=custom_role_conversions, client=client, **kwargs
        )

    def create_client(self) -> Any:
        """Build a ``bedrock-runtime`` client; botocore's own retries are off (ours apply)."""
        boto3 = _import_boto3()
        from botocore.config import Config
        from botocore.exceptions import NoRegionError

        ours = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        arguments = dict(self.client_kwargs)
        # A config of the user's keeps its settings; botocore retries stay off unless it sets them.
        arguments["config"] = ours.merge(arguments["config"]) if "config" in arguments else ours
        try:
            return boto3.client("bedrock-runtime", **arguments)
        except NoRegionError as error:
            raise ValueError(
                "No AWS region is configured for Bedrock: set AWS_REGION (or AWS_DEFAULT_REGION) or pass "
                "client_kwargs={'region_name': 'us-east-1'}."
            ) from error

    def _build_request(self, request: ModelRequest) -> dict[str, Any]:
        """Assemble a Converse request: system blocks, messages, toolConfig and inferenceConfig."""
        if request.response_format is not None:
            raise ValueError(
                "AmazonBedrockServerModel cannot send response_format: Converse has no structured-output "
                "parameter. Describe the format in the prompt, or use LiteLLMModel for this model."
            )
        wire = self._prepare_completion_kwargs(
            request.messages,
            stop_sequences=request.stop_sequences,
            tools_to_call_from=request.tools_to_call_from,
            custom_role_conversions=self.custom_role_conversions,
            convert_images_to_image_urls=False,
            **request.options,
        )
        system, converse_messages = to_converse_messages(wire.pop("messages"))
        converse: dict[str, Any] = {"modelId": self.model_id, "messages": converse_messages}
        if system:
            converse["system"] = system
        tools, tool_choice = wire.pop("tools", None), wire.pop("tool_choice", None)
        if tools:
            converse["toolConfig"] = to_tool_config(tools, tool_choice)
        inference = dict(wire.pop("inferenceConfig", None) or {})
        for name, converse_name in INFERENCE_CONFIG_NAMES.items():
            if name in wire:
                inference.setdefault(converse_name, wire.pop(name))
        if "stop" in wire:
            inference["stopSequences"] = wire.pop("stop")
        if inference:
            converse["inferenceConfig"] = inference
        converse.update(wire)
        return converse

    def _request_sends_stop(self, request: dict[str, Any]) -> bool:
        return "stopSequences" in request.get("inferenceConfig", {})

    def _complete(self, request: dict[str, Any]) -> Any:
        return self.client.converse(**request)

    def _open_stream(self, request: dict[str, Any]) -> Iterator[Any]:
        return _until_message_stop(self.client.converse_stream(**request)["stream"])

    def _message_from_response(self, response: Any) -> ChatMessage:
        try:
            return message_from_converse(response)
        except (KeyError, TypeError) as error:
            detail = f"the Converse response has no output.message content ({error!r})"
            raise self._make_error(ProviderFailure("malformed", detail=detail), 1) from error

    def _delta_from_chunk(self, chunk: Any) -> ChatMessageStreamDelta | None:
        return delta_from_event(chunk)

    def _classify_error(self, error: BaseException) -> ProviderFailure | None:
        return classify_botocore_error(error)

    def _settings(self) -> dict[str, Any]:
        region = self.client_kwargs.get("region_name")
        return {"client_kwargs": {"region_name": region}} if region else {}


def classify_botocore_error(error: BaseException) -> ProviderFailure | None:
    """Classify botocore exceptions by error code and HTTP status."""
    from botocore import exceptions, parsers

    if isinstance(error, exceptions.ClientError):
        info = error.response.get("Error", {})
        code = str(info.get("Code", ""))
        detail = f"{code}: {info.get('Message', '')}".strip(": ")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # Errors inside an event stream name the same codes in camelCase ("throttlingException").
        kind = _ERROR_CODES.get(code[:1].upper() + code[1:])
        if kind is not None:
            return ProviderFailure(kind, status, None, detail)
        return (
            failure_from_status(int(status), detail)
            if status
            else ProviderFailure("other", None, None, detail)
        )
    if isinstance(error, (exceptions.ReadTimeoutError, exceptions.ConnectTimeoutError)):
        return ProviderFailure("timeout", detail=str(error))
    if isinstance(
        error,
        (
            exceptions.EndpointConnectionError,
            exceptions.ConnectionClosedError,
            exceptions.ResponseStreamingError,
        ),
    ):
        return ProviderFailure("connection", detail=str(error))
    if isinstance(error, (exceptions.NoCredentialsError, exceptions.PartialCredentialsError)):
        return ProviderFailure("auth", detail=str(error))
    if isinstance(error, exceptions.ParamValidationError):
        return ProviderFailure("bad_request", detail=str(error))
    if isinstance(error, parsers.ResponseParserError):
        return ProviderFailure("malformed", detail=str(error))
    return _classify_urllib3_error(error)


def _classify_urllib3_error(error: BaseException) -> ProviderFailure | None:
    # botocore lets urllib3's errors through while an event stream is being read.
    from urllib3 import exceptions

    if isinstance(error, exceptions.ReadTimeoutError):
        return ProviderFailure("timeout", detail=str(error))
    if isinstance(error, exceptions.HTTPError):
        return ProviderFailure("connection", detail=str(error))
    return None


def _until_message_stop(events: Any) -> Iterator[Any]:
    """Yield ConverseStream events; a stream that ends before its `messageStop` event was cut off.

    Whether the HTTP layer itself notices a truncated body depends on the urllib3 version, so the
    end of the Converse protocol is checked here.
    """
    from urllib3.exceptions import ProtocolError

    has_stopped = False
    for event in events:
        has_stopped = has_stopped or "messageStop" in event
        yield event
    if not has_stopped:
        raise ProtocolError("the event stream ended before its messageStop event (the connection was cut)")


AmazonBedrockModel = AmazonBedrockServerModel
