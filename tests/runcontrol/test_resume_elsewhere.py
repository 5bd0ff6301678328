"""A run stopped awaiting approval, saved to JSON, resumed in a fresh process; code variables restored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from smolagents import AgentMemory, CodeAgent
from smolagents.models import ScriptedModel
from system_requirements import require

SRC = str(Path(__file__).resolve().parents[2] / "src")

AGENT_CODE = textwrap.dedent(
    """
    from smolagents import CodeAgent, Tool
    from smolagents.models import ScriptedModel


    class SendMail(Tool):
        name = "send_mail"
        description = "Send a mail."
        inputs = {"to": {"type": "string", "description": "Recipient."}}
        output_type = "string"
        requires_approval = True

        def forward(self, to):
            return f"mail sent to {to}"


    def make_agent(replies):
        return CodeAgent(
            tools=[SendMail()], model=ScriptedModel(replies), verbosity_level=-1,
            additional_authorized_imports=["pandas"],
        )
    """
)

RESUME_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from agent_def import make_agent
    from smolagents import AgentMemory, Approve

    agent = make_agent(["<code>\\nfinal_answer((sent, total(2), int(frame['n'].sum())))\\n</code>"])
    agent.memory = AgentMemory.load(sys.argv[1])
    print(json.dumps(agent.resume(Approve())))
    """
)

FIRST_ACTION = """<code>
import pandas as pd
frame = pd.DataFrame({"n": [1, 2, 3]})
base = 40
def total(k):
    return base + k
sent = send_mail("ops@example.org")
print(sent)
</code>"""


def test_run_awaiting_approval_resumes_in_a_fresh_process_with_its_variables(tmp_path: Path) -> None:
    (tmp_path / "agent_def.py").write_text(AGENT_CODE)
    (tmp_path / "resume.py").write_text(RESUME_SCRIPT)
    sys.path.insert(0, str(tmp_path))
    try:
        from agent_def import make_agent  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("agent_def", None)
    agent = make_agent([FIRST_ACTION])
    result = agent.run("Mail ops, then report.", return_full_result=True)
    assert result.state == "awaiting_approval"
    assert "send_mail" in result.pending_approvals[0].reason
    saved = agent.memory.save(tmp_path / "memory.json")
    data = json.loads(saved.read_text())
    assert data["pending_approvals"][0]["tool_call"]["function"]["arguments"].startswith("import pandas")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, str(tmp_path)])}
    finished = subprocess.run(
        [sys.executable, str(tmp_path / "resume.py"), str(saved)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout.strip().splitlines()[-1]) == ["mail sent to ops@example.org", 42, 6]


SETUP = """<code>
import pandas as pd
x = 41
def add(a):
    return a + x
class Box:
    size = 2
triple = lambda q: q * 3
frame = pd.DataFrame({"a": [1, 2, 3]})
box = Box()
print("ready")
</code>"""
REUSE = '<code>\nfinal_answer([add(1), Box.size, triple(2), int(frame["a"].sum())])\n</code>'


@pytest.fixture(params=["local", "isolated"])
def executor_type(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "isolated":
        require(shutil.which("bwrap") is not None, "bubblewrap (bwrap)", "run scripts/system/20-sandbox.sh")
    yield request.param


def test_resumed_code_agent_reuses_variable_function_class_lambda_and_frame(
    executor_type: str, tmp_path: Path
) -> None:
    def agent_with(replies: list[str]) -> CodeAgent:
        return CodeAgent(
            tools=[],
            model=ScriptedModel(replies),
            verbosity_level=-1,
            additional_authorized_imports=["pandas"],
            executor_type=executor_type,
        )

    first_agent = agent_with([SETUP, "<code>\nfinal_answer('set')\n</code>"])
    try:
        assert first_agent.run("Set up") == "set"
        path = first_agent.memory.save(tmp_path / "memory.json")
    finally:
        first_agent.cleanup()
    state = json.loads(path.read_text())["executor_state"]
    assert state["values"]["x"] == 41 and "box" in state["unsaved"]
    second = agent_with([REUSE])
    try:
        second.memory = AgentMemory.load(path)
        assert second.run("Use what you made", reset=False) == [42, 2, 6, 6]
    finally:
        second.cleanup()
    prompt = second.model.calls[0].messages[-1].text
    assert "box: an instance of Box" in prompt  # the model is told what was not saved
