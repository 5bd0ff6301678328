"""The embedded model on onnxruntime-genai (OnnxModel, the default) against transformers, same run.

Run: ``python benchmarks/bench_embedded_model.py`` (``--convert`` also times both first-time
conversions into a temporary cache instead of reusing ``$SMOLAGENTS_CACHE``/``~/.cache/smolagents``).

Each engine runs in a fresh subprocess, one after the other, on the same agent-sized prompt
(a CodeAgent system prompt and task, about 700 tokens), greedy:
- load: constructing the model from the converted cache (imports included);
- prefill: reading the whole prompt, 1 token out, prompt cache off;
- decode: tokens per second while generating 128 tokens;
- step: the second step of an agent run (the first step's prompt + its reply + an observation),
  128 tokens out, with the prompt cache the first step left behind;
- step-limit summary: the final-answer request an agent makes at its step limit (the steps'
  conversation plus a question), with the prompt tokens it read from the cache;
- resident memory: after loading, and the peak of the process after the steps.
Target: the step at least 4x faster on onnxruntime-genai than on transformers.

Resident memory of the onnxruntime-genai process, before/after the memory work of issue 13
(same machine): peak 530 -> 437 MB (logits of the last position only, instead of a
prompt-length x vocabulary tensor of zeros); the first run's conversion peaked at 796 MB and
now at ~540 MB (weights streamed to the data file as they are converted). `--convert` measures
the conversion's peak in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TASK = "What is the sum of the squares of the numbers from 1 to 10? Use Python, then give the answer."
OBSERVATION = "Observation:\nExecution logs:\n385\nLast output from code snippet:\nNone"
NEW_TOKENS = 128


def _messages(extra: list[tuple[str, str]] | None = None) -> list:
    from smolagents import ChatMessage, CodeAgent, MessageRole, ScriptedModel

    agent = CodeAgent(tools=[], model=ScriptedModel([]))
    messages = [
        ChatMessage(MessageRole.SYSTEM, agent.system_prompt),
        ChatMessage(MessageRole.USER, f"New task:\n{TASK}"),
    ]
    for role, text in extra or ():
        messages.append(ChatMessage(MessageRole(role), text))
    return messages


def _load(engine: str):  # returns either model class
    if engine == "onnx":
        from smolagents.models.onnx import OnnxModel

        return OnnxModel(max_new_tokens=NEW_TOKENS, structured_generation=False)
    from smolagents.models.transformers import TransformersModel

    return TransformersModel(max_new_tokens=NEW_TOKENS)


def measure(engine: str) -> dict[str, float]:
    """Run the measurements of one engine in this process; return the figures."""
    started = time.perf_counter()
    model = _load(engine)
    figures = {"load_s": time.perf_counter() - started, "load_rss_mb": _current_rss_mb()}
    first = _messages()
    model.reuse_prompt_cache = False
    started = time.perf_counter()
    reply = model.generate(first, max_new_tokens=1)
    figures["prefill_s"] = time.perf_counter() - started
    figures["prompt_tokens"] = reply.token_usage.input_tokens
    model.reuse_prompt_cache = True
    started = time.perf_counter()
    reply = model.generate(first)  # the first agent step: full prompt, then 128 tokens
    step_one = time.perf_counter() - started
    generated = reply.token_usage.output_tokens
    figures["decode_tok_s"] = (generated - 1) / max(step_one - figures["prefill_s"], 1e-6)
    second = _messages([("assistant", reply.text), ("user", OBSERVATION)])
    started = time.perf_counter()
    again = model.generate(second)
    figures["step_s"] = time.perf_counter() - started
    figures["step_tokens"] = again.token_usage.output_tokens
    figures["step_cached_tokens"] = again.raw["cached_prompt_tokens"]
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = model.generate(_summary_messages(second, again.text), max_new_tokens=1)
    figures["summary_tokens"] = summary.token_usage.input_tokens
    figures["summary_cached_tokens"] = summary.raw["cached_prompt_tokens"]
    return figures


def _summary_messages(step: list, reply: str) -> list:
    """The step limit's final-answer request after `step` (see `provide_final_answer`)."""
    from smolagents import ChatMessage, CodeAgent, MessageRole, ScriptedModel
    from smolagents.agents import populate_template

    templates = CodeAgent(tools=[], model=ScriptedModel([])).prompt_templates["final_answer"]
    question = populate_template(templates["post_messages"], {"task": TASK})
    return [
        *step,
        ChatMessage(MessageRole.ASSISTANT, reply),
        ChatMessage(MessageRole.USER, OBSERVATION),
        ChatMessage(MessageRole.USER, f"{templates['pre_messages']}\n\n{question}"),
    ]


