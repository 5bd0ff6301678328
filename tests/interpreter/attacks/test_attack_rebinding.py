"""Names the agent relies on (issue 10 part 4): no binding form rebinds them for later steps."""

from __future__ import annotations

import pytest

from ._kit import ExecutorFactory, expect_refused

BINDING_FORMS = [
    pytest.param("NAME = 1", id="assign"),
    pytest.param("NAME += 1", id="augmented"),
    pytest.param("NAME: int = 1", id="annotated"),
    pytest.param("(NAME := 1)", id="walrus"),
    pytest.param("for NAME in range(1):\n    pass", id="for-target"),
    pytest.param("import math as NAME", id="import-as"),
    pytest.param("from math import pi as NAME", id="from-import-as"),
    pytest.param("def NAME():\n    return 1", id="def"),
    pytest.param("class NAME:\n    pass", id="class"),
    pytest.param("del NAME", id="del"),
    pytest.param("def f():\n    global NAME\n    NAME = 1\nf()", id="global"),
    pytest.param("def f():\n    NAME = 1\nf()", id="local"),
    pytest.param("try:\n    1 / 0\nexcept Exception as NAME:\n    pass", id="except-as"),
    pytest.param("import contextlib\nwith contextlib.nullcontext(1) as NAME:\n    pass", id="with-as"),
    pytest.param("[0 for NAME in range(1)]", id="comprehension"),
    pytest.param("match 1:\n    case NAME:\n        pass", id="match-capture"),
    pytest.param("a, NAME = 1, 2", id="unpacking"),
    pytest.param("from collections import *\nNAME = 2", id="star-then-assign"),
]


@pytest.mark.parametrize("name", ["len", "print", "sqrt", "web_search"])
@pytest.mark.parametrize("form", BINDING_FORMS)
def test_relied_on_names_cannot_be_rebound(make_executor: ExecutorFactory, name: str, form: str) -> None:
    executor = make_executor(["contextlib"])
    error = expect_refused(executor, form.replace("NAME", name))
    assert f"Cannot assign to name '{name}': doing this would erase the existing tool!" in str(error)
    # Later steps still see the real thing.
    assert executor("len([1, 2]) + int(isinstance(sqrt(4), float))").output == 3
    executor("print('still printing')")
