"""Imports: the allow-list, its wildcard and submodule rules, and every way around `import`."""

from __future__ import annotations

import pytest

from ._kit import Canary, ExecutorFactory, expect_refused

ENV = "SMOLAGENTS_CANARY"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(f"import os\nos.environ['{ENV}']", id="import-os"),
        pytest.param(f"from os import environ\nenviron['{ENV}']", id="from-os-import"),
        pytest.param(f"import os.path as p\np.os.environ['{ENV}']", id="import-os-path-as"),
        pytest.param(f"from os import path\npath.os.environ['{ENV}']", id="from-os-import-submodule"),
        pytest.param(f"import sys\nsys.modules['os'].environ['{ENV}']", id="import-sys"),
        pytest.param(f"import posix\nposix.environ[b'{ENV}']", id="import-posix"),
        pytest.param(f"import importlib\nimportlib.import_module('os').environ['{ENV}']", id="importlib"),
        pytest.param(f"__import__('os').environ['{ENV}']", id="dunder-import-builtin"),
        pytest.param(f"import random, os\nos.environ['{ENV}']", id="second-name-in-import-list"),
        pytest.param(f"import math as m, os as o\no.environ['{ENV}']", id="second-alias-in-import-list"),
        pytest.param(
            f"import \uff4f\uff53\n\uff4f\uff53.environ['{ENV}']", id="fullwidth-identifier-normalised-to-os"
        ),
        pytest.param("from . import os", id="relative-import-dot"),
        pytest.param("from .. import os", id="relative-import-dotdot"),
        pytest.param("from .random import _os", id="relative-import-of-allowed-name"),
        pytest.param(f"from random import _os\n_os.environ['{ENV}']", id="from-allowed-import-private"),
        pytest.param(
            f"from queue import threading\nthreading._os.environ['{ENV}']",
            id="from-allowed-import-module-attr",
        ),
        pytest.param(
            f"from datetime import sys\nsys.modules['os'].environ['{ENV}']", id="from-datetime-import-sys"
        ),
        pytest.param(
            f"from statistics import sys\nsys.modules['os'].environ['{ENV}']", id="from-statistics-import-sys"
        ),
    ],
)
def test_import_outside_allow_list_is_refused(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    expect_refused(make_executor(), code, canary)


def test_unauthorised_import_error_names_module_and_how_to_authorise(make_executor: ExecutorFactory) -> None:
    error = expect_refused(make_executor(), "x = 1\nimport subprocess")
    message = str(error)
    assert "subprocess" in message
    assert "additional_authorized_imports" in message


def test_package_alone_does_not_authorise_its_submodule(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    executor = make_executor(["json"])
    assert executor("import json\njson.dumps([1])").output == "[1]"
    expect_refused(executor, "import json.decoder\njson.decoder.JSONDecoder", canary)
    expect_refused(executor, "from json.decoder import JSONDecoder", canary)


def test_authorising_submodule_does_not_hand_out_parent(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    executor = make_executor(["json.decoder"])
    assert executor("from json.decoder import JSONDecoder\nJSONDecoder().decode('[2]')").output == [2]
    expect_refused(executor, "import json\njson.dumps([1])", canary)
    # `import a.b` binds the name `a`: that binding must not be the full parent package.
    expect_refused(executor, "import json.decoder\njson.dumps([1])", canary)
    expect_refused(executor, "import json.decoder\njson.codecs.open", canary)


def test_wildcard_authorises_package_and_submodules_but_not_dangerous_modules_behind_them(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    executor = make_executor(["json.*"])
    assert executor("import json.decoder as d\nd.JSONDecoder().decode('[3]')").output == [3]
    # json imports codecs, whose `open` writes files: a wildcard on json must not hand it out.
    expect_refused(executor, f"import json\njson.codecs.open({str(canary.marker)!r}, 'w').write('x')", canary)
    expect_refused(executor, f"import json.codecs\njson.codecs.open({str(canary.marker)!r}, 'w')", canary)


def test_authorised_name_does_not_match_module_it_prefixes(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    # "time" is authorised by default; "timeit" only shares its prefix and execs strings.
    code = f"import timeit\ntimeit.timeit(\"open({str(canary.marker)!r}, 'w')\", number=1)"
    expect_refused(make_executor(), code, canary)
    expect_refused(make_executor(["time.*"]), code, canary)


def test_import_rebinding_a_tool_name_is_refused(make_executor: ExecutorFactory, canary: Canary) -> None:
    factory = make_executor
    executor = factory()
    expect_refused(executor, "import math as web_search", canary)
    expect_refused(executor, "from math import sqrt as final_answer", canary)
    executor("web_search('still the tool')")
    assert factory.search_tool.calls == ["still the tool"]


def test_allowed_imports_still_work_after_refusals(make_executor: ExecutorFactory, canary: Canary) -> None:
    """Control: the refusals above must come from rules, not from refusing every import."""
    executor = make_executor()
    expect_refused(executor, "import os", canary)
    out = executor(
        "import math\nimport collections\ncollections.Counter('aab').most_common(1)[0][1] + math.floor(1.5)"
    )
    assert out.output == 3
