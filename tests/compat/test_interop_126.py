"""Round trips through a real smolagents 1.26: what it saves loads here, and what we save loads there.

1.26 runs in its own virtualenv, in a subprocess. The tests are skipped when that virtualenv is
absent: point ``SMOLAGENTS_126_PYTHON`` at its python (default ``/work/compat126/.venv126/bin/python``).
The hand-written fixtures of `test_saved_agents.py` cover the same formats without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from compat_tools import RepeatTool, shout

from smolagents import AgentLogger, CodeAgent, LogLevel, ScriptedModel, Tool, tool_call_message

PYTHON_126 = Path(os.environ.get("SMOLAGENTS_126_PYTHON", "/work/compat126/.venv126/bin/python"))

pytestmark = pytest.mark.skipif(
    not PYTHON_126.exists(), reason=f"no smolagents 1.26 virtualenv at {PYTHON_126}"
)


def run_126(script: str, workdir: Path, *args: str) -> dict:
    """Run `script` with smolagents 1.26; it prints one JSON object as its last line.

    The script is written to a file: 1.26's @tool reads the source of the functions it wraps.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env |= {"HF_HUB_OFFLINE": "1", "OPENAI_API_KEY": "sk-test", "PYTHONNOUSERSITE": "1"}
    path = workdir / "script_126.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    result = subprocess.run(
        [str(PYTHON_126), str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


MAKE_126_AGENT = """
import json, sys
import smolagents
from smolagents import CodeAgent, InferenceClientModel, Tool, ToolCallingAgent, tool

assert smolagents.__version__ == "1.26.0"

@tool
def shout(text: str) -> str:
    '''Return the text in capitals.

    Args:
        text: What to shout.
    '''
    return text.upper()

class RepeatTool(Tool):
    name = "repeat"
    description = "Repeat a text."
    inputs = {"text": {"type": "string", "description": "The text."},
              "times": {"type": "integer", "description": "How many times.", "nullable": True}}
    output_type = "string"

    def forward(self, text: str, times: int | None = 2) -> str:
        return text * (times or 1)

model = InferenceClientModel(model_id="Qwen/Qwen2.5-Coder-32B-Instruct", temperature=0.3)
helper = ToolCallingAgent(tools=[shout], model=model, name="helper", description="Shouts things.")
agent = CodeAgent(tools=[shout, RepeatTool()], model=model, managed_agents=[helper],
                  additional_authorized_imports=["json"], max_steps=5, verbosity_level=0)
agent.save(sys.argv[1])
print(json.dumps({"saved": True}))
"""


def test_an_agent_saved_by_1_26_loads_and_runs_here(tmp_path: Path) -> None:
    tmp_path = tmp_path / "agent"
    run_126(MAKE_126_AGENT, tmp_path.parent, str(tmp_path))
    agent = CodeAgent.from_folder(tmp_path, logger=AgentLogger(level=LogLevel.OFF))
    assert type(agent.model).__name__ == "InferenceClientModel" and agent.model.kwargs["temperature"] == 0.3
    assert sorted(agent.tools) == ["final_answer", "repeat", "shout"]
    assert agent.additional_authorized_imports == ["json"] and agent.max_steps == 5
    helper = agent.managed_agents["helper"]
    helper.model = ScriptedModel(
        [
            tool_call_message(("shout", {"text": "hey"})),
            tool_call_message(("final_answer", {"answer": "HEY"})),
        ]
    )
    helper.logger = AgentLogger(level=LogLevel.OFF)
    agent.model = ScriptedModel(
        [
            "Thought: go.\n<code>\nfinal_answer(repeat(text=shout(text='ab'), times=2) + helper(task='Shout hey'))\n</code>"
        ]
    )
    answer = agent.run("go")
    assert answer.startswith("ABAB") and "HEY" in answer


LOAD_IN_126 = """
import json, sys
from smolagents import CodeAgent, Model
from smolagents.models import ChatMessage, MessageRole

class Replies(Model):
    def __init__(self, replies):
        super().__init__(model_id="replies")
        self.replies = list(replies)

    def generate(self, messages, stop_sequences=None, **kwargs):
        return ChatMessage(role=MessageRole.ASSISTANT, content=self.replies.pop(0))

folder = sys.argv[1]
agent = CodeAgent.from_folder(folder)
loaded = {
    "model": type(agent.model).__name__,
    "model_kwargs": agent.model.kwargs,
    "tools": sorted(agent.tools),
    "managed": sorted(agent.managed_agents),
    "max_steps": agent.max_steps,
    "imports": agent.additional_authorized_imports,
}
agent.model = Replies(["Thought: go\\n<code>\\nfinal_answer(repeat(text=shout(text='ab'), times=3))\\n</code>"])
agent.logger.level = -1
loaded["answer"] = agent.run("go")

sys.path.insert(0, folder)  # app.py imports the tools from the folder, as on a Space
import app
loaded["app_agent"] = [type(app.agent).__name__, sorted(app.agent.tools), sorted(app.agent.managed_agents)]
print(json.dumps(loaded))
"""


def test_an_agent_saved_here_loads_and_runs_in_1_26(tmp_path: Path) -> None:
    from smolagents import InferenceClientModel, ToolCallingAgent

    model = InferenceClientModel(model_id="Qwen/Qwen2.5-Coder-32B-Instruct", temperature=0.3)
    helper = ToolCallingAgent(tools=[shout], model=model, name="helper", description="Shouts things.")
    agent = CodeAgent(
        tools=[shout, RepeatTool()],
        model=model,
        managed_agents=[helper],
        additional_authorized_imports=["json"],
        instructions="Be loud.",
        max_steps=5,
    )
    tmp_path = tmp_path / "agent"
    agent.save(tmp_path)
    loaded = run_126(LOAD_IN_126, tmp_path.parent, str(tmp_path))
    assert loaded["model"] == "InferenceClientModel" and loaded["model_kwargs"]["temperature"] == 0.3
    assert loaded["tools"] == ["final_answer", "repeat", "shout"] and loaded["managed"] == ["helper"]
    assert loaded["max_steps"] == 5 and "json" in loaded["imports"]
    assert loaded["answer"] == "ABABAB"
    assert loaded["app_agent"] == ["CodeAgent", ["final_answer", "repeat", "shout"], ["helper"]]


TOOLS_IN_126 = """
import json, sys
from pathlib import Path
from smolagents import Tool, tool

# Load what we saved.
ours = {name: Tool.from_code(Path(sys.argv[1], name + ".py").read_text()) for name in ("shout", "repeat")}
result = {"ours": [ours["shout"](text="hi"), ours["repeat"](text="a", times=3), ours["shout"].inputs]}

# Save tools for us to load.
@tool
def double(x: int) -> int:
    '''Double a number.

    Args:
        x: The number.
    '''
    return 2 * x

double.save(sys.argv[2])
result["saved"] = sorted(p.name for p in Path(sys.argv[2]).iterdir())
print(json.dumps(result))
"""


def test_tool_files_load_in_both_directions(tmp_path: Path) -> None:
    shout.save(tmp_path / "ours", tool_file_name="shout", make_gradio_app=False)
    RepeatTool().save(tmp_path / "ours", tool_file_name="repeat", make_gradio_app=False)
    result = run_126(TOOLS_IN_126, tmp_path, str(tmp_path / "ours"), str(tmp_path / "theirs"))
    assert result["ours"] == ["HI", "aaa", shout.inputs]
    assert result["saved"] == ["app.py", "requirements.txt", "tool.py"]
    double = Tool.from_code((tmp_path / "theirs" / "tool.py").read_text())
    assert (double.name, double.output_type, double(x=21)) == ("double", "integer", 42)