def _current_rss_mb() -> float:
    """Resident memory of this process now (Linux), or its peak so far elsewhere."""
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _convert(cache: str) -> dict[str, float]:
    from smolagents.models import _embedded

    os.environ["SMOLAGENTS_CACHE"] = cache
    started = time.perf_counter()
    _embedded.ensure_embedded_onnx(show_progress=False)
    onnx_seconds = time.perf_counter() - started
    started = time.perf_counter()
    _embedded.ensure_embedded_model()
    return {"onnx": onnx_seconds, "transformers": time.perf_counter() - started}


def _run_engine(engine: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--engine", engine],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {engine} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure both engines and print the table with the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--convert", action="store_true", help="time first-time conversions in a temporary cache"
    )
    parser.add_argument("--engine", choices=["onnx", "transformers"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if arguments.engine:
        print(json.dumps(measure(arguments.engine)))
        return
    if arguments.convert:
        seconds = _convert(tempfile.mkdtemp(prefix="smolagents-bench-"))
        print(
            f"first-time conversion: onnx {seconds['onnx']:.1f} s, transformers {seconds['transformers']:.1f} s"
        )
    else:
        _convert(os.environ.get("SMOLAGENTS_CACHE") or str(Path.home() / ".cache" / "smolagents"))
    onnx, torch = _run_engine("onnx"), _run_engine("transformers")
    print(
        f"prompt: {onnx['prompt_tokens']:.0f} tokens; {NEW_TOKENS} new tokens per step; {os.cpu_count()} cores"
    )
    print(f"{'':32}{'onnxruntime-genai':>18}{'transformers':>14}{'ratio':>9}")
    rows = [
        ("load from cache (s)", "load_s", False),
        ("prefill, cache off (s)", "prefill_s", False),
        ("decode (tok/s)", "decode_tok_s", True),
        ("agent step 2, cache on (s)", "step_s", False),
        ("resident after load (MB)", "load_rss_mb", False),
        ("peak resident (MB)", "rss_mb", False),
    ]
    for label, key, higher_is_better in rows:
        ratio = onnx[key] / torch[key] if higher_is_better else torch[key] / onnx[key]
        print(f"{label:32}{onnx[key]:>18.2f}{torch[key]:>14.2f}{ratio:>8.1f}x")
    print(
        f"  step 2 read {onnx['step_cached_tokens']:.0f}/{torch['step_cached_tokens']:.0f} prompt tokens from "
        f"the cache and wrote {onnx['step_tokens']:.0f}/{torch['step_tokens']:.0f} tokens (onnx/transformers)"
    )
    print(
        f"  step-limit summary read {onnx['summary_cached_tokens']:.0f} of its {onnx['summary_tokens']:.0f} prompt "
        f"tokens from the cache ({torch['summary_cached_tokens']:.0f} of {torch['summary_tokens']:.0f} on transformers)"
    )
    speedup = torch["step_s"] / onnx["step_s"]
    print(f"agent step speed-up: {speedup:.1f}x (target >= 4x): {'met' if speedup >= 4 else 'NOT met'}")


if __name__ == "__main__":
    main()
