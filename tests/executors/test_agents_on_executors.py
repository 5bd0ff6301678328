"""The guided tour's CodeAgent examples, run with `executor_type` set to each local executor.

The scripted model stands in for the LLM; the code it writes runs in the chosen executor.
"""

from __future__ import annotations

from typing import Any

import pytest
from kinds import require_bubblewrap

from smolagents import ActionStep, CodeAgent, LogLevel, ScriptedModel, tool

LOCAL_TYPES = [
    pytest.param("local", {}, id="local"),
    pytest.param("isolated", {}, id="isolated"),
    pytest.param("isolated", {"engine": "python"}, id="isolated-python"),
]


@tool
def model_download_tool(task: str) -> str:
    """
    This is a tool that returns the most downloaded model of a given task on the Hugging Face Hub.
    It returns the name of the checkpoint.

    Args:
        task: The task for which to get the download count.
    """
    return {"text-to-video": "ByteDance/AnimateDiff-Lightning"}.get(task, "unknown")


def agent_for(executor_type: str, kwargs: dict[str, Any], **options: Any) -> CodeAgent:
    if executor_type == "isolated":
        require_bubblewrap()
    return CodeAgent(
        executor_type=executor_type, executor_kwargs=kwargs, verbosity_level=LogLevel.OFF, **options
    )


def actions(agent: CodeAgent) -> list[ActionStep]:
    return [step for step in agent.memory.steps if isinstance(step, ActionStep)]


@pytest.mark.parametrize(("executor_type", "kwargs"), LOCAL_TYPES)
def test_fibonacci_state_carries_over_between_steps(executor_type: str, kwargs: dict[str, Any]) -> None:
    model = ScriptedModel(
        [
            "Thought: iterate.\n```py\na, b = 0, 1\nfor _ in range(117):\n    a, b = b, a + b\nprint(a)\n```",
            "Thought: that is the 118th number.\n```py\nfinal_answer(a)\n```",
        ]
    )
    with agent_for(executor_type, kwargs, tools=[], model=model) as agent:
        answer = agent.run("Could you give me the 118th number in the Fibonacci sequence?")
    assert answer == 1264937032042997393488322
    assert actions(agent)[0].observations.startswith("Execution logs:\n1264937032042997393488322")


@pytest.mark.parametrize(("executor_type", "kwargs"), LOCAL_TYPES)
def test_a_custom_tool_is_called_from_the_agents_code(executor_type: str, kwargs: dict[str, Any]) -> None:
    model = ScriptedModel(
        ["```py\nname = model_download_tool(task='text-to-video')\nfinal_answer(name)\n```"]
    )
    with agent_for(executor_type, kwargs, tools=[model_download_tool], model=model) as agent:
        assert agent.run("Most downloaded text-to-video model?") == "ByteDance/AnimateDiff-Lightning"


@pytest.mark.parametrize(("executor_type", "kwargs"), LOCAL_TYPES)
def test_final_answer_checks_and_errors_go_back_to_the_model(
    executor_type: str, kwargs: dict[str, Any]
) -> None:
    def is_integer(final_answer: str, agent_memory: Any = None) -> bool:
        try:
            int(final_answer)
            return True
        except ValueError:
            return False

    model = ScriptedModel(
        [
            "```py\nx = 1 / 0\n```",
            "```py\nfinal_answer('twenty-one')\n```",
            "```py\nfinal_answer(21)\n```",
        ]
    )
    with agent_for(executor_type, kwargs, tools=[], model=model, final_answer_checks=[is_integer]) as agent:
        assert agent.run("Calculate the least common multiple of 3 and 7") == 21
    steps = actions(agent)
    assert "ZeroDivisionError" in steps[0].error.message and "line 1" in steps[0].error.message
    assert "is_integer" in steps[1].error.message
    assert "ZeroDivisionError" in model.calls[1].messages[-1].text


@pytest.mark.parametrize(("executor_type", "kwargs"), LOCAL_TYPES)
def test_a_managed_agent_is_called_from_the_managers_code(executor_type: str, kwargs: dict[str, Any]) -> None:
    model = ScriptedModel(
        [
            "```py\nreport = web_search_agent(task='Who is the CEO of Hugging Face?')\nprint(report)\n```",
            "```py\nfinal_answer('Clem Delangue')\n```",
            "```py\nfinal_answer('Clem Delangue')\n```",
        ]
    )
    web_agent = CodeAgent(
        tools=[],
        model=model,
        name="web_search_agent",
        description="Runs web searches.",
        verbosity_level=LogLevel.OFF,
    )
    with agent_for(executor_type, kwargs, tools=[], model=model, managed_agents=[web_agent]) as manager:
        assert manager.run("Who is the CEO of Hugging Face?") == "Clem Delangue"
    assert "Clem Delangue" in actions(manager)[0].observations


@pytest.mark.parametrize(("executor_type", "kwargs"), LOCAL_TYPES)
def test_additional_args_become_variables(executor_type: str, kwargs: dict[str, Any]) -> None:
    model = ScriptedModel(["```py\nfinal_answer(len(document) + bonus)\n```"])
    with agent_for(executor_type, kwargs, tools=[], model=model) as agent:
        assert agent.run("Count", additional_args={"document": "abcd", "bonus": 1}) == 5


def test_cleanup_and_the_context_manager_stop_the_sandbox() -> None:
    require_bubblewrap()
    model = ScriptedModel(["```py\nfinal_answer(1)\n```", "```py\nfinal_answer(2)\n```"])
    with CodeAgent(tools=[], model=model, executor_type="isolated", verbosity_level=LogLevel.OFF) as agent:
        assert agent.run("one") == 1
        executor: Any = agent.python_executor
        pid = executor._connection.process.pid
        assert agent.run("two", reset=False) == 2
        assert agent.python_executor is executor  # one sandbox for the agent's runs
    assert executor._connection is None
    with pytest.raises(ProcessLookupError):
        __import__("os").kill(pid, 0)


def test_unknown_executor_types_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"Unknown executor_type 'cloud'.*'isolated'.*'wasm'"):
        CodeAgent(tools=[], model=ScriptedModel([]), executor_type="cloud")
