"""The model interface every backend implements, and the request assembly they share."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._messages import (
    ChatMessage,
    ChatMessageStreamDelta,
    MessageRole,
)
from .._threads import in_thread
from .conversion import get_clean_message_list, get_tool_call_from_text, tool_role_conversions

if TYPE_CHECKING:
    from ..tools.base import Tool

__all__ = ["REMOVE_PARAMETER", "Model", "ModelRequest", "get_tool_json_schema", "parse_tool_calls"]


class _RemoveParameter:
    """Sentinel type: a keyword argument set to it is left out of the provider call."""

    _instance: _RemoveParameter | None = None

    def __new__(cls) -> _RemoveParameter:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REMOVE_PARAMETER"

    def __reduce__(self) -> str:
        return "REMOVE_PARAMETER"


REMOVE_PARAMETER = _RemoveParameter()


def get_tool_json_schema(tool: Tool) -> dict[str, Any]:
    """Return the OpenAI function-calling schema of a tool."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, spec in tool.inputs.items():
        prop = {key: value for key, value in spec.items() if key != "nullable"}
        if prop.get("type") in ("image", "audio"):
            prop["type"] = "string"
        elif prop.get("type") == "any":
            prop.pop("type")
        if spec.get("nullable"):
            prop["nullable"] = True
        else:
            required.append(name)
        properties[name] = prop
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


@dataclass(frozen=True)
class ModelRequest:
    """One request to a model: the messages, and what the caller set for this call.

    Args:
        messages: The conversation so far.
        stop_sequences: Where the reply must stop.
        response_format: A JSON schema the reply must follow.
        tools_to_call_from: The tools the model may call natively.
        options: Other keyword arguments of this call (they override the model's own).
    """

    messages: list[ChatMessage]
    stop_sequences: list[str] | None = None
    response_format: dict[str, Any] | None = None
    tools_to_call_from: list[Tool] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def keywords(self) -> dict[str, Any]:
        """Return the keyword arguments of this call as smolagents 1.26 passes them: only those set."""
        keywords = dict(self.options)
        if self.stop_sequences is not None:
            keywords["stop_sequences"] = self.stop_sequences
        if self.response_format is not None:
            keywords["response_format"] = self.response_format
        if self.tools_to_call_from is not None:
            keywords["tools_to_call_from"] = self.tools_to_call_from
        return keywords


def _owner(cls: type, name: str) -> type | None:
    return next((klass for klass in cls.__mro__ if name in vars(klass)), None)


_WINS: dict[tuple[type, str], tuple[Any, Any, bool]] = {}


def _sync_method_wins(cls: type, sync_name: str, async_hook: str) -> bool:
    """Whether `sync_name` must serve async calls: it was redefined (or wrapped) below `async_hook`.

    A 1.26-style subclass overrides `generate`; a tracer may wrap it. Either way the call must
    go through it, and the async hook of a base class would bypass it.
    """
    # Remembered per class for the methods it has now, compared by identity (a wrapper compares
    # equal to what it wraps): wrapping one later (an instrumentor) makes a new decision.
    sync_method, hook = getattr(cls, sync_name, None), getattr(cls, async_hook, None)
    known = _WINS.get((cls, sync_name))
    if known is not None and known[0] is sync_method and known[1] is hook:
        return known[2]
    wins = _decide_sync_method_wins(cls, sync_name, async_hook)
    _WINS[(cls, sync_name)] = (sync_method, hook, wins)
    return wins


def _decide_sync_method_wins(cls: type, sync_name: str, async_hook: str) -> bool:
    sync_owner, hook_owner = _owner(cls, sync_name), _owner(cls, async_hook)
    if sync_owner is None or hook_owner is None:
        return False
    method = vars(sync_owner)[sync_name]
    if hasattr(method, "__wrapped__"):
        return True  # wrapped after definition (an instrumentor, a decorator)
    if method is _BASE_METHODS.get(sync_name):
        # The base implementation, which calls the hooks; an instrumentor's undo may have copied
        # it into a subclass, which is no override.
        return False
    return hook_owner is Model or (sync_owner is not hook_owner and issubclass(sync_owner, hook_owner))


async def _drive_on_thread(stream: Iterator[ChatMessageStreamDelta]) -> AsyncIterator[ChatMessageStreamDelta]:
    chunks = iter(stream)
    while True:
        delta = await in_thread(next, chunks, None)
        if delta is None:
            return
        yield delta


