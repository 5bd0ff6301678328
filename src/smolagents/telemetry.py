"""OpenTelemetry tracing of agent runs, off by default.

Install the extra (``pip install 'smolagents[telemetry]'``) and turn tracing on::

    from smolagents.telemetry import enable_tracing
    enable_tracing()                      # the global tracer provider, or pass tracer_provider=...

or set ``SMOLAGENTS_TRACING=true`` in the environment. Each run then produces a span tree:
``invoke_agent <name>`` for the run, a span per step, ``chat <model>`` for each model call and
``execute_tool <tool>`` for each tool call or code execution, with the OpenTelemetry GenAI
semantic conventions (model, token usage, finish reasons, tool name and arguments) and errors
recorded. A managed agent's run nests under the tool call of its manager that started it;
concurrent runs each get their own tree.

When tracing is off, runs do not touch OpenTelemetry at all.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["disable_tracing", "enable_tracing", "is_tracing_enabled", "tracer"]

_INSTRUMENTATION_NAME = "smolagents"
_ENV_SWITCH = "SMOLAGENTS_TRACING"


class _State:
    tracer: Any = None
    env_checked = False


def enable_tracing(tracer_provider: Any = None) -> None:
    """Trace every agent run from now on.

    Args:
        tracer_provider: An OpenTelemetry `TracerProvider`; default: the global one.

    Raises:
        ImportError: When the `telemetry` extra (opentelemetry-api) is not installed.
    """
    try:
        from opentelemetry import trace
    except ImportError as error:
        raise ImportError(
            "Tracing needs OpenTelemetry: install it with pip install 'smolagents[telemetry]'."
        ) from error
    from ._version import __version__

    provider = tracer_provider if tracer_provider is not None else trace.get_tracer_provider()
    _State.tracer = provider.get_tracer(_INSTRUMENTATION_NAME, __version__)
    _State.env_checked = True


def disable_tracing() -> None:
    """Stop tracing runs (runs already started finish their spans)."""
    _State.tracer = None
    _State.env_checked = True


def is_tracing_enabled() -> bool:
    """Whether new runs are traced."""
    return tracer() is not None


def tracer() -> Any:
    """Return the OpenTelemetry tracer runs use, or None when tracing is off."""
    if not _State.env_checked:
        _State.env_checked = True
        if os.environ.get(_ENV_SWITCH, "").strip().lower() in ("1", "true", "yes", "on"):
            enable_tracing()
    return _State.tracer
