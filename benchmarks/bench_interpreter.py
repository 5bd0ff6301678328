"""Compare LocalPythonExecutor with native `exec` on agent-style snippets.

Run: `python benchmarks/bench_interpreter.py` (from the repository root). Prints, per snippet,
native and interpreter times, their ratio, the geometric mean of the ratios (target <= 2x) and
the cost of one trivial `executor("x = 1")` call (target < 30 us), and of one small call that runs on
the executor's code thread. Then, for code the limits must stop, the wall-clock time from the call
to the executor's error against the timeout (target: within a second of it). The tests assert only
which limit stopped the code: these timings are speed claims and live here.

Times are CPU times of this process (all its threads), the best of several interleaved runs: on
a machine shared with other work, wall-clock times mostly measure the neighbours.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from smolagents.local_python_executor import LocalPythonExecutor

SNIPPETS: dict[str, str] = {
    "loops with arithmetic": """
total = 0
for i in range(200_000):
    if i % 3 == 0:
        total += i * i % 7
    else:
        total -= i // 2
total
""",
    "comprehensions": """
squares = [x * x for x in range(100_000) if x % 2]
pairs = {x: x + 1 for x in range(50_000)}
total = sum(v for v in pairs.values() if v % 3 == 0)
len(squares) + total
""",
    "string building": """
parts = []
for i in range(50_000):
    parts.append(f"item-{i}:{i % 10}")
text = ",".join(parts)
words = text.split(",")
upper = [w.upper() for w in words if w.endswith("7")]
len(text) + len(upper)
""",
    "fib(20) recursion": """
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(20)
""",
    "sorting with key functions": """
import random
rng = random.Random(0)
rows = [{"name": f"n{i}", "score": rng.random(), "age": i % 90} for i in range(30_000)]
by_score = sorted(rows, key=lambda r: r["score"])
by_age = sorted(rows, key=lambda r: (r["age"], r["name"]))
by_score[0]["name"], by_age[-1]["name"]
""",
    "a class with methods": """
class Account:
    def __init__(self, owner):
        self.owner = owner
        self.balance = 0
        self.history = []

    def deposit(self, amount):
        self.balance += amount
        self.history.append(amount)

    def total(self):
        return sum(self.history)

accounts = [Account(f"a{i}") for i in range(100)]
for step in range(500):
    for account in accounts:
        account.deposit(step % 7)
sum(a.total() for a in accounts)
""",
    "math calls": """
import math
acc = 0.0
for i in range(1, 100_000):
    acc += math.sqrt(i) * math.sin(i) + math.log(i)
round(acc, 3)
""",
    "dict counting": """
from collections import Counter
words = ["alpha", "beta", "gamma", "delta", "alpha", "beta"] * 20_000
counts = {}
for word in words:
    counts[word] = counts.get(word, 0) + 1
common = Counter(words).most_common(2)
counts["alpha"], common
""",
    "dict counting in a function": """
from collections import defaultdict
def count(words):
    seen = {}
    by_length = defaultdict(int)
    for word in words:
        if word in seen:
            seen[word] += 1
        else:
            seen[word] = 1
        by_length[len(word)] += 1
    return seen, by_length
words = ("the quick brown fox jumps over the lazy dog " * 15_000).split()
seen, by_length = count(words)
seen["the"], by_length[5]
""",
    "string building with +=": """
def build(n):
    text = ""
    for i in range(n):
        text += str(i) + ","
    return text
report = ""
for line in range(2_000):
    report += f"line {line}: {line * line}\\n"
len(build(50_000)) + len(report)
""",
    "string formatting and methods": """
rows = []
for i in range(30_000):
    name = "Item%d" % i
    rows.append("{}={:.2f}".format(name.lower().replace("item", "it"), i / 7))
