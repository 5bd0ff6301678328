"""`Tool.from_langchain`: a LangChain (langchain-core) tool as a smolagents tool.

The tool's args schema becomes `inputs` (descriptions, enums and optional arguments kept). A tool
that only has an async implementation becomes an async smolagents tool, so agents await it.
"""

from __future__ import annotations

from typing import Any

from .base import Tool
from .schema_inputs import inputs_from_schema, tool_name

__all__ = ["langchain_tool_to_tool"]


def langchain_tool_to_tool(langchain_tool: Any) -> Tool:
    """Wrap a langchain-core `BaseTool` (``@tool`` functions, `StructuredTool`, subclasses).

    Raises:
        TypeError: When the object is not a LangChain tool.
    """
    try:
        from langchain_core.tools import BaseTool
    except ImportError as error:
        raise ImportError("Tool.from_langchain needs langchain-core: pip install langchain-core.") from error
    if not isinstance(langchain_tool, BaseTool):
        raise TypeError(
            f"Tool.from_langchain takes a LangChain tool (a langchain_core BaseTool, e.g. from @tool), got "
            f"{type(langchain_tool).__name__}."
        )
    is_async_only = (
        getattr(langchain_tool, "coroutine", None) is not None
        and getattr(langchain_tool, "func", None) is None
    )
    wrapper = _AsyncLangChainTool if is_async_only else _LangChainTool
    return wrapper(langchain_tool)


def _args_schema(langchain_tool: Any) -> dict[str, Any]:
    """The JSON schema of the arguments the model gives.

    ``tool_call_schema`` leaves out injected arguments but also drops extra schema keys (enums
    given through ``json_schema_extra``), so properties come from ``args_schema`` where it has them.
    """
    call = _json_schema(langchain_tool.tool_call_schema)
    full = _json_schema(langchain_tool.args_schema) if langchain_tool.args_schema is not None else call
    full_properties = full.get("properties") or {}
    properties = {
        name: full_properties.get(name, spec) for name, spec in (call.get("properties") or {}).items()
    }
    return {**full, "properties": properties, "required": call.get("required", [])}


def _json_schema(schema: Any) -> dict[str, Any]:
    return dict(schema) if isinstance(schema, dict) else dict(schema.model_json_schema())


class _LangChainTool(Tool):
    """A LangChain tool called through ``invoke``."""

    skip_forward_signature_validation = True

    def __init__(self, langchain_tool: Any) -> None:
        super().__init__()
        self.langchain_tool = langchain_tool
        self.name = tool_name(langchain_tool.name.lower())
        self.description = langchain_tool.description or f"The LangChain tool {langchain_tool.name}."
        self.inputs = inputs_from_schema(_args_schema(langchain_tool))
        self.output_type = "any"
        self.is_initialized = True

    def _tool_input(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        tool_input = dict(kwargs)
        for name, value in zip(self.inputs, args, strict=False):  # positional arguments in declared order
            tool_input[name] = value
        return {
            key: value
            for key, value in tool_input.items()
            if value is not None or not self.inputs.get(key, {}).get("nullable")
        }

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the LangChain tool with the arguments given."""
        return self.langchain_tool.invoke(self._tool_input(args, kwargs))


class _AsyncLangChainTool(_LangChainTool):
    """A LangChain tool with only a coroutine, awaited through ``ainvoke``."""

    async def forward(self, *args: Any, **kwargs: Any) -> Any:  # an async tool: agents await it
        """Await the LangChain tool with the arguments given."""
        return await self.langchain_tool.ainvoke(self._tool_input(args, kwargs))
