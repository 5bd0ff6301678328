"""Saving an agent's configuration and loading it back."""

from __future__ import annotations

import json

import pytest

from smolagents import CodeAgent, ScriptedModel, ToolCallingAgent, tool, tool_call_message


@tool
def shout(text: str) -> str:
    """Return the text in capitals.

    Args:
        text: What to shout.
    """
    return text.upper()


def test_tool_calling_agent_round_trips_through_a_folder(tmp_path, quiet) -> None:
    helper = ToolCallingAgent(
        tools=[], model=ScriptedModel([]), name="helper", description="Helps.", logger=quiet
    )
    agent = ToolCallingAgent(
        tools=[shout],
        model=ScriptedModel([], temperature=0.3),
        managed_agents=[helper],
        instructions="Be loud.",
        max_steps=7,
        planning_interval=3,
        max_tool_threads=2,
        logger=quiet,
    )
    agent.save(tmp_path)
    saved = json.loads((tmp_path / "agent.json").read_text())
    assert saved["class"] == "ToolCallingAgent" and saved["model"]["temperature"] == 0.3
    assert (tmp_path / "tools" / "shout.py").read_text().count("def shout") == 1

    model = ScriptedModel(
        [
            "1. shout<end_plan>",
            tool_call_message(("shout", {"text": "hi"})),
            tool_call_message(("final_answer", {"answer": "done"})),
        ]
    )
    loaded = ToolCallingAgent.from_folder(tmp_path, model=model)
    assert isinstance(loaded, ToolCallingAgent)
    assert (loaded.max_steps, loaded.planning_interval, loaded.max_tool_threads) == (7, 3, 2)
    assert loaded.instructions == "Be loud." and list(loaded.managed_agents) == ["helper"]
    assert loaded.run("t") == "done"
    assert "HI" in loaded.memory.steps[2].observations


def test_code_agent_to_dict_keeps_code_settings(quiet) -> None:
    agent = CodeAgent(
        tools=[shout],
        model=ScriptedModel([]),
        additional_authorized_imports=["numpy"],
        code_block_tags=("<code>", "</code>"),
        logger=quiet,
    )
    data = agent.to_dict()
    rebuilt = CodeAgent.from_dict(data, model=ScriptedModel([]))
    assert rebuilt.additional_authorized_imports == ["numpy"]
    assert rebuilt.code_block_tags == ("<code>", "</code>")
    assert list(rebuilt.tools) == ["shout", "final_answer"]


def test_loading_a_folder_without_an_agent_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"No agent\.json"):
        CodeAgent.from_folder(tmp_path)


def test_from_hub_requires_trusting_remote_code() -> None:
    with pytest.raises(ValueError, match="trust_remote_code=True"):
        CodeAgent.from_hub("someone/agent")
