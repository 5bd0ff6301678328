"""GradioUI shows actions awaiting approval and resumes the run with Approve or Deny (real app, real client)."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from smolagents import ChatMessage, CodeAgent, Tool
from smolagents.models import ScriptedModel
from system_requirements import require


class DeleteFile(Tool):
    name = "delete_file"
    description = "Delete a file."
    inputs = {"path": {"type": "string", "description": "The file."}}
    output_type = "string"
    requires_approval = True

    def forward(self, path: str) -> str:
        return f"deleted {path}"


def reply(messages: list[ChatMessage]) -> str:
    """Answer from the conversation alone: act first, then report what the observation said."""
    last = messages[-1].text
    if "denied" in last:
        return "<code>\nfinal_answer('kept the file')\n</code>"
    if "deleted a.txt" in last:
        return "<code>\nfinal_answer('file is gone')\n</code>"
    return '<code>\nprint(delete_file("a.txt"))\n</code>'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    require(
        importlib.util.find_spec("gradio_client") is not None,
        "gradio and gradio_client",
        "install the gradio extra",
    )
    from smolagents import GradioUI

    agent = CodeAgent(tools=[DeleteFile()], model=ScriptedModel(reply), verbosity_level=-1)
    demo = GradioUI(agent).create_app()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}"
    demo.close(verbose=False)


def chat_text(outputs: Any) -> str:
    return str(outputs[0])


@pytest.mark.parametrize(
    ("endpoint", "arguments", "answer"),
    [("/approve", (), "file is gone"), ("/deny", ("Not that one",), "kept the file")],
)
def test_pending_action_is_shown_and_the_visitor_decides(
    url: str, endpoint: str, arguments: tuple[str, ...], answer: str
) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)  # one visitor: a session of its own
    try:
        stopped = client.predict("Delete a.txt", api_name="/respond")
        assert "Final answer" not in chat_text(stopped)
        text = client.predict(api_name="/pending_approvals")  # the panel's text (shown when not empty)
        assert "Awaiting your approval" in text and 'delete_file("a.txt")' in text
        finished = client.predict(*arguments, api_name=endpoint)
        assert answer in chat_text(finished)
        assert client.predict(api_name="/pending_approvals") == ""
    finally:
        client.close()
