"""`ChatCompletionsModel`: the backends whose SDK speaks the OpenAI chat-completions format.

OpenAI, Azure OpenAI, LiteLLM and the Hugging Face InferenceClient differ only in how their SDK
is called (and in what their response object dumps to); requests, responses and stream chunks
are mapped the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .._messages import ChatMessage, ChatMessageStreamDelta
from ._openai_wire import MalformedResponse, delta_from_chunk, message_from_completion, to_wire_messages
from ._retry import ProviderFailure
from .api import ApiModel
from .base import ModelRequest

if TYPE_CHECKING:
    pass

__all__ = ["ChatCompletionsModel"]


class ChatCompletionsModel(ApiModel):
    """An `ApiModel` whose SDK takes and returns OpenAI-shaped chat completions.

    Subclasses implement `_send`/`_asend` (one SDK call with a ready request) and, when the
    response object does not dump with `model_dump()`, `_raw`.
    """

    def _send(self, client: Any, request: dict[str, Any]) -> Any:
        """Call the SDK with `request` (streamed when it says ``stream=True``)."""
        raise NotImplementedError

    async def _asend(self, client: Any, request: dict[str, Any]) -> Any:
        """Call the async SDK client with `request`."""
        raise NotImplementedError

    def _raw(self, response: Any) -> Any:
        """Return the response as plain data, kept as `ChatMessage.raw`.

        Raises:
            MalformedResponse: The SDK returned something that is not a completion.
        """
        return response.model_dump()

    def _build_request(self, request: ModelRequest) -> dict[str, Any]:
        """Assemble a chat-completions request (tool-call arguments as JSON text)."""
        wire = super()._build_request(request)
        wire["messages"] = to_wire_messages(wire["messages"])
        return wire

    def _stream_defaults(self) -> dict[str, Any]:
        # Ask for a final usage chunk (servers that reject stream_options: stream_options=REMOVE_PARAMETER).
        return {"stream_options": {"include_usage": True}}

    def _complete(self, request: dict[str, Any]) -> Any:
        return self._send(self.client, request)

    async def _acomplete(self, request: dict[str, Any]) -> Any:
        return await self._asend(self.async_client, request)

    def _open_stream(self, request: dict[str, Any]) -> Iterator[Any]:
        chunks: Iterator[Any] = self._send(self.client, {**request, "stream": True})
        return chunks

    async def _aopen_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        chunks: AsyncIterator[Any] = await self._asend(self.async_client, {**request, "stream": True})
        return chunks

    def _message_from_response(self, response: Any) -> ChatMessage:
        try:
            return message_from_completion(response, self._raw(response), self.provider_name)
        except MalformedResponse as error:
            raise self._make_error(ProviderFailure("malformed", detail=str(error)), 1) from error

    def _delta_from_chunk(self, chunk: Any) -> ChatMessageStreamDelta | None:
        return delta_from_chunk(chunk)
