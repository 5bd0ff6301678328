"""GradioUI in a real Chromium: the app is launched on 127.0.0.1 and used as a visitor would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser_support import ARTIFACTS, free_port, require_browser_stack
from _scripted_agent import Gates, build_agent

CHAT = "#agent-chat"
INPUT = "#task-input textarea"


class ServedApp:
    """A GradioUI app served on loopback, with the gates its agent's runs wait at."""

    def __init__(self, url: str, gates: Gates, uploads: Path) -> None:
        self.url = url
        self.gates = gates
        self.uploads = uploads


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """One app for the module (Gradio starts in seconds; each test is a new visitor)."""
    require_browser_stack("gradio", "playwright")
    from smolagents import GradioUI

    gates = Gates()
    uploads = tmp_path_factory.mktemp("uploads")
    ui = GradioUI(build_agent(gates, tmp_path_factory.mktemp("media")), file_upload_folder=uploads)
    demo = ui.create_app()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield ServedApp(f"http://127.0.0.1:{port}", gates, uploads)
    demo.close(verbose=False)


def open_chat(page: Any, app: ServedApp) -> Any:
    page.goto(app.url, wait_until="load")
    page.locator(INPUT).wait_for()
    return page.locator(CHAT)


def send(page: Any, text: str) -> None:
    page.locator(INPUT).fill(text)
    page.locator(INPUT).press("Enter")


def attach(page: Any, path: Path) -> None:
    page.locator("#task-input input[type=file]").set_input_files(str(path))
    page.locator("#task-input [aria-label='File thumbnail']").wait_for()


def test_a_task_streams_its_steps_then_the_final_answer(page: Any, app: ServedApp) -> None:
    chat = open_chat(page, app)
    send(page, "What is the weather in Paris today?")
    chat.get_by_text("Final answer: It is sunny in Paris: 22°C (71.6°F).").wait_for()
    # One collapsible block per step, titled with its number, token counts and duration.
    for number in (1, 2, 3, 4):
        chat.get_by_text(f"Step {number}", exact=False).first.wait_for()
    assert re.search(r"\d[\d,]* input / \d+ output tokens", chat.inner_text())
    chat.get_by_text("Step 1", exact=True).click()
    chat.get_by_text("report = get_weather('Paris')").wait_for()
    chat.get_by_text("Sunny in Paris, 22°C").first.wait_for()
    chat.get_by_text("Step 2 · error", exact=True).click()
    error = chat.get_by_text("NameError", exact=False).first
    error.wait_for()
    red, green, _ = (
        int(part) for part in re.findall(r"\d+", error.evaluate("e => getComputedStyle(e).color"))[:3]
    )
    assert red > 150 and green < 100, "errors are shown in red"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 1600})  # the whole run, final answer included
    chat.get_by_text("Final answer: It is sunny", exact=False).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "gradio-finished-run.png"), full_page=True)


def test_steps_appear_while_the_run_is_still_going(page: Any, app: ServedApp) -> None:
    chat = open_chat(page, app)
    send(page, "Please run the slow task streaming")
    app.gates.wait_arrived("streaming")
    # The run is blocked inside its first step: what the model wrote is already on screen.
    chat.get_by_text("Code (running)").wait_for()
    chat.get_by_text("wait_for_release('streaming')", exact=False).first.wait_for()
    assert page.locator("#stop-run").is_enabled()
    app.gates.release("streaming")
    chat.get_by_text("Final answer: Finished the slow task streaming.").wait_for()
    page.locator("#stop-run").wait_for(state="attached")
    assert page.locator(INPUT).is_enabled()


def test_stop_ends_the_run_after_its_current_step(page: Any, app: ServedApp) -> None:
    chat = open_chat(page, app)
    send(page, "Please run the slow task stopme")
    app.gates.wait_arrived("stopme")
    page.locator("#stop-run").click()
    # The stop button turns off once the server took the request; only then let the step end.
    page.wait_for_function("() => document.querySelector('#stop-run').disabled")
    app.gates.release("stopme")
    chat.get_by_text("Run stopped: you pressed Stop.").wait_for()
    assert "Finished the slow task stopme." not in chat.inner_text()
    assert page.locator(INPUT).is_enabled()


