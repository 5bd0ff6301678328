"""Compare the isolated executor with the in-process one: start-up, per-call overhead, a loop-heavy snippet.

Run: `python benchmarks/bench_executors.py [--calls N] [--with-docker] [--with-wasm]` from the
repository root. Prints, for each executor, the start-up time, the median cost of a trivial call,
the overhead per call over the in-process executor (target: under 1 ms for "isolated"), and a
loop-heavy snippet's time with its ratio to the in-process executor. Docker and WASM are measured
when asked (they need scripts/system/40-docker.sh and 45-wasm.sh); for WASM it also measures what a
timeout costs: an interrupted loop (variables kept) against code stuck in C (runner restarted).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from smolagents.local_python_executor import LocalPythonExecutor
from smolagents.remote_executors import DockerExecutor, IsolatedPythonExecutor, WasmExecutor

LOOP = """
total = 0
for i in range(300_000):
    if i % 3 == 0:
        total += i * i % 7
    else:
        total -= i // 2
total
"""
TRIVIAL = "x = 1"
OVERHEAD_TARGET_MS = 1.0


def _timed(build: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    executor = build()
    executor("0")  # the first call finishes the start (the in-process thread, the worker's imports)
    return executor, time.perf_counter() - start


def _median_call(executor: Any, code: str, calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        executor(code)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _builders(args: argparse.Namespace) -> dict[str, Callable[[], Any]]:
    builders: dict[str, Callable[[], Any]] = {
        "local (in-process)": lambda: LocalPythonExecutor([], timeout_seconds=60),
        "isolated (interpreter)": lambda: IsolatedPythonExecutor([], timeout_seconds=60),
        "isolated (python)": lambda: IsolatedPythonExecutor([], timeout_seconds=60, engine="python"),
    }
    if args.with_docker:
        socket = os.environ.get("SMOLAGENTS_DOCKER_HOST", "unix:///var/lib/smolagents-docker/docker.sock")
        builders["docker"] = lambda: DockerExecutor(
            [],
            image_name="smolagents/python:bookworm",
            build_new_image=False,
            base_url=socket,
            timeout_seconds=60,
        )
    if args.with_wasm:
        builders["wasm"] = lambda: WasmExecutor([], timeout_seconds=60)
    return builders


def main() -> None:
    """Measure every executor and print the table, the overheads and the verdict on the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--with-docker", action="store_true")
    parser.add_argument("--with-wasm", action="store_true")
    args = parser.parse_args()
    rows = []
    for name, build in _builders(args).items():
        executor, startup = _timed(build)
        try:
            trivial = _median_call(executor, TRIVIAL, args.calls)
            loop = _median_call(executor, LOOP, 5)
        finally:
            executor.cleanup()
        rows.append((name, startup, trivial, loop))
    base_trivial, base_loop = rows[0][2], rows[0][3]
    print(
        f"{'executor':<24} {'start-up':>10} {'trivial call':>14} {'overhead/call':>14} {'loop snippet':>13} {'ratio':>7}"
    )
    for name, startup, trivial, loop in rows:
        overhead_ms = (trivial - base_trivial) * 1000
        print(
            f"{name:<24} {startup * 1000:>8.1f}ms {trivial * 1e6:>12.1f}us {overhead_ms:>12.3f}ms "
            f"{loop * 1000:>11.1f}ms {loop / base_loop:>6.2f}x"
        )
    isolated_overhead = (rows[1][2] - base_trivial) * 1000
    verdict = "meets" if isolated_overhead < OVERHEAD_TARGET_MS else "misses"
    print(
        f"\nisolated (interpreter) overhead per call: {isolated_overhead:.3f} ms = "
        f"{isolated_overhead / OVERHEAD_TARGET_MS:.2f}x the {OVERHEAD_TARGET_MS} ms target ({verdict} it)"
    )
    if args.with_wasm:
        _wasm_timeouts()


def _wasm_timeouts() -> None:
    """Print how long WASM takes to answer again after a timeout: interrupted, and restarted."""
    from smolagents.local_python_executor import InterpreterError

    executor = WasmExecutor([], timeout_seconds=1, grace_seconds=2)
    try:
        executor("kept = 1")
        costs = []
        for code in ("while True:\n    pass", "import time\ntime.sleep(600)"):
            start = time.perf_counter()
            try:
                executor(code)
            except InterpreterError:
                pass
            executor("0")
            costs.append(time.perf_counter() - start - executor.timeout_seconds)
        interrupted, restarted = costs
    finally:
        executor.cleanup()
    print(
        f"\nwasm timeout, past the 1 s limit until the next call answered: interrupted {interrupted * 1000:.0f} ms "
        f"(variables kept), stuck in C {restarted:.1f} s (runner restarted, variables lost): "
        f"{restarted / interrupted:.0f}x"
    )


if __name__ == "__main__":
    main()
