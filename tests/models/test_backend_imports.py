"""Provider SDKs are imported when a backend is built, not when its module is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import smolagents

SRC = str(Path(smolagents.__file__).resolve().parents[1])


@pytest.mark.parametrize(
    ("module", "sdk"),
    [
        ("smolagents.models.openai", "openai"),
        ("smolagents.models.azure", "openai"),
        ("smolagents.models.litellm", "litellm"),
        ("smolagents.models.inference_client", "huggingface_hub"),
        ("smolagents.models.bedrock", "boto3"),
        ("smolagents.models.api", "httpx"),
    ],
)
def test_importing_a_backend_module_does_not_import_its_sdk(module: str, sdk: str) -> None:
    code = f"import sys, {module}; print({sdk!r} in sys.modules)"
    env = {**os.environ, "PYTHONPATH": SRC}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "False"


def test_building_litellm_model_sets_the_local_cost_map_flag() -> None:
    code = (
        "import os; os.environ.pop('LITELLM_LOCAL_MODEL_COST_MAP', None)\n"
        "from smolagents.models import LiteLLMModel\n"
        "LiteLLMModel(model_id='openai/gpt-4o', api_key='k')\n"
        "print(os.environ['LITELLM_LOCAL_MODEL_COST_MAP'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    env["PYTHONPATH"] = SRC
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "True"
    assert "cost map" not in result.stderr  # no network fetch was attempted
