"""The public surface: explicit sorted exports, import paths of API.md, and lazy heavy imports."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import smolagents

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter that imports this checkout's package; return its stdout."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


API_PATHS = {
    "smolagents.agents": [
        "MultiStepAgent",
        "CodeAgent",
        "ToolCallingAgent",
        "RunResult",
        "ActionOutput",
        "ToolOutput",
        "PromptTemplates",
        "PlanningPromptTemplate",
        "ManagedAgentPromptTemplate",
        "FinalAnswerPromptTemplate",
    ],
    "smolagents.models": [
        "Model",
        "ApiModel",
        "InferenceClientModel",
        "LiteLLMModel",
        "LiteLLMRouterModel",
        "OpenAIServerModel",
        "OpenAIModel",
        "AzureOpenAIServerModel",
        "AzureOpenAIModel",
        "AmazonBedrockServerModel",
        "AmazonBedrockModel",
        "TransformersModel",
        "MLXModel",
        "VLLMModel",
        "ChatMessage",
        "ChatMessageToolCall",
        "ChatMessageToolCallFunction",
        "ChatMessageStreamDelta",
        "MessageRole",
        "REMOVE_PARAMETER",
        "tool_role_conversions",
        "get_clean_message_list",
    ],
    "smolagents.tools": ["Tool", "tool", "load_tool", "ToolCollection", "AUTHORIZED_TYPES"],
    "smolagents.default_tools": [
        "PythonInterpreterTool",
        "FinalAnswerTool",
        "UserInputTool",
        "WebSearchTool",
        "DuckDuckGoSearchTool",
        "GoogleSearchTool",
        "ApiWebSearchTool",
        "VisitWebpageTool",
        "WikipediaSearchTool",
        "SpeechToTextTool",
    ],
    "smolagents.local_python_executor": [
        "PythonExecutor",
        "LocalPythonExecutor",
        "evaluate_python_code",
        "InterpreterError",
        "BASE_BUILTIN_MODULES",
    ],
    "smolagents.remote_executors": [
        "BlaxelExecutor",
        "DockerExecutor",
        "E2BExecutor",
        "IsolatedPythonExecutor",
        "ModalExecutor",
        "WasmExecutor",
    ],
    "smolagents.memory": [
        "AgentMemory",
        "TaskStep",
        "SystemPromptStep",
        "PlanningStep",
        "ActionStep",
        "FinalAnswerStep",
        "ToolCall",
    ],
    "smolagents.mcp_client": ["MCPClient"],
    "smolagents.monitoring": ["AgentLogger", "LogLevel", "Monitor", "TokenUsage", "Timing"],
    "smolagents.agent_types": ["AgentType", "AgentText", "AgentImage", "AgentAudio"],
    "smolagents.utils": [
        "AgentError",
        "AgentParsingError",
        "AgentExecutionError",
        "AgentToolCallError",
        "AgentToolExecutionError",
        "AgentGenerationError",
        "AgentMaxStepsError",
    ],
}


def test_all_is_explicit_sorted_and_unique() -> None:
    assert smolagents.__all__ == sorted(smolagents.__all__)
    assert len(set(smolagents.__all__)) == len(smolagents.__all__)


@pytest.mark.parametrize("name", smolagents.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(smolagents, name) is not None


@pytest.mark.parametrize(("module", "names"), sorted(API_PATHS.items()))
def test_api_import_paths_exist_and_match_the_top_level(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    for name in names:
        assert getattr(loaded, name) is getattr(smolagents, name), f"{module}.{name}"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NotAThing'"):
        smolagents.NotAThing  # noqa: B018


def test_import_smolagents_loads_no_heavy_dependency() -> None:
    heavy = [
        "rich",
        "jinja2",
        "yaml",
        "openai",
        "litellm",
        "torch",
        "transformers",
        "huggingface_hub",
        "boto3",
        "PIL",
    ]
    probe = f"import sys, smolagents; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = run_python(probe)
    assert loaded == "", f"import smolagents loaded: {loaded}"


def test_building_and_running_a_silent_agent_loads_no_rendering_library() -> None:
    probe = (
        "import sys\n"
        "from smolagents import CodeAgent, ScriptedModel, LogLevel\n"
        "agent = CodeAgent(tools=[], model=ScriptedModel(['```py\\nfinal_answer(1)\\n```']), verbosity_level=LogLevel.OFF)\n"
        "assert agent.run('t') == 1\n"
        "print('rich' in sys.modules)\n"
    )
    out = run_python(probe)
    assert out == "False"


def test_type_checkers_see_every_export_with_its_module() -> None:
    """Each lazily exported name is also imported, from the same module, for type checkers."""
    import ast

    source = (Path(SRC) / "smolagents" / "__init__.py").read_text()
    tree = ast.parse(source)
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen = {
        alias.name: "." * node.level + (node.module or "")
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname == alias.name  # `X as X`: re-exported under strict checkers
    }
    assert seen == smolagents._EXPORTS


def test_version_names_the_1_26_api_level_and_matches_the_project_metadata() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(SRC).parent / "pyproject.toml").read_text())
    assert smolagents.__version__ == pyproject["project"]["version"]
    major, minor, patch = (int(part) for part in smolagents.__version__.split("."))
    assert (major, minor) == (1, 26) and patch >= 100


def test_listing_the_package_namespace_loads_the_lazy_exports_in_a_fresh_interpreter() -> None:
    probe = (
        "import sys, smolagents\n"
        "assert 'smolagents.models.openai' not in sys.modules\n"
        "names = vars(smolagents)\n"
        "print(isinstance(names.get('OpenAIServerModel'), type), 'openai' in sys.modules)\n"
    )
    assert run_python(probe) == "True False"  # the classes, not the provider SDKs
