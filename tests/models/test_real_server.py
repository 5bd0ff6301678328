"""OpenAIServerModel and LiteLLMModel against a real OpenAI-compatible server on loopback.

The server is `transformers serve`, serving the embedded SmolLM2 weights converted into this
session's cache. It needs the serving extra of transformers (fastapi, uvicorn).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from _local_models import session_cache_root

from smolagents._messages import ChatMessage, MessageRole, agglomerate_stream_deltas
from smolagents.models import _embedded as embedded

pytestmark = pytest.mark.real_server

STARTUP_SECONDS = 180
PROMPT = [ChatMessage(MessageRole.USER, [{"type": "text", "text": "Say hello."}])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"transformers serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet
        time.sleep(0.5)
    pytest.fail(f"transformers serve was not healthy after {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Start `transformers serve` on the converted model; yield (api_base, model directory)."""
    pytest.importorskip("fastapi", reason='transformers serve needs `pip install "transformers[serving]"`')
    model_dir = str(embedded.ensure_embedded_model(session_cache_root(tmp_path_factory)))
    home = tmp_path_factory.mktemp("serve-hf")
    (home / "hub").mkdir()  # without it GET /v1/models answers 500 (CacheNotFound)
    log = home / "serve.log"
    port = _free_port()
    env = {**os.environ, "HF_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "transformers.cli.transformers", "serve", model_dir]
    command += ["--dtype", "float32", "--device", "cpu", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_healthy(process, f"http://127.0.0.1:{port}/health", log)
        yield f"http://127.0.0.1:{port}/v1", model_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_openai_server_model_generates_with_usage(server: tuple[str, str]) -> None:
    from smolagents.models.openai import OpenAIServerModel

    api_base, model_dir = server
    model = OpenAIServerModel(
        model_id=model_dir, api_base=api_base, api_key="local", max_tokens=8, temperature=0
    )
    message = model.generate(PROMPT)
    assert message.text.strip()
    assert message.token_usage is not None
    assert 0 < message.token_usage.output_tokens <= 8 and message.token_usage.input_tokens > 5


def test_openai_server_model_stream_joins_to_the_generated_text(server: tuple[str, str]) -> None:
    from smolagents.models.openai import OpenAIServerModel

    api_base, model_dir = server
    model = OpenAIServerModel(
        model_id=model_dir, api_base=api_base, api_key="local", max_tokens=8, temperature=0
    )
    deltas = list(model.generate_stream(PROMPT))
    joined = agglomerate_stream_deltas(deltas)
    assert len([delta for delta in deltas if delta.content]) > 1
    assert joined.text == model.generate(PROMPT).text
    assert joined.token_usage is not None and 0 < joined.token_usage.output_tokens <= 8


def test_litellm_model_generates_and_streams_through_the_openai_route(server: tuple[str, str]) -> None:
    from smolagents.models.litellm import LiteLLMModel

    api_base, model_dir = server
    model = LiteLLMModel(
        model_id="openai/" + model_dir, api_base=api_base, api_key="local", max_tokens=8, temperature=0
    )
    message = model.generate(PROMPT)
    assert message.text.strip() and message.token_usage is not None
    assert 0 < message.token_usage.output_tokens <= 8
    joined = agglomerate_stream_deltas(model.generate_stream(PROMPT))
    assert joined.text == message.text
