"""Benchmark of the context policy: prompt sizes of a long run, and what the policy costs.

Run: ``python benchmarks/bench_context_policy.py`` (add ``--quick`` for a 40-step run).

Prints:
- tokens per prompt (estimate counter) at a few steps of a long CodeAgent run, whole memory
  versus a 4,000-token budget, and the total tokens sent over the run;
- framework time per step with the policy off, on but under budget (a known window far above the
  prompt, the default for API models), and cutting every prompt, as ratios to "off" (target: under
  budget costs < 1.2x off; cutting is allowed more since it replaces model tokens).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from smolagents import CodeAgent, ContextPolicy, LogLevel, ScriptedModel, tool  # after the path set-up
from smolagents.models._tokens import EstimatedTokenCounter, count_message_tokens

COUNTER = EstimatedTokenCounter()
NOTES = "You keep the working notes"


@tool
def read_page(page: int) -> str:
    """Read a page.

    Args:
        page: The page number.
    """
    return f"Page {page}: " + " ".join(f"entry {page}.{i}: all quiet." for i in range(50))


def replies(steps: int) -> ScriptedModel:
    count = {"n": 0}

    def respond(messages: list) -> str:
        if NOTES in messages[0].text:
            pages = re.findall(r"Page (\d+):", messages[-1].text)
            return f"- Pages {pages[0] if pages else '?'} to {pages[-1] if pages else '?'} read: all quiet."
        count["n"] += 1
        if count["n"] < steps:
            return f"```py\nprint(read_page({count['n']}))\n```"
        return "```py\nfinal_answer('done')\n```"

    return ScriptedModel(respond)


def run(steps: int, policy: ContextPolicy | None, window: int | None = None) -> tuple[ScriptedModel, float]:
    model = replies(steps)
    if window is not None:
        model.context_window = window
    agent = CodeAgent(
        tools=[read_page],
        model=model,
        max_steps=steps + 5,
        verbosity_level=LogLevel.OFF,
        context_budget=policy,
    )
    started = time.perf_counter()
    agent.run("Read every page.")
    return model, (time.perf_counter() - started) / steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    steps = 40 if parser.parse_args().quick else 100
    whole, off_time = run(steps, ContextPolicy.off())
    cut, cut_time = run(steps, ContextPolicy(budget=4000, counter=COUNTER))
    _, under_time = run(steps, None, window=10_000_000)
    sizes_whole = [count_message_tokens(call.messages, COUNTER) for call in whole.calls]
    actions = [call for call in cut.calls if NOTES not in call.messages[0].text]
    sizes_cut = [count_message_tokens(call.messages, COUNTER) for call in actions]
    print(f"{steps}-step run, tokens per prompt (estimate), whole memory vs budget 4000:")
    for index in (0, 9, steps // 2 - 1, steps - 1):
        print(f"  step {index + 1:>3}: {sizes_whole[index]:>7} vs {sizes_cut[index]:>5}")
    print(f"  largest prompt with the policy: {max(sizes_cut)} (budget 4000)")
    sent = sum(count_message_tokens(call.messages, COUNTER) for call in cut.calls)
    print(
        f"  total tokens sent: {sum(sizes_whole):,} vs {sent:,} "
        f"({sent / sum(sizes_whole):.2f}x, including {len(cut.calls) - len(actions)} summary calls)"
    )
    print("framework time per step (scripted model):")
    print(f"  policy off        {off_time * 1e3:7.2f} ms")
    print(
        f"  under budget      {under_time * 1e3:7.2f} ms  ({under_time / off_time:.2f}x off, target < 1.2x)"
    )
    print(f"  cutting each call {cut_time * 1e3:7.2f} ms  ({cut_time / off_time:.2f}x off)")


if __name__ == "__main__":
    main()
