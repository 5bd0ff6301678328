"""Saved agents in smolagents 1.26's format: folders and dicts written by 1.26 load here, and ours have its layout.

The fixture folder `fixtures/agent_126` was written by hand in 1.26's layout (see its README);
`test_interop_126.py` checks both directions against a real 1.26 install when one is available.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
import yaml
from compat_tools import RepeatTool, shout

from smolagents import (
    AgentLogger,
    CodeAgent,
    LogLevel,
    ScriptedModel,
    ToolCallingAgent,
    tool_call_message,
)
from smolagents.agents import AGENT_REGISTRY, EMPTY_PROMPT_TEMPLATES, MultiStepAgent
from smolagents.local_python_executor import BASE_BUILTIN_MODULES

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _openai_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture's managed agent uses an OpenAI model, which (as in 1.26) needs a key to be built."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


def quiet() -> AgentLogger:
    return AgentLogger(level=LogLevel.OFF)


def tool_calling_helper() -> ToolCallingAgent:
    return ToolCallingAgent(
        tools=[shout],
        model=ScriptedModel([], temperature=0.3),
        name="helper",
        description="Shouts things.",
        max_tool_threads=2,
        logger=quiet(),
    )


def code_manager() -> CodeAgent:
    return CodeAgent(
        tools=[shout, RepeatTool()],
        model=ScriptedModel([], temperature=0.1),
        managed_agents=[tool_calling_helper()],
        additional_authorized_imports=["json"],
        instructions="Be loud.",
        max_steps=7,
        planning_interval=3,
        max_print_outputs_length=900,
        code_block_tags="markdown",
        logger=quiet(),
    )


# -- a folder written by 1.26 ---------------------------------------------------------------------


def test_a_1_26_folder_loads_with_its_settings_model_tools_and_managed_agent(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES / "agent_126", tmp_path / "agent")
    agent = CodeAgent.from_folder(folder, logger=quiet())
    assert isinstance(agent, CodeAgent)
    assert type(agent.model).__name__ == "InferenceClientModel"
    assert agent.model.model_id == "Qwen/Qwen2.5-Coder-32B-Instruct"
    assert agent.model.kwargs["temperature"] == 0.4 and agent.model.kwargs["max_tokens"] == 2000
    assert (agent.max_steps, agent.max_print_outputs_length, agent.executor_type) == (6, 5000, "local")
    assert agent.additional_authorized_imports == ["json"]  # 1.26 saves the base modules too
    assert sorted(agent.tools) == ["final_answer", "word_count"]
    assert agent.code_block_tags == ("<code>", "</code>")
    counter = agent.managed_agents["counter"]
    assert isinstance(counter, ToolCallingAgent) and counter.description == "Reverses texts."
    assert type(counter.model).__name__ == "OpenAIServerModel" and counter.model.model_id == "gpt-4o-mini"
    assert sorted(counter.tools) == ["final_answer", "reverse"]
    assert agent.tools["word_count"].to_code_prompt() in agent.system_prompt
    assert "- counter: Reverses texts." in agent.system_prompt


def test_a_1_26_folder_runs_its_tools_and_managed_agent(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURES / "agent_126", tmp_path / "agent")
    agent = CodeAgent.from_folder(
        folder,
        logger=quiet(),
        model=ScriptedModel(
            [
                "Thought: count, then ask.\n<code>\nn = word_count(text='one two three')\n"
                "report = counter(task='Reverse abc')\nfinal_answer(f'{n}|{report}')\n</code>"
            ]
        ),
    )
    counter = agent.managed_agents["counter"]
    counter.model = ScriptedModel(
        [
            tool_call_message(("reverse", {"text": "abc"})),
            tool_call_message(("final_answer", {"answer": "cba"})),
        ]
    )
    counter.logger = quiet()
    answer = agent.run("Count and reverse.")
    assert answer.startswith("3|Answer from counter:") and answer.endswith("cba")


def test_an_agent_json_of_an_older_version_loads(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "agent_126" / "agent.json").read_text())
    data["managed_agents"], data["tools"] = {}, []
    data["grammar"] = None  # written before 1.20
    data["model"]["data"] |= {"last_input_token_count": None, "last_output_token_count": None}
    data["prompt_templates"]["planning"] |= {
        "initial_facts": "List the facts.",
        "update_facts_pre_messages": "Facts so far:",
        "update_facts_post_messages": "Update the facts.",
    }
    data["authorized_imports"] = ["pandas"]  # before 1.20 only the additional modules were written
    (tmp_path / "agent.json").write_text(json.dumps(data))
    agent = CodeAgent.from_folder(tmp_path, logger=quiet())
    assert "last_input_token_count" not in agent.model.kwargs
    assert agent.additional_authorized_imports == ["pandas"]
    assert agent.prompt_templates["planning"]["initial_plan"].startswith("Make a short plan")


def test_a_deprecated_model_class_name_is_renamed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = json.loads((FIXTURES / "agent_126" / "agent.json").read_text())
    data["model"]["class"], data["managed_agents"], data["tools"] = "HfApiModel", {}, []
    (tmp_path / "agent.json").write_text(json.dumps(data))
    agent = CodeAgent.from_folder(tmp_path, logger=quiet())
    assert type(agent.model).__name__ == "InferenceClientModel"
    assert "deprecated 'HfApiModel'" in caplog.text


# -- the folder we write ----------------------------------------------------------------------------


def test_saved_folder_has_the_1_26_layout(tmp_path: Path) -> None:
    code_manager().save(tmp_path)
    files = {str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file()}
    assert files == {
        "__init__.py",
        "agent.json",
        "app.py",
        "prompts.yaml",
        "requirements.txt",
        "tools/__init__.py",
        "tools/final_answer.py",
        "tools/repeat.py",
        "tools/shout.py",
        "managed_agents/__init__.py",
        "managed_agents/helper/__init__.py",
        "managed_agents/helper/agent.json",
        "managed_agents/helper/app.py",
        "managed_agents/helper/prompts.yaml",
        "managed_agents/helper/requirements.txt",
        "managed_agents/helper/tools/__init__.py",
        "managed_agents/helper/tools/final_answer.py",
        "managed_agents/helper/tools/shout.py",
    }
    data = json.loads((tmp_path / "agent.json").read_text())
    assert data["class"] == "CodeAgent"
    assert data["tools"] == ["shout", "repeat", "final_answer"]
    assert data["managed_agents"] == {"helper": "ToolCallingAgent"}
    assert data["model"] == {
        "class": "ScriptedModel",
        "data": {"model_id": "scripted-model", "temperature": 0.1},
    }
    assert data["authorized_imports"] == sorted({*BASE_BUILTIN_MODULES, "json"})
    assert (data["max_steps"], data["planning_interval"], data["max_print_outputs_length"]) == (7, 3, 900)
    assert data["code_block_tags"] == "markdown" and data["instructions"] == "Be loud."
    assert yaml.safe_load((tmp_path / "prompts.yaml").read_text()) == data["prompt_templates"]
    assert (tmp_path / "requirements.txt").read_text() == "smolagents\n"


def test_each_saved_tool_file_defines_one_tool_class(tmp_path: Path) -> None:
    code_manager().save(tmp_path)
    for path in (tmp_path / "tools").glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        assert len(classes) == 1, path
    assert "class SimpleTool(Tool):" in (tmp_path / "tools" / "shout.py").read_text()
    assert "class RepeatTool(Tool):" in (tmp_path / "tools" / "repeat.py").read_text()


def test_saved_app_imports_every_tool_and_managed_agent_and_starts_the_ui(tmp_path: Path) -> None:
    code_manager().save(tmp_path)
    app = (tmp_path / "app.py").read_text()
    ast.parse(app)
    assert "from tools.shout import SimpleTool as Shout" in app
    assert "from tools.repeat import RepeatTool as Repeat" in app
    assert "from managed_agents.helper.app import agent_helper" in app
    assert "managed_agents=[agent_helper]" in app and "instructions='Be loud.'" in app
    assert app.rstrip().endswith("GradioUI(agent).launch()")
    helper_app = (tmp_path / "managed_agents" / "helper" / "app.py").read_text()
    assert "from managed_agents.helper.tools.shout import SimpleTool as Shout" in helper_app
    assert "agent_helper = ToolCallingAgent(" in helper_app


def test_saved_app_builds_the_agent_when_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("smolagents.gradio_ui", reason="GradioUI arrives with the UI work")
    agent = CodeAgent(tools=[shout], model=_inference_model(), max_steps=4, logger=quiet())
    agent.save(tmp_path / "space")
    monkeypatch.syspath_prepend(str(tmp_path / "space"))
    namespace: dict[str, object] = {"__name__": "app", "__file__": str(tmp_path / "space" / "app.py")}
    exec(compile((tmp_path / "space" / "app.py").read_text(), "app.py", "exec"), namespace)
    built = namespace["agent"]
    assert isinstance(built, CodeAgent) and built.max_steps == 4 and "shout" in built.tools


def test_folder_round_trip_keeps_every_setting_and_runs(tmp_path: Path) -> None:
    code_manager().save(tmp_path)
    model = ScriptedModel(
        [
            "1. Shout, repeat, answer.<end_plan>",  # planning_interval=3: a plan comes first
            "Thought: go.\n```python\nfinal_answer(shout(text='hi') + repeat(text='a', times=3))\n```",
        ]
    )
    loaded = CodeAgent.from_folder(tmp_path, model=model, logger=quiet())
    assert (loaded.max_steps, loaded.planning_interval, loaded.max_print_outputs_length) == (7, 3, 900)
    assert loaded.instructions == "Be loud." and loaded.code_block_tags == ("```python", "```")
    assert loaded.additional_authorized_imports == ["json"]
    helper = loaded.managed_agents["helper"]
    assert isinstance(helper, ToolCallingAgent) and helper.max_tool_threads == 2
    assert loaded.run("go", max_steps=1) == "HIaaa"


def test_loading_a_saved_folder_with_a_registered_model_builds_it(tmp_path: Path) -> None:
    agent = CodeAgent(tools=[], model=_inference_model(), logger=quiet())
    agent.save(tmp_path)
    assert json.loads((tmp_path / "agent.json").read_text())["model"]["class"] == "InferenceClientModel"
    loaded = CodeAgent.from_folder(tmp_path)
    assert type(loaded.model).__name__ == "InferenceClientModel"
    assert loaded.model.to_dict() == agent.model.to_dict()


def test_server_model_classes_are_saved_under_the_names_1_26_registers(tmp_path: Path) -> None:
    from smolagents import OpenAIServerModel

    model = OpenAIServerModel(model_id="gpt-4o-mini", api_base="http://127.0.0.1:9/v1", api_key="sk-test")
    CodeAgent(tools=[], model=model, logger=quiet()).save(tmp_path)
    saved = json.loads((tmp_path / "agent.json").read_text())["model"]
    assert saved["class"] == "OpenAIModel" and "api_key" not in saved["data"]
    assert type(CodeAgent.from_folder(tmp_path, logger=quiet()).model) is OpenAIServerModel


# -- dicts -------------------------------------------------------------------------------------------


def test_to_dict_nests_tool_code_and_managed_agents_and_round_trips() -> None:
    data = code_manager().to_dict()
    assert [entry["name"] for entry in data["tools"]] == ["shout", "repeat", "final_answer"]
    assert all("class " in entry["code"] for entry in data["tools"])
    assert data["managed_agents"][0]["class"] == "ToolCallingAgent"
    assert data["managed_agents"][0]["max_tool_threads"] == 2
    rebuilt = CodeAgent.from_dict(data, model=ScriptedModel([]), logger=quiet())
    assert rebuilt.tools["repeat"](text="x", times=3) == "xxx"
    assert rebuilt.managed_agents["helper"].description == "Shouts things."


def test_from_dict_uses_the_class_it_is_called_on_and_keyword_overrides() -> None:
    class MyCodeAgent(CodeAgent):
        pass

    data = code_manager().to_dict()
    agent = MyCodeAgent.from_dict(data, model=ScriptedModel([]), max_steps=30, logger=quiet())
    assert type(agent) is MyCodeAgent and agent.max_steps == 30
    generic = MultiStepAgent.from_dict(data, model=ScriptedModel([]), logger=quiet())
    assert type(generic) is CodeAgent


def test_from_dict_accepts_the_empty_prompt_templates() -> None:
    data = CodeAgent(tools=[], model=ScriptedModel([]), logger=quiet()).to_dict()
    data["prompt_templates"] = EMPTY_PROMPT_TEMPLATES
    agent = CodeAgent.from_dict(data, model=ScriptedModel([]), logger=quiet())
    assert agent.prompt_templates["system_prompt"] == ""


def test_unknown_classes_are_refused_with_the_supported_ones() -> None:
    data = CodeAgent(tools=[], model=ScriptedModel([]), logger=quiet()).to_dict()
    data["model"]["class"] = "SpyModel"
    with pytest.raises(
        ValueError, match=r"Unknown model class 'SpyModel'\. Supported models: .*InferenceClientModel"
    ):
        CodeAgent.from_dict(data)
    data["managed_agents"] = [{"class": "SpyAgent", "model": {"class": "InferenceClientModel", "data": {}}}]
    with pytest.raises(
        ValueError, match=r"Unknown agent class 'SpyAgent'\. Supported agents: CodeAgent, ToolCallingAgent"
    ):
        CodeAgent.from_dict(data, model=ScriptedModel([]))
    assert sorted(AGENT_REGISTRY) == ["CodeAgent", "ToolCallingAgent"]


def test_loading_errors_say_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"No agent\.json"):
        CodeAgent.from_folder(tmp_path)
    (tmp_path / "agent.json").write_text(json.dumps({"class": "CodeAgent", "model": {}, "tools": ["ghost"]}))
    with pytest.raises(FileNotFoundError, match=r"lists the tool 'ghost'"):
        CodeAgent.from_folder(tmp_path, model=ScriptedModel([]))


def test_from_hub_requires_trusting_remote_code() -> None:
    with pytest.raises(ValueError, match="trust_remote_code=True"):
        CodeAgent.from_hub("someone/agent")


def _inference_model() -> object:
    from smolagents import InferenceClientModel

    return InferenceClientModel(model_id="Qwen/Qwen2.5-Coder-32B-Instruct", temperature=0.2)
