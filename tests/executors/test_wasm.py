"""WasmExecutor: what Deno lets Pyodide do (nothing but reading Pyodide), and what is missing offline."""

from __future__ import annotations

from typing import Any

import pytest
from kinds import KINDS

from smolagents.local_python_executor import InterpreterError
from smolagents.remote_executors import SandboxTimeoutError, SandboxUnavailableError, WasmExecutor


@pytest.fixture
def wasm(shared_executors: dict[str, Any]) -> WasmExecutor:
    """The session's shared WASM executor (loading Pyodide takes seconds: once per session)."""
    if "wasm" not in shared_executors:
        shared_executors["wasm"] = KINDS["wasm"].build(30, [])
    executor: WasmExecutor = shared_executors["wasm"]
    return executor


@pytest.mark.parametrize(
    "code",
    [
        "import js\njs.Deno.readTextFileSync('/etc/passwd')",
        "import js\njs.Deno.env.toObject()",
        "import js\njs.Deno.hostname()",
        "import js\njs.Deno.writeTextFileSync('/tmp/planted', 'x')",
        "import js\njs.Deno.Command.new('/bin/true').outputSync()",
    ],
    ids=["read-file", "environment", "hostname", "write-file", "run-program"],
)
def test_deno_refuses_everything_but_reading_pyodide(wasm: WasmExecutor, code: str) -> None:
    with pytest.raises(InterpreterError, match=r"NotCapable|PermissionDenied|Requires|permission"):
        wasm(code)


def test_only_the_standard_library_is_there_offline(wasm: WasmExecutor) -> None:
    assert wasm("import json, statistics\nstatistics.mean([1, 2, 3])").output == 2
    with pytest.raises(InterpreterError, match="ModuleNotFoundError"):
        wasm("import numpy")


def test_python_sockets_go_nowhere(wasm: WasmExecutor) -> None:
    with pytest.raises(InterpreterError, match=r"OSError|Error"):
        wasm("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=2)")


def test_code_stuck_in_c_past_its_limit_restarts_the_runner_and_the_code_is_told(wasm: WasmExecutor) -> None:
    wasm("mine = 1")
    limits = wasm.timeout_seconds, wasm.grace_seconds
    wasm.timeout_seconds, wasm.grace_seconds = 1, 1
    try:
        # Pyodide's time.sleep waits in C without looking at the interrupt buffer: the interrupt
        # is not honoured, so the runner is killed and started again.
        with pytest.raises(
            SandboxTimeoutError, match="restarted: every variable your code defined so far is lost"
        ):
            wasm("import time\ntime.sleep(600)")
    finally:
        wasm.timeout_seconds, wasm.grace_seconds = limits
    assert wasm.restarts == 1
    with pytest.raises(InterpreterError, match="NameError"):
        wasm("mine")
    assert wasm("1 + 1").output == 2


def test_a_missing_pyodide_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(SandboxUnavailableError, match="npm install pyodide"):
        WasmExecutor([], pyodide_dir=str(tmp_path))