class Model:
    """Base class of model backends.

    Subclasses implement `generate` (and `generate_stream` when they can stream); the async
    twins default to running the sync calls on a worker thread, and backends with a native
    async client override them.

    Args:
        flatten_messages_as_text: Send message content as plain strings instead of lists of parts.
        tool_name_key: Key naming the tool in JSON tool calls written as text.
        tool_arguments_key: Key holding the arguments in JSON tool calls written as text.
        model_id: The model identifier used by the backend.
        **kwargs: Forwarded to every completion call (e.g. ``temperature=0.2``); per-call keyword
            arguments win, and a value of `REMOVE_PARAMETER` leaves the key out entirely.
    """

    supports_streaming: bool = False
    supports_native_tool_calls: bool = True
    # Defaults for subclasses that never call `Model.__init__` (allowed, as in 1.26).
    model_id: str | None = None
    flatten_messages_as_text: bool = False
    tool_name_key: str = "name"
    tool_arguments_key: str = "arguments"
    kwargs: Mapping[str, Any] = MappingProxyType({})
    # Whether `generate` takes `code_block_tags=(opening, closing)`: CodeAgent passes it to such
    # models to say that it asks for a code action, and in which tags (local models use it to
    # constrain decoding); other models receive only 1.26's keywords.
    accepts_code_block_tags: bool = False

    def __init__(
        self,
        flatten_messages_as_text: bool = False,
        tool_name_key: str = "name",
        tool_arguments_key: str = "arguments",
        model_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.flatten_messages_as_text = flatten_messages_as_text
        self.tool_name_key = tool_name_key
        self.tool_arguments_key = tool_arguments_key
        self.model_id = model_id
        self.kwargs = kwargs

    @property
    def supports_stop_parameter(self) -> bool:
        """Whether the provider accepts stop sequences (otherwise they are applied client-side).

        Decided from `model_id`, as in 1.26: reasoning models such as o3, o4-mini and gpt-5 refuse
        a ``stop`` parameter.
        """
        from .helpers import supports_stop_parameter  # helpers import this module

        return supports_stop_parameter(self.model_id or "")

    def _prepare_completion_kwargs(
        self,
        messages: list[ChatMessage] | list[dict[str, Any]],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        custom_role_conversions: dict[str, str] | None = None,
        convert_images_to_image_urls: bool = False,
        tool_choice: str | dict[str, Any] | None = "required",
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Assemble the request: per-call kwargs, then messages, stop and tools, then instance kwargs.

        As in 1.26, the keyword arguments given to the model's constructor win over everything
        else; one set to `REMOVE_PARAMETER` removes that key from the request.
        """
        role_conversions = custom_role_conversions or tool_role_conversions
        completion: dict[str, Any] = {
            **kwargs,
            "messages": get_clean_message_list(
                messages,
                role_conversions=role_conversions,
                convert_images_to_image_urls=convert_images_to_image_urls,
                flatten_messages_as_text=self.flatten_messages_as_text,
            ),
        }
        if stop_sequences is not None and self.supports_stop_parameter:
            completion["stop"] = stop_sequences
        if response_format is not None:
            completion["response_format"] = response_format
        if tools_to_call_from:
            completion["tools"] = [get_tool_json_schema(tool) for tool in tools_to_call_from]
            if tool_choice is not None:
                completion["tool_choice"] = tool_choice
        completion.update(self.kwargs)
        return {key: value for key, value in completion.items() if value is not REMOVE_PARAMETER}

    # -- the public calls, with the signatures of smolagents 1.26 ---------------------------------
    # Each packs its arguments into one `ModelRequest` and hands it to the backend's hook
    # (`_respond`, `_respond_stream`, `_arespond`, `_arespond_stream`).

    def generate(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> ChatMessage:
        """Return the model's reply to `messages`."""
        return self._respond(
            ModelRequest(messages, stop_sequences, response_format, tools_to_call_from, kwargs)
        )

    def generate_stream(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatMessageStreamDelta]:
        """Yield the reply as deltas. Backends that cannot stream yield the whole reply once."""
        request = ModelRequest(messages, stop_sequences, response_format, tools_to_call_from, kwargs)
        return self._respond_stream(request)

    async def agenerate(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> ChatMessage:
        """Async twin of `generate`.

        A subclass that overrides `generate` (and not the async hook below it) gets its
        `generate` called on a worker thread, with only the keywords in use.
        """
        request = ModelRequest(messages, stop_sequences, response_format, tools_to_call_from, kwargs)
        if _sync_method_wins(type(self), "generate", "_arespond"):
            return await in_thread(self.generate, request.messages, **request.keywords())
        return await self._arespond(request)

    async def agenerate_stream(
        self,
        messages: list[ChatMessage],
        stop_sequences: list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        tools_to_call_from: list[Tool] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatMessageStreamDelta]:
        """Async twin of `generate_stream` (an overriding `generate_stream` runs on a worker thread)."""
        request = ModelRequest(messages, stop_sequences, response_format, tools_to_call_from, kwargs)
        if _sync_method_wins(type(self), "generate_stream", "_arespond_stream"):
            stream = self.generate_stream(request.messages, **request.keywords())
            async for delta in _drive_on_thread(stream):
                yield delta
            return
        async for delta in self._arespond_stream(request):
            yield delta

    # -- the hooks backends implement ----------------------------------------------------------------

    def _respond(self, request: ModelRequest) -> ChatMessage:
        """Answer `request` (backends implement this, or override `generate` as in 1.26)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement generate().")

    def _respond_stream(self, request: ModelRequest) -> Iterator[ChatMessageStreamDelta]:
        """Stream the answer to `request`; by default the whole reply of `generate` at once."""
        message = self.generate(request.messages, **request.keywords())
        yield ChatMessageStreamDelta(content=message.text or None, token_usage=message.token_usage)

    async def _arespond(self, request: ModelRequest) -> ChatMessage:
        """Async answer to `request`; by default `generate` on a worker thread."""
        return await in_thread(self.generate, request.messages, **request.keywords())

    async def _arespond_stream(self, request: ModelRequest) -> AsyncIterator[ChatMessageStreamDelta]:
        """Async stream of the answer; by default `generate_stream` driven on a worker thread."""
        async for delta in _drive_on_thread(self.generate_stream(request.messages, **request.keywords())):
            yield delta

    def __call__(self, *args: Any, **kwargs: Any) -> ChatMessage:
        return self.generate(*args, **kwargs)

    # -- context window and token counting (used by the agents' context policy) -------------------
    @property
    def context_window(self) -> int | None:
        """The most tokens this model reads, when known (set it to tell agents about another one)."""
        explicit = self.__dict__.get("_context_window")
        if explicit is not None:
            return int(explicit)
        from ._tokens import model_context_window

        return model_context_window(self)

    @context_window.setter
    def context_window(self, value: int | None) -> None:
        self.__dict__["_context_window"] = value

    def count_tokens(self, text: str) -> int:
        """Return how many tokens `text` is for this model: its tokenizer's count, or an estimate."""
        counter = self.__dict__.get("_token_counter")
        if counter is None:
            from ._tokens import token_counter_for

            counter = self.__dict__["_token_counter"] = token_counter_for(self)
        return int(counter.count(text))

    def parse_tool_calls(self, message: ChatMessage) -> ChatMessage:
        """Make sure `message` carries tool calls, reading them from its text when needed.

        Arguments given as JSON strings are decoded.
        """
        return parse_tool_calls(message, self.tool_name_key, self.tool_arguments_key)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration needed to rebuild this model (secrets are left out)."""
        data: dict[str, Any] = {"class": type(self).__name__, "model_id": self.model_id}
        data.update(
            {
                key: value
                for key, value in self.kwargs.items()
                if value is not REMOVE_PARAMETER and _is_json(value) and not is_secret_name(key)
            }
        )
        return data

    @classmethod
    def from_dict(cls, model_dictionary: dict[str, Any]) -> Model:
        """Rebuild a model from `to_dict()` output."""
        data = {key: value for key, value in model_dictionary.items() if key != "class"}
        return cls(**data)


_BASE_METHODS: dict[str, Any] = {"generate": Model.generate, "generate_stream": Model.generate_stream}


def parse_tool_calls(
    message: ChatMessage, tool_name_key: str = "name", tool_arguments_key: str = "arguments"
) -> ChatMessage:
    """Make sure `message` carries tool calls, reading one from its text when it has none.

    Arguments given as JSON strings are decoded.
    """
    message.role = MessageRole.ASSISTANT
    if not message.tool_calls:
        message.tool_calls = [get_tool_call_from_text(message.text, tool_name_key, tool_arguments_key)]
    for call in message.tool_calls:
        call.function.arguments = parse_json_if_needed(call.function.arguments)
    return message


def parse_json_if_needed(arguments: Any) -> Any:
    """Decode tool-call arguments given as a JSON string; leave anything else as it is."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except json.JSONDecodeError:
            return arguments
    return arguments


_SECRET_MARKERS = ("key", "secret", "password", "credential", "auth")


def is_secret_name(name: str) -> bool:
    """Whether a setting's name says it holds a credential (``api_key``, ``hf_token``, ...).

    Counts such as ``max_tokens`` are not credentials.
    """
    lowered = name.lower()
    return any(marker in lowered for marker in _SECRET_MARKERS) or lowered.endswith("token")


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
