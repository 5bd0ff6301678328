"""Module-level names of smolagents 1.26's ``smolagents.models`` that user code imports.

`MODEL_REGISTRY` maps the model class names a saved agent may name to the classes (the only
classes loading a saved agent builds); it loads a backend's module only when its class is looked
up, so listing it stays cheap.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, MutableMapping
from typing import Any

from ._stops import cut_at_stop_sequences
from .base import Model

__all__ = [
    "CODEAGENT_RESPONSE_FORMAT",
    "MODEL_REGISTRY",
    "remove_content_after_stop_sequences",
    "supports_stop_parameter",
]

CODEAGENT_RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "schema": {
            "additionalProperties": False,
            "properties": {
                "thought": {
                    "description": "A free form text description of the thought process.",
                    "title": "Thought",
                    "type": "string",
                },
                "code": {
                    "description": "Valid Python code snippet implementing the thought.",
                    "title": "Code",
                    "type": "string",
                },
            },
            "required": ["thought", "code"],
            "title": "ThoughtAndCodeAnswer",
            "type": "object",
        },
        "name": "ThoughtAndCodeAnswer",
        "strict": True,
    },
}
"""The structured-output format of a CodeAgent with ``use_structured_outputs_internally``."""

_MODEL_MODULES = {
    "VLLMModel": ".vllm",
    "MLXModel": ".mlx",
    "TransformersModel": ".transformers",
    "LiteLLMModel": ".litellm",
    "LiteLLMRouterModel": ".litellm",
    "InferenceClientModel": ".inference_client",
    "OpenAIModel": ".openai",
    "OpenAIServerModel": ".openai",
    "AzureOpenAIModel": ".azure",
    "AzureOpenAIServerModel": ".azure",
    "AmazonBedrockModel": ".bedrock",
    "AmazonBedrockServerModel": ".bedrock",
    # Ours: saved test agents reload with an empty script (give it replies, or pass model=).
    "ScriptedModel": ".scripted",
}


class _ModelRegistry(MutableMapping[str, type[Model]]):
    """Model class name -> class, importing a backend's module on the first lookup of its class.

    It is a mutable mapping, as 1.26's dict is, so code can register its own model classes (and
    tests can patch it); `copy` and `update` between registries load no backend.
    """

    def __init__(self, modules: dict[str, str], classes: dict[str, type[Model]] | None = None) -> None:
        self._modules = dict(modules)
        self._classes = dict(classes or {})

    def __getitem__(self, name: str) -> type[Model]:
        if name not in self._classes:
            module = importlib.import_module(self._modules[name], __package__)
            self._classes[name] = getattr(module, name)
        return self._classes[name]

    def __setitem__(self, name: str, model_class: type[Model]) -> None:
        self._classes[name] = model_class

    def __delitem__(self, name: str) -> None:
        if name not in self._modules and name not in self._classes:
            raise KeyError(name)
        self._modules.pop(name, None)
        self._classes.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._modules, *self._classes]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._modules, *self._classes]))

    def clear(self) -> None:
        """Remove every entry (without loading any backend)."""
        self._modules.clear()
        self._classes.clear()

    def copy(self) -> _ModelRegistry:
        """Return an independent registry with the same entries."""
        return _ModelRegistry(self._modules, self._classes)

    def update(self, other: Any = (), /, **kwargs: type[Model]) -> None:
        """Add entries from a mapping, pairs or keywords (a registry's entries are copied unloaded)."""
        if isinstance(other, _ModelRegistry):
            self._modules.update(other._modules)
            self._classes.update(other._classes)
            other = ()
        super().update(other, **kwargs)

    def __repr__(self) -> str:
        return f"MODEL_REGISTRY({sorted(self)})"


MODEL_REGISTRY: MutableMapping[str, type[Model]] = _ModelRegistry(_MODEL_MODULES)

# Reasoning models that refuse a `stop` parameter: o3 and o4 (o3-mini accepts it), the gpt-5
# family, and grok models (with or without a provider prefix such as "xai.").
_NO_STOP = re.compile(r"^(o3([-.].*)?|o4([-.].*)?|gpt-5.*|([A-Za-z][\w-]*\.)?grok-[A-Za-z0-9][\w.-]*)$")


def supports_stop_parameter(model_id: str) -> bool:
    """Whether the model named `model_id` (``"openai/o3"``, ``"gpt-4"``...) accepts a ``stop`` parameter."""
    name = model_id.split("/")[-1]
    return name == "o3-mini" or not _NO_STOP.match(name)


def remove_content_after_stop_sequences(content: str | None, stop_sequences: list[str] | None) -> str | None:
    """Cut `content` at the first stop sequence it contains; None content or no sequences leave it as is."""
    if content is None or not stop_sequences:
        return content
    return cut_at_stop_sequences(content, stop_sequences)
