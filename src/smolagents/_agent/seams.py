"""Noticing instrumentation that wraps our methods, so that calls go through the wrapper.

Tracers written for smolagents 1.26 (OpenInference, used by Phoenix and Langfuse) wrap
`MultiStepAgent.run`, the agents' `_step_stream`, the models' `generate` and `Tool.__call__`. Our
runner normally calls the async twins, which such wrappers never see; when a method is wrapped,
the runner calls it instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_wrapped"]


def is_wrapped(cls: type, name: str) -> bool:
    """Whether the attribute `name` of `cls` was wrapped after definition (it has `__wrapped__`)."""
    # The raw class dicts, not getattr: a wrapper is a descriptor, and binding it would hide what
    # it is (and inspect.getattr_static costs more than the tool call it guards).
    for klass in cls.__mro__:
        attribute: Any = vars(klass).get(name)
        if attribute is not None:
            return hasattr(attribute, "__wrapped__")
    return False
