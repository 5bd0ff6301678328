"""The isolated executor's own settings: fallback without bubblewrap, settings passed to the interpreter."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinds import require_bubblewrap

from smolagents.local_python_executor import ExecutionTimeoutError, InterpreterError
from smolagents.remote_executors import IsolatedPythonExecutor, SandboxError, SandboxUnavailableError


def test_without_bubblewrap_it_says_so_unless_a_fallback_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on this PATH
    with pytest.raises(SandboxUnavailableError, match="apt-get install bubblewrap"):
        IsolatedPythonExecutor()
    with IsolatedPythonExecutor(allow_unsandboxed=True, engine="python") as executor:
        assert executor.is_sandboxed is False
        executor("kept = 3")
        assert executor("kept * 2").output == 6
        with pytest.raises(InterpreterError, match="Operation not permitted"):
            executor("import os\nos.fork()")  # the seccomp filter still applies


def test_interpreter_settings_are_passed_through_to_the_worker() -> None:
    require_bubblewrap()
    with IsolatedPythonExecutor(max_operations=1_000, timeout_seconds=20) as executor:
        with pytest.raises(ExecutionTimeoutError):
            executor("total = 0\nfor i in range(1_000_000):\n    total += i")
    with pytest.raises(SandboxError, match="no_such_setting"):
        IsolatedPythonExecutor(no_such_setting=1)
    with pytest.raises(TypeError, match="plain data"):
        IsolatedPythonExecutor(max_operations=object())


def test_additional_functions_stay_on_the_host() -> None:
    require_bubblewrap()
    seen: list[int] = []

    def remember(value: int) -> int:
        seen.append(value)
        return len(seen)

    with IsolatedPythonExecutor(additional_functions={"remember": remember}) as executor:
        assert executor("remember(5) + remember(6)").output == 3
    assert seen == [5, 6]


def test_the_declared_work_dir_is_kept_and_shared(tmp_path: Path) -> None:
    require_bubblewrap()
    (tmp_path / "input.txt").write_text("from the host")
    with IsolatedPythonExecutor(engine="python", work_dir=tmp_path) as executor:
        assert executor("open('input.txt').read()").output == "from the host"
    assert (tmp_path / "input.txt").exists()  # a declared directory is the user's: not removed
