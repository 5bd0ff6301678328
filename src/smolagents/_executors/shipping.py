"""Shipping tools into sandboxes that have no channel back to this process (the cloud ones).

A tool goes as its standalone source code (`Tool.to_dict()["code"]`), its requirements are
installed there, and it runs there: whatever it holds in this process (a client, a connection,
credentials in attributes) does not go with it. A tool whose source cannot be written out, and a
managed agent (which must run here), is refused before anything is shipped, with the reason.
"""

from __future__ import annotations

import json
from typing import Any

from ..tools.base import Tool
from ..tools.errors import ToolDefinitionError
from ..tools.source import requirements_of, tool_source

__all__ = ["check_shippable", "requirements", "shipping_code", "tool_sources"]

_PIP_NAMES = {"PIL": "pillow", "sklearn": "scikit-learn", "cv2": "opencv-python", "yaml": "pyyaml"}


def _refusal(name: str, tool: Any) -> str | None:
    if not isinstance(tool, Tool):
        return (
            f"{name!r} is not a Tool (a managed agent or a plain function) and must run in this process, which "
            "a cloud sandbox cannot call back"
        )
    try:
        tool_source(tool)
    except ToolDefinitionError as error:
        return f"tool {name!r} cannot be shipped as code: {error}"
    return None


def check_shippable(tools: dict[str, Any], executor_type: str) -> None:
    """Raise ValueError listing every tool (final_answer aside) that cannot be shipped, and why."""
    refusals = [
        reason for name, tool in tools.items() if name != "final_answer" if (reason := _refusal(name, tool))
    ]
    if refusals:
        raise ValueError(
            f"executor_type={executor_type!r} runs tools inside the sandbox, from their source code, and cannot "
            "use these: "
            + "; ".join(refusals)
            + ". Use a local executor ('isolated' or 'docker' keep tools in "
            "this process), or define the tools in a .py file."
        )


def requirements(tools: dict[str, Any]) -> list[str]:
    """Return the pip packages the tools' code imports (smolagents aside: the sandbox gets a shim)."""
    wanted: set[str] = set()
    for tool in tools.values():
        wanted.update(requirements_of(tool_source(tool)))
    wanted.discard("smolagents")
    return sorted(_PIP_NAMES.get(name, name) for name in wanted)


def tool_sources(tools: dict[str, Any]) -> str:
    """Return the tools' source code by name, as the JSON text `build_shipped_tools` reads in the sandbox."""
    return json.dumps({name: tool_source(tool) for name, tool in tools.items()})


def shipping_code(tools: dict[str, Any], engine_name: str) -> str:
    """Return code that defines `tools` inside the sandbox and hands them to the kernel's engine."""
    return f"{engine_name}.set_tools(__import__('smolagents_kernel').build_shipped_tools({tool_sources(tools)!r}))\n"
