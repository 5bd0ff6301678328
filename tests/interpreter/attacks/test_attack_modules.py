"""Dangerous modules and builtins, reached directly or through authorised modules."""

from __future__ import annotations

import pytest

from ._kit import Canary, ExecutorFactory, expect_refused

ENV = "SMOLAGENTS_CANARY"

DANGEROUS_MODULES = [
    "os",
    "sys",
    "subprocess",
    "socket",
    "shutil",
    "io",
    "pathlib",
    "pty",
    "multiprocessing",
    "ctypes",
    "importlib",
    "builtins",
    "gc",
    "inspect",
    "threading",
    "signal",
    "code",
    "pickle",
    "marshal",
    "types",
    "posix",
    "_thread",
    "_io",
    "_posixsubprocess",
    "runpy",
    "codecs",
    "tempfile",
    "asyncio",
    "mmap",
    "resource",
    "faulthandler",
    "atexit",
    "pdb",
    "linecache",
    "zipimport",
    "pkgutil",
    "site",
    "timeit",
    "webbrowser",
    "urllib.request",
    "http.client",
    "concurrent.futures",
    "sysconfig",
    "_ctypes",
    "_pickle",
]


@pytest.mark.parametrize("module", DANGEROUS_MODULES)
def test_dangerous_module_import_is_refused(
    make_executor: ExecutorFactory, canary: Canary, module: str
) -> None:
    executor = make_executor()
    expect_refused(executor, f"import {module}", canary)
    top = module.split(".")[0]
    expect_refused(executor, f"from {top} import *", canary)


# Private or module-valued names of the default authorised modules, each chained to the secret.
INDIRECT_REACHES = [
    pytest.param(f"import random\nrandom._os.environ['{ENV}']", id="random._os"),
    pytest.param("import random\nrandom._urandom(4)", id="random._urandom"),
    pytest.param(f"import queue\nqueue.threading._os.environ['{ENV}']", id="queue.threading"),
    pytest.param("import queue\nqueue.types.FunctionType", id="queue.types"),
    pytest.param(f"import datetime\ndatetime.sys.modules['os'].environ['{ENV}']", id="datetime.sys"),
    pytest.param(f"import statistics\nstatistics.sys.modules['os'].environ['{ENV}']", id="statistics.sys"),
    pytest.param(
        f"import collections\ncollections._sys.modules['os'].environ['{ENV}']", id="collections._sys"
    ),
    pytest.param(
        f"import collections\ncollections._collections_abc.sys.modules['os'].environ['{ENV}']",
        id="collections._collections_abc",
    ),
    pytest.param("import re\nre._compiler.compile", id="re._compiler"),
    pytest.param(f"import re\nre.enum.sys.modules['os'].environ['{ENV}']", id="re.enum.sys"),
    pytest.param("import re\nre.copyreg.__newobj__", id="re.copyreg"),
    pytest.param("import re\nre.functools.reduce", id="re.functools"),
    pytest.param("import random\nrandom._inst._randbelow(5)", id="random-private-instance-method"),
    pytest.param(
        f"import statistics\nstatistics.random._os.environ['{ENV}']",
        id="private-name-behind-module-attribute",
    ),
]


@pytest.mark.parametrize("code", INDIRECT_REACHES)
def test_private_and_module_attributes_of_allowed_modules_are_out_of_reach(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(), code, canary)


@pytest.mark.parametrize("name", ["_os", "_urandom", "_sha512", "_inst"])
def test_getattr_on_allowed_module_refuses_private_names(
    make_executor: ExecutorFactory, canary: Canary, name: str
) -> None:
    expect_refused(make_executor(), f"import random\ngetattr(random, {name!r})", canary)
    expect_refused(
        make_executor(), f"import random\nhasattr(random, {name!r}) and getattr(random, {name!r})", canary
    )


# Modules users often authorise, and the dangerous module each one holds under a public name.
COMMONLY_AUTHORISED = [
    pytest.param("json", "json.codecs.open({marker!r}, 'w')", id="json.codecs"),
    pytest.param("typing", f"typing.sys.modules['os'].environ['{ENV}']", id="typing.sys"),
    pytest.param("dataclasses", "dataclasses.builtins.open({marker!r}, 'w')", id="dataclasses.builtins"),
    pytest.param("dataclasses", f"dataclasses.sys.modules['os'].environ['{ENV}']", id="dataclasses.sys"),
    pytest.param("dataclasses", "dataclasses.inspect.currentframe().f_back", id="dataclasses.inspect"),
    pytest.param("enum", "enum.bltns.open({marker!r}, 'w')", id="enum.bltns"),
    pytest.param("fractions", f"fractions.sys.modules['os'].environ['{ENV}']", id="fractions.sys"),
    pytest.param("uuid", f"uuid.os.environ['{ENV}']", id="uuid.os"),
    pytest.param("fnmatch", f"fnmatch.os.environ['{ENV}']", id="fnmatch.os"),
    pytest.param("calendar", f"calendar.sys.modules['os'].environ['{ENV}']", id="calendar.sys"),
    pytest.param("typing", "typing.types.FunctionType", id="typing.types"),
]


@pytest.mark.parametrize(("module", "expression"), COMMONLY_AUTHORISED)
def test_dangerous_module_behind_an_authorised_module_is_out_of_reach(
    make_executor: ExecutorFactory, canary: Canary, module: str, expression: str
) -> None:
    code = f"import {module}\nfinal_answer({expression.format(marker=str(canary.marker))})"
    expect_refused(make_executor([module]), code, canary)


