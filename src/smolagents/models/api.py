"""`ApiModel`: what every HTTP model backend shares.

A backend fills in the same hooks: build the request, send it (sync and async), open a stream,
map a response to a `ChatMessage` and a stream chunk to a `ChatMessageStreamDelta`, and classify
its SDK's exceptions. This class adds retries with backoff, rate limiting, client-side stop
sequences where the provider cannot take them, usage counted once per stream, and the mapping
of failures into `ModelProviderError`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from .._errors import AgentParsingError, ModelProviderError
from .._messages import ChatMessage, ChatMessageStreamDelta
from .._usage import TokenUsage
from ._retry import (
    NO_RETRY,
    ProviderFailure,
    RateLimiter,
    RetryPolicy,
    acall_with_retries,
    call_with_retries,
)
from ._stops import StopSequenceCutter, cut_at_stop_sequences
from .base import REMOVE_PARAMETER, Model, ModelRequest

if TYPE_CHECKING:
    pass

__all__ = ["ApiModel", "RetryPolicy"]

# Model families that reject a `stop` parameter (OpenAI reasoning models, some xAI models).
_NO_STOP_PARAMETER = re.compile(r"^(o3|o4-mini|gpt-5(?!-chat)|grok-4|grok-3-mini|grok-code)")

_END = object()


class ApiModel(Model):
    """Base class of models reached over HTTP through a provider SDK.

    Args:
        model_id: The provider's model identifier.
        custom_role_conversions: Map our roles to the roles the provider accepts, e.g.
            ``{"system": "user"}``; defaults to turning tool-call/tool-response into assistant/user.
        client: A ready SDK client to use instead of building one with `create_client()`.
        requests_per_minute: Space requests so that at most this many start per minute.
        retry: True for the default `RetryPolicy` (4 attempts, exponential backoff with jitter),
            False for a single attempt, or a `RetryPolicy` of your own.
        **kwargs: Passed to `Model` (e.g. ``flatten_messages_as_text``) or forwarded to every
            completion call (e.g. ``temperature=0.2``).
    """

    provider_name: ClassVar[str] = "api"
    api_key_hint: ClassVar[str] = "pass api_key=... to the model"
    has_async_client: ClassVar[bool] = True
    supports_streaming = True

    def __init__(
        self,
        model_id: str,
        custom_role_conversions: dict[str, str] | None = None,
        client: Any = None,
        requests_per_minute: float | None = None,
        retry: bool | RetryPolicy = True,
        **kwargs: Any,
    ) -> None:
        if not model_id or not isinstance(model_id, str):
            raise ValueError(f"{type(self).__name__} needs a model_id string naming the provider's model.")
        super().__init__(model_id=model_id, **kwargs)
        self.custom_role_conversions = custom_role_conversions
        self.requests_per_minute = requests_per_minute
        self.rate_limiter = RateLimiter(requests_per_minute)
        self.retry_policy = (
            retry if isinstance(retry, RetryPolicy) else (RetryPolicy() if retry else NO_RETRY)
        )
        self.client = client if client is not None else self.create_client()
        # One async client per event loop: SDK async clients hold connections bound to their loop,
        # and a sync `agent.run()` may start a new loop each time.
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._async_clients_lock = threading.Lock()

    # ---- hooks every backend fills in ----------------------------------------------------------

    def create_client(self) -> Any:
        """Build the SDK client (called once, unless a `client` was given)."""
        raise NotImplementedError(f"{type(self).__name__} must implement create_client().")

    def create_async_client(self) -> Any:
        """Build the SDK's async client (one per event loop, built on first use)."""
        raise NotImplementedError(f"{type(self).__name__} must implement create_async_client().")

    def _complete(self, request: dict[str, Any]) -> Any:
        """Send one completion request and return the SDK response."""
        raise NotImplementedError

    async def _acomplete(self, request: dict[str, Any]) -> Any:
        """Send one completion request with the async client."""
        raise NotImplementedError

    def _open_stream(self, request: dict[str, Any]) -> Iterator[Any]:
        """Start a streamed completion and return its chunks."""
        raise NotImplementedError

    async def _aopen_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        """Start a streamed completion with the async client."""
        raise NotImplementedError

    def _message_from_response(self, response: Any) -> ChatMessage:
        """Map an SDK response to a `ChatMessage` (content, tool calls, token usage, raw)."""
        raise NotImplementedError

    def _delta_from_chunk(self, chunk: Any) -> ChatMessageStreamDelta | None:
        """Map a stream chunk to a delta, or None when it carries nothing for us."""
        raise NotImplementedError

    def _classify_error(self, error: BaseException) -> ProviderFailure | None:
        """Classify an SDK exception; None for exceptions that are not provider failures."""
        return None

    def _build_request(self, request: ModelRequest) -> dict[str, Any]:
        """Assemble the wire request (OpenAI-style by default: images as ``image_url`` parts)."""
        return self._prepare_completion_kwargs(
            request.messages,
            stop_sequences=request.stop_sequences,
            response_format=request.response_format,
            tools_to_call_from=request.tools_to_call_from,
            custom_role_conversions=self.custom_role_conversions,
            convert_images_to_image_urls=True,
            **{"model": self.model_id, **request.options},
        )

    def _stream_defaults(self) -> dict[str, Any]:
        """Request fields added to streamed requests unless the caller set or removed them."""
        return {}

    def _build_stream_request(self, request: ModelRequest) -> dict[str, Any]:
        wire = self._build_request(request)
        for key, value in self._stream_defaults().items():
            # REMOVE_PARAMETER given at construction (which wins, as in 1.26) or per call also
            # removes a default.
            removed = REMOVE_PARAMETER in (self.kwargs.get(key), request.options.get(key))
            if key not in wire and not removed:
                wire[key] = value
        return wire

    def _request_sends_stop(self, request: dict[str, Any]) -> bool:
        """Whether `request` asks the provider to apply the stop sequences itself."""
        return "stop" in request

    # ---- shared machinery ----------------------------------------------------------------------

    @property
    def supports_stop_parameter(self) -> bool:
        """Whether the model accepts stop sequences; if not they are applied client-side."""
        return not _NO_STOP_PARAMETER.match((self.model_id or "").rsplit("/", 1)[-1])

    def _make_error(self, failure: ProviderFailure, attempts: int) -> ModelProviderError:
        return ModelProviderError(
            describe_failure(self.provider_name, self.model_id or "", failure, attempts, self.api_key_hint),
            status_code=failure.status_code,
            provider=self.provider_name,
            is_retryable=failure.is_retryable,
        )

    def _classify_any(self, error: BaseException) -> ProviderFailure | None:
        """Classify a failure of a request, or of reading a streamed answer (`StreamReadError`)."""
        if isinstance(error, StreamReadError):
            return self._classify_read_error(error.error)
        return self._classify_error(error)

    def _classify_read_error(self, error: BaseException) -> ProviderFailure | None:
        """Classify a failure raised while a streamed answer was being read.

        The provider had answered, so a connection-class failure here is a cut, not an unreachable
        server: the phase decides, not the exception type (SDKs differ, and change between
        releases, in whether they wrap the transport's error).
        """
        failure = self._classify_error(error)
        if failure is None or failure.kind not in ("connection", "timeout"):
            return failure
        if failure.kind == "timeout":
            return replace(failure, detail="the stream stalled past the client timeout")
        return replace(
            failure, detail=f"the connection failed while reading the answer: {_root_cause(error)}"
        )

    def _map_read_error(self, error: Exception) -> Exception:
        failure = self._classify_read_error(error)
        return error if failure is None else self._make_error(failure, 1)

    def _call(self, call: Any) -> Any:
        try:
            return call_with_retries(
                call, self._classify_any, self._make_error, self.retry_policy, self.rate_limiter
            )
        except StreamReadError as wrapped:  # a failure we do not classify keeps its own type
            raise wrapped.error from wrapped.error.__cause__

    async def _acall(self, call: Any) -> Any:
        try:
            return await acall_with_retries(
                call, self._classify_any, self._make_error, self.retry_policy, self.rate_limiter
            )
        except StreamReadError as wrapped:
            raise wrapped.error from wrapped.error.__cause__

    @property
    def async_client(self) -> Any:
        """The async SDK client for the running event loop."""
        loop = asyncio.get_running_loop()
        with self._async_clients_lock:  # loops in other threads may ask at the same time
            client = self._async_clients.get(loop)
            if client is None:
                client = self._async_clients[loop] = self.create_async_client()
        return client

    def _finish(
        self, message: ChatMessage, stop_sequences: list[str] | None, request: dict[str, Any]
    ) -> ChatMessage:
        if stop_sequences and not self._request_sends_stop(request) and isinstance(message.content, str):
            message.content = cut_at_stop_sequences(message.content, stop_sequences)
        if message.token_usage is None:
            message.token_usage = TokenUsage(0, 0)  # the provider reported none
        return message

    def _respond(self, request: ModelRequest) -> ChatMessage:
        """Return the model's reply; transient failures are retried.

        Raises:
            ModelProviderError: The provider failed (after retries when the failure was transient)
                or answered with something that cannot be read.
        """
        wire = self._build_request(request)
        response = self._call(lambda: self._complete(wire))
        return self._finish(self._message_from_response(response), request.stop_sequences, wire)

    async def _arespond(self, request: ModelRequest) -> ChatMessage:
        """Async twin of `_respond`, on the SDK's async client."""
        if not self.has_async_client:
            return await super()._arespond(request)
        wire = self._build_request(request)
        response = await self._acall(lambda: self._acomplete(wire))
        return self._finish(self._message_from_response(response), request.stop_sequences, wire)

    def _open(self, request: dict[str, Any]) -> tuple[Any, Iterator[Any]]:
        # Pull the first chunk inside the retried call: some SDKs send the request lazily. Nothing
        # has reached the caller yet, so a cut while reading it is retried too.
        chunks = iter(self._open_stream(request))
        try:
            return next(chunks, _END), chunks
        except Exception as error:
            raise StreamReadError(error) from error

    async def _aopen(self, request: dict[str, Any]) -> tuple[Any, AsyncIterator[Any]]:
        chunks = (await self._aopen_stream(request)).__aiter__()
        try:
            first = await chunks.__anext__()
        except StopAsyncIteration:
            first = _END
        except Exception as error:
            raise StreamReadError(error) from error
        return first, chunks

    def _respond_stream(self, request: ModelRequest) -> Iterator[ChatMessageStreamDelta]:
        """Yield the reply as deltas; the last one carries the token usage, counted once."""
        wire = self._build_stream_request(request)
        first, chunks = self._call(lambda: self._open(wire))
        shaper = _DeltaShaper(request.stop_sequences if not self._request_sends_stop(wire) else None)
        chunk = first
        while chunk is not _END:
            yield from shaper.take(self._delta_from_chunk(chunk))
            try:
                chunk = next(chunks, _END)
            except Exception as error:
                raise self._map_read_error(error) from error
        yield from shaper.finish()

    async def _arespond_stream(self, request: ModelRequest) -> AsyncIterator[ChatMessageStreamDelta]:
        """Async twin of `_respond_stream`, on the SDK's async client."""
        if not self.has_async_client:
            async for delta in super()._arespond_stream(request):
                yield delta
            return
        wire = self._build_stream_request(request)
        first, chunks = await self._acall(lambda: self._aopen(wire))
        shaper = _DeltaShaper(request.stop_sequences if not self._request_sends_stop(wire) else None)
        chunk = first
        while chunk is not _END:
            for delta in shaper.take(self._delta_from_chunk(chunk)):
                yield delta
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                chunk = _END
            except Exception as error:
                raise self._map_read_error(error) from error
        for delta in shaper.finish():
            yield delta

    def parse_tool_calls(self, message: ChatMessage) -> ChatMessage:
        """Decode native tool-call arguments (they must be JSON), or read a tool call from the text.

        Raises:
            AgentParsingError: A tool call's arguments are not valid JSON.
        """
        for call in message.tool_calls or ():
            call.function.arguments = decode_tool_arguments(call.function.name, call.function.arguments)
        return super().parse_tool_calls(message)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration needed to rebuild this model; API keys and clients are left out."""
        data = super().to_dict()
        data.update(
            {
                "custom_role_conversions": self.custom_role_conversions,
                "requests_per_minute": self.requests_per_minute,
                "flatten_messages_as_text": self.flatten_messages_as_text,
            }
        )
        data.update(self._settings())
        return data

    def _settings(self) -> dict[str, Any]:
        """Backend constructor settings to save with `to_dict` (never secrets)."""
        return {}


class StreamReadError(Exception):
    """A failure while reading the chunks of a streamed answer, as opposed to sending the request."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _root_cause(error: BaseException) -> str:
    """The text of the innermost cause (an SDK's "Connection error." says less than its cause)."""
    seen = {id(error)}
    while error.__cause__ is not None and id(error.__cause__) not in seen:
        error = error.__cause__
        seen.add(id(error))
    return str(error) or type(error).__name__


