"""Benchmarks of the agent framework itself, with a model that answers instantly.

Run: ``python benchmarks/bench_agent.py`` (add ``--quick`` for fewer repetitions).

Prints, with targets:
- framework time per step, CodeAgent and ToolCallingAgent, logging off and default (< 0.1 ms off),
  and the cost of rendering (the logger is an event subscriber: default level minus logging off);
- agent construction time (< 1 ms);
- CPU time of ``import smolagents`` beyond bare Python (< 150 ms);
- wall time of 500 concurrent ``arun`` calls whose model sleeps 100 ms per call, 3 calls each
  (< 1.0 s; the ideal is 0.3 s).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from smolagents import (  # after the path set-up
    AgentLogger,
    ChatMessage,
    CodeAgent,
    LogLevel,
    MessageRole,
    ScriptedModel,
    TokenUsage,
    ToolCallingAgent,
    tool,
    tool_call_message,
)

STEPS = 20


@tool
def lookup(key: str) -> str:
    """Return a stored value.

    Args:
        key: The key to read.
    """
    return key.upper()


def _reply(text: str) -> ChatMessage:
    return ChatMessage(MessageRole.ASSISTANT, text, token_usage=TokenUsage(10, 5))


def _code_replies() -> list[ChatMessage]:
    steps = [_reply(f"Thought: step {i}\n```py\nx = {i}\n```") for i in range(STEPS - 1)]
    return [*steps, _reply("Thought: done\n```py\nfinal_answer(x)\n```")]


def _tool_replies() -> list[ChatMessage]:
    steps = [tool_call_message(("lookup", {"key": f"k{i}"})) for i in range(STEPS - 1)]
    final = tool_call_message(("final_answer", {"answer": "done"}))
    for message in [*steps, final]:
        message.token_usage = TokenUsage(10, 5)
    return [*steps, final]


def _logger(level: LogLevel) -> AgentLogger:
    from rich.console import Console

    return AgentLogger(level=level, console=Console(file=io.StringIO(), width=100))


def per_step_ms(kind: str, level: LogLevel, repeats: int) -> float:
    """Median framework time per step over `repeats` runs of STEPS steps."""
    samples = []
    for _ in range(repeats):
        if kind == "code":
            agent = CodeAgent(tools=[lookup], model=ScriptedModel(_code_replies()), logger=_logger(level))
        else:
            agent = ToolCallingAgent(
                tools=[lookup], model=ScriptedModel(_tool_replies()), logger=_logger(level)
            )
        start = time.perf_counter()
        agent.run("Benchmark task")
        samples.append((time.perf_counter() - start) / STEPS)
    return statistics.median(samples) * 1000


def construction_ms(repeats: int) -> float:
    """Median time to build a CodeAgent with two tools."""
    model = ScriptedModel([])
    logger = AgentLogger(level=LogLevel.OFF)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        CodeAgent(tools=[lookup], model=model, logger=logger)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def import_cpu_ms(runs: int) -> float:
    """Median CPU time of `import smolagents` in a fresh interpreter (interpreter start-up excluded)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    probe = "import time; t = time.process_time(); import smolagents; print(time.process_time() - t)"
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe], check=True, env=env, capture_output=True, text=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(samples) * 1000


async def _concurrent(runs: int, delay: float) -> float:
    def respond(messages: list[ChatMessage]) -> ChatMessage:
        calls = sum(1 for m in messages if m.role == MessageRole.ASSISTANT)
        if calls < 2:
            return _reply(f"```py\nx = {calls}\n```")
        return _reply("```py\nfinal_answer(x)\n```")

    agent = CodeAgent(
        tools=[], model=ScriptedModel(respond, delay=delay), logger=AgentLogger(level=LogLevel.OFF)
    )
    start = time.perf_counter()
    results = await asyncio.gather(*(agent.arun(f"task {i}") for i in range(runs)))
    elapsed = time.perf_counter() - start
    assert results == [1] * runs, "every run must finish with its own answer"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeats = 5 if args.quick else 30

    rows = []
    for kind in ("code", "tool"):
        measured = {level: per_step_ms(kind, level, repeats) for level in (LogLevel.OFF, LogLevel.INFO)}
        for level, ms in measured.items():
            target = "< 0.1 ms" if level == LogLevel.OFF else "-"
            rows.append((f"per step, {kind} agent, logging {level.name.lower()}", f"{ms:.3f} ms", target))
        rendering = measured[LogLevel.INFO] - measured[LogLevel.OFF]
        ratio = measured[LogLevel.INFO] / measured[LogLevel.OFF]
        rows.append(
            (f"  rendering per step, {kind} agent (info - off)", f"{rendering:.3f} ms ({ratio:.1f}x)", "-")
        )
    rows.append(("agent construction", f"{construction_ms(repeats * 20):.3f} ms", "< 1 ms"))
    rows.append(
        (
            "import smolagents (CPU beyond bare python)",
            f"{import_cpu_ms(3 if args.quick else 10):.1f} ms",
            "< 150 ms",
        )
    )
    wall = asyncio.run(_concurrent(500, 0.1))
    rows.append(("500 concurrent arun, 3 x 100 ms model calls", f"{wall:.2f} s (ideal 0.30 s)", "< 1.0 s"))

    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'result':>26}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>26}  {target}")


if __name__ == "__main__":
    main()
