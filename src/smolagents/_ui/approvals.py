"""Approvals in the Gradio chat: a run stopped before an action awaiting approval shows the action,
with Approve and Deny buttons that resume the run with the visitor's decision.

The app gives no approval callback, so a run that needs approval stops (its state is
``"awaiting_approval"``); this panel shows `memory.pending_approvals` of the visitor's
conversation and resumes it (`AgentSession.resume`) in the chat like any run.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Protocol

import gradio as gr

from .._agent.approval import ApprovalDecision, Approve, Deny
from .._errors import AgentError
from ..memory import ApprovalRequest
from .chat_rendering import error_message, notice_message
from .conversations import Conversation
from .run_thread import ThreadedEvents
from .transcript import RunTranscript

__all__ = ["APPROVE_ID", "DENY_ID", "PANEL_ID", "REASON_ID", "add_approval_panel", "describe_pending"]

PANEL_ID = "approval-panel"
APPROVE_ID = "approve-action"
DENY_ID = "deny-action"
REASON_ID = "deny-reason"


class ChatHandlers(Protocol):
    """What the panel uses of the chat app (`_ui.chat_app.ChatApp`)."""

    def _conversation(self, request: gr.Request) -> Conversation: ...
    def _update(
        self, conversation: Conversation, extra: list[Any] | None = None, clear_input: bool = False
    ) -> Any: ...


def describe_pending(requests: list[ApprovalRequest]) -> str:
    """Return the Markdown shown for the actions awaiting approval ("" when there are none)."""
    if not requests:
        return ""
    parts = ["### Awaiting your approval"]
    for request in requests:
        if request.is_code:
            body = f"```python\n{request.code}\n```"
        else:
            arguments = json.dumps(request.tool_call.arguments, indent=2, default=str)
            body = f"Call `{request.tool_call.name}` with:\n```json\n{arguments}\n```"
        parts.append(f"{request.reason}\n\n{body}")
    return "\n\n".join(parts)


class ApprovalPanel:
    """The panel's handlers, bound to the chat app."""

    def __init__(self, app: ChatHandlers) -> None:
        self.app = app

    def pending(self, request: gr.Request) -> tuple[Any, str]:
        """Show the panel with this visitor's pending actions, or hide it."""
        conversation = self.app._conversation(request)
        requests = [] if conversation.is_running else list(conversation.session.memory.pending_approvals)
        return gr.update(visible=bool(requests)), describe_pending(requests)

    async def approve(self, request: gr.Request) -> AsyncIterator[Any]:
        """Resume the visitor's run, running the pending actions."""
        async for update in self._resume(Approve(), "You approved the action.", request):
            yield update

    async def deny(self, reason: str | None, request: gr.Request) -> AsyncIterator[Any]:
        """Resume the visitor's run, telling the model the actions were denied (and why)."""
        text = (reason or "").strip() or "The user denied it."
        async for update in self._resume(Deny(text), f"You denied the action: {text}", request):
            yield update

    async def _resume(
        self, decision: ApprovalDecision, notice: str, request: gr.Request
    ) -> AsyncIterator[Any]:
        conversation = self.app._conversation(request)
        pending = conversation.session.memory.pending_approvals
        if conversation.is_running or not pending:
            yield self.app._update(conversation)
            return
        conversation.history.append(notice_message(notice))
        conversation.is_running, conversation.is_stopping = True, False
        transcript = RunTranscript(first_step=pending[0].step_number)
        yield self.app._update(conversation)
        try:
            async for event in ThreadedEvents(
                lambda: conversation.session.resume(decision, stream=True), on_abandon=conversation.stop
            ):
                if transcript.add(event):
                    yield self.app._update(conversation, transcript.messages)
        except (AgentError, Exception) as error:  # shown to the visitor; the memory keeps the steps
            transcript.close_pending()
            conversation.history += [*transcript.messages, error_message(str(error), title="Run failed")]
        else:
            conversation.history += transcript.messages
        finally:
            conversation.is_running = conversation.is_stopping = False
        yield self.app._update(conversation)


def _hide() -> tuple[Any, str]:
    return gr.update(visible=False), ""


def add_approval_panel(app: ChatHandlers, outputs: list[Any], after: list[Any]) -> None:
    """Add the panel to the Blocks being built, refreshed after each of the events in `after`.

    Args:
        app: The chat's handlers.
        outputs: The chat's outputs (chat, input, stop and new-conversation buttons).
        after: Events (e.g. the task's submission) after which pending actions may have appeared.
    """
    panel = ApprovalPanel(app)
    with gr.Group(visible=False, elem_id=PANEL_ID) as group:
        text = gr.Markdown()
        reason = gr.Textbox(elem_id=REASON_ID, label="Reason (sent to the agent if you deny)", lines=1)
        with gr.Row():
            approve = gr.Button("Approve", elem_id=APPROVE_ID, variant="primary", size="sm")
            deny = gr.Button("Deny", elem_id=DENY_ID, variant="stop", size="sm")
    shown = [group, text]
    approve.click(_hide, None, shown, queue=False, api_visibility="private").then(
        panel.approve, None, outputs, api_name="approve", show_progress="hidden"
    ).then(panel.pending, None, shown, api_name="pending_approvals", show_progress="hidden")
    deny.click(_hide, None, shown, queue=False, api_visibility="private").then(
        panel.deny, [reason], outputs, api_name="deny", show_progress="hidden"
    ).then(panel.pending, None, shown, show_progress="hidden", api_visibility="private")
    for event in after:
        event.then(panel.pending, None, shown, show_progress="hidden", api_visibility="private")
