"""Module-level names of smolagents 1.26's ``smolagents.models`` that user code imports.

`MODEL_REGISTRY` maps the model class names a saved agent may name to the classes (the only
classes loading a saved agent builds); it loads a backend's module only when its class is looked
up, so listing it stays cheap.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
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
}


class _ModelRegistry(Mapping[str, type[Model]]):
    """Model class name -> class, importing the backend's module on first lookup."""

    def __getitem__(self, name: str) -> type[Model]:
        module_name = _MODEL_MODULES[name]
        model_class: type[Model] = getattr(importlib.import_module(module_name, __package__), name)
        return model_class

    def __iter__(self) -> Iterator[str]:
        return iter(_MODEL_MODULES)

    def __len__(self) -> int:
        return len(_MODEL_MODULES)

    def __repr__(self) -> str:
        return f"MODEL_REGISTRY({sorted(_MODEL_MODULES)})"


MODEL_REGISTRY: Mapping[str, type[Model]] = _ModelRegistry()

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
