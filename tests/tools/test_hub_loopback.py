"""load_tool, Tool.from_hub, ToolCollection.from_hub and push_to_hub against a loopback Hub.

huggingface_hub reads HF_ENDPOINT when it is imported, so each scenario runs in a fresh interpreter
pointed at the loopback Hub (with the suite's network guard installed there too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from loopback_hub import LoopbackHub
from loopback_site import LoopbackSite

TESTS = str(Path(__file__).resolve().parents[1])
SRC = str(Path(__file__).resolve().parents[2] / "src")

REVERSE_TOOL = """from smolagents import Tool


class ReverseTool(Tool):
    name = "reverse"
    description = "Reverse a text."
    inputs = {"text": {"type": "string", "description": "The text."}}
    output_type = "string"

    def forward(self, text: str) -> str:
        return text[::-1]
"""

SHOUT_TOOL = '''from smolagents import tool


@tool
def shout(text: str) -> str:
    """Upper-case a text.

    Args:
        text: The text.
    """
    return text.upper()
'''


@pytest.fixture
def hub(site: LoopbackSite) -> LoopbackHub:
    return LoopbackHub(site)


def run_against(hub: LoopbackHub, tmp_path: Path, code: str) -> Any:
    """Run `code` in a fresh interpreter whose huggingface_hub talks to `hub`; return what it prints as JSON."""
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.endpoint,
        "HF_HUB_OFFLINE": "0",
        "HF_HOME": str(tmp_path / "hf"),
        "HF_TOKEN": "hf_loopback_token",
        "HF_HUB_DISABLE_XET": "1",
        "PYTHONPATH": os.pathsep.join([SRC, TESTS]),
    }
    script = "import network_guard, json\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_load_tool_and_from_hub_read_tool_py_from_a_space(hub: LoopbackHub, tmp_path: Path) -> None:
    hub.add_space("tester/reverse-tool", {"tool.py": REVERSE_TOOL})
    result = run_against(
        hub,
        tmp_path,
        """
        from smolagents import Tool, load_tool
        loaded = load_tool("tester/reverse-tool", trust_remote_code=True)
        again = Tool.from_hub("tester/reverse-tool", trust_remote_code=True)
        try:
            load_tool("tester/reverse-tool")
            refusal = None
        except ValueError as error:
            refusal = str(error)
        print(json.dumps({"name": loaded.name, "out": loaded("abc"), "again": again("xy"), "refusal": refusal}))
        """,
    )
    assert result["name"] == "reverse" and result["out"] == "cba" and result["again"] == "yx"
    assert "trust_remote_code=True" in result["refusal"]
    assert any(
        request.path == "/spaces/tester/reverse-tool/resolve/main/tool.py" for request in hub.site.requests
    )


def test_tool_collection_from_hub_loads_every_space(hub: LoopbackHub, tmp_path: Path) -> None:
    hub.add_space("tester/reverse-tool", {"tool.py": REVERSE_TOOL})
    hub.add_space("tester/shout-tool", {"tool.py": SHOUT_TOOL})
    hub.add_collection(
        "tester/text-tools-6731f9a2b3c4d5e6f7a8b9c0",
        [("space", "tester/shout-tool"), ("model", "tester/some-model"), ("space", "tester/reverse-tool")],
    )
    result = run_against(
        hub,
        tmp_path,
        """
        from smolagents import CodeAgent, ScriptedModel, ToolCollection
        collection = ToolCollection.from_hub("tester/text-tools-6731f9a2b3c4d5e6f7a8b9c0", trust_remote_code=True)
        model = ScriptedModel(["```py\\nfinal_answer(shout(text=reverse(text='olleh')))\\n```"])
        agent = CodeAgent(tools=[*collection.tools], model=model, verbosity_level=-1)
        print(json.dumps({"names": sorted(t.name for t in collection.tools), "answer": agent.run("go")}))
        """,
    )
    assert result == {"names": ["reverse", "shout"], "answer": "HELLO"}


def test_push_to_hub_then_load_the_tool_back(hub: LoopbackHub, tmp_path: Path) -> None:
    result = run_against(
        hub,
        tmp_path,
        """
        from smolagents import load_tool
        from smolagents.default_tools import PythonInterpreterTool
        url = PythonInterpreterTool().push_to_hub("tester/python-tool", commit_message="Add the tool")
        loaded = load_tool("tester/python-tool", trust_remote_code=True)
        print(json.dumps({"url": url, "name": loaded.name, "out": loaded(code="6 * 7")}))
        """,
    )
    assert result["name"] == "python_interpreter" and result["out"].endswith("Output: 42")
    assert result["url"].startswith(f"{hub.endpoint}/spaces/tester/python-tool/commit/")
    assert hub.created[0]["type"] == "space" and hub.created[0]["sdk"] == "gradio"
    files = hub.spaces["tester/python-tool"]
    # As in 1.26, the Space gets an app.py that serves a demo of the tool, so the pushed Space runs.
    assert set(files) == {"tool.py", "app.py", "requirements.txt", "README.md"}
    assert b"class PythonInterpreterTool(Tool)" in files["tool.py"]
    assert b"from tool import PythonInterpreterTool" in files["app.py"]
    assert b"sdk: gradio" in files["README.md"] and b"- smolagents" in files["README.md"]


def test_missing_space_or_tool_file_is_a_clear_error(hub: LoopbackHub, tmp_path: Path) -> None:
    hub.add_space("tester/just-a-demo", {"app.py": "print('hello')"})
    result = run_against(
        hub,
        tmp_path,
        """
        from smolagents import load_tool
        messages = []
        for repo_id in ("tester/nothing-here", "tester/just-a-demo"):
            try:
                load_tool(repo_id, trust_remote_code=True)
            except ValueError as error:
                messages.append(str(error))
        print(json.dumps(messages))
        """,
    )
    assert result == [
        "The Space 'tester/nothing-here' was not found on the Hub (if it is private, pass token=...).",
        "The Space 'tester/just-a-demo' has no tool.py: it does not hold a smolagents tool.",
    ]