class _DeltaShaper:
    """Apply client-side stop sequences to streamed deltas and report usage once, at the end.

    Providers differ: some repeat cumulative usage on several chunks, some send it once. We keep
    the last reported value and emit it in a final delta, so summing deltas never double counts.
    """

    def __init__(self, stop_sequences: list[str] | None) -> None:
        self.cutter = StopSequenceCutter(stop_sequences) if stop_sequences else None
        self.usage: TokenUsage | None = None

    def take(self, delta: ChatMessageStreamDelta | None) -> Iterator[ChatMessageStreamDelta]:
        if delta is None:
            return
        if delta.token_usage is not None:
            self.usage = delta.token_usage
            delta.token_usage = None
        if self.cutter is not None:
            if self.cutter.is_stopped:
                return
            if delta.content:
                delta.content = self.cutter.feed(delta.content) or None
        if delta.content or delta.tool_calls:
            yield delta

    def finish(self) -> Iterator[ChatMessageStreamDelta]:
        tail = self.cutter.flush() if self.cutter is not None else ""
        if tail:
            yield ChatMessageStreamDelta(content=tail)
        yield ChatMessageStreamDelta(token_usage=self.usage or TokenUsage(0, 0))


def decode_tool_arguments(tool_name: str, arguments: Any) -> Any:
    """Decode tool-call arguments sent as JSON text; empty text means no arguments.

    Raises:
        AgentParsingError: The text is not valid JSON.
    """
    if not isinstance(arguments, str):
        return arguments
    if not arguments.strip():
        return {}
    try:
        return json.loads(arguments)
    except json.JSONDecodeError as error:
        raise AgentParsingError(
            f"The model called tool {tool_name!r} with arguments that are not valid JSON "
            f"({error.msg} at line {error.lineno}, column {error.colno}): {arguments[:200]!r}. "
            "Call the tool again with its arguments as one JSON object."
        ) from error


