"""Benchmarks of the embedded default model (SmolLM2-135M-Instruct through TransformersModel).

Run: ``python benchmarks/bench_embedded_model.py`` (add ``--convert`` to time a fresh GGUF
conversion into a temporary cache instead of reusing ``$SMOLAGENTS_CACHE``/``~/.cache/smolagents``).

Prints, with targets (2 idle CPU cores; a loaded machine is several times slower):
- GGUF conversion, once per machine (< 60 s);
- load from the converted cache (< 10 s);
- prefill of an agent-sized prompt, about 1,500 tokens (< 10 s);
- decode speed (> 8 tokens/s);
- a second agent step that shares the first step's prompt: with the prompt cache it reads only
  the new tokens (target: at least 3x faster than without).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from smolagents import ChatMessage, MessageRole, TransformersModel  # after the path set-up
from smolagents.models import _embedded

T = TypeVar("T")
SYSTEM = "You are an expert assistant who solves tasks by writing short Python code blocks. " * 90


def _timed(label: str, target: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    print(f"{label:<46} {time.perf_counter() - started:8.2f} s   (target {target})")
    return result


def _usage(message: ChatMessage) -> tuple[int, int]:
    usage = message.token_usage
    assert usage is not None, "TransformersModel always reports token usage"
    return usage.input_tokens, usage.output_tokens


def main() -> None:
    """Run the measurements and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convert", action="store_true", help="time a fresh conversion in a temporary cache")
    arguments = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if arguments.convert:
        os.environ["SMOLAGENTS_CACHE"] = tempfile.mkdtemp(prefix="smolagents-bench-")
        _timed("GGUF conversion", "< 60 s", _embedded.ensure_embedded_model)
    else:
        _embedded.ensure_embedded_model()
    model = _timed("load from cache", "< 10 s", lambda: TransformersModel(max_new_tokens=1))
    first = [
        ChatMessage(MessageRole.SYSTEM, SYSTEM),
        ChatMessage(MessageRole.USER, "Print the sum of 2 and 3."),
    ]
    model.reuse_prompt_cache = False
    reply = _timed("prefill, 1 token out", "< 10 s", lambda: model.generate(first))
    print(f"{'  prompt tokens':<46} {_usage(reply)[0]:8d}")
    started = time.perf_counter()
    short = model.generate(
        [ChatMessage(MessageRole.USER, "Count from one to fifty in words.")], max_new_tokens=64
    )
    seconds = time.perf_counter() - started
    tokens = _usage(short)[1]
    print(f"{'decode speed (64 tokens, short prompt)':<46} {tokens / seconds:8.2f} tok/s (target > 8)")
    second = [
        *first,
        ChatMessage(MessageRole.ASSISTANT, "x = 2 + 3\nprint(x)"),
        ChatMessage(MessageRole.USER, "5"),
    ]
    uncached = _timed("second step, prompt cache off", "-", lambda: model.generate(second))
    model.reuse_prompt_cache = True
    model.generate(first)  # leave the first step's cache behind, as an agent run would
    cached = _timed("second step, prompt cache on", ">= 3x faster", lambda: model.generate(second))
    print(f"{'  prompt tokens read from the cache':<46} {cached.raw['cached_prompt_tokens']:8d}")
    assert cached.text == uncached.text, "the prompt cache changed the greedy output"


if __name__ == "__main__":
    main()
