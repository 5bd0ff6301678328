"""What the in-process engines (onnxruntime-genai, transformers, vLLM, MLX) share.

Each engine renders the conversation with the tokenizer's chat template, generates text, and
hands it back here to be cut at stop sequences and read for tool calls. Only the generation step
differs between engines, so `LocalModel` implements the rest once.

Structured generation: with `structured_generation` on, each request that asks for a code
action, a tool call or a `response_format` gets a `Grammar` (see `_grammar.py`) in its options
under ``"grammar"``; the engine constrains decoding to it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._errors import AgentParsingError
from .._messages import ChatMessage, ChatMessageStreamDelta, ChatMessageToolCall, MessageRole
from .._usage import TokenUsage
from ._grammar import grammar_for_request
from ._stops import StopSequenceCutter, cut_at_stop_sequences
from .base import REMOVE_PARAMETER, Model, ModelRequest, get_tool_json_schema
from .conversion import get_clean_message_list, get_tool_call_from_text, tool_role_conversions

if TYPE_CHECKING:
    from ..tools.base import Tool

__all__ = [
    "Completion",
    "LocalModel",
    "TemplateFeatures",
    "import_engine",
    "probe_template_features",
]


def import_engine(module: str, extra: str, backend: str) -> ModuleType:
    """Import an optional engine, or fail with the pip command that installs it.

    Raises:
        ImportError: Naming the extra to install when `module` is missing.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{backend} needs the `{module.split('.')[0]}` package, which is not installed: "
            f"run `pip install 'smolagents[{extra}]'`."
        ) from error


@dataclass(frozen=True)
class TemplateFeatures:
    """What a tokenizer's chat template can render."""

    accepts_list_content: bool
    renders_tools: bool


def probe_template_features(tokenizer: Any) -> TemplateFeatures:
    """Find out, by rendering samples, whether the chat template takes list content and tools.

    Templates declare neither, and getting it wrong either crashes (list content in a template
    that concatenates strings) or silently drops the tools, so we render and compare once.
    """
    sample = [{"role": "user", "content": "ping"}]
    try:
        tokenizer.apply_chat_template(
            [{"role": "user", "content": [{"type": "text", "text": "ping"}]}], tokenize=False
        )
        accepts_list_content = True
    except Exception:  # any template error means list content cannot be rendered
        accepts_list_content = False
    probe_tool = {
        "type": "function",
        "function": {
            "name": "probe_tool_7f3a",
            "description": "probe",
            "parameters": {"type": "object", "properties": {}, "required": []},
        },
    }
    try:
        with_tools = tokenizer.apply_chat_template(sample, tools=[probe_tool], tokenize=False)
        renders_tools = "probe_tool_7f3a" in str(with_tools)
    except Exception:  # a template that fails on tools cannot render them
        renders_tools = False
    return TemplateFeatures(accepts_list_content=accepts_list_content, renders_tools=renders_tools)


@dataclass
class Completion:
    """Text an engine generated, with the token counts of the call.

    `cached_tokens` counts the prompt tokens the engine did not have to read again because a
    previous call had already processed them (prefix caching).
    """

    text: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0


