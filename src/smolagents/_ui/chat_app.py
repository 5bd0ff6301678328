"""The Gradio app of `GradioUI`: a chat with the agent, one conversation per browser session.

This module imports Gradio at the top; `gradio_ui` imports it only when an app is built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from .._errors import AgentError, AgentInterruptedError
from .approvals import add_approval_panel
from .chat_rendering import Message, error_message, notice_message
from .conversations import Conversation, Conversations
from .run_thread import ThreadedEvents
from .transcript import RunTranscript
from .uploads import UploadFolder, UploadRejectedError


class ChatSettings(Protocol):
    """What the app reads of its `GradioUI` (described here: the UI class lives a layer above)."""

    @property
    def agent(self) -> Any: ...
    @property
    def name(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def reset_agent_memory(self) -> bool: ...
    @property
    def uploads(self) -> UploadFolder | None: ...
    @property
    def concurrency_limit(self) -> int | None: ...


__all__ = ["build_app"]

CHAT_ID = "agent-chat"
INPUT_ID = "task-input"
STOP_ID = "stop-run"
NEW_CONVERSATION_ID = "new-conversation"

_FILES_NOTE = "\nYou have been provided with these files, which might be helpful or not: {paths}"

# The chat's outputs, in the order every handler returns them.
Update = tuple[Any, Any, Any, Any]


class ChatApp:
    """Handlers of the chat, bound to one `GradioUI`."""

    def __init__(self, ui: ChatSettings) -> None:
        self.ui = ui
        self.conversations = Conversations(ui.agent)

    def _conversation(self, request: gr.Request) -> Conversation:
        return self.conversations.get(request.session_hash or "anonymous")

    def _update(
        self, conversation: Conversation, extra: list[Message] | None = None, clear_input: bool = False
    ) -> Update:
        running = conversation.is_running
        task_input = (
            gr.update(interactive=not running, value=None)
            if clear_input
            else gr.update(interactive=not running)
        )
        return (
            conversation.history + (extra or []),
            task_input,
            gr.update(interactive=running and not conversation.is_stopping),
            gr.update(interactive=not running),
        )

    async def respond(self, message: str | dict[str, Any], request: gr.Request) -> AsyncIterator[Update]:
        """Run the visitor's message as a task and stream the run into the chat."""
        conversation = self._conversation(request)
        text, files = _split_message(message)
        if not text.strip() and not files:
            yield self._update(conversation)
            return
        try:
            paths = [self._save_upload(path, request) for path in files]
        except UploadRejectedError as rejection:
            conversation.history.append({"role": "user", "content": text})
            conversation.history.append(error_message(str(rejection), title="Upload refused"))
            yield self._update(conversation)
            return
        conversation.history.append({"role": "user", "content": text})
        conversation.history += [{"role": "user", "content": {"path": str(path)}} for path in paths]
        task = text + (_FILES_NOTE.format(paths=[str(path) for path in paths]) if paths else "")
        conversation.is_running, conversation.is_stopping = True, False
        if self.ui.reset_agent_memory:
            conversation.session.reset()
        transcript = RunTranscript(first_step=conversation.next_step_number)
        yield self._update(conversation, clear_input=True)
        try:
            async for event in ThreadedEvents(
                lambda: conversation.session.run(task, stream=True), on_abandon=conversation.stop
            ):
                if transcript.add(event):
                    yield self._update(conversation, transcript.messages)
        except AgentInterruptedError:
            transcript.close_pending()
            conversation.history += [*transcript.messages, notice_message("Run stopped: you pressed Stop.")]
        except (AgentError, Exception) as error:  # shown to the visitor; the memory keeps the steps
            transcript.close_pending()
            conversation.history += [
                *transcript.messages,
                error_message(_describe(error), title="Run failed"),
            ]
        else:
            conversation.history += transcript.messages
        finally:
            conversation.is_running = conversation.is_stopping = False
        yield self._update(conversation)

    def _save_upload(self, path: str, request: gr.Request) -> Path:
        if self.ui.uploads is None:
            raise UploadRejectedError("File uploads are disabled: start GradioUI with file_upload_folder=...")
        return self.ui.uploads.save(path, Path(path).name, session=request.session_hash or "anonymous")

    def stop(self, request: gr.Request) -> Update:
        """Ask this visitor's run to stop at the end of its current step."""
        conversation = self._conversation(request)
        conversation.stop()
        return self._update(conversation)

    def new_conversation(self, request: gr.Request) -> Update:
        """Forget this visitor's conversation and start afresh."""
        conversation = self._conversation(request)
        if not conversation.is_running:
            conversation.restart()
        return self._update(conversation)

    def show(self, request: gr.Request) -> Update:
        """Show this visitor's conversation (on page load)."""
        return self._update(self._conversation(request))

    def forget(self, request: gr.Request) -> None:
        """Drop the conversation of a browser session that closed."""
        self.conversations.forget(request.session_hash or "anonymous")


def _split_message(message: str | dict[str, Any] | None) -> tuple[str, list[str]]:
    if message is None:
        return "", []
    if isinstance(message, str):
        return message, []
    files = [file if isinstance(file, str) else file.get("path", "") for file in message.get("files") or []]
    return str(message.get("text") or ""), [file for file in files if file]


def _describe(error: BaseException) -> str:
    if isinstance(error, AgentError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def build_app(ui: ChatSettings) -> gr.Blocks:
    """Build the Blocks app of `ui`."""
    app = ChatApp(ui)
    title = (ui.name or "Agent interface").replace("_", " ")
    demo: gr.Blocks
    with gr.Blocks(title=title, fill_height=True) as demo:
        header = f"## {title[:1].upper() + title[1:]}"
        if ui.description:
            header += f"\n{ui.description}"
        gr.Markdown(header, elem_classes="smolagents-header")
        chatbot = gr.Chatbot(
            elem_id=CHAT_ID,
            label="Agent",
            show_label=False,
            scale=1,
            height="70vh",
            buttons=["copy_all"],
            feedback_options=None,
            placeholder="Ask the agent to do something: it will think step by step, in code.",
        )
        if ui.uploads is not None:
            task_input: gr.MultimodalTextbox | gr.Textbox = gr.MultimodalTextbox(
                elem_id=INPUT_ID,
                show_label=False,
                placeholder="Your task (attach files with the clip)…",
                file_types=list(ui.uploads.allowed_types),
                file_count="multiple",
            )
        else:
            task_input = gr.Textbox(
                elem_id=INPUT_ID, show_label=False, placeholder="Your task…", submit_btn=True
            )
        with gr.Row():
            stop = gr.Button("Stop", elem_id=STOP_ID, variant="stop", interactive=False, size="sm")
            new = gr.Button("New conversation", elem_id=NEW_CONVERSATION_ID, size="sm")
        outputs = [chatbot, task_input, stop, new]
        submitted = task_input.submit(
            app.respond, [task_input], outputs, concurrency_limit=ui.concurrency_limit, show_progress="hidden"
        )
        stop.click(app.stop, None, outputs, queue=False, show_progress="hidden")
        new.click(app.new_conversation, None, outputs, queue=False, show_progress="hidden")
        loaded = demo.load(app.show, None, outputs, show_progress="hidden")
        add_approval_panel(app, outputs, after=[submitted, loaded])  # actions awaiting approval
        demo.unload(app.forget)
    return demo
