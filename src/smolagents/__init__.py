"""smolagents: agents that think in code.

Every public name is importable from here; each is loaded from its defining module on first use,
so `import smolagents` stays fast and optional SDKs load only with the backend that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # agents
    "AGENT_REGISTRY": ".agents",
    "EMPTY_PROMPT_TEMPLATES": ".agents",
    "populate_template": ".agents",
    "ActionOutput": ".agents",
    "CodeAgent": ".agents",
    "FinalAnswerPromptTemplate": ".agents",
    "ManagedAgentPromptTemplate": ".agents",
    "MultiStepAgent": ".agents",
    "PlanningPromptTemplate": ".agents",
    "PromptTemplates": ".agents",
    "RunResult": ".agents",
    "ToolCallingAgent": ".agents",
    "ToolOutput": ".agents",
    # agent types
    "handle_agent_output_types": ".agent_types",
    "AgentAudio": ".agent_types",
    "AgentImage": ".agent_types",
    "AgentText": ".agent_types",
    "AgentType": ".agent_types",
    # default tools
    "ApiWebSearchTool": ".default_tools",
    "DuckDuckGoSearchTool": ".default_tools",
    "FinalAnswerTool": ".default_tools",
    "GoogleSearchTool": ".default_tools",
    "PythonInterpreterTool": ".default_tools",
    "SpeechToTextTool": ".default_tools",
    "UserInputTool": ".default_tools",
    "VisitWebpageTool": ".default_tools",
    "WebSearchTool": ".default_tools",
    "WikipediaSearchTool": ".default_tools",
    # errors
    "AgentError": ".utils",
    "AgentExecutionError": ".utils",
    "AgentGenerationError": ".utils",
    "AgentInterruptedError": ".utils",
    "AgentMaxStepsError": ".utils",
    "AgentParsingError": ".utils",
    "AgentToolCallError": ".utils",
    "AgentToolExecutionError": ".utils",
    "ModelProviderError": ".utils",
    # helpers of smolagents 1.26's utils
    "create_agent_gradio_app_template": ".utils",
    "extract_code_from_text": ".utils",
    "is_valid_name": ".utils",
    "make_init_file": ".utils",
    "parse_code_blobs": ".utils",
    "truncate_content": ".utils",
    # user interfaces
    "GradioUI": ".gradio_ui",
    "load_model": ".cli",
    "stream_to_gradio": ".gradio_ui",
    # local interpreter
    "BASE_BUILTIN_MODULES": ".local_python_executor",
    "CodeOutput": ".local_python_executor",
    "ExecutionTimeoutError": ".local_python_executor",
    "InterpreterError": ".local_python_executor",
    "LocalPythonExecutor": ".local_python_executor",
    "PythonExecutor": ".local_python_executor",
    "evaluate_python_code": ".local_python_executor",
    # executors outside this process
    "BlaxelExecutor": ".remote_executors",
    "DockerExecutor": ".remote_executors",
    "E2BExecutor": ".remote_executors",
    "IsolatedPythonExecutor": ".remote_executors",
    "ModalExecutor": ".remote_executors",
    "WasmExecutor": ".remote_executors",
    # MCP
    "MCPClient": ".mcp_client",
    # memory
    "CallbackRegistry": ".memory",
    "ActionStep": ".memory",
    "AgentMemory": ".memory",
    "FinalAnswerStep": ".memory",
    "MemoryStep": ".memory",
    "PlanningStep": ".memory",
    "SystemPromptStep": ".memory",
    "TaskStep": ".memory",
    "ToolCall": ".memory",
    # models
    "CODEAGENT_RESPONSE_FORMAT": ".models",
    "MODEL_REGISTRY": ".models",
    "agglomerate_stream_deltas": ".models",
    "parse_json_if_needed": ".models",
    "REMOVE_PARAMETER": ".models",
    "AmazonBedrockModel": ".models",
    "AmazonBedrockServerModel": ".models",
    "ApiModel": ".models",
    "AzureOpenAIModel": ".models",
    "AzureOpenAIServerModel": ".models",
    "ChatMessage": ".models",
    "ChatMessageStreamDelta": ".models",
    "ChatMessageToolCall": ".models",
    "ChatMessageToolCallFunction": ".models",
    "InferenceClientModel": ".models",
    "LiteLLMModel": ".models",
    "LiteLLMRouterModel": ".models",
    "MessageRole": ".models",
    "MLXModel": ".models",
    "Model": ".models",
    "OpenAIModel": ".models",
    "OpenAIServerModel": ".models",
    "RetryPolicy": ".models",
    "ScriptedModel": ".models",
    "TransformersModel": ".models",
    "VLLMModel": ".models",
    "get_clean_message_list": ".models",
    "tool_call_message": ".models",
    "tool_role_conversions": ".models",
    # monitoring
    "AgentLogger": ".monitoring",
    "LogLevel": ".monitoring",
    "Monitor": ".monitoring",
    "Timing": ".monitoring",
    "TokenUsage": ".monitoring",
    # tools
    "BaseTool": ".tools",
    "launch_gradio_demo": ".tools",
    "AUTHORIZED_TYPES": ".tools",
    "Tool": ".tools",
    "ToolCollection": ".tools",
    "ToolDefinitionError": ".tools",
    "load_tool": ".tools",
    "tool": ".tools",
    "validate_tool_arguments": ".tools",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real definitions
    from .agents import *  # noqa: F403
    from .models import *  # noqa: F403
