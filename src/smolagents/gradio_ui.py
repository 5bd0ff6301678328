"""A web chat with an agent, built with Gradio (install the `gradio` extra).

Each browser session gets its own conversation with the agent: visitors never see each other's
steps. A run streams into the chat as it happens; each step is a collapsible block with the
model's thought, the code or tool calls, the logs, images and errors, token counts and duration.

Example::

    from smolagents import CodeAgent, GradioUI, InferenceClientModel

    agent = CodeAgent(tools=[], model=InferenceClientModel())
    GradioUI(agent, file_upload_folder="uploads").launch()

Gradio is imported only when an app is built or messages are made, so `import smolagents` stays fast.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._messages import ChatMessageStreamDelta, agglomerate_stream_deltas
from ._ui.chat_rendering import Message, escape_markup, step_messages
from ._ui.uploads import DEFAULT_ALLOWED_FILE_TYPES, DEFAULT_MAX_FILE_SIZE, UploadFolder, UploadRejectedError
from .memory import ActionStep, FinalAnswerStep, PlanningStep

if TYPE_CHECKING:
    import gradio

    from .agents import MultiStepAgent

__all__ = ["GradioUI", "pull_messages_from_step", "stream_to_gradio"]

_blocks = itertools.count(1)


def _require_gradio() -> None:
    if importlib.util.find_spec("gradio") is None:
        raise ModuleNotFoundError(
            "GradioUI needs Gradio, which is not installed: pip install 'smolagents[gradio]'"
        )


def _chat_message(message: Message) -> gradio.ChatMessage:
    import gradio as gr

    return gr.ChatMessage(
        role=message["role"], content=message["content"], metadata=message.get("metadata", {})
    )


def pull_messages_from_step(
    step_log: ActionStep | PlanningStep | FinalAnswerStep, skip_model_outputs: bool = False
) -> Iterator[gradio.ChatMessage]:
    """Yield the `gradio.ChatMessage`s that show one step of a run.

    An action step is a collapsible block (title ``Step N``, token counts and duration) holding
    the model's thought, with nested blocks for its code or tool calls, execution logs, images
    and error; a planning step is a ``Plan`` block; a final answer step is the answer itself.

    Args:
        step_log: The step to show.
        skip_model_outputs: Leave out the model's text (when it was already streamed).
    """
    _require_gradio()
    for message in step_messages(step_log, f"step-{next(_blocks)}", skip_model_outputs):
        yield _chat_message(message)


def stream_to_gradio(
    agent: MultiStepAgent,
    task: str,
    task_images: list[Any] | None = None,
    reset_agent_memory: bool = False,
    additional_args: dict[str, Any] | None = None,
) -> Iterator[gradio.ChatMessage | str]:
    """Run `agent` on `task` and yield the run as chat messages while it happens.

    Yields a `gradio.ChatMessage` for every message of each finished step (see
    `pull_messages_from_step`) and, when the agent streams its model's output, the text
    generated so far in the current step as a string.
    """
    _require_gradio()
    streamed: list[ChatMessageStreamDelta] = []
    events: Iterable[Any] = agent.run(
        task, stream=True, reset=reset_agent_memory, images=task_images, additional_args=additional_args
    )
    for event in events:
        if isinstance(event, (ActionStep, PlanningStep, FinalAnswerStep)):
            yield from pull_messages_from_step(event, skip_model_outputs=False)
            streamed = []
        elif isinstance(event, ChatMessageStreamDelta):
            streamed.append(event)
            yield escape_markup(agglomerate_stream_deltas(streamed).render_as_markdown())


class GradioUI:
    """A web chat with an agent; every browser session has its own conversation.

    Messages continue the conversation (the agent remembers earlier tasks of this visitor); the
    "New conversation" button starts afresh; "Stop" ends the run at the end of its current step.

    Args:
        agent: The agent to chat with. One agent serves every visitor, each in a session of its
            own (own memory, own Python state).
        file_upload_folder: Where uploaded files are saved (one sub-folder per browser session);
            uploads are disabled when None. The saved paths are given to the agent with the task.
        reset_agent_memory: Start from an empty memory at every message (no conversation).
        allowed_file_types: Extensions accepted for upload (default: documents, images, sounds).
        max_file_size: Largest accepted upload, in bytes (default 20 MB).
        concurrency_limit: How many runs may go on at once across visitors (None: no limit).

    Raises:
        ModuleNotFoundError: When Gradio is not installed.
    """

    def __init__(
        self,
        agent: MultiStepAgent,
        file_upload_folder: str | Path | None = None,
        reset_agent_memory: bool = False,
        *,
        allowed_file_types: Iterable[str] = DEFAULT_ALLOWED_FILE_TYPES,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        concurrency_limit: int | None = 8,
    ) -> None:
        _require_gradio()
        self.agent = agent
        self.reset_agent_memory = reset_agent_memory
        self.file_upload_folder = Path(file_upload_folder) if file_upload_folder is not None else None
        self.uploads = (
            UploadFolder(self.file_upload_folder, allowed_file_types, max_file_size)
            if self.file_upload_folder is not None
            else None
        )
        self.max_file_size = max_file_size
        self.concurrency_limit = concurrency_limit
        self.name: str = getattr(agent, "name", None) or "Agent interface"
        self.description: str | None = getattr(agent, "description", None)

    def create_app(self) -> gradio.Blocks:
        """Build the Gradio app (a `gradio.Blocks`), e.g. to mount it in a bigger app or launch it yourself."""
        from ._ui.chat_app import build_app

        return build_app(self)

    def launch(self, share: bool = False, **kwargs: Any) -> Any:
        """Build the app and serve it (blocks until the server stops, as Gradio's `launch` does).

        Args:
            share: Also publish the app through a public Gradio link.
            **kwargs: Passed to `gradio.Blocks.launch` (e.g. ``server_name``, ``server_port``).
        """
        if self.uploads is not None:
            kwargs.setdefault("max_file_size", self.max_file_size)
        return self.create_app().launch(share=share, **kwargs)

    def upload_file(
        self, file: Any, file_uploads_log: list[str], allowed_file_types: list[str] | None = None
    ) -> tuple[Any, list[str]]:
        """Save one uploaded file (a Gradio file object) if allowed; return a status box and the updated log."""
        import gradio as gr

        if file is None:
            return gr.Textbox(value="No file uploaded", visible=True), file_uploads_log
        folder = self.uploads or UploadFolder(
            self.file_upload_folder or Path("uploads"),
            allowed_file_types or DEFAULT_ALLOWED_FILE_TYPES,
            self.max_file_size,
        )
        if allowed_file_types is not None:
            folder = UploadFolder(folder.folder, allowed_file_types, folder.max_bytes)
        try:
            saved = folder.save(file.name)
        except UploadRejectedError as rejection:
            return gr.Textbox(value=str(rejection), visible=True), file_uploads_log
        return gr.Textbox(value=f"File uploaded: {saved}", visible=True), [*file_uploads_log, str(saved)]
