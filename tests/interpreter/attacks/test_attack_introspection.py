"""Introspection: dunders in every spelling, type walks, frames, generators, tracebacks, code."""

from __future__ import annotations

import pytest

from ._kit import Canary, ExecutorFactory, expect_no_escape, expect_refused

ENV = "SMOLAGENTS_CANARY"
# The classic walk from any object to the `os` module's globals, in plain attribute spelling.
OS_GLOBALS = "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0].__init__.__globals__"


def _leak(globals_expr: str) -> str:
    return f"final_answer({globals_expr}['environ']['{ENV}'])"


DUNDER_SPELLINGS = [
    pytest.param(_leak(OS_GLOBALS), id="attribute-chain"),
    pytest.param(
        "g = getattr\nbase = g(g((), '__cl' + 'ass__'), '__ba' + 'se__')\n"
        "subs = g(base, '__subcl' + 'asses__')()\n"
        "c = [c for c in subs if g(c, '__na' + 'me__') == '_wrap_close'][0]\n"
        + _leak("g(g(c, '__in' + 'it__'), '__glo' + 'bals__')"),
        id="getattr-computed-names",
    ),
    pytest.param(
        "names = ['__class__', '__base__', '__subclasses__']\n"
        "o = ()\nfor n in names[:2]:\n    o = getattr(o, n)\n"
        "subs = getattr(o, names[2])()\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n"
        + _leak("getattr(getattr(c, '__init__'), ''.join(['__', 'globals', '__']))"),
        id="getattr-names-from-data",
    ),
    pytest.param(
        "b = bytes([95, 95, 99, 108, 97, 115, 115, 95, 95]).decode()\n"
        "cls = getattr((), b)\n"
        "subs = getattr(getattr(cls, '__base__'), '__subclasses__')()\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n" + _leak("getattr(c.__init__, '__globals__')"),
        id="getattr-name-from-bytes",
    ),
    pytest.param(
        "o = object.__getattribute__((), '__class__')\n" + _leak(OS_GLOBALS),
        id="object-getattribute",
    ),
    pytest.param(
        "subs = type.__subclasses__(object)\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n" + _leak("c.__init__.__globals__"),
        id="type-subclasses-unbound",
    ),
    pytest.param(
        "o = type(1).mro()[-1]\nsubs = getattr(o, '__subclasses__')()\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n" + _leak("c.__init__.__globals__"),
        id="mro-method-then-subclasses",
    ),
    pytest.param(
        "o = type(type(1).mro()[-1])\nsubs = o.__subclasses__(type(1).mro()[-1])\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n" + _leak("c.__init__.__globals__"),
        id="metatype-subclasses",
    ),
    pytest.param(
        "subs = vars(type)['__subclasses__'](object)\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n" + _leak("vars(c)['__init__'].__globals__"),
        id="vars-of-type",
    ),
    pytest.param(
        "d = dir(())\nsubs = getattr(getattr(getattr((), d[d.index('__class__')]), '__base__'), '__subclasses__')()\n"
        "c = [c for c in subs if 'wrap_close' in str(c)][0]\n" + _leak("c.__init__.__globals__"),
        id="names-taken-from-dir",
    ),
    pytest.param("final_answer(print.__self__.open)", id="builtin-function-self-is-builtins-module"),
    pytest.param(
        f"final_answer(getattr(len, '__self__').__import__('os').environ['{ENV}'])", id="getattr-len-self"
    ),
    pytest.param(
        "import math\nm = math.sqrt.__self__\nm.pi = 0\nfinal_answer(m)",
        id="module-function-self-is-real-module",
    ),
    pytest.param(f"final_answer(__builtins__['__import__']('os').environ['{ENV}'])", id="builtins-name"),
    pytest.param(
        "import random\n" + _leak("random.Random.seed.__globals__['_os'].__dict__"),
        id="module-function-globals",
    ),
    pytest.param("import random\nfinal_answer(random.__dict__['_os'].environ)", id="module-dict"),
    pytest.param("import random\nfinal_answer(random.__loader__)", id="module-loader"),
    pytest.param("import random\nfinal_answer(random.__spec__.loader)", id="module-spec"),
    pytest.param("final_answer(__build_class__)", id="build-class-builtin"),
    pytest.param("final_answer((1).__reduce_ex__(2)[0].__globals__)", id="reduce-ex-to-copyreg"),
    pytest.param(
        "class A:\n    pass\nfinal_answer(A.__init_subclass__.__self__.__subclasses__())",
        id="init-subclass-self",
    ),
]


@pytest.mark.parametrize("code", DUNDER_SPELLINGS)
def test_dunder_access_is_refused_in_every_spelling(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(), code, canary)


