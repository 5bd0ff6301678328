"""WasmExecutor: what Deno lets Pyodide do (nothing but reading Pyodide), and what is missing offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kinds import pyodide_dir

from smolagents.local_python_executor import InterpreterError
from smolagents.remote_executors import SandboxUnavailableError, WasmExecutor


@pytest.fixture(scope="module")
def wasm() -> Iterator[WasmExecutor]:
    executor = WasmExecutor([], pyodide_dir=pyodide_dir(), timeout_seconds=60, startup_timeout_seconds=900)
    yield executor
    executor.cleanup()


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


def test_a_missing_pyodide_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(SandboxUnavailableError, match="npm install pyodide"):
        WasmExecutor([], pyodide_dir=str(tmp_path))
