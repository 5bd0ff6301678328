"""Loading tools from the Hub (offline, from the local Hub cache), ToolCollection, and the adapters."""

import os
from pathlib import Path

import pytest

from smolagents import Tool, ToolCollection, load_tool, tool

TOOL_CODE = """from smolagents import Tool


class ReverseTool(Tool):
    name = "reverse"
    description = "Reverse a text."
    inputs = {"text": {"type": "string", "description": "The text."}}
    output_type = "string"

    def __init__(self, suffix: str = "") -> None:
        super().__init__()
        self.suffix = suffix

    def forward(self, text: str) -> str:
        return text[::-1] + self.suffix
"""


@tool
def echo(text: str) -> str:
    """Echo a text.

    Args:
        text: The text.
    """
    return text


def put_space_in_hub_cache(repo_id: str, files: dict[str, str]) -> None:
    """Lay out a Space snapshot the way huggingface_hub caches downloads, so offline loads find it."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo_dir = Path(os.environ["HF_HOME"]) / "hub" / f"spaces--{repo_id.replace('/', '--')}"
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(commit)
    snapshot = repo_dir / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (snapshot / name).write_text(content)


def test_load_tool_refuses_without_trust_remote_code() -> None:
    with pytest.raises(
        ValueError,
        match=r"Loading the tool 'm-ric/text-to-image' from the Hub runs its Python code.*trust_remote_code=True",
    ):
        load_tool("m-ric/text-to-image")


def test_tool_from_hub_refuses_without_trust_remote_code() -> None:
    with pytest.raises(ValueError, match="trust_remote_code=True"):
        Tool.from_hub("someone/some-tool")


def test_load_tool_with_trust_reads_tool_py_through_huggingface_hub_cache() -> None:
    put_space_in_hub_cache("tester/reverse-tool", {"tool.py": TOOL_CODE})
    loaded = load_tool("tester/reverse-tool", trust_remote_code=True)
    assert loaded.name == "reverse"
    assert loaded("abc") == "cba"


def test_from_hub_passes_constructor_arguments_and_keeps_download_options_apart() -> None:
    put_space_in_hub_cache("tester/reverse-tool-2", {"tool.py": TOOL_CODE})
    loaded = Tool.from_hub("tester/reverse-tool-2", trust_remote_code=True, revision="main", suffix="!")
    assert loaded("ab") == "ba!"


def test_tool_collection_holds_tools_and_iterates_over_them() -> None:
    collection = ToolCollection([echo])
    assert collection.tools == [echo]
    assert list(collection) == [echo]
    assert len(collection) == 1
    assert repr(collection) == "ToolCollection(['echo'])"


def test_tool_collection_rejects_non_tools_with_a_hint() -> None:
    def plain(text: str) -> str:
        return text

    with pytest.raises(TypeError, match=r"item 1 is a function\. Wrap functions with @tool first"):
        ToolCollection([echo, plain])  # type: ignore[list-item]


def test_tool_collection_from_hub_refuses_without_trust_remote_code() -> None:
    with pytest.raises(
        ValueError, match=r"tools of the Hub collection 'user/tools-123'.*trust_remote_code=True"
    ):
        ToolCollection.from_hub("user/tools-123")


def test_tool_collection_from_mcp_refuses_without_trust_remote_code() -> None:
    with pytest.raises(ValueError, match=r"tools from an MCP server.*trust_remote_code=True"):
        with ToolCollection.from_mcp({"url": "http://127.0.0.1:1/mcp"}):
            pass


def test_adapters_refuse_objects_that_are_not_tools_of_their_ecosystem() -> None:
    pytest.importorskip("langchain_core")
    with pytest.raises(TypeError, match=r"Tool\.from_langchain takes a LangChain tool"):
        Tool.from_langchain(object())
    with pytest.raises(
        TypeError, match=r"Tool\.from_gradio takes a gradio_tools tool .* has no name, description, run"
    ):
        Tool.from_gradio(object())