_HINTS: dict[str, str] = {
    "not_found": "Check model_id and the endpoint URL: the provider knows no such model or path.",
    "bad_request": (
        "The provider rejected the request: check the arguments given to the model; drop ones this "
        "provider does not accept with REMOVE_PARAMETER (e.g. stop=REMOVE_PARAMETER)."
    ),
    "rate_limit": "The provider is rate limiting: set requests_per_minute=... on the model or try again later.",
    "server": "The provider had a server error: try again later or use another model or provider.",
    "timeout": "The request timed out: raise the client timeout or try again later.",
    "connection": "Could not reach the provider: check the endpoint URL and that the server is up.",
    "malformed": "The provider answered with a body that is not a valid completion; check the endpoint URL.",
    "other": "See the provider's message above.",
}


def describe_failure(
    provider: str, model_id: str, failure: ProviderFailure, attempts: int, api_key_hint: str
) -> str:
    """Say what failed and how to fix it."""
    status = f" with HTTP {failure.status_code}" if failure.status_code is not None else ""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    detail = f": {failure.detail}" if failure.detail else ""
    hint = f"Authentication failed: {api_key_hint}." if failure.kind == "auth" else _HINTS[failure.kind]
    return f"{provider} call for model {model_id!r} failed{status}{tries}{detail}. {hint}"
