"""Share tools on the Hugging Face Hub, and the entry points of the adapters for other ecosystems.

`huggingface_hub` is imported only when a Hub function runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Tool

__all__ = [
    "load_tool",
    "push_tool_to_hub",
    "require_trust",
    "tool_from_gradio",
    "tool_from_hub",
    "tool_from_langchain",
    "tool_from_space",
]

# Keyword arguments of `Tool.from_hub` that configure the download; the rest go to the tool's constructor.
_DOWNLOAD_KWARGS = ("cache_dir", "revision", "force_download", "proxies", "local_files_only", "etag_timeout")

_SPACE_README = """---
title: {name}
emoji: 🛠️
sdk: gradio
tags:
- smolagents
- tool
---

{description}
"""


def load_tool(
    repo_id: str,
    model_repo_id: str | None = None,
    token: str | None = None,
    trust_remote_code: bool = False,
    **kwargs: Any,
) -> Tool:
    """Load a tool shared on the Hub (a Space holding ``tool.py``); needs ``trust_remote_code=True``.

    Args:
        repo_id: The Space, e.g. ``"m-ric/text-to-image"``.
        model_repo_id: Passed to the tool's constructor as ``model_repo_id`` when given.
        token: A Hub token, for private Spaces.
        trust_remote_code: Must be True: loading runs the tool's code on this machine.
        **kwargs: Download options (``revision``, ``cache_dir``...) and constructor arguments.
    """
    if model_repo_id is not None:
        kwargs["model_repo_id"] = model_repo_id
    return tool_from_hub(repo_id, token=token, trust_remote_code=trust_remote_code, **kwargs)


def require_trust(what: str, trust_remote_code: bool) -> None:
    """Refuse to run downloaded code unless the caller said they trust it.

    Raises:
        ValueError: When `trust_remote_code` is False.
    """
    if not trust_remote_code:
        raise ValueError(
            f"Loading {what} runs its Python code on this machine. Read the code first; if you trust it, "
            "pass trust_remote_code=True."
        )


def tool_from_hub(
    repo_id: str, token: str | None = None, trust_remote_code: bool = False, **kwargs: Any
) -> Tool:
    """Download ``tool.py`` from the Hub Space `repo_id` and load the tool it defines."""
    require_trust(f"the tool {repo_id!r} from the Hub", trust_remote_code)
    hf_hub_download = _hub().hf_hub_download
    download_kwargs = {key: kwargs.pop(key) for key in _DOWNLOAD_KWARGS if key in kwargs}
    errors = _hub().errors
    try:
        path = hf_hub_download(repo_id, "tool.py", repo_type="space", token=token, **download_kwargs)
    except errors.RepositoryNotFoundError:
        raise ValueError(
            f"The Space {repo_id!r} was not found on the Hub (if it is private, pass token=...)."
        ) from None
    except errors.EntryNotFoundError:
        raise ValueError(
            f"The Space {repo_id!r} has no tool.py: it does not hold a smolagents tool."
        ) from None
    from .source import tool_from_code

    return tool_from_code(Path(path).read_text(encoding="utf-8"), **kwargs)


def push_tool_to_hub(
    tool: Tool,
    repo_id: str,
    commit_message: str = "Upload tool",
    *,
    private: bool | None = None,
    token: str | bool | None = None,
    create_pr: bool = False,
) -> str:
    """Upload the tool's code, requirements and a README to a Hub Space; return the commit URL."""
    hub = _hub()
    repo_url = hub.create_repo(
        repo_id, token=token, private=private, exist_ok=True, repo_type="space", space_sdk="gradio"
    )
    from .source import save_tool

    with tempfile.TemporaryDirectory() as folder:
        save_tool(tool, folder)
        readme = _SPACE_README.format(name=tool.name, description=tool.description)
        Path(folder, "README.md").write_text(readme, encoding="utf-8")
        # One commit of the few small files (no upload pipeline: they travel inline).
        operations = [
            hub.CommitOperationAdd(path_in_repo=path.name, path_or_fileobj=str(path))
            for path in sorted(Path(folder).iterdir())
        ]
        commit = hub.create_commit(
            repo_id=repo_url.repo_id,
            operations=operations,
            repo_type="space",
            token=token,
            commit_message=commit_message,
            create_pr=create_pr,
        )
    return str(commit)


def tool_from_space(
    space_id: str, name: str, description: str = "", api_name: str | None = None, token: str | None = None
) -> Tool:
    """Wrap an endpoint of a Gradio app (a Space id or URL) as a tool, through gradio_client."""
    from .gradio_adapter import space_to_tool

    return space_to_tool(space_id, name, description, api_name=api_name, token=token)


def tool_from_gradio(gradio_tool: Any) -> Tool:
    """Wrap a `gradio_tools` tool."""
    from .gradio_adapter import gradio_tool_to_tool

    return gradio_tool_to_tool(gradio_tool)


def tool_from_langchain(langchain_tool: Any) -> Tool:
    """Wrap a LangChain tool."""
    from .langchain_adapter import langchain_tool_to_tool

    return langchain_tool_to_tool(langchain_tool)


def _hub() -> Any:
    try:
        import huggingface_hub
    except ImportError as error:
        raise ImportError(
            "Sharing tools on the Hub needs huggingface_hub: pip install 'smolagents[hf]'."
        ) from error
    return huggingface_hub
