"""Resource exhaustion: each attack must end with the executor's own clear error.

Every test runs in a forked child capped at +2 GiB of address space, a CPU-time limit and a
generous wall-clock limit (see conftest.py), so an attack that gets through fails the test instead
of exhausting the machine. The memory cap also means a `MemoryError` here proves the executor did
NOT stop the allocation itself: on a real host the same code would have gone on to consume the
machine. No test asserts wall-clock times (CI machines are loaded): the error's type shows which
limit stopped the code, and the CPU cap catches work that runs on past the deadline (the attacks
natively run for minutes). Speed is measured in benchmarks/bench_interpreter.py.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from ._kit import ExecutorFactory, expect_refused, interpreter_api

TIMEOUT = 1.0
# The child's caps: CPU time is what an attack running past the deadline burns, whatever the load;
# the wall-clock cap only catches hangs that burn none, so it is generous.
CPU_SECONDS = 10
WALL_SECONDS = 60

pytestmark = pytest.mark.limits(wall_seconds=WALL_SECONDS, cpu_seconds=CPU_SECONDS)


def _expect_stopped(make_executor: ExecutorFactory, code: str, imports: tuple[str, ...] = ()) -> Exception:
    executor = make_executor(imports, timeout_seconds=TIMEOUT)
    executor("len([])")  # starts the executor's code thread, which every later call reuses
    threads_before = threading.active_count()
    error = expect_refused(executor, code)
    message = str(error)
    assert "MemoryError" not in message, (
        f"the allocation was stopped by the test's rlimit, not the executor: {message[:300]}"
    )
    assert "Segmentation" not in message
    assert threading.active_count() == threads_before, "the call started a thread of its own"
    return error


CPU_ATTACKS = [
    pytest.param("while True:\n    pass", id="while-true"),
    pytest.param("x = 0\nwhile True:\n    x += 1", id="while-true-counting"),
    pytest.param("while 1:\n    try:\n        pass\n    finally:\n        pass", id="while-with-finally"),
    pytest.param("for i in iter(int, 1):\n    pass", id="for-over-endless-callable-iterator"),
    pytest.param("import itertools\nfor i in itertools.count():\n    pass", id="for-over-count"),
    pytest.param("def f():\n    return f()\nf()", id="infinite-recursion"),
    pytest.param("def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(1)", id="mutual-recursion"),
    pytest.param("f = lambda: f()\nf()", id="lambda-recursion"),
    pytest.param(
        "class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())", id="dunder-recursion"
    ),
    pytest.param("def f(x):\n    return list(map(f, [x]))\nf(1)", id="recursion-through-c-map"),
    pytest.param(
        "def f():\n    try:\n        f()\n    except RecursionError:\n        f()\nf()",
        id="recursion-error-swallowed",
    ),
    pytest.param(
        "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
        id="timeout-error-swallowed-by-bare-except",
    ),
    pytest.param(
        "while True:\n    try:\n        try:\n            while True:\n                pass\n"
        "        finally:\n            raise ValueError\n    except ValueError:\n        pass",
        id="stop-signal-converted-in-finally",
    ),
    pytest.param(
        "def f():\n    try:\n        while True:\n            pass\n    finally:\n        raise ValueError\n"
        "def g():\n    try:\n        f()\n    except ValueError:\n        g()\ng()",
        id="stop-signal-converted-then-recursion",
    ),
    pytest.param(
        "def f():\n    try:\n        while True:\n            pass\n    finally:\n        return 1\nwhile True:\n    f()",
        id="stop-signal-swallowed-by-return-in-finally",
    ),
    pytest.param(
        "class C:\n    def __enter__(self):\n        return self\n    def __exit__(self, *a):\n        return True\n"
        "while True:\n    with C():\n        while True:\n            pass",
        id="stop-signal-swallowed-by-exit",
    ),
    pytest.param(
        "def g():\n    while True:\n        try:\n            yield\n        finally:\n            continue\nfor _ in g():\n    pass",
        id="stop-signal-swallowed-in-generator-finally",
    ),
    pytest.param(
        "def g():\n    while True:\n        yield 1\nfor x in g():\n    pass", id="generator-bomb-for"
    ),
    pytest.param("def g():\n    while True:\n        yield 1\nsum(g())", id="generator-bomb-sum"),
    pytest.param("def g():\n    while True:\n        yield 1\nlist(g())", id="generator-bomb-list"),
    pytest.param("import itertools\n[x for x in itertools.count()]", id="comprehension-over-count"),
    pytest.param("import itertools\n{x: x for x in itertools.count()}", id="dict-comprehension-over-count"),
    pytest.param("import itertools\nsum(x for x in itertools.count())", id="genexp-over-count"),
    pytest.param("import itertools\nlist(itertools.count())", id="list-count"),
    pytest.param("import itertools\nsum(itertools.repeat(1))", id="sum-repeat"),
    pytest.param("import itertools\nmax(itertools.count())", id="max-count"),
    pytest.param("any(iter(int, 1))", id="any-endless-callable-iterator"),
    pytest.param("import itertools\n'x' in itertools.cycle('y')", id="contains-cycle"),
    pytest.param(
        "import collections, itertools\ncollections.deque(itertools.count(), maxlen=0)", id="deque-consume"
    ),
    pytest.param(
        "import collections, itertools\ncollections.Counter(itertools.repeat('a'))", id="counter-repeat"
    ),
    pytest.param(
        "import itertools, statistics\nstatistics.mean(itertools.repeat(1))", id="stdlib-python-loop"
    ),
    pytest.param("sorted(range(10 ** 6), key=lambda x: sum(range(1000)))", id="sorted-with-python-key"),
    pytest.param("import time\ntime.sleep(10 ** 6)", id="sleep"),
    pytest.param("import queue\nqueue.Queue().get()", id="queue-get-blocks-forever"),
    pytest.param("import queue\nq = queue.Queue(1)\nq.put(1)\nq.put(2)", id="queue-put-blocks-forever"),
    pytest.param("import queue\nq = queue.Queue()\nq.put(1)\nq.join()", id="queue-join-waits-forever"),
    pytest.param("import queue\nqueue.SimpleQueue().get()", id="simplequeue-get-blocks-forever"),
    pytest.param(
        "import queue\nq = queue.Queue()\nq.mutex.acquire()\nq.mutex.acquire()", id="queue-mutex-deadlock"
    ),
    pytest.param(
        "import queue\nq = queue.Queue()\nq.mutex.acquire()\nq.put(1)", id="queue-put-with-mutex-held"
    ),
    pytest.param(
        "import queue\nq = queue.Queue()\nwith q.not_empty:\n    q.not_empty.wait()",
        id="queue-condition-wait",
    ),
    pytest.param("10 ** 10 ** 8", id="power-tower"),
    pytest.param("pow(10, 10 ** 8)", id="pow-builtin"),
    pytest.param("import math\nmath.factorial(10 ** 8)", id="factorial"),
    pytest.param("import math\nmath.comb(10 ** 7, 5 * 10 ** 6)", id="comb"),
    pytest.param("import math\nmath.prod(range(1, 10 ** 7))", id="prod"),
    pytest.param("sum(range(10 ** 15))", id="sum-huge-range"),
    pytest.param("x = 7\nfor _ in range(40):\n    x = x * x", id="repeated-squaring"),
    pytest.param("pow(3, 2 ** 999000, 10 ** 300000)", id="modular-pow-huge-exponent"),
    pytest.param("import math\nmath.lcm(*range(1, 3 * 10 ** 5))", id="lcm-of-a-range"),
    pytest.param("import math\nmath.gcd(3 ** 630000 + 7, 7 ** 370000 + 11)", id="gcd-of-million-bit-numbers"),
    pytest.param("M = 2 ** 61 - 1\nset(range(0, M * 10 ** 5, M))", id="hash-collisions-set-from-range"),
    pytest.param(
        "M = 2 ** 61 - 1\ndict.fromkeys(range(0, M * 10 ** 5, M))", id="hash-collisions-dict-fromkeys"
    ),
    pytest.param(
        "M = 2 ** 61 - 1\nkeys = [i * M for i in range(10 ** 5)]\nset(keys)",
        id="hash-collisions-set-from-list",
    ),
    pytest.param(
        "import random\nl = [random.random() for _ in range(3 * 10 ** 6)]\nsorted(l, key=str)",
        id="sort-with-c-key",
    ),
    pytest.param("import random\nl = list(range(10 ** 7))\nrandom.shuffle(l)", id="stdlib-loop-shuffle"),
    pytest.param("import random\nrandom.sample(range(10 ** 7), 10 ** 7)", id="stdlib-loop-sample"),
    pytest.param(
        "import statistics\nstatistics.variance(list(range(2 * 10 ** 6)))", id="stdlib-loop-statistics"
    ),
]


@pytest.mark.parametrize("code", CPU_ATTACKS)
def test_cpu_exhaustion_is_stopped_within_timeout(make_executor: ExecutorFactory, code: str) -> None:
    _expect_stopped(make_executor, code)


MEMORY_ATTACKS = [
    pytest.param("'a' * 10 ** 10", id="str-repeat"),
    pytest.param("[0] * 10 ** 10", id="list-repeat"),
    pytest.param("(0,) * 10 ** 10", id="tuple-repeat"),
    pytest.param("b'a' * 10 ** 10", id="bytes-repeat"),
    pytest.param("x = [0]\nx *= 10 ** 10", id="inplace-list-repeat"),
    pytest.param("10 ** 10 * 'a'", id="reflected-repeat"),
    pytest.param("bytes(10 ** 10)", id="bytes-constructor"),
    pytest.param("bytearray(10 ** 10)", id="bytearray-constructor"),
    pytest.param("1 << 10 ** 10", id="left-shift"),
    pytest.param("2 ** 10 ** 10", id="power-of-two"),
    pytest.param("list(range(10 ** 10))", id="list-range"),
    pytest.param("set(range(10 ** 9))", id="set-range"),
    pytest.param("dict.fromkeys(range(10 ** 9))", id="dict-fromkeys"),
    pytest.param("import itertools\nlist(itertools.product(range(100), repeat=6))", id="product"),
    pytest.param("import itertools\nlist(itertools.permutations(range(20)))", id="permutations"),
    pytest.param("import itertools\n''.join(itertools.repeat('a', 10 ** 10))", id="join-repeat"),
    pytest.param("'a'.join(['b' * 10 ** 5] * 10 ** 5)", id="join-large-parts"),
    pytest.param("''.join('a' for _ in range(10 ** 10))", id="join-generator"),
    pytest.param("('a' * 10 ** 5).replace('a', 'a' * 10 ** 5)", id="replace-amplification"),
    pytest.param("import re\nre.sub('', 'x' * 10 ** 5, 'a' * 10 ** 5)", id="regex-sub-amplification"),
    pytest.param("'a'.ljust(10 ** 10)", id="ljust"),
    pytest.param("'a'.center(10 ** 10)", id="center"),
    pytest.param("'1'.zfill(10 ** 10)", id="zfill"),
    pytest.param("'\\t'.expandtabs(10 ** 10)", id="expandtabs"),
    pytest.param("'%10000000000d' % 1", id="percent-width"),
    pytest.param("'{:>10000000000}'.format(1)", id="format-width"),
    pytest.param("f'{1:>10000000000}'", id="f-string-width"),
    pytest.param("format(1, '>10000000000')", id="format-builtin-width"),
    pytest.param("s = 'a'\nfor _ in range(40):\n    s = s + s", id="string-doubling"),
    pytest.param("s = ['a']\nfor _ in range(40):\n    s.extend(s)", id="list-doubling"),
    pytest.param("s = 'a'\nfor _ in range(40):\n    s += s", id="inplace-string-doubling"),
    pytest.param("import random\nrandom.choices([1], k=10 ** 10)", id="random-choices-k"),
    pytest.param("import random\nrandom.randbytes(10 ** 10)", id="randbytes"),
    pytest.param("import random\nrandom.getrandbits(10 ** 11)", id="getrandbits"),
    pytest.param("(1).to_bytes(10 ** 10, 'big')", id="int-to-bytes"),
    pytest.param("('a' * 10 ** 6).translate({97: 'b' * 10 ** 4})", id="translate-amplification"),
    pytest.param("('{0}' * 10 ** 6).format('a' * 10 ** 4)", id="format-field-repetition"),
    pytest.param("('%s' * 10 ** 6) % (('a' * 10 ** 4,) * 10 ** 6)", id="percent-field-repetition"),
    pytest.param(
        "import re\nm = re.match('a+', 'a' * 10 ** 4)\nm.expand('\\\\g<0>' * 10 ** 6)",
        id="match-expand-amplification",
    ),
    pytest.param(
        "import re\nre.compile('a+').sub('\\\\g<0>' * 10 ** 5, 'a' * 10 ** 5)",
        id="compiled-pattern-sub-amplification",
    ),
    pytest.param(
        "import unicodedata\nunicodedata.normalize('NFKC', '\\ufdfa' * 10 ** 7)",
        id="unicode-normalisation-expansion",
    ),
    pytest.param(
        "s = 'a' * 10 ** 7\n" + "s = s + s + s + s + s + s + s + s + s + s\n" * 3,
        id="str-concatenation-chain",
    ),
    pytest.param(
        "s = [0] * 10 ** 7\n" + "s = s + s + s + s + s + s + s + s + s + s\n" * 3,
        id="list-concatenation-chain",
    ),
    pytest.param(
        "s = b'a' * 10 ** 7\n" + "s = s + s + s + s + s + s + s + s + s + s\n" * 3,
        id="bytes-concatenation-chain",
    ),
    pytest.param(
        "x = [bytearray(19_000_000) for _ in range(300)]", id="many-large-allocations-comprehension"
    ),
    pytest.param(
        "x = []\nwhile True:\n    x.append(' ' * 19_000_000 + str(len(x)))", id="many-large-allocations-loop"
    ),
    pytest.param("x = [list(range(19_000_000)) for _ in range(10)]", id="many-large-lists"),
    pytest.param("x = [[0] * 10 ** 6] * 1000\ns = str(x)", id="str-of-shared-references"),
    pytest.param("x = [[0] * 10 ** 6] * 1000\ns = f'{x}'", id="fstring-of-shared-references"),
    pytest.param("x = [[0] * 10 ** 6] * 1000\nprint(x)", id="print-of-shared-references"),
    pytest.param("x = ['a' * 10 ** 6] * 10 ** 4\ns = ''.join(x)", id="join-of-shared-references"),
    # A list extended from an iterator over itself grows forever inside one C call (F32).
    pytest.param("x = [1]\nx.extend(iter(x))", id="extend-from-own-iterator"),
    pytest.param("x = [1]\nx += iter(x)", id="inplace-add-own-iterator"),
    pytest.param("x = [1]\nlist.extend(x, iter(x))", id="extend-through-the-type"),
    pytest.param("x = [1]\nx.extend(map(abs, x))", id="extend-from-map-over-itself"),
    pytest.param("x = [()]\nx.extend(zip(x))", id="extend-from-zip-over-itself"),
    pytest.param("import itertools\nx = [1]\nx.extend(itertools.chain(x))", id="extend-from-chain"),
    pytest.param(
        "class L(list):\n    pass\nx = L([1])\nx += filter(None, x)", id="list-subclass-inplace-add"
    ),
    pytest.param("class Box:\n    pass\nb = Box()\nb.x = [1]\nb.x += iter(b.x)", id="attribute-inplace-add"),
    pytest.param("d = {'k': [1]}\nd['k'] += iter(d['k'])", id="item-inplace-add"),
]


@pytest.mark.parametrize("code", MEMORY_ATTACKS)
def test_memory_exhaustion_is_refused_by_the_executor(make_executor: ExecutorFactory, code: str) -> None:
    _expect_stopped(make_executor, code)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("while True:\n    print('x' * 1000)", id="endless-print"),
        pytest.param("for _ in range(10 ** 9):\n    print('x' * 10 ** 6)", id="print-megabytes"),
        pytest.param("while True:\n    print('x', end='')", id="endless-print-no-newline"),
    ],
)
def test_endless_printing_is_stopped_and_logs_stay_bounded(make_executor: ExecutorFactory, code: str) -> None:
    error = _expect_stopped(make_executor, code)
    logs = str(getattr(error, "logs", "") or "")
    assert len(logs) <= 10_000_000, f"captured {len(logs)} characters of print output"


NESTINGS = {
    "parentheses": lambda n: "(" * n + "1" + ")" * n,
    "lists": lambda n: "[" * n + "]" * n,
    "dicts": lambda n: "{'a': " * n + "1" + "}" * n,
    "unary-minus": lambda n: "-" * n + "1",
    "not": lambda n: "not " * n + "True",
    "binop-chain": lambda n: "x = 1\n" + "x" + "+x" * n,
    "attribute-chain": lambda n: "a" + ".b" * n,
    "call-chain": lambda n: "f" + "()" * n,
    "subscript-chain": lambda n: "a" + "[0]" * n,
    "conditional-chain": lambda n: "1" + " if 1 else 1" * n,
    "lambda-chain": lambda n: "lambda: " * n + "1",
    "comparison-chain": lambda n: "1" + " < 1" * n,
    "boolop-chain": lambda n: "1" + " and 1" * n,
    "fstring-nesting": lambda n: "f'{" * min(n, 200) + "1" + "}'" * min(n, 200),
    "indentation": lambda n: (
        "".join(" " * i + "if 1:\n" for i in range(min(n, 1000))) + " " * min(n, 1000) + "pass"
    ),
}


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("shape", list(NESTINGS))
def test_deeply_nested_source_gives_clear_error_not_crash(
    make_executor: ExecutorFactory, shape: str, depth: int
) -> None:
    executor = make_executor(timeout_seconds=TIMEOUT)
    try:
        executor(NESTINGS[shape](depth))
    except interpreter_api().InterpreterError as error:
        message = str(error)
        assert "MemoryError" not in message or "nest" in message.lower(), message[:300]
    assert executor("1 + 1").output == 2, "the executor is unusable after the nesting attack"


RUNTIME_NESTINGS = [
    pytest.param("x = iter([1])\nfor _ in range(200000):\n    x = map(abs, x)\nnext(x)", id="map-chain"),
    pytest.param(
        "x = iter([1])\nfor _ in range(200000):\n    x = filter(None, x)\nnext(x)", id="filter-chain"
    ),
    pytest.param("x = iter([1])\nfor _ in range(200000):\n    x = zip(x)\nnext(x)", id="zip-chain"),
    pytest.param(
        "x = iter([1])\nfor _ in range(200000):\n    x = enumerate(x)\nnext(x)", id="enumerate-chain"
    ),
    pytest.param(
        "import itertools\nx = iter([1])\nfor _ in range(200000):\n    x = itertools.islice(x, 5)\nnext(x)",
        id="islice-chain",
    ),
    pytest.param(
        "import itertools\nx = iter([1])\nfor _ in range(200000):\n    x = itertools.accumulate(x)\nnext(x)",
        id="accumulate-chain",
    ),
]


TUPLE_NESTINGS = [
    pytest.param("x = ()\nfor _ in range(200000):\n    x = (x,)\nhash(x) == hash(x)", id="nested-tuple-hash"),
    pytest.param("x = ()\nfor _ in range(200000):\n    x = (x,)\nlen({x}) == 1", id="nested-tuple-in-set"),
    pytest.param(
        "x = ()\nfor _ in range(200000):\n    x = (x,)\nd = {}\nd[x] = 1\nx in d", id="nested-tuple-as-key"
    ),
    pytest.param(
        "x = [()]\nx.extend(zip(x))\nhash(x[-1]) == hash(x[-1])", id="nested-tuple-from-self-feeding-zip"
    ),
    pytest.param(
        "import functools\nx = functools.reduce(lambda t, _: (t,), range(300000), ())\n{x: 1}[x] == 1",
        id="nested-tuple-from-reduce",
    ),
]


@pytest.mark.parametrize("code", TUPLE_NESTINGS)
def test_deeply_nested_tuples_hash_without_crashing(make_executor: ExecutorFactory, code: str) -> None:
    """CPython hashes a tuple recursively with no depth check (F3): a 200,000-deep tuple overflows an
    8 MiB stack and kills the process. Model code runs on a thread whose stack covers any nesting its
    memory allowance can build, so hashing simply works (or the budget ends the building loop)."""
    executor = make_executor(("functools",), timeout_seconds=8)
    try:
        assert executor(code).output is True
    except interpreter_api().InterpreterError as error:  # only the budget may end it
        assert isinstance(error, interpreter_api().ExecutionTimeoutError), str(error)[:300]


@pytest.mark.parametrize("code", RUNTIME_NESTINGS)
def test_deeply_nested_objects_do_not_crash_the_process(make_executor: ExecutorFactory, code: str) -> None:
    """C code without recursion checks overflows the C stack on these: the host process dies."""
    executor = make_executor(timeout_seconds=TIMEOUT)
    try:
        executor(code)
    except interpreter_api().InterpreterError:
        pass
    assert executor("1 + 1").output == 2


def test_timeout_works_off_the_main_thread(make_executor: ExecutorFactory) -> None:
    executor = make_executor(timeout_seconds=TIMEOUT)
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(executor("while True:\n    pass"))
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(WALL_SECONDS / 2)  # generous: the child's CPU cap ends an unbounded loop first
    assert not worker.is_alive(), "the executor did not stop an infinite loop off the main thread"
    assert len(outcome) == 1 and isinstance(outcome[0], interpreter_api().ExecutionTimeoutError), outcome


def test_timeout_works_inside_a_running_event_loop(make_executor: ExecutorFactory) -> None:
    executor = make_executor(timeout_seconds=TIMEOUT)

    async def main() -> Exception:
        return expect_refused(executor, "while True:\n    pass")

    error = asyncio.run(main())
    assert isinstance(error, interpreter_api().ExecutionTimeoutError)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("while True:\n    counter[0] += 1", id="loop"),
        pytest.param(
            "def f():\n    counter[0] += 1\n    f()\nwhile True:\n    try:\n        f()\n    except Exception:\n        pass",
            id="recursion",
        ),
        pytest.param(
            "def g():\n    while True:\n        counter[0] += 1\n        yield\nfor _ in g():\n    pass",
            id="generator",
        ),
    ],
)
def test_nothing_keeps_running_after_a_timeout(make_executor: ExecutorFactory, code: str) -> None:
    counter = [0]
    executor = make_executor(timeout_seconds=1.0, variables={"counter": counter})
    executor("len([])")  # starts the executor's code thread, which every later call reuses
    threads_before = threading.active_count()
    expect_refused(executor, code)
    first = counter[0]
    # Another call runs on the same code thread: work still running there would be seen moving.
    assert executor("total = 0\nfor i in range(100_000):\n    total += i\ntotal").output == 4999950000
    assert first > 0, "the attack never ran: the test proves nothing"
    assert counter[0] == first, "model code kept running after the executor returned"
    assert threading.active_count() == threads_before


def test_executor_is_usable_and_fresh_budget_after_timeout(make_executor: ExecutorFactory) -> None:
    executor = make_executor(timeout_seconds=TIMEOUT)
    expect_refused(executor, "x = 1\nwhile True:\n    pass")
    # A budget left spent by the first call would stop this one within TIMEOUT.
    assert executor("total = 0\nfor i in range(100000):\n    total += i\ntotal").output == 4999950000


_INDEX_TWICE = (
    "class N:\n    calls = 0\n    def __index__(self):\n"
    "        N.calls += 1\n        return 1 if N.calls == 1 else 10 ** 10\n"
)


@pytest.mark.parametrize(
    "use",
    [
        "'a' * N()",
        "N() * 'a'",
        "[0] * N()",
        "x = [0]\nx *= N()",
        "bytes(N())",
        "bytearray(N())",
        "'a'.ljust(N())",
        "(1).to_bytes(N(), 'big')",
        "import random\nrandom.getrandbits(N())",
        "import random\nrandom.randbytes(N())",
        "import random\nrandom.choices([1], k=N())",
        "import math\nmath.factorial(N())",
        "import math\nmath.comb(N(), 5 * 10 ** 9)",
    ],
)
@pytest.mark.parametrize("index", ["huge", "small-then-huge"])
def test_size_guards_hold_for_objects_with_index(
    make_executor: ExecutorFactory, use: str, index: str
) -> None:
    """C functions take any object with `__index__` as a size; the guard must see the number they use.

    `small-then-huge` answers 1 to the first call (a guard that checks, then passes the object on)
    and 10**10 afterwards (what the C function then allocates).
    """
    if index == "huge":
        _expect_stopped(make_executor, "class N:\n    def __index__(self):\n        return 10 ** 10\n" + use)
        return
    # Converting once and using that number is a correct defence: the call then succeeds small.
    executor = make_executor(timeout_seconds=TIMEOUT)
    try:
        executor(_INDEX_TWICE + use)
    except interpreter_api().InterpreterError as error:
        assert "MemoryError" not in str(error), f"the size came from the second __index__ call: {error}"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import re\nre.match(r'(a+)+$', 'a' * 40 + 'b')", id="nested-plus"),
        pytest.param("import re\nre.match(r'(x+x+)+y', 'x' * 50)", id="adjacent-plus"),
        pytest.param("import re\nre.search(r'(a|aa)*c', 'a' * 60)", id="alternation-star"),
        pytest.param("import re\nre.compile(r'(a*)*b').match('a' * 40)", id="compiled-pattern"),
        pytest.param("import re\nre.fullmatch(r'(\\w+\\s?)*$', 'word ' * 12 + '!')", id="words-fullmatch"),
    ],
)
def test_catastrophic_regex_is_stopped_or_answered_quickly(make_executor: ExecutorFactory, code: str) -> None:
    """Refusing the pattern and answering correctly (no match) are both fine; running for minutes is not."""
    executor = make_executor(timeout_seconds=TIMEOUT)
    try:
        result = executor(code)
    except interpreter_api().InterpreterError:
        pass  # refused, or stopped at the deadline (the CPU cap catches a regex that runs on)
    else:
        assert result.output is None, f"wrong regex result: {result.output!r}"
