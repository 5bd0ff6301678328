"""One sandbox per conversation: sessions of one agent never share variables, and nothing outlives them.

Runs on the isolated executor (a bubblewrap worker per session) and Docker (a container per session).
The scripted model writes code from the task: "remember X" sets a variable, "recall" reads it back.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from kinds import DOCKER_IMAGE, DOCKER_SOCKET, KINDS, docker_client, require_bubblewrap

from smolagents import CodeAgent, LogLevel, ScriptedModel
from smolagents.local_python_executor import LocalPythonExecutor
from smolagents.models import ChatMessage


def write_code(messages: list[ChatMessage]) -> str:
    """Remember a word in a variable, or give back the one remembered (the task is the last message)."""
    task = messages[-1].text.split("New task:")[-1].strip()
    if task.startswith("remember "):
        return f"```py\nsecret = {task.split()[-1]!r}\nfinal_answer(secret)\n```"
    return (
        "```py\ntry:\n    found = secret\nexcept NameError:\n    found = 'nothing'\nfinal_answer(found)\n```"
    )


def sandbox_agent(executor_type: str) -> CodeAgent:
    if executor_type == "isolated":
        require_bubblewrap()
        options: dict[str, Any] = {}
    else:
        docker_client().close()
        options = {"image_name": DOCKER_IMAGE, "build_new_image": False, "base_url": DOCKER_SOCKET}
    return CodeAgent(
        tools=[],
        model=ScriptedModel(write_code),
        executor_type=executor_type,
        executor_kwargs=options,
        verbosity_level=LogLevel.OFF,
    )


def held(session: Any) -> list[Any]:
    """The process or container of the session's sandbox."""
    executor = session.latest_run.executor
    return KINDS["isolated" if executor.__class__.__name__ == "IsolatedPythonExecutor" else "docker"].held(
        executor
    )


def alive(executor_type: str, items: list[Any]) -> list[Any]:
    return [item for item in items if KINDS[executor_type].is_alive(item)]


@pytest.mark.parametrize("executor_type", ["isolated", "docker"])
def test_sessions_running_at_once_keep_their_variables_apart_and_release_their_sandboxes(
    executor_type: str,
) -> None:
    with sandbox_agent(executor_type) as agent:
        first, second = agent.new_session(), agent.new_session()

        async def both(one: Any, other: Any) -> list[Any]:
            return list(await asyncio.gather(one.arun("remember apple"), other.arun("remember pear")))

        assert asyncio.run(both(first, second)) == ["apple", "pear"]
        assert (first.run("recall"), second.run("recall")) == ("apple", "pear")
        first_sandbox, second_sandbox = held(first), held(second)
        assert first_sandbox and second_sandbox and first_sandbox != second_sandbox

        first.reset()  # a new conversation: its sandbox is released, the next run gets a fresh one
        assert alive(executor_type, first_sandbox) == []
        assert first.run("recall") == "nothing"

        del second  # a session nobody holds frees its sandbox when collected
        gc.collect()
        assert alive(executor_type, second_sandbox) == []

        assert agent.run("remember fig") == "fig"
        assert agent.run("recall", reset=False) == "fig"
        assert agent.run("recall") == "nothing"  # reset=True: a new conversation, a new sandbox
        everything = held(first) + held(agent._session)
        agent.cleanup()  # every session's sandbox
        assert alive(executor_type, everything) == []
        assert agent.run("remember plum") == "plum"  # a sandbox again after cleanup
        last = held(agent._session)
    assert alive(executor_type, last) == []  # the context manager cleaned up


def test_an_executor_given_by_the_user_is_shared_by_every_session() -> None:
    executor = LocalPythonExecutor([])
    agent = CodeAgent(
        tools=[], model=ScriptedModel(write_code), executor=executor, verbosity_level=LogLevel.OFF
    )
    first, second = agent.new_session(), agent.new_session()
    assert first.run("remember apple") == "apple"
    assert second.run("recall") == "apple"
    assert first.latest_run.executor is second.latest_run.executor is executor