def test_messages_continue_the_conversation_and_new_conversation_forgets(page: Any, app: ServedApp) -> None:
    chat = open_chat(page, app)
    send(page, "My name is Ada.")
    chat.get_by_text("Final answer: Nice to meet you, Ada!").wait_for()
    send(page, "What is my name?")
    chat.get_by_text("Final answer: Your name is Ada.").wait_for()
    page.locator("#new-conversation").click()
    chat.get_by_text("Final answer: Your name is Ada.").wait_for(state="detached")
    send(page, "What is my name?")
    chat.get_by_text("Final answer: I do not know your name yet.").wait_for()


def test_two_visitors_at_once_keep_separate_conversations(chromium: Any, app: ServedApp) -> None:
    contexts = [chromium.new_context(viewport={"width": 1000, "height": 900}) for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(60_000)
    try:
        alice, bob = (context.new_page() for context in contexts)
        alice_chat, bob_chat = open_chat(alice, app), open_chat(bob, app)
        send(alice, "My name is Alice.")
        send(bob, "My name is Bob.")
        alice_chat.get_by_text("Final answer: Nice to meet you, Alice!").wait_for()
        bob_chat.get_by_text("Final answer: Nice to meet you, Bob!").wait_for()
        # Alice's next run is held mid-step while Bob's runs to the end: both at once.
        send(alice, "Please run the slow task alice")
        app.gates.wait_arrived("alice")
        send(bob, "What is my name?")
        bob_chat.get_by_text("Final answer: Your name is Bob.").wait_for()
        app.gates.release("alice")
        alice_chat.get_by_text("Final answer: Finished the slow task alice.").wait_for()
        send(alice, "What is my name?")
        alice_chat.get_by_text("Final answer: Your name is Alice.").wait_for()
        assert "Bob" not in alice_chat.inner_text()
        assert "Alice" not in bob_chat.inner_text()
    finally:
        for context in contexts:
            context.close()


def test_an_uploaded_file_reaches_the_agent_by_its_saved_path(
    page: Any, app: ServedApp, tmp_path: Path
) -> None:
    notes = tmp_path / "meeting notes.txt"
    notes.write_text("Budget approved: 42 apples.")
    chat = open_chat(page, app)
    attach(page, notes)
    send(page, "Summarise the attached file.")
    chat.get_by_text("Final answer: Budget approved: 42 apples.").wait_for()
    saved = list(app.uploads.rglob("*.txt"))
    assert [path.name for path in saved] == ["meeting_notes.txt"]
    assert saved[0].read_text() == "Budget approved: 42 apples."


def test_an_upload_of_a_forbidden_type_is_refused(page: Any, app: ServedApp, tmp_path: Path) -> None:
    script = tmp_path / "tool.sh"
    script.write_text("echo hi")
    open_chat(page, app)
    page.locator("#task-input input[type=file]").set_input_files(str(script))
    page.get_by_text("Invalid file type: tool.sh.", exact=False).wait_for()
    assert page.locator("#task-input [aria-label='File thumbnail']").count() == 0
    # Past the browser (a script posting to the API), the server refuses it too.
    from gradio_client import Client, handle_file

    client = Client(app.url, verbose=False)
    with pytest.raises(Exception, match="Invalid file type"):
        client.predict({"text": "Run this.", "files": [handle_file(str(script))]}, api_name="/respond")
    assert not list(app.uploads.rglob("tool*"))


def test_images_and_sounds_from_tools_are_shown_inline(page: Any, app: ServedApp) -> None:
    chat = open_chat(page, app)
    send(page, "Draw a red square.")
    chat.locator("img[src*='.png']").first.wait_for()
    send(page, "Play a beep.")
    chat.locator("audio").first.wait_for(state="attached")
