"""A Gradio demo of one tool: a form with one field per input, calling the tool (``app.py`` of a tool's Space).

gradio is imported only when a demo is built.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from .base import Tool

__all__ = ["launch_gradio_demo", "tool_demo"]

# Inputs whose value is typed as text and read as JSON (lists, dicts, anything).
_JSON_TYPES = {"array", "object", "any", "null"}


def launch_gradio_demo(tool: Tool) -> None:
    """Start a Gradio app that lets a person call `tool` from a web form."""
    tool_demo(tool).launch()


def tool_demo(tool: Tool) -> Any:
    """Return the ``gradio.Interface`` of `launch_gradio_demo`, without starting it.

    Raises:
        ImportError: If gradio is not installed, naming the extra to install.
    """
    try:
        import gradio as gr
    except ImportError as error:
        raise ImportError(
            "Gradio should be installed in order to launch a gradio demo: pip install 'smolagents[gradio]'."
        ) from error
    names = list(tool.inputs)

    def call_tool(*values: Any) -> Any:
        arguments = {
            name: _read_input(value, tool.inputs[name]) for name, value in zip(names, values, strict=True)
        }
        arguments = {name: value for name, value in arguments.items() if value is not None}
        result = tool(sanitize_inputs_outputs=True, **arguments)
        return _shown_output(result, tool.output_type)

    call_tool.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # gradio reads the names
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    return gr.Interface(
        fn=call_tool,
        inputs=[_component(gr, _main_type(spec), name) for name, spec in tool.inputs.items()],
        outputs=_component(gr, tool.output_type, "Output"),
        title=tool.name,
        description=tool.description,
        api_name=tool.name,
    )


def _main_type(spec: dict[str, Any]) -> str:
    type_name = spec.get("type", "any")
    if isinstance(type_name, list):
        return next((name for name in type_name if name != "null"), "any")
    return str(type_name)


def _component(gr: Any, type_name: str, label: str) -> Any:
    if type_name == "boolean":
        return gr.Checkbox(label=label)
    if type_name == "integer":
        return gr.Number(label=label, precision=0)
    if type_name == "number":
        return gr.Number(label=label)
    if type_name == "image":
        return gr.Image(label=label, type="pil")
    if type_name == "audio":
        return gr.Audio(label=label, type="filepath")
    placeholder = 'JSON, e.g. [1, 2] or {"key": "value"}' if type_name in _JSON_TYPES else None
    return gr.Textbox(label=label, placeholder=placeholder)


def _read_input(value: Any, spec: dict[str, Any]) -> Any:
    type_name = _main_type(spec)
    if value == "" and spec.get("nullable"):
        return None
    if type_name == "integer" and isinstance(value, float):
        return int(value)
    if type_name in _JSON_TYPES and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # plain text is a valid "any"
    return value


def _shown_output(result: Any, output_type: str) -> Any:
    if output_type in ("image", "audio") and hasattr(result, "to_raw"):
        return result.to_raw() if output_type == "image" else result.to_string()
    if isinstance(result, (dict, list)):
        return json.dumps(result, indent=2, default=str)
    return result