_STR_SUBCLASS_TRICKS = {
    "startswith": "    def startswith(self, *a):\n        return False\n",
    "getitem": "    def __getitem__(self, i):\n        return 'x'\n",
    "eq-and-hash": "    def __eq__(self, o):\n        return False\n    def __hash__(self):\n        return 7\n",
    "str": "    def __str__(self):\n        return 'harmless'\n",
    "contains": "    def __contains__(self, x):\n        return False\n",
    "strip-and-lower": "    def strip(self, *a):\n        return 'x'\n    def lower(self):\n        return 'x'\n",
    "iter": "    def __iter__(self):\n        return iter('x')\n    def __len__(self):\n        return 1\n",
}


@pytest.mark.parametrize("trick", list(_STR_SUBCLASS_TRICKS))
def test_getattr_with_str_subclass_name_is_refused(
    make_executor: ExecutorFactory, canary: Canary, trick: str
) -> None:
    code = (
        f"class S(str):\n{_STR_SUBCLASS_TRICKS[trick]}"
        "g = getattr\n"
        "subs = g(g(g((), S('__class__')), S('__base__')), S('__subclasses__'))()\n"
        "c = [c for c in subs if 'wrap_close' in str.__str__(str(c))][0]\n"
        + _leak("g(g(c, S('__init__')), S('__globals__'))")
    )
    expect_refused(make_executor(), code, canary)


_TRICKY_STR = (
    "class S(str):\n    def startswith(self, *a):\n        return False\n"
    "    def __contains__(self, x):\n        return False\n    def __getitem__(self, i):\n        return 'x'\n"
)