DANGEROUS_BUILTINS = [
    pytest.param(f"eval(\"__import__('os').environ['{ENV}']\")", id="eval"),
    pytest.param("exec(\"open(MARKER, 'w')\")", id="exec"),
    pytest.param("compile('1', '<x>', 'eval')", id="compile"),
    pytest.param("open(MARKER, 'w').write('x')", id="open-write"),
    pytest.param("open('/proc/self/environ').read()", id="open-read"),
    pytest.param("input()", id="input"),
    pytest.param(f"__import__('os').environ['{ENV}']", id="dunder-import"),
    pytest.param("globals()['__builtins__']", id="globals"),
    pytest.param("locals()['__builtins__']", id="locals"),
    pytest.param("breakpoint()", id="breakpoint"),
    pytest.param("m = memoryview(bytearray(8))\nm.cast('B')", id="memoryview"),
    pytest.param("help(print)", id="help"),
    pytest.param("exit()", id="exit"),
    pytest.param("quit()", id="quit"),
    pytest.param("copyright()", id="copyright"),
    pytest.param("license()", id="license-pager-reads-files"),
    pytest.param("__builtins__", id="builtins-name"),
    pytest.param("__loader__", id="loader-name"),
    pytest.param("__spec__", id="spec-name"),
    pytest.param(f"__import__('builtins').__import__('os').environ['{ENV}']", id="builtins-module"),
    pytest.param(
        f"b = [x for x in [eval]][0]\nb(\"__import__('os').environ['{ENV}']\")", id="eval-through-a-list"
    ),
    pytest.param(
        f"e = getattr(print, 'eval', None) or max.__self__.eval\ne(\"__import__('os').environ['{ENV}']\")",
        id="eval-from-builtin-self",
    ),
]


@pytest.mark.parametrize("code", DANGEROUS_BUILTINS)
def test_dangerous_builtins_are_refused(make_executor: ExecutorFactory, canary: Canary, code: str) -> None:
    code = code.replace("MARKER", repr(str(canary.marker)))
    expect_refused(make_executor(), code, canary)


def test_no_internal_helper_name_in_scope_is_usable(make_executor: ExecutorFactory, canary: Canary) -> None:
    """The interpreter's own helpers (guards, budgets) must not be reachable or replaceable by name."""
    executor = make_executor()
    try:
        names = executor("dir()").output
    except Exception:
        return  # dir() refused: nothing to enumerate
    assert isinstance(names, list)
    for name in names:
        if name in ("web_search", "final_answer", "__name__") or not name.startswith("_"):
            continue
        expect_refused(executor, f"x = {name}", canary)
        expect_refused(executor, f"{name} = None", canary)
    executor("web_search('after')")


@pytest.mark.parametrize("maker", ["type", "type(int)", "type.__call__"])
def test_dataclass_code_generation_cannot_be_injected_through_field_names(
    make_executor: ExecutorFactory, canary: Canary, maker: str
) -> None:
    """dataclasses builds `__repr__` source from field names and execs it, with real builtins.

    A class built by `type()` carries any string as an annotation key; this one is an f-string
    fragment that calls `open` on the marker path when the generated `__repr__` runs.
    """
    path_expression = "bytes([" + ",".join(str(b) for b in str(canary.marker).encode()) + "]).decode()"
    code = (
        "import dataclasses\n"
        f'name = "{{1}}{{open({path_expression},chr(119))}}{{\'"\n'
        f"X = {maker}('X', (), {{'__annotations__': {{name: int}}}})\n"
        "Y = dataclasses.dataclass(X, init=False, eq=False)\n"
        "repr(Y())\n"
    )
    expect_refused(make_executor(["dataclasses"]), code, canary)


# Under "*" only DANGEROUS_MODULES stay closed, so that table must hold every module that runs
# strings as code, resolves dotted names to objects, or opens files/sockets by path.
_WILDCARD_ESCAPES = [
    pytest.param("import timeit\ntimeit.timeit(\"open(MARKER, 'w')\", number=1)", id="timeit"),
    pytest.param("import cProfile\ncProfile.run(\"open(MARKER, 'w')\")", id="cProfile"),
    pytest.param("import profile\nprofile.run(\"open(MARKER, 'w')\")", id="profile"),
    pytest.param("import pydoc\npydoc.locate('builtins.open')(MARKER, 'w')", id="pydoc-locate"),
    pytest.param(
        "import doctest\ndoctest.run_docstring_examples(\">>> open(MARKER, 'w')\", {})", id="doctest"
    ),
    pytest.param("import sqlite3\nsqlite3.connect(MARKER)", id="sqlite3-creates-files"),
    pytest.param(
        "import urllib.request\nurllib.request.urlopen('file:///proc/self/environ').read()",
        id="urllib-file-url",
    ),
    pytest.param(
        "import logging.config\nlogging.config.dictConfig({'version': 1, 'handlers': {'h': {'()': 'builtins.open', "
        "'file': MARKER, 'mode': 'w'}}, 'root': {'handlers': ['h']}})",
        id="logging-config-factory",
    ),
    pytest.param(
        "import unittest.mock\nunittest.mock.patch('builtins.open').start()", id="unittest-mock-patches-host"
    ),
]


@pytest.mark.parametrize("code", _WILDCARD_ESCAPES)
def test_wildcard_authorisation_keeps_code_running_modules_closed(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    import builtins

    real_open = builtins.open
    code = code.replace("MARKER", repr(str(canary.marker)))
    expect_refused(make_executor(["*"]), code, canary)
    assert builtins.open is real_open, "model code patched the host's builtins"