class LocalModel(Model):
    """Base of the in-process engines: prompt rendering, stop sequences, tool calls, usage.

    Subclasses load `self.tokenizer` (a transformers tokenizer, or an engine wrapper exposing
    `apply_chat_template`) and implement `_complete` and `_complete_stream`.

    Attributes:
        structured_generation: Constrain decoding with a grammar when the agent asks for a code
            action (a thought, then one well-formed block in its code tags), a tool call (JSON
            matching the tools' schemas) or a `response_format`. Set by the constructor's
            `structured_generation` argument.
        plain_code_actions: With structured generation, shape code actions for a very small
            model: a short block whose last line prints or calls `final_answer`, and once the
            previous step's code ran and printed something, a `final_answer(...)` line alone (a
            135M model otherwise repeats its last block until the step limit). On for the embedded default;
            a task needing several printed observations is beyond such a model anyway.
    """

    supports_streaming = True
    supports_native_tool_calls = False
    # The engine honours `response_format` natively, without structured generation (vLLM does).
    supports_response_format = False
    # CodeAgent passes `code_block_tags=(opening, closing)` to models that declare this.
    accepts_code_block_tags = True
    structured_generation: bool = False
    plain_code_actions: bool = False
    # Constructor arguments that `to_dict` records, so that `from_dict` rebuilds the same model.
    _config_fields: tuple[str, ...] = ("apply_chat_template_kwargs",)
    tokenizer: Any
    apply_chat_template_kwargs: dict[str, Any]
    template_features: TemplateFeatures

    def render_prompt(
        self, messages: list[ChatMessage] | list[dict[str, Any]], tools_to_call_from: list[Tool] | None = None
    ) -> str:
        """Render `messages` (and the tools, when the template can show them) as the prompt text."""
        features = self.template_features
        clean = get_clean_message_list(
            messages,
            role_conversions=tool_role_conversions,
            flatten_messages_as_text=self.flatten_messages_as_text or not features.accepts_list_content,
        )
        for message in clean:
            # Tool calls travel as text in the content for these models; templates that
            # render `tool_calls` would show them twice.
            message.pop("tool_calls", None)
        template_kwargs: dict[str, Any] = {"add_generation_prompt": True, "tokenize": False}
        if tools_to_call_from and features.renders_tools:
            template_kwargs["tools"] = [get_tool_json_schema(tool) for tool in tools_to_call_from]
        template_kwargs.update(self.apply_chat_template_kwargs)
        return str(self.tokenizer.apply_chat_template(clean, **template_kwargs))

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration needed to rebuild this model (values JSON cannot hold are left out)."""
        data = super().to_dict()
        # Values left at the constructor's default are not recorded: the file stays loadable by
        # versions (and 1.26) that do not know an argument added since.
        parameters = inspect.signature(type(self).__init__).parameters
        for name in self._config_fields:
            value = getattr(self, name)
            default = parameters[name].default if name in parameters else inspect.Parameter.empty
            if _is_json(value) and value not in ({}, None) and value != default:
                data[name] = value
        return data

    def _generation_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Merge instance and per-call kwargs (per-call wins) and drop `REMOVE_PARAMETER` values."""
        merged = {**self.kwargs, **kwargs}
        return {key: value for key, value in merged.items() if value is not REMOVE_PARAMETER}

    def _complete(self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]) -> Completion:
        """Generate a reply to `prompt`; the text may run past a stop sequence (it is cut later)."""
        raise NotImplementedError

    def _complete_stream(
        self, prompt: str, stop_sequences: list[str] | None, options: dict[str, Any]
    ) -> Generator[str | Completion, None, None]:
        """Yield text pieces as they are generated, then one `Completion` with the counts.

        Engines without incremental output inherit this: the whole text comes as one piece.
        """
        completion = self._complete(prompt, stop_sequences, options)
        yield completion.text
        yield Completion(
            text="", input_tokens=completion.input_tokens, output_tokens=completion.output_tokens
        )

    def _options(
        self,
        kwargs: dict[str, Any],
        response_format: dict[str, Any] | None,
        tools_to_call_from: list[Tool] | None = None,
        code_block_tags: tuple[str, str] | None = None,
        must_answer: bool = False,
    ) -> dict[str, Any]:
        """Check the request and return the engine options, with its grammar or `response_format`."""
        options = self._generation_kwargs(kwargs)
        if self.structured_generation:
            grammar = grammar_for_request(
                response_format,
                tools_to_call_from,
                code_block_tags,
                self.tool_name_key,
                self.tool_arguments_key,
                plain_code=self.plain_code_actions,
                must_answer=must_answer,
            )
            return options if grammar is None else {**options, "grammar": grammar}
        if response_format is None:
            return options
        if not self.supports_response_format:
            raise ValueError(
                f"{type(self).__name__} cannot constrain output to a response_format without structured "
                "generation: create it with structured_generation=True, leave response_format unset, or "
                "use a server backend (OpenAIServerModel, LiteLLMModel) that supports it."
            )
        return {**options, "response_format": response_format}

    def _request_options(self, request: ModelRequest) -> tuple[dict[str, Any], list[str] | None]:
        """Return the engine options of `request` and the stop sequences that still apply."""
        keywords = dict(request.options)
        code_block_tags = keywords.pop("code_block_tags", None)
        must_answer = self.plain_code_actions and _last_code_printed(request.messages)
        options = self._options(
            keywords, request.response_format, request.tools_to_call_from, code_block_tags, must_answer
        )
        return options, _stops_outside_grammar(request.stop_sequences, options)

    def _respond(self, request: ModelRequest) -> ChatMessage:
        """Generate the reply, cut at the first stop sequence, with tool calls read from its text.

        A `code_block_tags` option (passed by CodeAgent) marks a request for a code action in those tags.
        """
        tools_to_call_from = request.tools_to_call_from
        options, stop_sequences = self._request_options(request)
        prompt = self.render_prompt(request.messages, tools_to_call_from)
        completion = self._complete(prompt, stop_sequences, options)
        text = cut_at_stop_sequences(completion.text, stop_sequences or [])
        message = ChatMessage(
            role=MessageRole.ASSISTANT,
            content=text,
            raw={
                "prompt": prompt,
                "completion": completion.text,
                "cached_prompt_tokens": completion.cached_tokens,
            },
            token_usage=TokenUsage(completion.input_tokens, completion.output_tokens),
        )
        if tools_to_call_from:
            message.tool_calls = self._tool_calls_from_text(text)
        return message

    def _respond_stream(self, request: ModelRequest) -> Iterator[ChatMessageStreamDelta]:
        """Yield the reply as text deltas, then one delta carrying the token usage.

        Tool calls are not parsed while streaming: the agent reads them from the joined text.
        """
        options, stop_sequences = self._request_options(request)
        prompt = self.render_prompt(request.messages, request.tools_to_call_from)
        trimmer = StopSequenceCutter(stop_sequences or [])
        pieces = self._complete_stream(prompt, stop_sequences, options)
        try:
            for piece in pieces:
                if isinstance(piece, Completion):
                    rest = trimmer.flush()
                    if rest:
                        yield ChatMessageStreamDelta(content=rest)
                    usage = TokenUsage(piece.input_tokens, piece.output_tokens)
                    yield ChatMessageStreamDelta(token_usage=usage)
                    return
                released = trimmer.feed(piece)
                if released:
                    yield ChatMessageStreamDelta(content=released)
        finally:
            # Closing the engine's generator when the consumer stops reading stops generation.
            pieces.close()

    def _tool_calls_from_text(self, text: str) -> list[ChatMessageToolCall] | None:
        """Read the tool calls written in the text; None when there is none (the agent reports it).

        Models trained on Hermes/Qwen-style templates wrap each call in ``<tool_call>...</tool_call>``
        and may write several; otherwise the first JSON object with a tool name is the call.
        """
        blocks = _TOOL_CALL_TAG.findall(text) or [text]
        calls = []
        for block in blocks:
            try:
                calls.append(get_tool_call_from_text(block, self.tool_name_key, self.tool_arguments_key))
            except AgentParsingError:
                continue  # a block that is not a call: the agent reports the call as missing if none is left
        return calls or None


def _stops_outside_grammar(stop_sequences: list[str] | None, options: dict[str, Any]) -> list[str] | None:
    """Drop the stop sequences of a request a grammar governs: the grammar ends the reply, and a
    stop sequence met inside it (say "Observation:" in a thought) would cut a well-formed reply."""
    return None if "grammar" in options else stop_sequences


def _last_code_printed(messages: list[ChatMessage] | list[dict[str, Any]]) -> bool:
    """Whether the conversation ends with the observation of code that ran and printed something."""
    if not messages:
        return False
    last = messages[-1]
    content = last.content if isinstance(last, ChatMessage) else last.get("content")
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str) or not content.startswith("Observation:"):
        return False
    logs = content.partition("Execution logs:")[2].partition("Last output from code snippet:")[0]
    return bool(logs.strip())


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


_TOOL_CALL_TAG = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)
