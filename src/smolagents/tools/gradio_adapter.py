"""`Tool.from_space` and `Tool.from_gradio`: Gradio apps as smolagents tools, through gradio_client.

`from_space` reads the app's API description (``view_api``) to declare the tool's inputs: file
components (Image, Audio, Video, File) take a path or an `AgentImage`/`AgentAudio`, which is
uploaded; results that are image or audio files come back as `AgentImage`/`AgentAudio`.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from typing import Any

from ..agent_types import AgentAudio, AgentImage, AgentType
from .base import Tool

__all__ = ["gradio_tool_to_tool", "space_to_tool"]

_FILE_COMPONENTS = {"Image": "image", "Audio": "audio", "Video": "any", "File": "any", "Gallery": "any"}
_JSON_TYPES = {"string", "integer", "number", "boolean", "array"}
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
_AUDIO_EXTENSIONS = (".mp3", ".wav", ".ogg", ".m4a", ".flac")
_PYTHON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    "str": "string",
    "int": "integer",
}


def space_to_tool(
    space_id: str, name: str, description: str = "", api_name: str | None = None, token: str | None = None
) -> Tool:
    """Connect to a Gradio app (a Space id or a URL) and wrap one of its API endpoints as a tool.

    Raises:
        ConnectionError: When the app cannot be reached.
        KeyError: When `api_name` is not one of the app's endpoints.
    """
    try:
        import httpx
        from gradio_client import Client
    except ImportError as error:
        raise ImportError("Tool.from_space needs gradio_client: pip install 'smolagents[gradio]'.") from error
    try:
        client = Client(space_id, token=token, verbose=False, analytics_enabled=False)
        api = client.view_api(return_format="dict", print_info=False)
    except (OSError, ValueError, httpx.HTTPError) as error:  # network failures; a page that is no Gradio app
        raise ConnectionError(
            f"Could not reach the Gradio app {space_id!r}: {str(error).splitlines()[0][:300]}"
        ) from error
    endpoints: dict[str, Any] = api["named_endpoints"]
    if not endpoints:
        raise KeyError(f"The Gradio app {space_id!r} exposes no named API endpoint to call.")
    chosen = api_name if api_name is not None else next(iter(endpoints))
    if chosen not in endpoints and f"/{chosen}" in endpoints:
        chosen = f"/{chosen}"
    if chosen not in endpoints:
        raise KeyError(
            f"Could not find api_name={chosen!r} among the app's endpoints: {', '.join(endpoints)}."
        )
    return _SpaceTool(client, space_id, name, description, chosen, endpoints[chosen])


class _SpaceTool(Tool):
    """One endpoint of a Gradio app."""

    skip_forward_signature_validation = True

    def __init__(
        self, client: Any, space_id: str, name: str, description: str, api_name: str, endpoint: dict[str, Any]
    ) -> None:
        super().__init__()
        self.client = client
        self.space_id = space_id
        self.api_name = api_name
        self.name = name
        self.description = (
            description
            or endpoint.get("description")
            or f"Calls the {api_name} endpoint of the Gradio app {space_id}."
        )
        self.inputs = {
            parameter["parameter_name"]: _input_spec(parameter) for parameter in endpoint["parameters"]
        }
        self._file_inputs = {
            parameter["parameter_name"]
            for parameter in endpoint["parameters"]
            if parameter.get("component") in _FILE_COMPONENTS
        }
        self.output_type = _output_type(endpoint.get("returns") or [])
        self.is_initialized = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Call the endpoint and return its result (image and audio files as AgentImage/AgentAudio)."""
        from gradio_client.exceptions import AppError

        arguments = dict(zip(self.inputs, args, strict=False)) | kwargs
        prepared = {key: self._prepared(key, value) for key, value in arguments.items()}
        try:
            output = self.client.predict(api_name=self.api_name, **prepared)
        except AppError as error:
            raise RuntimeError(f"The Gradio app {self.space_id} returned an error: {error}") from None
        if isinstance(output, (tuple, list)) and output:
            if len(output) > 1 and isinstance(output[1], str) and self.output_type != "any":
                raise RuntimeError(f"The Gradio app {self.space_id} returned this message: {output[1]}")
            output = output[0]  # some apps also return e.g. the seed they used
        return _wrapped(output)

    def _prepared(self, name: str, value: Any) -> Any:
        if name not in self._file_inputs or value is None:
            return (
                value.to_raw()
                if isinstance(value, AgentType) and not isinstance(value, (AgentImage, AgentAudio))
                else value
            )
        from gradio_client import handle_file

        if isinstance(value, (AgentImage, AgentAudio)):
            return handle_file(value.to_string())
        if type(value).__module__.startswith("PIL."):
            path = os.path.join(tempfile.mkdtemp(prefix="smolagents-space-"), "input.png")
            value.save(path)
            return handle_file(path)
        return handle_file(os.fspath(value))


def _input_spec(parameter: dict[str, Any]) -> dict[str, Any]:
    component = parameter.get("component", "")
    json_type = (parameter.get("type") or {}).get("type")
    kind = _FILE_COMPONENTS.get(component) or (json_type if json_type in _JSON_TYPES else "any")
    python_type = parameter.get("python_type") or {}
    description = (
        python_type.get("description") or f"{component or 'value'} input ({python_type.get('type', kind)})"
    )
    spec: dict[str, Any] = {"type": kind, "description": description}
    if parameter.get("parameter_has_default"):
        spec["nullable"] = True
        if parameter.get("parameter_default") is not None:
            spec["default"] = parameter["parameter_default"]
    return spec


def _output_type(returns: list[dict[str, Any]]) -> str:
    if not returns:
        return "any"
    component = returns[0].get("component")
    if component == "Image":
        return "image"
    if component == "Audio":
        return "audio"
    return "string" if (returns[0].get("type") or {}).get("type") == "string" else "any"


def _wrapped(output: Any) -> Any:
    if isinstance(output, str) and output.lower().endswith(_IMAGE_EXTENSIONS) and os.path.isfile(output):
        return AgentImage(output)
    if isinstance(output, str) and output.lower().endswith(_AUDIO_EXTENSIONS) and os.path.isfile(output):
        return AgentAudio(output)
    return output


def gradio_tool_to_tool(gradio_tool: Any) -> Tool:
    """Wrap a `gradio_tools` tool: an object with ``name``, ``description`` and ``run(...)``.

    Raises:
        TypeError: When the object lacks one of them.
    """
    missing = [
        attribute for attribute in ("name", "description", "run") if not hasattr(gradio_tool, attribute)
    ]
    if missing:
        raise TypeError(
            f"Tool.from_gradio takes a gradio_tools tool (with name, description and run()); "
            f"{type(gradio_tool).__name__} has no {', '.join(missing)}."
        )
    return _GradioTool(gradio_tool)


class _GradioTool(Tool):
    """A gradio_tools tool, whose ``run`` calls its Gradio app through gradio_client."""

    skip_forward_signature_validation = True

    def __init__(self, gradio_tool: Any) -> None:
        super().__init__()
        self.gradio_tool = gradio_tool
        self.name = str(gradio_tool.name)
        self.description = str(gradio_tool.description)
        parameters = inspect.signature(gradio_tool.run).parameters.values()
        self.inputs = {
            parameter.name: {
                "type": _PYTHON_TYPES.get(parameter.annotation, "any"),
                "description": f"The {parameter.name} to send to the tool.",
            }
            for parameter in parameters
            if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        }
        self.output_type = "string"
        self.is_initialized = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the gradio tool."""
        return self.gradio_tool.run(*args, **kwargs)
