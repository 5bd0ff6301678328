"""Rendering a model's Jinja chat template without transformers.

Engines other than transformers (onnxruntime-genai) ship the template as text beside the
weights. Templates are written for transformers' renderer, so this one offers what they rely
on: a sandboxed environment with trimmed blocks, `raise_exception`, a `tojson` filter that does
not escape HTML, and the special tokens as variables.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ChatTemplate"]


class TemplateError(ValueError):
    """The chat template refused the conversation (it called `raise_exception`)."""


def _raise_exception(message: str) -> None:
    raise TemplateError(message)


def _tojson(
    value: Any, indent: int | None = None, ensure_ascii: bool = False, sort_keys: bool = False
) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)


class ChatTemplate:
    """A compiled chat template with a transformers-like `apply_chat_template`.

    Args:
        source: The Jinja template text.
        special_tokens: Variables such as ``bos_token`` and ``eos_token`` templates may read.
    """

    def __init__(self, source: str, special_tokens: dict[str, str] | None = None) -> None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        environment.filters["tojson"] = _tojson
        environment.globals["raise_exception"] = _raise_exception
        self.source = source
        self._template = environment.from_string(source)
        self._variables = dict(special_tokens or {})

    def apply_chat_template(
        self,
        conversation: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        add_generation_prompt: bool = False,
        tokenize: bool = False,
        **kwargs: Any,
    ) -> str:
        """Render `conversation` (and `tools`) as prompt text.

        Raises:
            ValueError: When asked to tokenize (use the engine's tokenizer on the text).
            TemplateError: When the template refuses the conversation.
        """
        if tokenize:
            raise ValueError(
                "ChatTemplate renders text only; tokenize the result with the engine's tokenizer."
            )
        return self._template.render(
            messages=conversation,
            tools=tools,
            add_generation_prompt=add_generation_prompt,
            **self._variables,
            **kwargs,
        )
