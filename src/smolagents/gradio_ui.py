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
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._messages import ChatMessageStreamDelta, agglomerate_stream_deltas
from ._ui.chat_rendering import escape_markup
from ._ui.uploads import (
    DEFAULT_ALLOWED_FILE_TYPES,
    DEFAULT_MAX_FILE_SIZE,
    FileTypeRejectedError,
    UploadFolder,
    UploadRejectedError,
)
from .agent_types import AgentAudio, AgentImage, AgentText
from .memory import ActionStep, FinalAnswerStep, PlanningStep

if TYPE_CHECKING:
    import gradio

    from .agents import MultiStepAgent

__all__ = ["GradioUI", "pull_messages_from_step", "stream_to_gradio"]

# What `upload_file` accepts when neither it nor the UI was given file types (1.26's default there).
UPLOAD_FILE_DEFAULT_TYPES = (".pdf", ".docx", ".txt")


def _require_gradio() -> None:
    if importlib.util.find_spec("gradio") is None:
        raise ModuleNotFoundError(
            "GradioUI needs Gradio, which is not installed: pip install 'smolagents[gradio]'"
        )


def _assistant(content: Any, title: str | None = None) -> gradio.ChatMessage:
    import gradio as gr

    metadata: dict[str, Any] = {"status": "done"}
    if title is not None:
        metadata["title"] = title
    return gr.ChatMessage(role="assistant", content=content, metadata=metadata)  # type: ignore[arg-type]  # gradio's MetadataDict is a TypedDict


def _footnote(step: ActionStep | PlanningStep, name: str) -> str:
    """Return the small grey line that ends a step: its name, token counts and duration."""
    parts = [f"**{name}**"]
    if step.token_usage is not None:
        parts.append(
            f"Input tokens: {step.token_usage.input_tokens:,} | Output tokens: {step.token_usage.output_tokens:,}"
        )
    duration = step.timing.duration if step.timing is not None else None
    if duration:
        parts.append(f"Duration: {round(float(duration), 2)}s")
    return f'<span style="color: #bbbbc2; font-size: 12px;">{" | ".join(parts)}</span> '


def _call_content(call: Any) -> str:
    """Return what a tool call shows: the code of the Python interpreter, else the call's arguments."""
    arguments = call.arguments
    if isinstance(arguments, dict):
        content = str(arguments.get("answer", str(arguments)))
    else:
        content = str(arguments).strip()
    if call.name == "python_interpreter":
        code = re.sub(r"^```[\w+-]*\n|\n?```$", "", content.strip()).strip()
        content = f"```python\n{code}\n```"
    return content


def _action_step(step: ActionStep, skip_model_outputs: bool) -> Iterator[gradio.ChatMessage]:
    name = f"Step {step.step_number}"
    if not skip_model_outputs:
        yield _assistant(f"**{name}**")
        model_output = _text(step.model_output).strip()
        if model_output:
            yield _assistant(escape_markup(model_output))
    for call in step.tool_calls or ():
        yield _assistant(_call_content(call), title=f"🛠️ Used tool {call.name}")
    logs = re.sub(r"^Execution logs:\s*", "", (step.observations or "").strip())
    if logs:
        yield _assistant(f"```bash\n{logs}\n```", title="📝 Execution Logs")
    for image in step.observations_images or ():
        path = AgentImage(image).to_string()
        yield _assistant(
            {"path": path, "mime_type": f"image/{path.rsplit('.', 1)[-1]}"}, title="🖼️ Output Image"
        )
    if step.error is not None:
        yield _assistant(str(step.error), title="💥 Error")
    yield _assistant(_footnote(step, name))
    yield _assistant("-----")


def _planning_step(step: PlanningStep, skip_model_outputs: bool) -> Iterator[gradio.ChatMessage]:
    if not skip_model_outputs:
        yield _assistant("**Planning step**")
        yield _assistant(escape_markup(step.plan))
    yield _assistant(_footnote(step, "Planning step"))
    yield _assistant("-----")


def _final_answer(output: Any) -> gradio.ChatMessage:
    if isinstance(output, AgentImage):
        return _assistant({"path": output.to_string(), "mime_type": "image/png"})
    if isinstance(output, AgentAudio):
        return _assistant({"path": output.to_string(), "mime_type": "audio/wav"})
    if isinstance(output, AgentText):
        return _assistant(f"**Final answer:**\n{escape_markup(output.to_string())}\n")
    return _assistant(f"**Final answer:** {escape_markup(str(output))}")


