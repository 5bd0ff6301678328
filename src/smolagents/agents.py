"""The agents: `MultiStepAgent` and its two kinds, `CodeAgent` and `ToolCallingAgent`.

An agent object holds configuration and the public API only. Its settings are frozen into an
`AgentConfig` the first time it runs (and again when one changes); each run has its own
`RunState` (memory, step counter, executor), driven by the runner in `smolagents._agent`, so one
agent serves many concurrent runs and conversations (`new_session()`). The classes live in
`smolagents._agent` (one module each); this module is their public home, as in smolagents 1.26.
"""

from __future__ import annotations

from ._agent.approval import ApprovalCallback, ApprovalDecision, Approve, Deny, Edit, PendingApproval
from ._agent.code_agent import CodeAgent
from ._agent.context_policy import ContextPolicy
from ._agent.multistep import AGENT_REGISTRY, MultiStepAgent
from ._agent.prompts import (
    EMPTY_PROMPT_TEMPLATES,
    FinalAnswerPromptTemplate,
    ManagedAgentPromptTemplate,
    PlanningPromptTemplate,
    PromptTemplates,
    populate_template,
)
from ._agent.run_state import RunResult
from ._agent.session import AgentSession
from ._agent.tool_calling_agent import ToolCallingAgent
from ._errors import (  # noqa: F401  # importable from here, as in smolagents 1.26
    AgentError,
    AgentExecutionError,
    AgentGenerationError,
    AgentMaxStepsError,
    AgentParsingError,
    AgentToolCallError,
    AgentToolExecutionError,
)
from ._events import (
    ActionOutput,
    AgentEvent,
    ApprovalRequested,
    ApprovalResolved,
    ContextCompacted,
    ModelCallFinished,
    ModelCallStarted,
    RunFinished,
    RunStarted,
    StepStarted,
    StreamEvent,
    ToolCallFinished,
    ToolOutput,
)
from ._messages import ChatMessage  # noqa: F401  # importable from here, as in 1.26
from .agent_types import handle_agent_output_types  # noqa: F401  # importable from here, as in 1.26
from .memory import ActionStep, AgentMemory, ApprovalRequest, ToolCall  # noqa: F401  # importable from here, as in 1.26
from .monitoring import AgentLogger, LogLevel, Monitor  # noqa: F401  # importable from here, as in 1.26

__all__ = [
    "AGENT_REGISTRY",
    "EMPTY_PROMPT_TEMPLATES",
    "ActionOutput",
    "AgentEvent",
    "AgentSession",
    "ApprovalCallback",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalRequested",
    "ApprovalResolved",
    "Approve",
    "CodeAgent",
    "ContextCompacted",
    "ContextPolicy",
    "Deny",
    "Edit",
    "FinalAnswerPromptTemplate",
    "ManagedAgentPromptTemplate",
    "ModelCallFinished",
    "ModelCallStarted",
    "MultiStepAgent",
    "PendingApproval",
    "PlanningPromptTemplate",
    "PromptTemplates",
    "RunFinished",
    "RunResult",
    "RunStarted",
    "StepStarted",
    "StreamEvent",
    "ToolCallFinished",
    "ToolCallingAgent",
    "ToolOutput",
    "populate_template",
]
