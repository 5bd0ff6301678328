"""Model backends. Provider SDKs are imported only when a backend is constructed."""

from __future__ import annotations

from .._lazy import lazy_exports
from .._messages import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    ChatMessageToolCallStreamDelta,
    MessageRole,
    agglomerate_stream_deltas,
)
from .base import REMOVE_PARAMETER, Model, ModelRequest, get_tool_json_schema, parse_json_if_needed
from .conversion import (
    get_clean_message_list,
    get_tool_call_from_text,
    parse_json_blob,
    tool_role_conversions,
)
from .helpers import (
    CODEAGENT_RESPONSE_FORMAT,
    MODEL_REGISTRY,
    remove_content_after_stop_sequences,
    supports_stop_parameter,
)
from .scripted import ModelCall, ScriptedModel, tool_call_message

_BACKENDS: dict[str, str] = {
    "AmazonBedrockModel": ".bedrock",
    "AmazonBedrockServerModel": ".bedrock",
    "ApiModel": ".api",
    "AzureOpenAIModel": ".azure",
    "AzureOpenAIServerModel": ".azure",
    "InferenceClientModel": ".inference_client",
    "LiteLLMModel": ".litellm",
    "LiteLLMRouterModel": ".litellm",
    "MLXModel": ".mlx",
    "OnnxModel": ".onnx",
    "OpenAIModel": ".openai",
    "OpenAIServerModel": ".openai",
    "RetryPolicy": ".api",
    "TransformersModel": ".transformers",
    "VLLMModel": ".vllm",
}

__all__ = [
    "CODEAGENT_RESPONSE_FORMAT",
    "MODEL_REGISTRY",
    "AmazonBedrockModel",
    "AmazonBedrockServerModel",
    "ApiModel",
    "AzureOpenAIModel",
    "AzureOpenAIServerModel",
    "ChatMessage",
    "ChatMessageStreamDelta",
    "ChatMessageToolCall",
    "ChatMessageToolCallFunction",
    "ChatMessageToolCallStreamDelta",
    "InferenceClientModel",
    "LiteLLMModel",
    "LiteLLMRouterModel",
    "MLXModel",
    "MessageRole",
    "Model",
    "ModelCall",
    "ModelRequest",
    "OnnxModel",
    "OpenAIModel",
    "OpenAIServerModel",
    "REMOVE_PARAMETER",
    "RetryPolicy",
    "ScriptedModel",
    "TransformersModel",
    "VLLMModel",
    "agglomerate_stream_deltas",
    "get_clean_message_list",
    "get_tool_call_from_text",
    "get_tool_json_schema",
    "parse_json_blob",
    "parse_json_if_needed",
    "remove_content_after_stop_sequences",
    "supports_stop_parameter",
    "tool_call_message",
    "tool_role_conversions",
]

__getattr__, __dir__ = lazy_exports(__name__, _BACKENDS)
