"""The `Tool` base class.

PROVISIONAL: the minimal contract the agents rely on. The tools work (validation at definition,
serialization, `@tool`, hub I/O) extends this module; keep these names and behaviours.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, ClassVar

__all__ = ["AUTHORIZED_TYPES", "Tool"]

AUTHORIZED_TYPES = ["string", "boolean", "integer", "number", "image", "audio", "array", "object", "any", "null"]


class Tool:
    """A function an agent can call, described for the model.

    Subclasses set `name`, `description`, `inputs`, `output_type` and implement `forward`
    (sync or ``async def``).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    inputs: ClassVar[dict[str, dict[str, Any]]] = {}
    output_type: ClassVar[str] = "any"
    output_schema: ClassVar[dict[str, Any] | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.is_initialized = False

    @property
    def is_async(self) -> bool:
        """Whether `forward` is a coroutine function."""
        return inspect.iscoroutinefunction(self.forward)

    def setup(self) -> None:
        """Prepare expensive state once, before the first call. Override when needed."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Do the tool's work."""
        raise NotImplementedError(f"Tool {self.name!r} must implement forward().")

    def _ensure_setup(self) -> None:
        if not self.is_initialized:
            self.setup()
            self.is_initialized = True

    def __call__(self, *args: Any, sanitize_inputs_outputs: bool = False, **kwargs: Any) -> Any:
        """Call the tool; an async tool is run to completion when no event loop runs here."""
        self._ensure_setup()
        if len(args) == 1 and not kwargs and isinstance(args[0], dict) and set(args[0]) <= set(self.inputs):
            kwargs, args = args[0], ()
        result = self.forward(*args, **kwargs)
        if inspect.isawaitable(result):
            return asyncio.run(_await(result))
        return result

    async def acall(self, *args: Any, **kwargs: Any) -> Any:
        """Call the tool from async code: awaits async tools, runs sync ones directly."""
        self._ensure_setup()
        result = self.forward(*args, **kwargs)
        if inspect.isawaitable(result):
            return await result
        return result


async def _await(awaitable: Any) -> Any:
    return await awaitable
