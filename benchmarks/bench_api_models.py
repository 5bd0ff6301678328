"""Overhead of the HTTP model backends over calling the provider SDK directly.

Run: ``python benchmarks/bench_api_models.py`` (add ``--quick`` for fewer repetitions).

A loopback OpenAI-compatible server answers instantly; the same agent-size conversation
(a 4,000-character system prompt, ten turns) goes through the raw `openai` client and through
`OpenAIServerModel`, interleaved so that machine load hits both alike. Prints, with targets:
- request assembly (messages cleaned, kwargs merged) per call (< 0.5 ms);
- median added time per `generate` over the raw SDK call (< 1 ms);
- median added time per streamed reply of 50 chunks over the raw SDK stream (< 2 ms);
- 50 concurrent `agenerate` calls on one model, wall time (< 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "models"))  # the loopback wire servers of the tests

import openai  # noqa: E402  # after the path set-up
from _servers import RecordedRequest, Reply, WireServer, openai_reply, openai_stream_reply  # noqa: E402

from smolagents import ChatMessage, MessageRole, OpenAIServerModel  # noqa: E402


def conversation() -> tuple[list[ChatMessage], list[dict[str, object]]]:
    messages = [ChatMessage(MessageRole.SYSTEM, "You are a careful agent. " * 160)]
    for turn in range(5):
        messages.append(
            ChatMessage(MessageRole.ASSISTANT, f"Thought: step {turn}\n```py\nprint({turn})\n```")
        )
        messages.append(ChatMessage(MessageRole.TOOL_RESPONSE, f"Observation: {turn}"))
    wire = OpenAIServerModel("gpt-4o", api_key="k")._build_request(messages)["messages"]
    return messages, wire


def median_ms(call: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3


def paired_overhead_ms(
    ours: Callable[[], object], raw: Callable[[], object], repeats: int
) -> tuple[float, float]:
    for _ in range(20):  # warm connections and caches
        ours()
        raw()
    ours_ms, raw_ms = [], []
    for _ in range(repeats):
        raw_ms.append(median_ms(raw, 1))
        ours_ms.append(median_ms(ours, 1))
    return statistics.median(raw_ms), statistics.median(ours_ms) - statistics.median(raw_ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    repeats = 60 if parser.parse_args().quick else 300
    messages, wire = conversation()
    pieces = [f"tok{i} " for i in range(50)]

    def respond(request: RecordedRequest) -> Reply:
        if request.json.get("stream"):
            return openai_stream_reply(pieces)
        return openai_reply("Thought: done")

    server = WireServer(respond)
    try:
        model = OpenAIServerModel("gpt-4o", api_base=f"{server.url}/v1", api_key="k")
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="k", max_retries=0)

        build = median_ms(lambda: model._build_request(messages), repeats * 10)
        print(f"request assembly: {build * 1e3:.0f} us per call (target < 500 us)")

        raw, added = paired_overhead_ms(
            lambda: model.generate(messages),
            lambda: client.chat.completions.create(model="gpt-4o", messages=wire),
            repeats,
        )
        print(f"generate: raw SDK {raw:.2f} ms, added {added:+.2f} ms (target < 1 ms)")

        def raw_stream() -> None:
            stream = client.chat.completions.create(
                model="gpt-4o", messages=wire, stream=True, stream_options={"include_usage": True}
            )
            for _ in stream:
                pass

        raw, added = paired_overhead_ms(
            lambda: list(model.generate_stream(messages)), raw_stream, repeats // 3
        )
        print(f"stream of 50 chunks: raw SDK {raw:.2f} ms, added {added:+.2f} ms (target < 2 ms)")

        async def concurrent() -> float:
            await model.agenerate(messages)  # build the async client first
            start = time.perf_counter()
            await asyncio.gather(*(model.agenerate(messages) for _ in range(50)))
            return time.perf_counter() - start

        print(f"50 concurrent agenerate calls: {asyncio.run(concurrent()):.2f} s (target < 1 s)")
    finally:
        server.close()


if __name__ == "__main__":
    main()