"; ".join(rows)[:40]
""",
}


def _best(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _native(source: str) -> Callable[[], object]:
    code = compile(source, "<native>", "exec")
    return lambda: exec(code, {"__name__": "__main__"})


def _ours(source: str) -> Callable[[], object]:
    executor = LocalPythonExecutor([], timeout_seconds=60)
    executor.send_tools({})
    return lambda: executor(source)


def _check_same_result(source: str) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}
    *body, last = source.strip().splitlines()
    exec(compile("\n".join(body), "<native>", "exec"), namespace)
    expected = eval(last, namespace)
    got = LocalPythonExecutor([]).__call__(source).output
    if got != expected:
        raise SystemExit(f"result mismatch: {got!r} != {expected!r}")


def main(rounds: int = 4, repeat: int = 2) -> None:
    """Print the comparison table, the geometric mean and the per-call overhead."""
    ratios = []
    print(f"{'snippet':<32}{'native ms':>11}{'ours ms':>11}{'ratio':>8}")
    for name, source in SNIPPETS.items():
        _check_same_result(source)
        native_run, our_run = _native(source), _ours(source)
        native = ours = float("inf")
        for _ in range(rounds):  # interleaved, so both see the same machine
            native = min(native, _best(native_run, repeat))
            ours = min(ours, _best(our_run, repeat))
        ratios.append(ours / native)
        print(f"{name:<32}{native * 1e3:>11.2f}{ours * 1e3:>11.2f}{ours / native:>7.2f}x")
    geometric_mean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"{'geometric mean':<54}{geometric_mean:>7.2f}x   (target <= 2x)")

    executor = LocalPythonExecutor([])
    executor.send_tools({})
    executor("x = 1")
    calls = 20_000
    start = time.perf_counter()
    for _ in range(calls):
        executor("x = 1")
    per_call = (time.perf_counter() - start) / calls
    print(f"one executor('x = 1') call: {per_call * 1e6:.1f} us   (target < 30 us; inert code runs inline)")
    executor("y = len([x])")
    start = time.perf_counter()
    for _ in range(calls):
        executor("y = len([x])")
    per_call = (time.perf_counter() - start) / calls
    print(f"one executor('y = len([x])') call: {per_call * 1e6:.1f} us   (code that calls anything runs on")
    print("    the executor's large-stack thread: the cost above is mostly the two thread switches)")
    start = time.perf_counter()
    for _ in range(2_000):
        LocalPythonExecutor([])
    print(f"constructing an executor:   {(time.perf_counter() - start) / 2_000 * 1e6:.1f} us")


LIMIT_TIMEOUT = 1.0
"""The timeout given to the executor for the code its limits must stop."""

STOPPED: dict[str, tuple[list[str], str]] = {
    "endless loop": ([], "while True:\n    pass"),
    "endless loop catching everything": (
        [],
        "while True:\n    try:\n        while True:\n            pass\n    except:\n        pass",
    ),
    "catastrophic regex": (["re"], "import re\nre.match(r'(a+)+$', 'a' * 40 + 'b')"),
    "colliding hashes in set()": ([], "M = 2 ** 61 - 1\nset(range(0, M * 10 ** 5, M))"),
    "math.lcm over a long range": ([], "import math\nmath.lcm(*range(1, 3 * 10 ** 5))"),
    "sleep past the deadline": (["time"], "import time\ntime.sleep(10 ** 6)"),
    "numpy sort of a huge array": (
        ["numpy.*"],
        "import numpy as np\na = np.random.rand(6 * 10 ** 7)\na.sort()",
    ),
}


def limits() -> None:
    """Print how long each limit takes to stop code that would run for minutes, against the timeout."""
    print(
        f"\n{'stopped by a limit (timeout ' + str(LIMIT_TIMEOUT) + ' s)':<40}{'seconds':>9}{'x timeout':>11}  error"
    )
    for name, (imports, code) in STOPPED.items():
        executor = LocalPythonExecutor(imports, timeout_seconds=LIMIT_TIMEOUT)
        executor.send_tools({})
        start = time.perf_counter()
        try:
            executor(code)
            outcome = "no error"
        except Exception as error:  # each limit has its own error type: print it
            outcome = type(error).__name__
        elapsed = time.perf_counter() - start
        print(f"{name:<40}{elapsed:>9.2f}{elapsed / LIMIT_TIMEOUT:>10.2f}x  {outcome}")


if __name__ == "__main__":
    main()
    limits()
