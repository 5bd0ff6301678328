"""`CallbackRegistry`: step callbacks chosen by the step's class (public as `smolagents.memory.CallbackRegistry`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["CallbackRegistry"]


class CallbackRegistry:
    """Callbacks run after agent steps, chosen by the step's class.

    A callback registered for a class runs for steps of that class and of its subclasses (one
    registered for `MemoryStep` runs for every step). It is called as ``callback(step)``, plus
    the keyword arguments of `callback` it accepts (by name, or through ``**kwargs``).
    """

    def __init__(self) -> None:
        self._callbacks: dict[type, list[Callable[..., Any]]] = {}

    def register(self, step_cls: type, callback: Callable[..., Any]) -> None:
        """Run `callback` after every step of `step_cls` (or a subclass).

        Raises:
            TypeError: If `callback` is not callable.
        """
        if not callable(callback):
            raise TypeError(f"Step callback {callback!r} for {step_cls.__name__} is not callable.")
        self._callbacks.setdefault(step_cls, []).append(callback)

    def callback(self, memory_step: Any, **kwargs: Any) -> None:
        """Call the callbacks registered for the class of `memory_step` and its parent classes."""
        for cls in type(memory_step).__mro__:
            for callback in self._callbacks.get(cls, ()):
                callback(memory_step, **_accepted(callback, kwargs))

    def __bool__(self) -> bool:
        return any(self._callbacks.values())


def _accepted(function: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The subset of `kwargs` that `function` takes (all of them if it has ``**kwargs``)."""
    if not kwargs:
        return kwargs
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}  # builtins without a signature get the step only
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return kwargs
    return {key: value for key, value in kwargs.items() if key in parameters}
