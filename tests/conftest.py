"""Suite-wide guards: no network beyond loopback, an isolated Hugging Face cache."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Isolate every cache a provider SDK may write to, before any of them is imported.
_SESSION_HOME = tempfile.mkdtemp(prefix="smolagents-tests-")
os.environ["HF_HOME"] = os.path.join(_SESSION_HOME, "hf")
os.makedirs(os.path.join(os.environ["HF_HOME"], "hub"), exist_ok=True)
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
# The embedded model's converted weights go to a session directory, never the user's cache.
os.environ.setdefault("SMOLAGENTS_CACHE", os.path.join(_SESSION_HOME, "smolagents-cache"))
from network_guard import _violations  # noqa: E402  # installs the guard on import


@pytest.fixture(autouse=True)
def _no_network_beyond_loopback() -> Iterator[None]:
    """Fail the test if it tried to connect outside loopback, even if the error was swallowed."""
    start = len(_violations)
    yield
    attempted = _violations[start:]
    if attempted:
        pytest.fail(f"test tried to reach non-loopback addresses: {attempted}")


pytest_plugins = ["thread_guard"]
