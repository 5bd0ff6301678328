"""Attacks on the isolated executor, with plain CPython inside (engine="python"): the OS sandbox is
then the only barrier, as after an escape from the interpreter. Each attack must be contained with a
clear error, the executor must go on, and the host must be unaffected.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kinds import require_bubblewrap

from smolagents.local_python_executor import InterpreterError
from smolagents.remote_executors import IsolatedPythonExecutor, Limits, SandboxError, SandboxTimeoutError


def descendants(pid: int) -> list[int]:
    """Return the ids of every process below `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[IsolatedPythonExecutor]:
    require_bubblewrap()
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    executor = IsolatedPythonExecutor(
        engine="python",
        timeout_seconds=3,
        grace_seconds=2,
        work_dir=work_dir,
        limits=Limits(memory_bytes=2**30, processes=64),
    )
    executor.send_variables({"given": "from the host"})
    yield executor
    executor.cleanup()


def worker_pid(executor: IsolatedPythonExecutor) -> int:
    connection: Any = executor._connection
    return int(connection.process.pid)


def test_a_memory_blow_up_fails_in_the_sandbox(sandbox: IsolatedPythonExecutor) -> None:
    sandbox.timeout_seconds = 120  # filling 1 GiB can take seconds on a loaded machine: memory must stop it
    with pytest.raises(InterpreterError, match="MemoryError"):
        sandbox("block = bytearray(3 * 2**30)")
    with pytest.raises(InterpreterError, match="MemoryError"):
        sandbox("grow = []\nwhile True:\n    grow.append(bytearray(2**24))")
    assert sandbox("del grow\ngiven").output == "from the host"


def test_a_fork_bomb_cannot_start_a_single_process(sandbox: IsolatedPythonExecutor) -> None:
    pid = worker_pid(sandbox)
    before = descendants(pid)
    with pytest.raises(InterpreterError, match="Operation not permitted"):
        sandbox("import os\nwhile True:\n    os.fork()")
    with pytest.raises(InterpreterError, match="Operation not permitted"):
        sandbox("import subprocess\nsubprocess.run(['/bin/true'])")
    assert descendants(pid) == before
    assert sandbox("import threading\nt = threading.Thread(target=print)\nt.start()\nt.join()\n1").output == 1


def test_files_outside_the_working_directory_are_out_of_sight(
    sandbox: IsolatedPythonExecutor, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    for path in (str(secret), "/etc/passwd", "/etc/hostname", os.path.expanduser("~/.bash_history")):
        with pytest.raises(InterpreterError, match=r"FileNotFoundError|No such file"):
            sandbox(f"open({path!r}).read()")
    with pytest.raises(InterpreterError, match="Read-only file system"):
        sandbox("open('/usr/planted.txt', 'w')")
    sandbox("with open('result.txt', 'w') as f:\n    f.write('made inside')")
    assert (Path(sandbox.work_dir) / "result.txt").read_text() == "made inside"
    assert sandbox("open('/tmp/scratch', 'w').write('x')").output == 1
    assert not Path("/tmp/scratch").exists()  # the sandbox's /tmp is its own


@pytest.mark.parametrize("seccomp", [True, False], ids=["with-seccomp", "namespace-only"])
def test_the_network_is_unreachable_even_on_loopback(seccomp: bool) -> None:
    require_bubblewrap()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with IsolatedPythonExecutor(engine="python", seccomp=seccomp, timeout_seconds=10) as executor:
            code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)"
            with pytest.raises(
                InterpreterError, match=r"Operation not permitted|Connection refused|unreachable"
            ):
                executor(code)
        server.settimeout(0)
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing ever connected


def test_a_segfault_in_c_code_restarts_the_worker_and_says_variables_were_lost(
    sandbox: IsolatedPythonExecutor,
) -> None:
    sandbox("mine = 'defined by the code'")
    old_pid = worker_pid(sandbox)
    with pytest.raises(SandboxError, match="SIGSEGV") as raised:
        sandbox("import ctypes\nctypes.string_at(0)")
    assert "variable" in str(raised.value) and "lost" in str(raised.value)
    assert sandbox("given").output == "from the host"  # what the host sent is sent again
    with pytest.raises(InterpreterError, match="NameError"):
        sandbox("mine")
    assert worker_pid(sandbox) != old_pid
    with pytest.raises(ProcessLookupError):
        os.kill(old_pid, 0)


def test_a_hang_in_c_code_is_killed_at_the_deadline(sandbox: IsolatedPythonExecutor) -> None:
    # C code with the timer's signal blocked never returns to Python: only the host's deadline stops it.
    code = "import ctypes, signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\nctypes.CDLL(None).sleep(600)"
    with pytest.raises(SandboxTimeoutError, match="limit") as raised:
        sandbox(code)
    assert "lost" in str(raised.value)
    assert sandbox("given").output == "from the host"


def test_the_interpreter_engine_keeps_its_own_rules_inside_the_sandbox() -> None:
    require_bubblewrap()
    with IsolatedPythonExecutor(timeout_seconds=10) as executor:
        with pytest.raises(InterpreterError, match=r"not allowed|not authorized|Import"):
            executor("import os")
        with pytest.raises(InterpreterError):
            executor("open('/etc/passwd')")
