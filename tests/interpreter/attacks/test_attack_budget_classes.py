"""Denial of service that escaped the budget (issue 10 part 3), each class with several spellings.

Each attack must end with the executor's own error within a few seconds of its timeout, with no
MemoryError from the test's address-space cap (which would mean the executor never stopped it).
"""

from __future__ import annotations

import pytest

from ._kit import ExecutorFactory
from .test_attack_resources import _expect_stopped

pytestmark = pytest.mark.limits(wall_seconds=15, cpu_seconds=12)


class TestOneCallAmplifiers:
    """One call or one expression that builds far more than any size check saw."""

    @pytest.mark.parametrize(
        ("imports", "code"),
        [
            ((), "x = 'x' * 10 ** 6\nprint(*x * 10)"),
            ((), "x = 'ab' * 1000\nfor i in range(40):\n    x = x + x"),
            ((), "x = [0] * 1000\nfor i in range(40):\n    x = x + x"),
            ((), "def f(s):\n    return s + s\nx = 'ab' * 1000\nfor i in range(40):\n    x = f(x) + f(x)"),
            ((), "x = 'ab' * 1000\nfor i in range(40):\n    x = f'{x}{x}'"),
            ((), "fmt = '%s' * 1000\nx = fmt % tuple(['y' * 10 ** 6] * 1000)"),
            ((), "fmt = '%999999999d'\nx = fmt % 1"),
            ((), "x = 'y' * 10 ** 7\nt = (" + "x + x, " * 40 + ")"),
            (("collections",), "import collections\nd = collections.deque([0] * 10)\nx = d * 10 ** 9"),
            (("collections",), "import collections\nu = collections.UserList([0])\nx = u * 10 ** 9"),
            (("collections",), "import collections\nu = collections.UserString('x')\nx = u.center(10 ** 9)"),
            (("collections",), "import collections\nu = collections.UserString('x' * 100)\nx = u * 10 ** 8"),
            (("itertools",), "import itertools\nx = itertools.product(range(10 ** 6), repeat=10 ** 4)"),
            (("itertools",), "import itertools\nx = itertools.permutations(range(10 ** 9))"),
            (("itertools",), "import itertools\nx = itertools.combinations(iter(int, 1), 2)"),
            (("itertools",), "import itertools\nx = itertools.tee(iter([1]), 10 ** 9)"),
            (("unicodedata",), "import unicodedata\nx = unicodedata.ucd_3_2_0.normalize('NFKC', '\\ufdfa' * 10 ** 7)"),
            (("time",), "import time\nx = time.strftime('%c' * 10 ** 7)"),
            (("datetime",), "import datetime\nx = datetime.date.today().strftime('%A' * 10 ** 7)"),
            (("datetime",), "import datetime\nx = format(datetime.date.today(), '%A' * 10 ** 7)"),
        ],
        ids=[
            "print-star", "doubling-concat-str", "doubling-concat-list", "doubling-through-calls",
            "doubling-fstring", "percent-variable-template", "percent-variable-width", "many-in-one-tuple",
            "deque-repeat", "userlist-repeat", "userstring-center", "userstring-repeat", "product-repeat",
            "permutations-pool", "combinations-infinite-pool", "tee", "ucd-normalize", "time-strftime",
            "date-strftime", "date-format",
        ],
    )  # fmt: skip
    def test_amplifier_is_stopped(
        self, make_executor: ExecutorFactory, imports: tuple[str, ...], code: str
    ) -> None:
        _expect_stopped(make_executor, code, imports)


class TestPythonLoopsInTheStandardLibrary:
    """Library code written in Python runs between ticks: the deadline must still hold."""

    @pytest.mark.parametrize(
        ("imports", "code"),
        [
            ((), "x = ''.join(chr(0x4E00 + i % 20000) for i in range(100000)).encode('punycode')"),
            ((), "x = ('a' + ''.join(chr(0x4E00 + i % 20000) for i in range(100000))).encode('idna')"),
            (("random",), "import random\nr = random.Random(1)\nx = r.choices([1, 2], k=10 ** 9)"),
            (("random",), "import random\nr = random.Random(1)\nx = [r.shuffle(list(range(10 ** 6))) for _ in range(100)]"),
            (("random",), "import random\nr = random.Random(1)\nx = r.sample(range(10 ** 7), 10 ** 7)"),
            (("statistics",), "import statistics\nx = statistics.NormalDist().samples(10 ** 9)"),
            (("statistics",), "import statistics\nx = statistics.NormalDist(0, 1).quantiles(10 ** 8)"),
            (("statistics",), "import statistics\nx = statistics.NormalDist.from_samples(range(10 ** 8))"),
        ],
        ids=[
            "punycode", "idna", "random-choices", "random-shuffle", "random-sample", "normaldist-samples",
            "normaldist-quantiles", "normaldist-from-samples",
        ],
    )  # fmt: skip
    def test_library_loop_is_stopped(
        self, make_executor: ExecutorFactory, imports: tuple[str, ...], code: str
    ) -> None:
        _expect_stopped(make_executor, code, imports)


class TestRegexAroundTheWrapper:
    """Every way to a compiled pattern must keep the catastrophic-backtracking defence."""

    EVIL = "'(a+)+$'"
    TEXT = "'a' * 40 + '!'"

    @pytest.mark.parametrize(
        "code",
        [
            "import re\nm = re.match('a', 'a')\nx = re.compile(EVIL)\nx.match(TEXT)",
            "import re\nm = re.match(EVIL, 'a')\nm.re.match(TEXT)",
            "import re\nm = re.search(EVIL, 'a')\ngetattr(m, 're').match(TEXT)",
            "import re\ns = re.Scanner([(EVIL, None)])\ns.scan(TEXT)",
            "import re\nfor m in re.finditer(EVIL, 'a'):\n    m.re.fullmatch(TEXT)",
        ],
        ids=["compile", "match-re", "getattr-re", "scanner", "finditer-re"],
    )
    def test_regex_is_bounded(self, make_executor: ExecutorFactory, code: str) -> None:
        executor = make_executor(timeout_seconds=1.0)
        executor("len([])")
        try:
            executor(code.replace("EVIL", self.EVIL).replace("TEXT", self.TEXT))
        except Exception:
            pass  # refused or stopped: both hold the deadline (the child's CPU cap catches a runaway)


class TestDeepChainsFreedByTheHost:
    """Chains whose C destructors recurse must not crash the host when it drops them."""

    @pytest.mark.parametrize(
        "code",
        [
            "x = 1\nfor i in range(500000):\n    x = slice(x)",
            "x = 1\nfor i in range(500000):\n    x = property(x)",
            "x = print\nfor i in range(500000):\n    x = classmethod(x)",
            "x = print\nfor i in range(500000):\n    x = staticmethod(x)",
            "x = [1]\nfor i in range(500000):\n    x = map(abs, x)",
            "x = [1]\nfor i in range(500000):\n    x = filter(None, x)",
            "x = [1]\nfor i in range(500000):\n    x = (y for y in x)",
        ],
        ids=["slice", "property", "classmethod", "staticmethod", "map", "filter", "generator"],
    )
    @pytest.mark.limits(wall_seconds=40, cpu_seconds=35)
    def test_host_survives_dropping_the_chain(self, make_executor: ExecutorFactory, code: str) -> None:
        import gc

        executor = make_executor(timeout_seconds=20)
        try:
            result = executor(code + "\nx")
            output = result.output
        except Exception:
            output = None  # refused or stopped: nothing reached the host
        del executor
        del output  # the host frees the output and the notebook: the process must survive
        gc.collect()