def test_setattr_with_str_subclass_name_cannot_change_shared_function(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    import random

    before = random.Random.seed.__defaults__
    code = _TRICKY_STR + "import random\nsetattr(random.Random.seed, S('__defaults__'), (0, 1))"
    expect_refused(make_executor(), code, canary)
    assert random.Random.seed.__defaults__ == before


def test_delattr_with_str_subclass_name_cannot_change_shared_class(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    import collections

    before = collections.Counter.__repr__
    code = _TRICKY_STR + "import collections\ndelattr(collections.Counter, S('__repr__'))"
    expect_refused(make_executor(), code, canary)
    assert collections.Counter.__repr__ is before


def test_vars_without_argument_does_not_expose_builtins(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    code = f"final_answer(vars()['__builtins__']['__import__']('os').environ['{ENV}'])"
    expect_refused(make_executor(), code, canary)


def test_dir_walk_of_allowed_modules_finds_no_dangerous_module(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """Walk every name `dir` lists on every authorised module; nothing may reach os/sys/builtins."""
    code = f"""
import collections, datetime, itertools, math, queue, random, re, stat, statistics, time, unicodedata
found = []
def visit(obj, path, depth):
    if depth > 2:
        return
    for name in dir(obj):
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        text = str(value)
        if text.startswith("<module 'os'") or text.startswith("<module 'sys'") or text.startswith("<module 'builtins'"):
            found.append(path + '.' + name)
            try:
                found.append(value.environ['{ENV}'])
            except Exception:
                pass
        elif text.startswith('<module'):
            visit(value, path + '.' + name, depth + 1)
for mod in [collections, datetime, itertools, math, queue, random, re, stat, statistics, time, unicodedata]:
    visit(mod, str(mod), 0)
final_answer(found)
"""
    result = expect_no_escape(make_executor(timeout_seconds=20), code, canary)
    if hasattr(result, "output"):
        assert result.output == [], f"dangerous modules reachable by name: {result.output}"


GENERATOR_INTERNALS = [
    pytest.param(
        "def gen():\n    yield g.gi_frame.f_back\ng = gen()\nf = next(g)\n"
        "while f is not None:\n    if 'os' in f.f_globals:\n"
        f"        final_answer(f.f_globals['os'].environ['{ENV}'])\n    f = f.f_back\n",
        id="running-generator-f_back-walk-to-host-frames",
    ),
    pytest.param(
        "def gen():\n    yield 1\ng = gen()\n"
        f"final_answer(g.gi_frame.f_builtins['__import__']('os').environ['{ENV}'])",
        id="generator-gi_frame-f_builtins",
    ),
    pytest.param(
        "def gen():\n    yield 1\nfinal_answer(gen().gi_frame.f_globals)", id="generator-gi_frame-f_globals"
    ),
    pytest.param(
        "def gen():\n    secret = 1\n    yield 1\ng = gen()\nnext(g)\nfinal_answer(g.gi_frame.f_locals)",
        id="generator-f_locals",
    ),
    pytest.param(
        "def gen():\n    yield 1\nfinal_answer(gen().gi_code.co_code)", id="generator-gi_code-co_code"
    ),
    pytest.param(
        "def gen():\n    yield 1\ng = gen()\nf = getattr(g, 'gi_' + 'frame')\nfinal_answer(getattr(f, 'f_' + 'back'))",
        id="getattr-gi_frame-computed",
    ),
    pytest.param(
        "def inner():\n    yield 1\ndef outer():\n    yield from inner()\ng = outer()\nnext(g)\n"
        "final_answer(g.gi_yieldfrom.gi_frame.f_globals)",
        id="gi_yieldfrom-chain",
    ),
    pytest.param(
        "async def c():\n    return 1\nco = c()\nfinal_answer(co.cr_frame.f_globals)", id="coroutine-cr_frame"
    ),
    pytest.param("async def c():\n    return 1\nfinal_answer(c().cr_code.co_consts)", id="coroutine-cr_code"),
    pytest.param(
        "async def ag():\n    yield 1\n"
        f"final_answer(ag().ag_frame.f_builtins['__import__']('os').environ['{ENV}'])",
        id="async-generator-ag_frame",
    ),
    pytest.param(
        "try:\n    1 / 0\nexcept Exception as e:\n    tb = e.__traceback__\n"
        f"final_answer(tb.tb_frame.f_globals['__builtins__']['__import__']('os').environ['{ENV}'])",
        id="traceback-tb_frame",
    ),
    pytest.param(
        "try:\n    1 / 0\nexcept Exception as e:\n    tb = getattr(e, '__trace' + 'back__')\n"
        "final_answer(getattr(getattr(tb, 'tb_frame'), 'f_back'))",
        id="traceback-computed-names",
    ),
    pytest.param(
        "try:\n    web_search(1, 2, 3, 4)\nexcept Exception as e:\n"
        "    tb = e.__traceback__\n    while tb.tb_next:\n        tb = tb.tb_next\n"
        "final_answer(tb.tb_frame.f_locals['self'].secret)",
        id="traceback-from-tool-error-to-tool-frame",
    ),
    pytest.param("f = lambda: 0\nfinal_answer(f.__code__.co_consts)", id="function-code"),
    pytest.param(
        "f = lambda: 0\nc = f.__code__.replace(co_consts=(1,))\nf.__code__ = c", id="function-code-replace"
    ),
    pytest.param(
        "def f():\n    return 0\nfinal_answer(f.__globals__['__builtins__'])", id="own-function-globals"
    ),
    pytest.param("def f():\n    return 0\nfinal_answer(f.__builtins__)", id="own-function-builtins"),
    pytest.param("x = 5\ndef f():\n    return x\nfinal_answer(f.__closure__)", id="own-function-closure"),
    pytest.param(
        "import random\nrandom.Random.seed.__defaults__ = (0,)", id="shared-function-defaults-mutation"
    ),
]


@pytest.mark.parametrize("code", GENERATOR_INTERNALS)
def test_frame_code_generator_and_traceback_internals_are_refused(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(), code, canary)


def _host_internals() -> dict[str, object]:
    """Real frame, traceback, code, generator and coroutine objects, as a host might send them."""
    import sys

    def gen() -> object:
        yield 1

    async def coro() -> int:
        return 1

    async def agen() -> object:
        yield 1

    try:
        raise ValueError("x")
    except ValueError as error:
        traceback = error.__traceback__
    coroutine = coro()
    coroutine.close()  # closed: no "never awaited" warning, attributes stay readable
    return {
        "frame": sys._getframe(),
        "tb": traceback,
        "code": gen.__code__,
        "g": gen(),
        "co": coroutine,
        "ag": agen(),
    }


_INTERNAL_NAMES = [
    ("g", "gi_frame"),
    ("g", "gi_code"),
    ("co", "cr_frame"),
    ("co", "cr_code"),
    ("ag", "ag_frame"),
    ("ag", "ag_code"),
    ("frame", "f_back"),
    ("frame", "f_globals"),
    ("frame", "f_locals"),
    ("frame", "f_builtins"),
    ("frame", "f_code"),
    ("tb", "tb_frame"),
    ("tb", "tb_next"),
    ("code", "co_code"),
    ("code", "co_consts"),
    ("code", "co_names"),
    ("code", "replace"),
]


@pytest.mark.parametrize(("variable", "name"), _INTERNAL_NAMES, ids=[f"{v}.{n}" for v, n in _INTERNAL_NAMES])
def test_internals_of_host_sent_objects_are_refused_by_static_and_computed_name(
    make_executor: ExecutorFactory, canary: Canary, variable: str, name: str
) -> None:
    executor = make_executor(variables=_host_internals())
    expect_refused(executor, f"final_answer({variable}.{name})", canary)
    expect_refused(executor, f"final_answer(getattr({variable}, {name[:3]!r} + {name[3:]!r}))", canary)


MATCH_ARGS_ATTACKS = [
    pytest.param(
        "import collections, random\n"
        "class Y(collections.UserDict):\n    __match_args__ = ('__globals__',)\n"
        "Y.register(type(lambda: 0))\n"
        "match random.Random.seed:\n    case Y(g):\n"
        f"        final_answer(g['_os'].environ['{ENV}'])\n",
        id="abc-register-then-match-args-globals",
    ),
    pytest.param(
        "import collections\n"
        "class Y(collections.UserDict):\n    __match_args__ = ('__self__',)\n"
        "Y.register(type(print))\n"
        "match print:\n    case Y(owner):\n        final_answer(owner)\n",
        id="abc-register-then-match-args-self-of-builtin",
    ),
    pytest.param(
        "import random\nclass X(random.Random):\n    __match_args__ = ('_randbelow',)\n"
        "match X():\n    case X(f):\n        final_answer(f)\n",
        id="match-args-private-name",
    ),
    pytest.param(
        "import random\nX = type('X', (random.Random,), {'__match_args__': ('__reduce_ex__',)})\n"
        "match X():\n    case X(f):\n        final_answer(f(2))\n",
        id="match-args-through-type",
    ),
    pytest.param(
        "import collections, random\n"
        "class MM(type(collections.UserDict)):\n    def __new__(mcs, name, bases, ns):\n"
        "        ns['__match_args__'] = ('__glob' + 'als__',)\n"
        "        return super().__new__(mcs, name, bases, ns)\n"
        "class Y(collections.UserDict, metaclass=MM):\n    pass\n"
        "Y.register(type(lambda: 0))\n"
        "match random.Random.seed:\n    case Y(g):\n"
        f"        final_answer(g['_os'].environ['{ENV}'])\n",
        id="match-args-added-by-metaclass",
    ),
    pytest.param(
        "import random\n"
        "class MM(type):\n    def __new__(mcs, name, bases, ns):\n"
        "        ns['__instancecheck__'] = lambda cls, obj: True\n"
        "        ns['__match_args__'] = ('__glob' + 'als__',)\n"
        "        return super().__new__(mcs, name, bases, ns)\n"
        "class M(type, metaclass=MM):\n    pass\n"
        "class Y(metaclass=M):\n    pass\n"
        "match random.Random.seed:\n    case Y(g):\n"
        f"        final_answer(g['_os'].environ['{ENV}'])\n",
        id="instancecheck-and-match-args-from-meta-metaclass",
    ),
]


@pytest.mark.parametrize("code", MATCH_ARGS_ATTACKS)
def test_class_patterns_cannot_read_dunder_or_private_attributes_through_match_args(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    """Positional class patterns read the names in `__match_args__` natively, outside the guards."""
    expect_refused(make_executor(), code, canary)


def test_dataclass_field_renamed_by_model_cannot_read_dunder_attributes(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """`astuple`/`asdict` read every field by name with the real getattr: renaming a Field opens any name."""
    code = (
        "import collections, dataclasses\n"
        "@dataclasses.dataclass\nclass D(collections.Counter):\n    a: int = 1\n"
        "f = dataclasses.fields(D)[0]\nf.name = '_keep_positive'\n"
        "dataclasses.astuple(D())\n"
    )
    expect_refused(make_executor(["dataclasses"]), code, canary)


def _run_with_secret_local(executor: object, code: str, secret: str) -> object:
    """Call the executor from a host frame whose local variable holds `secret` (an API key, say)."""
    api_key = secret  # noqa: F841  (read back through frame inspection if an escape works)
    return executor(code)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("module", "code"),
    [
        pytest.param(
            "traceback",
            "import traceback\n"
            "summary = traceback.StackSummary.extract(traceback.walk_stack(None), capture_locals=True)\n"
            "final_answer(str([fs.locals for fs in summary]))",
            id="traceback-captured-locals",
        ),
        pytest.param(
            "traceback",
            "import traceback\nfinal_answer([f for f, _ in traceback.walk_stack(None)])",
            id="traceback-walk-stack",
        ),
        pytest.param(
            "traceback",
            "import traceback\ntry:\n    1 / 0\nexcept Exception as e:\n    err = e\n"
            "final_answer([f for f, _ in traceback.walk_tb(err.__traceback__)])",
            id="traceback-walk-tb",
        ),
        pytest.param(
            "logging", "import logging\nfinal_answer(logging.currentframe())", id="logging-currentframe"
        ),
    ],
)
def test_allowed_modules_do_not_hand_out_frames_or_host_locals(
    make_executor: ExecutorFactory, canary: Canary, module: str, code: str
) -> None:
    """Frames are closed by attribute name; modules that return frames must not reopen them."""
    executor = make_executor([module])
    api = pytest.importorskip("smolagents.local_python_executor")
    try:
        result = _run_with_secret_local(executor, code, canary.token)
    except api.InterpreterError as error:
        canary.assert_intact(str(error))
        return
    canary.assert_intact(repr(result.output)[:100_000], result.logs)
    pytest.fail(f"the executor handed out frame data: {repr(result.output)[:300]}")
