"""smolagents: agents that think in code.

Every public name is importable from here; each is loaded from its defining module on first use,
so `import smolagents` stays fast and optional SDKs load only with the backend that needs them.
Type checkers see every name through the block at the end of this file.

Version numbers say which API level of smolagents we implement: ``1.26.1xx`` is our release
``xx`` of the smolagents 1.26 API (1.26.100 is the first). Tools that check
``smolagents.__version__`` against 1.26 (e.g. tracing instrumentors) see the API they expect.
"""

from __future__ import annotations

from ._lazy import lazy_exports, materialize_on_vars
from ._version import __version__ as __version__

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing would double this module's import time

_EXPORTS: dict[str, str] = {
    # agents
    "AGENT_REGISTRY": ".agents",
    "EMPTY_PROMPT_TEMPLATES": ".agents",
    "populate_template": ".agents",
    "ActionOutput": ".agents",
    "AgentEvent": ".agents",
    "AgentSession": ".agents",
    "ApprovalCallback": ".agents",
    "ApprovalDecision": ".agents",
    "ApprovalRequest": ".memory",
    "ApprovalRequested": ".agents",
    "ApprovalResolved": ".agents",
    "Approve": ".agents",
    "Deny": ".agents",
    "Edit": ".agents",
    "PendingApproval": ".agents",
    "CodeAgent": ".agents",
    "ContextCompacted": ".agents",
    "ContextPolicy": ".agents",
    "FinalAnswerPromptTemplate": ".agents",
    "ManagedAgentPromptTemplate": ".agents",
    "MultiStepAgent": ".agents",
    "PlanningPromptTemplate": ".agents",
    "PromptTemplates": ".agents",
    "RunResult": ".agents",
    "ModelCallFinished": ".agents",
    "ModelCallStarted": ".agents",
    "RunFinished": ".agents",
    "RunStarted": ".agents",
    "StepStarted": ".agents",
    "StreamEvent": ".agents",
    "ToolCallFinished": ".agents",
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
    "ContextSummaryStep": ".memory",
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
    "ModelRequest": ".models",
    "OnnxModel": ".models",
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
materialize_on_vars(__name__, _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real definitions
    from .agent_types import (
        AgentAudio as AgentAudio,
    )
    from .agent_types import (
        AgentImage as AgentImage,
    )
    from .agent_types import (
        AgentText as AgentText,
    )
    from .agent_types import (
        AgentType as AgentType,
    )
    from .agent_types import (
        handle_agent_output_types as handle_agent_output_types,
    )
    from .agents import (
        AGENT_REGISTRY as AGENT_REGISTRY,
    )
    from .agents import (
        EMPTY_PROMPT_TEMPLATES as EMPTY_PROMPT_TEMPLATES,
    )
    from .agents import (
        ActionOutput as ActionOutput,
    )
    from .agents import (
        AgentEvent as AgentEvent,
    )
    from .agents import (
        AgentSession as AgentSession,
    )
    from .agents import (
        ApprovalCallback as ApprovalCallback,
    )
    from .agents import (
        ApprovalDecision as ApprovalDecision,
    )
    from .agents import (
        ApprovalRequested as ApprovalRequested,
    )
    from .agents import (
        ApprovalResolved as ApprovalResolved,
    )
    from .agents import (
        Approve as Approve,
    )
    from .agents import (
        CodeAgent as CodeAgent,
    )
    from .agents import (
        ContextCompacted as ContextCompacted,
    )
    from .agents import (
        ContextPolicy as ContextPolicy,
    )
    from .agents import (
        Deny as Deny,
    )
    from .agents import (
        Edit as Edit,
    )
    from .agents import (
        FinalAnswerPromptTemplate as FinalAnswerPromptTemplate,
    )
    from .agents import (
        ManagedAgentPromptTemplate as ManagedAgentPromptTemplate,
    )
    from .agents import (
        ModelCallFinished as ModelCallFinished,
    )
    from .agents import (
        ModelCallStarted as ModelCallStarted,
    )
    from .agents import (
        MultiStepAgent as MultiStepAgent,
    )
    from .agents import (
        PendingApproval as PendingApproval,
    )
    from .agents import (
        PlanningPromptTemplate as PlanningPromptTemplate,
    )
    from .agents import (
        PromptTemplates as PromptTemplates,
    )
    from .agents import (
        RunFinished as RunFinished,
    )
    from .agents import (
        RunResult as RunResult,
    )
    from .agents import (
        RunStarted as RunStarted,
    )
    from .agents import (
        StepStarted as StepStarted,
    )
    from .agents import (
        StreamEvent as StreamEvent,
    )
    from .agents import (
        ToolCallFinished as ToolCallFinished,
    )
    from .agents import (
        ToolCallingAgent as ToolCallingAgent,
    )
    from .agents import (
        ToolOutput as ToolOutput,
    )
    from .agents import (
        populate_template as populate_template,
    )
    from .cli import (
        load_model as load_model,
    )
    from .default_tools import (
        ApiWebSearchTool as ApiWebSearchTool,
    )
    from .default_tools import (
        DuckDuckGoSearchTool as DuckDuckGoSearchTool,
    )
    from .default_tools import (
        FinalAnswerTool as FinalAnswerTool,
    )
    from .default_tools import (
        GoogleSearchTool as GoogleSearchTool,
    )
    from .default_tools import (
        PythonInterpreterTool as PythonInterpreterTool,
    )
    from .default_tools import (
        SpeechToTextTool as SpeechToTextTool,
    )
    from .default_tools import (
        UserInputTool as UserInputTool,
    )
    from .default_tools import (
        VisitWebpageTool as VisitWebpageTool,
    )
    from .default_tools import (
        WebSearchTool as WebSearchTool,
    )
    from .default_tools import (
        WikipediaSearchTool as WikipediaSearchTool,
    )
    from .gradio_ui import (
        GradioUI as GradioUI,
    )
    from .gradio_ui import (
        stream_to_gradio as stream_to_gradio,
    )
    from .local_python_executor import (
        BASE_BUILTIN_MODULES as BASE_BUILTIN_MODULES,
    )
    from .local_python_executor import (
        CodeOutput as CodeOutput,
    )
    from .local_python_executor import (
        ExecutionTimeoutError as ExecutionTimeoutError,
    )
    from .local_python_executor import (
        InterpreterError as InterpreterError,
    )
    from .local_python_executor import (
        LocalPythonExecutor as LocalPythonExecutor,
    )
    from .local_python_executor import (
        PythonExecutor as PythonExecutor,
    )
    from .local_python_executor import (
        evaluate_python_code as evaluate_python_code,
    )
    from .mcp_client import (
        MCPClient as MCPClient,
    )
    from .memory import (
        ActionStep as ActionStep,
    )
    from .memory import (
        AgentMemory as AgentMemory,
    )
    from .memory import (
        ApprovalRequest as ApprovalRequest,
    )
    from .memory import (
        CallbackRegistry as CallbackRegistry,
    )
    from .memory import (
        ContextSummaryStep as ContextSummaryStep,
    )
    from .memory import (
        FinalAnswerStep as FinalAnswerStep,
    )
    from .memory import (
        MemoryStep as MemoryStep,
    )
    from .memory import (
        PlanningStep as PlanningStep,
    )
    from .memory import (
        SystemPromptStep as SystemPromptStep,
    )
    from .memory import (
        TaskStep as TaskStep,
    )
    from .memory import (
        ToolCall as ToolCall,
    )
    from .models import (
        CODEAGENT_RESPONSE_FORMAT as CODEAGENT_RESPONSE_FORMAT,
    )
    from .models import (
        MODEL_REGISTRY as MODEL_REGISTRY,
    )
    from .models import (
        REMOVE_PARAMETER as REMOVE_PARAMETER,
    )
    from .models import (
        AmazonBedrockModel as AmazonBedrockModel,
    )
    from .models import (
        AmazonBedrockServerModel as AmazonBedrockServerModel,
    )
    from .models import (
        ApiModel as ApiModel,
    )
    from .models import (
        AzureOpenAIModel as AzureOpenAIModel,
    )
    from .models import (
        AzureOpenAIServerModel as AzureOpenAIServerModel,
    )
    from .models import (
        ChatMessage as ChatMessage,
    )
    from .models import (
        ChatMessageStreamDelta as ChatMessageStreamDelta,
    )
    from .models import (
        ChatMessageToolCall as ChatMessageToolCall,
    )
    from .models import (
        ChatMessageToolCallFunction as ChatMessageToolCallFunction,
    )
    from .models import (
        InferenceClientModel as InferenceClientModel,
    )
    from .models import (
        LiteLLMModel as LiteLLMModel,
    )
    from .models import (
        LiteLLMRouterModel as LiteLLMRouterModel,
    )
    from .models import (
        MessageRole as MessageRole,
    )
    from .models import (
        MLXModel as MLXModel,
    )
    from .models import (
        Model as Model,
    )
    from .models import (
        ModelRequest as ModelRequest,
    )
    from .models import (
        OnnxModel as OnnxModel,
    )
    from .models import (
        OpenAIModel as OpenAIModel,
    )
    from .models import (
        OpenAIServerModel as OpenAIServerModel,
    )
    from .models import (
        RetryPolicy as RetryPolicy,
    )
    from .models import (
        ScriptedModel as ScriptedModel,
    )
    from .models import (
        TransformersModel as TransformersModel,
    )
    from .models import (
        VLLMModel as VLLMModel,
    )
    from .models import (
        agglomerate_stream_deltas as agglomerate_stream_deltas,
    )
    from .models import (
        get_clean_message_list as get_clean_message_list,
    )
    from .models import (
        parse_json_if_needed as parse_json_if_needed,
    )
    from .models import (
        tool_call_message as tool_call_message,
    )
    from .models import (
        tool_role_conversions as tool_role_conversions,
    )
    from .monitoring import (
        AgentLogger as AgentLogger,
    )
    from .monitoring import (
        LogLevel as LogLevel,
    )
    from .monitoring import (
        Monitor as Monitor,
    )
    from .monitoring import (
        Timing as Timing,
    )
    from .monitoring import (
        TokenUsage as TokenUsage,
    )
    from .remote_executors import (
        BlaxelExecutor as BlaxelExecutor,
    )
    from .remote_executors import (
        DockerExecutor as DockerExecutor,
    )
    from .remote_executors import (
        E2BExecutor as E2BExecutor,
    )
    from .remote_executors import (
        IsolatedPythonExecutor as IsolatedPythonExecutor,
    )
    from .remote_executors import (
        ModalExecutor as ModalExecutor,
    )
    from .remote_executors import (
        WasmExecutor as WasmExecutor,
    )
    from .tools import (
        AUTHORIZED_TYPES as AUTHORIZED_TYPES,
    )
    from .tools import (
        BaseTool as BaseTool,
    )
    from .tools import (
        Tool as Tool,
    )
    from .tools import (
        ToolCollection as ToolCollection,
    )
    from .tools import (
        ToolDefinitionError as ToolDefinitionError,
    )
    from .tools import (
        launch_gradio_demo as launch_gradio_demo,
    )
    from .tools import (
        load_tool as load_tool,
    )
    from .tools import (
        tool as tool,
    )
    from .tools import (
        validate_tool_arguments as validate_tool_arguments,
    )
    from .utils import (
        AgentError as AgentError,
    )
    from .utils import (
        AgentExecutionError as AgentExecutionError,
    )
    from .utils import (
        AgentGenerationError as AgentGenerationError,
    )
    from .utils import (
        AgentInterruptedError as AgentInterruptedError,
    )
    from .utils import (
        AgentMaxStepsError as AgentMaxStepsError,
    )
    from .utils import (
        AgentParsingError as AgentParsingError,
    )
    from .utils import (
        AgentToolCallError as AgentToolCallError,
    )
    from .utils import (
        AgentToolExecutionError as AgentToolExecutionError,
    )
    from .utils import (
        ModelProviderError as ModelProviderError,
    )
    from .utils import (
        create_agent_gradio_app_template as create_agent_gradio_app_template,
    )
    from .utils import (
        extract_code_from_text as extract_code_from_text,
    )
    from .utils import (
        is_valid_name as is_valid_name,
    )
    from .utils import (
        make_init_file as make_init_file,
    )
    from .utils import (
        parse_code_blobs as parse_code_blobs,
    )
    from .utils import (
        truncate_content as truncate_content,
    )