def pull_messages_from_step(
    step_log: ActionStep | PlanningStep | FinalAnswerStep, skip_model_outputs: bool = False
) -> Iterator[gradio.ChatMessage]:
    """Yield the `gradio.ChatMessage`s that show one step of a run, in 1.26's flat layout.

    An action step gives a ``**Step N**`` header, the model's output, one message per tool call
    (titled ``🛠️ Used tool NAME``; the Python interpreter's code as a python block), the
    execution logs, images and error, then a footnote with token counts and duration and a
    ``-----`` divider. A planning step gives a header, the plan, the footnote and the divider; a
    final answer step one message: the text, or an image or audio file. (`GradioUI`'s own chat
    shows steps as collapsible blocks instead.)

    Args:
        step_log: The step to show.
        skip_model_outputs: Leave out the header and the model's text (when they were already streamed).

    Raises:
        ValueError: `step_log` is not one of the three step types.
    """
    _require_gradio()
    if isinstance(step_log, ActionStep):
        yield from _action_step(step_log, skip_model_outputs)
    elif isinstance(step_log, PlanningStep):
        yield from _planning_step(step_log, skip_model_outputs)
    elif isinstance(step_log, FinalAnswerStep):
        yield _final_answer(step_log.output)
    else:
        raise ValueError(
            f"Unsupported step type: {type(step_log).__name__}; pull_messages_from_step shows an ActionStep, "
            "a PlanningStep or a FinalAnswerStep."
        )


def stream_to_gradio(
    agent: MultiStepAgent,
    task: str,
    task_images: list[Any] | None = None,
    reset_agent_memory: bool = False,
    additional_args: dict[str, Any] | None = None,
) -> Iterator[gradio.ChatMessage | str]:
    """Run `agent` on `task` and yield the run as chat messages while it happens.

    Yields the messages of each finished step (see `pull_messages_from_step`; the model's text is
    left out when the agent streams it) and, when the agent streams its model's output, the text
    generated so far in the current step as a string.
    """
    _require_gradio()
    streamed: list[ChatMessageStreamDelta] = []
    events: Iterable[Any] = agent.run(
        task, images=task_images, stream=True, reset=reset_agent_memory, additional_args=additional_args
    )
    for event in events:
        if isinstance(event, (ActionStep, PlanningStep, FinalAnswerStep)):
            # Text already streamed as deltas is not shown a second time.
            yield from pull_messages_from_step(
                event, skip_model_outputs=bool(getattr(agent, "stream_outputs", False))
            )
            streamed = []
        elif isinstance(event, ChatMessageStreamDelta):
            streamed.append(event)
            yield escape_markup(agglomerate_stream_deltas(streamed).render_as_markdown())


def _text(value: Any) -> str:
    if isinstance(value, list):  # list content of a message: keep its text parts
        return "\n".join(str(part.get("text", "")) for part in value if isinstance(part, dict))
    return "" if value is None else str(value)


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
        allowed_file_types: Extensions accepted for upload (default: documents, images, sounds in
            the chat; ``.pdf``, ``.docx``, ``.txt`` in `upload_file`, as in 1.26).
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
        allowed_file_types: Iterable[str] | None = None,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        concurrency_limit: int | None = 8,
    ) -> None:
        _require_gradio()
        self.agent = agent
        self.reset_agent_memory = reset_agent_memory
        self.file_upload_folder = Path(file_upload_folder) if file_upload_folder is not None else None
        self.allowed_file_types = tuple(allowed_file_types) if allowed_file_types is not None else None
        self.uploads = (
            UploadFolder(
                self.file_upload_folder, self.allowed_file_types or DEFAULT_ALLOWED_FILE_TYPES, max_file_size
            )
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
        """Save one uploaded file (a Gradio file object) if its type is allowed; return a status box and the updated log.

        The file is saved at the top of the upload folder (``uploads`` when the UI has none) under
        a safe name. The status reads ``File uploaded: PATH``, ``File type disallowed`` or why
        else the file was refused (too big).

        Args:
            file: The uploaded file (anything with a ``name`` holding its path), or None.
            file_uploads_log: The paths saved so far; a new list with this file's path is returned.
            allowed_file_types: Accepted extensions (default: the UI's, else ``.pdf``, ``.docx``, ``.txt``).
        """
        import gradio as gr

        if file is None:
            return gr.Textbox(value="No file uploaded", visible=True), file_uploads_log
        types = allowed_file_types or self.allowed_file_types or UPLOAD_FILE_DEFAULT_TYPES
        folder = UploadFolder(self.file_upload_folder or Path("uploads"), types, self.max_file_size)
        try:
            saved = folder.save(file.name, session=None)
        except FileTypeRejectedError:
            return gr.Textbox(value="File type disallowed", visible=True), file_uploads_log
        except UploadRejectedError as rejection:
            return gr.Textbox(value=str(rejection), visible=True), file_uploads_log
        return gr.Textbox(value=f"File uploaded: {saved}", visible=True), [*file_uploads_log, str(saved)]
