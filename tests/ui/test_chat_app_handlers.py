"""The chat's handlers called directly (no browser): conversations per session, reset, errors."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from _browser_support import require_browser_stack
from _scripted_agent import Gates, build_agent


def chat_app(tmp_path: Path, gates: Gates | None = None, **options: Any) -> Any:
    require_browser_stack("gradio")
    from smolagents import GradioUI
    from smolagents._ui.chat_app import ChatApp

    return ChatApp(GradioUI(build_agent(gates or Gates(), tmp_path), **options))


def visitor(name: str) -> Any:
    import gradio as gr

    return gr.Request(session_hash=name)


async def send(app: Any, text: str, request: Any) -> list[dict[str, Any]]:
    updates = [update async for update in app.respond(text, request)]
    return updates[-1][0]


async def test_each_session_continues_its_own_conversation(tmp_path: Path) -> None:
    app = chat_app(tmp_path)
    await send(app, "My name is Ada.", visitor("a"))
    await send(app, "My name is Bob.", visitor("b"))
    assert (await send(app, "What is my name?", visitor("a")))[-1][
        "content"
    ] == "**Final answer:** Your name is Ada."
    assert (await send(app, "What is my name?", visitor("b")))[-1][
        "content"
    ] == "**Final answer:** Your name is Bob."
    assert len(app.conversations) == 2
    app.forget(visitor("a"))
    assert len(app.conversations) == 1


async def test_stop_ends_only_the_run_of_the_session_that_pressed_it(tmp_path: Path) -> None:
    gates = Gates()
    app = chat_app(tmp_path, gates)
    runs = [
        asyncio.ensure_future(send(app, f"Please run the slow task {name}", visitor(name)))
        for name in ("a", "b")
    ]
    for name in ("a", "b"):  # both runs are held inside their first step, at the same time
        await asyncio.to_thread(gates.wait_arrived, name)
    app.stop(visitor("a"))
    gates.release("a")
    gates.release("b")
    stopped, finished = await asyncio.gather(*runs)
    assert "Run stopped: you pressed Stop." in stopped[-1]["content"]
    assert finished[-1]["content"] == "**Final answer:** Finished the slow task b."
    assert not any("slow task b" in str(message["content"]) for message in stopped)


async def test_reset_agent_memory_makes_every_message_a_new_task(tmp_path: Path) -> None:
    app = chat_app(tmp_path, reset_agent_memory=True)
    await send(app, "My name is Ada.", visitor("a"))
    history = await send(app, "What is my name?", visitor("a"))
    assert history[-1]["content"] == "**Final answer:** I do not know your name yet."
    assert [m["content"] for m in history if m["role"] == "user"] == ["My name is Ada.", "What is my name?"]


async def test_a_failing_model_ends_the_run_with_an_error_in_the_chat(tmp_path: Path) -> None:
    from smolagents import GradioUI, ScriptedModel, ToolCallingAgent
    from smolagents._ui.chat_app import ChatApp

    require_browser_stack("gradio")
    agent = ToolCallingAgent(
        tools=[], model=ScriptedModel([RuntimeError("provider down")]), verbosity_level=-1
    )
    app = ChatApp(GradioUI(agent))
    updates = [update async for update in app.respond("Hello", visitor("a"))]
    history = updates[-1][0]
    assert history[-1]["metadata"]["title"] == "Run failed" and "provider down" in history[-1]["content"]
    assert updates[-1][1]["interactive"] is True  # the visitor can type again


async def test_an_empty_message_starts_no_run(tmp_path: Path) -> None:
    app = chat_app(tmp_path)
    updates = [update async for update in app.respond({"text": "  ", "files": []}, visitor("a"))]
    assert updates[-1][0] == [] and app.conversations.get("a").session.memory.steps == []


def test_an_agent_without_sessions_is_refused(tmp_path: Path) -> None:
    require_browser_stack("gradio")
    from smolagents import GradioUI

    with pytest.raises(TypeError, match="GradioUI needs an agent with sessions"):
        GradioUI(object()).create_app()
