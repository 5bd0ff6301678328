"""Objects the host hands in (tools, final_answer, additional functions, variables) stay opaque."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._kit import (
    Canary,
    ExecutorFactory,
    HostConfig,
    SearchTool,
    expect_no_escape,
    expect_refused,
    host_helper,
    interpreter_api,
)

ENV = "SMOLAGENTS_CANARY"


def _tool_kinds(tool: SearchTool) -> dict[str, Callable[..., Any]]:
    """The shapes a host tool takes: each hides the secret-holding object behind a different hatch."""

    def closure(query: str) -> str:
        return tool(query)

    return {
        "tool-object": tool,
        "bound-method": tool.forward,
        "closure": closure,
        "partial": functools.partial(tool.forward),
        "module-function": host_helper,
    }


# Per shape, the native way to unwrap it back to the secret (each works on plain exec).
_UNWRAPS = {
    "tool-object": [
        "final_answer(web_search.secret)",
        f"final_answer(web_search.forward.__globals__['os'].environ['{ENV}'])",
        "final_answer(vars(web_search)['secret'])",
        "final_answer(web_search.__dict__['secret'])",
        "final_answer(web_search.forward.__self__.secret)",
        "final_answer(getattr(web_search, 'sec' + 'ret'))",
    ],
    "bound-method": [
        "final_answer(web_search.__self__.secret)",
        f"final_answer(web_search.__func__.__globals__['os'].environ['{ENV}'])",
        "final_answer(getattr(web_search, '__se' + 'lf__').secret)",
        "final_answer('{0.__self__.secret}'.format(web_search))",
    ],
    "closure": [
        "final_answer(web_search.__closure__[0].cell_contents.secret)",
        f"final_answer(web_search.__globals__['host_helper'].__globals__['os'].environ['{ENV}'])",
        "final_answer(web_search.__code__.co_freevars)",
    ],
    "partial": [
        "final_answer(web_search.func.__self__.secret)",
        "final_answer(web_search.func)",
        "final_answer(web_search.__reduce__())",
    ],
    "module-function": [
        f"final_answer(web_search.__globals__['os'].environ['{ENV}'])",
        f"final_answer(web_search.__builtins__['__import__']('os').environ['{ENV}'])",
        "final_answer(web_search.__code__)",
    ],
}
_UNWRAP_CASES = [(kind, code) for kind, codes in _UNWRAPS.items() for code in codes]


@pytest.mark.parametrize(
    ("kind", "code"), _UNWRAP_CASES, ids=[f"{kind}-{n}" for n, (kind, _) in enumerate(_UNWRAP_CASES)]
)
def test_tools_cannot_be_unwrapped(
    make_executor: ExecutorFactory, canary: Canary, kind: str, code: str
) -> None:
    search = _tool_kinds(make_executor.search_tool)[kind]
    expect_refused(make_executor(search=search), code, canary)


@pytest.mark.parametrize(
    "code",
    [
        "final_answer(final_answer.__self__.answers)",
        "final_answer(final_answer.forward)",
        "final_answer(final_answer.answers)",
        "final_answer(final_answer.__globals__)",
        "final_answer(final_answer.__closure__)",
    ],
)
def test_final_answer_cannot_be_unwrapped(make_executor: ExecutorFactory, canary: Canary, code: str) -> None:
    expect_refused(make_executor(), code, canary)


def test_tool_secret_not_reachable_by_any_public_attribute(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """Walk every public name of the tool wrapper two levels deep; the tool's secret must not appear."""
    code = """
seen = []
def walk(obj, depth):
    if depth > 2:
        return
    for name in dir(obj):
        if name.startswith('_'):
            continue
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        seen.append(str(value)[:200])
        walk(value, depth + 1)
walk(web_search, 0)
walk(final_answer, 0)
final_answer(seen)
"""
    expect_no_escape(make_executor(timeout_seconds=20), code, canary)


def test_tool_wrapper_is_not_mutable_from_code(make_executor: ExecutorFactory, canary: Canary) -> None:
    factory = make_executor
    executor = factory()
    expect_refused(executor, "web_search.forward = lambda q: 'hijacked'", canary)
    expect_refused(executor, "web_search.name = 'other'", canary)
    expect_refused(executor, "setattr(web_search, 'description', 'x')", canary)
    expect_refused(executor, "final_answer.forward = print", canary)
    assert executor("web_search('q')").output == "results for q"
    assert factory.search_tool.name == "web_search"


def test_tools_are_not_shared_between_executors_through_wrapper_state(
    make_executor: ExecutorFactory, canary: Canary
) -> None:
    """Attributes set on a wrapper (if allowed at all) must not reach another executor's wrapper."""
    first, second = make_executor(), make_executor()
    try:
        first("web_search.note = 'from first'")
    except Exception:
        return  # refused outright: nothing can leak
    expect_refused(second, "web_search.note", canary)


