"""Helpers of the command tests: running the installed console scripts, scripted model replies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

# tests/models is on sys.path (conftest.py puts it there): its wire servers are shared.
from _servers import RecordedRequest, Reply, WireServer, openai_reply, openai_stream_reply

# Keys and settings of the developer's shell must not leak into the commands under test.
_SCRUBBED = (
    "HF_TOKEN",
    "HF_API_KEY",
    "OPENAI_API_KEY",
    "HUGGING_FACE_HUB_TOKEN",
    "SMOLAGENTS_MODEL_ID",
    "DISPLAY",
)


def command(name: str) -> str:
    """Return the path of an installed console script of this package."""
    path = shutil.which(name, path=os.path.dirname(sys.executable))
    if path is None:
        pytest.fail(f"the {name!r} command is not installed: pip install -e . in this environment")
    return path


def run(
    name: str, *args: str, stdin: str | None = None, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run an installed command with the test session's environment (minus keys) plus `env`."""
    environment = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
    environment.update(env, NO_COLOR="1", COLUMNS="200", PYTHONUNBUFFERED="1")
    return subprocess.run(
        [command(name), *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=environment
    )


def assert_one_sentence_errors(name: str, cases: Sequence[tuple[list[str], str]]) -> None:
    """Run `name` once per case at the same time; each must fail with status 2 and one line starting with its message.

    The runs are concurrent because each is mostly interpreter start-up: together they take the
    time of the slowest rather than the sum.
    """
    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        results = list(pool.map(lambda case: run(name, "Find something", *case[0]), cases))
    for (args, message), result in zip(cases, results, strict=True):
        shown = f"{name} {' '.join(args)}:\n{result.stderr}"
        assert result.returncode == 2, shown
        assert result.stderr.startswith(f"{name}: error: {message}"), shown
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, shown
        assert result.stdout == "", shown


def scripted_replies(*contents: str) -> Callable[[RecordedRequest], Reply]:
    """Answer chat completions with `contents` in order (streamed when asked), then an error."""
    queue = list(contents)

    def respond(request: RecordedRequest) -> Reply:
        if not queue:
            return Reply(status=500, body=b'{"error": {"message": "no scripted reply left"}}')
        content = queue.pop(0)
        return openai_stream_reply([content]) if request.json.get("stream") else openai_reply(content)

    return respond


def model_flags(server: WireServer) -> list[str]:
    """The flags that point a command at `server`."""
    return [
        "--model-type",
        "OpenAIServerModel",
        "--model-id",
        "scripted",
        "--api-base",
        f"{server.url}/v1",
        "--api-key",
        "test-key",
    ]
