"""`load_model` and `run_smolagent` as 1.26 code calls them: keys from the environment, agent settings."""

from __future__ import annotations

import pytest

from smolagents import CodeAgent, ScriptedModel
from smolagents._ui.model_loading import FIREWORKS_API_BASE
from smolagents.cli import load_model, run_smolagent


def test_openai_model_goes_to_fireworks_when_only_a_fireworks_key_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("FIREWORKS_API_KEY", "fw-key")
    model = load_model("OpenAIModel", "accounts/fireworks/models/x")
    assert (model.api_base, model.api_key) == (FIREWORKS_API_BASE, "fw-key")  # type: ignore[attr-defined]
    monkeypatch.setenv("OPENAI_API_KEY", "oa-key")  # an OpenAI key means OpenAI
    model = load_model("OpenAIModel", "gpt-4o")
    assert (model.api_base, model.api_key) == (None, "oa-key")  # type: ignore[attr-defined]


def test_inference_client_model_takes_the_hf_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("huggingface_hub")
    monkeypatch.delenv("HF_API_KEY", raising=False)
    monkeypatch.setenv("HF_TOKEN", "hf-token")
    assert load_model("InferenceClientModel", "some/model").token == "hf-token"  # type: ignore[attr-defined]


def test_an_unknown_model_type_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"^Unsupported model type: Nope; use one of InferenceClientModel"):
        load_model("Nope", "x")


def test_run_smolagent_gives_the_agent_only_the_settings_that_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[dict[str, object]] = []

    class RecordingAgent(CodeAgent):
        def __init__(self, **kwargs: object) -> None:
            built.append(kwargs)
            super().__init__(**kwargs, verbosity_level=-1)  # type: ignore[arg-type]

    model = ScriptedModel(["```py\nfinal_answer(6 * 7)\n```"])
    monkeypatch.setattr("smolagents.cli.CodeAgent", RecordingAgent)
    monkeypatch.setattr("smolagents.cli.load_model", lambda *args, **kwargs: model)
    assert run_smolagent("Multiply", [], "InferenceClientModel", "m") == 42
    assert built == [
        {"tools": [], "model": model, "additional_authorized_imports": None, "stream_outputs": True}
    ]