HOST_FUNCTION_ATTACKS = [
    pytest.param(f"final_answer(helper.__globals__['os'].environ['{ENV}'])", id="function-globals"),
    pytest.param("final_answer(helper.__code__.co_names)", id="function-code"),
    pytest.param(
        f"final_answer(getattr(helper, '__glob' + 'als__')['os'].environ['{ENV}'])", id="getattr-globals"
    ),
    pytest.param(f"final_answer('{{0.__globals__[os].environ[{ENV}]}}'.format(helper))", id="format-globals"),
    pytest.param("helper.__defaults__ = (1,)", id="mutate-defaults"),
    pytest.param("helper.__code__ = (lambda v: v).__code__", id="replace-code"),
]


@pytest.mark.parametrize("code", HOST_FUNCTION_ATTACKS)
def test_additional_functions_do_not_expose_host_globals(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    executor = make_executor(functions={"helper": host_helper})
    assert executor("helper(1)").output == 2
    expect_refused(executor, code, canary)


HOST_VARIABLE_ATTACKS = [
    pytest.param(
        f"final_answer(Config.describe.__globals__['os'].environ['{ENV}'])", id="class-method-globals"
    ),
    pytest.param(
        f"final_answer(Config.__init__.__globals__['os'].environ['{ENV}'])", id="class-init-globals"
    ),
    pytest.param(
        f"final_answer(cfg.describe.__func__.__globals__['os'].environ['{ENV}'])", id="bound-method-func"
    ),
    pytest.param(f"final_answer(fn.__globals__['os'].environ['{ENV}'])", id="sent-function-globals"),
    pytest.param("final_answer(Config.__subclasses__())", id="class-subclasses"),
    pytest.param("final_answer(Config.__module__)", id="class-module"),
    pytest.param("final_answer(Config.mro()[-1].__subclasses__())", id="class-mro-walk"),
    pytest.param("Config.describe = lambda self: 'hijacked'", id="mutate-host-class"),
    pytest.param("setattr(Config, 'describe', lambda self: 'hijacked')", id="setattr-host-class"),
    pytest.param("del Config.describe", id="delete-host-class-method"),
    pytest.param(
        f"final_answer('{{0.describe.__globals__[os].environ[{ENV}]}}'.format(cfg))",
        id="format-through-instance",
    ),
]


@pytest.mark.parametrize("code", HOST_VARIABLE_ATTACKS)
def test_variables_sent_by_host_do_not_expose_host_code(
    make_executor: ExecutorFactory, canary: Canary, code: str
) -> None:
    variables = {"Config": HostConfig, "cfg": HostConfig("a"), "fn": host_helper}
    executor = make_executor(variables=variables)
    assert executor("cfg.describe()").output == "config a"
    expect_refused(executor, code, canary)
    assert HostConfig("b").describe() == "config b"


@pytest.mark.parametrize(
    "argument",
    [
        pytest.param(
            "class S(str):\n    def startswith(self, *a):\n        return True\n"
            "    def __contains__(self, x):\n        return False\nS(MARKER)",
            id="str-subclass-lies-to-checks",
        ),
        pytest.param(
            "class S(str):\n    def __eq__(self, other):\n        return True\n    def __hash__(self):\n"
            "        return str.__hash__(self)\n    def startswith(self, *a):\n        return True\n"
            "    def __contains__(self, x):\n        return False\nS(MARKER)",
            id="str-subclass-equal-to-everything",
        ),
        pytest.param(
            "class D(dict):\n    def __getitem__(self, key):\n        return MARKER if key == 'path' else dict.__getitem__(self, key)\n"
            "    def get(self, key, default=None):\n        return SAFE + 'ok.txt'\nD(path=SAFE + 'ok.txt')",
            id="dict-subclass-answers-differently",
        ),
    ],
)
def test_tools_receive_plain_values_not_model_subclasses(
    make_executor: ExecutorFactory, canary: Canary, tmp_path: Path, argument: str
) -> None:
    """Host tools validate their inputs with str/dict methods; model subclasses must not answer for them."""
    safe_dir = tmp_path / "notes"
    safe_dir.mkdir()
    safe = str(safe_dir) + "/"

    def is_safe(candidate: object) -> bool:
        return isinstance(candidate, str) and candidate.startswith(safe) and ".." not in candidate

    def write_note(path: object) -> str:
        # Validate, then use: the ordinary shape of a tool that writes where it is told.
        if isinstance(path, dict):
            if not is_safe(path.get("path")):
                raise ValueError("path outside the notes directory")
            target = path["path"]
        else:
            if not is_safe(path):
                raise ValueError("path outside the notes directory")
            target = path
        with open(target, "w", encoding="utf-8") as handle:
            handle.write("note")
        return "written"

    executor = make_executor(functions={"write_note": write_note})
    source = argument.replace("MARKER", repr(str(canary.marker))).replace("SAFE", repr(safe))
    *setup, expression = source.split("\n")
    try:
        executor("\n".join(setup) + f"\nresult = write_note({expression})")
    except interpreter_api().InterpreterError:
        pass
    canary.assert_intact()
