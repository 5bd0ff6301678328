"""The isolated local executor: our interpreter in a worker process confined by the operating system.

Each executor keeps one worker process alive (state persists like a notebook; a call costs a pipe
round trip, not a process start). The worker runs under bubblewrap: new user, PID, network, IPC,
UTS and cgroup namespaces (so no network at all, not even loopback to the host), a read-only view
of only the directories Python needs, a private /tmp, the declared working directory as the one
writable place, no capabilities, a new session, and death with its parent. Inside, the worker sets
resource limits on itself and loads a seccomp filter before it runs any code (see confinement.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any, Literal

from ..serialization import SafeSerializer, SerializationError
from .confinement import Limits
from .errors import SandboxError, SandboxUnavailableError
from .streamed import PipeConnection, StreamedExecutor

__all__ = ["IsolatedPythonExecutor", "bubblewrap_command", "readable_paths"]

_PASSED_ENVIRONMENT = ("LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "TZ")
_NAMESPACE_HINT = (
    "bubblewrap could not create the sandbox's namespaces: unprivileged user namespaces are probably disabled "
    "(enable them with `sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu "
    "`sysctl kernel.apparmor_restrict_unprivileged_userns=0`)"
)


def readable_paths() -> list[str]:
    """Return the directories the worker needs to read: the system, Python, its packages and ours."""
    package_parent = str(Path(__file__).resolve().parents[2])  # the directory holding `smolagents`
    wanted = [sys.base_prefix, sys.prefix, sys.exec_prefix, package_parent]
    wanted += [entry for entry in sys.path if "site-packages" in entry or "dist-packages" in entry]
    paths: list[str] = []
    for path in sorted({os.path.realpath(p) for p in wanted if p and os.path.isdir(p)} | {sys.prefix}):
        if not any(path == kept or path.startswith(kept + os.sep) for kept in paths):
            paths.append(path)
    return paths


def _system_mounts() -> list[str]:
    arguments = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            arguments += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            arguments += ["--ro-bind", top, top]
    for file in ("/etc/ld.so.cache", "/etc/localtime"):
        arguments += ["--ro-bind-try", file, file]
    return arguments


def bubblewrap_command(bwrap: str, work_dir: str, command: list[str]) -> list[str]:
    """Return the bubblewrap command line that runs `command` in the sandbox described above."""
    arguments = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session"]
    arguments += ["--cap-drop", "ALL", "--hostname", "sandbox", "--clearenv"]
    arguments += _system_mounts()
    # The private /tmp first: Python or its packages may live under /tmp (a venv there), and a bind
    # made before the tmpfs would be hidden by it.
    arguments += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in readable_paths():
        if not path.startswith("/usr/"):
            arguments += ["--ro-bind", path, path]
    arguments += ["--bind", work_dir, work_dir, "--chdir", work_dir]
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work_dir, "TMPDIR": "/tmp"}
    environment |= {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
    for name, value in environment.items():
        arguments += ["--setenv", name, value]
    return [*arguments, *command]


class IsolatedPythonExecutor(StreamedExecutor):
    """Run model code in a persistent worker process confined by bubblewrap, rlimits and seccomp.

    Tools stay in this process: the code calls them through the protocol, so their credentials,
    connections and state never enter the sandbox.

    Args:
        additional_authorized_imports: As for `LocalPythonExecutor` (engine "interpreter").
        logger: The agent's logger, or None.
        max_print_outputs_length: Characters of print output kept in the logs.
        timeout_seconds: Limit of one call (the worker is killed `grace_seconds` after it if the code
            has not stopped; its variables are then lost).
        engine: "interpreter" (our restricted interpreter: two barriers) or "python" (plain CPython,
            any importable module: the OS sandbox is the only barrier).
        work_dir: The directory the code may write (and read); None: a fresh temporary directory,
            removed on cleanup.
        limits: Resource limits of the worker (`Limits`).
        seccomp: Load the seccomp filter (needs `pyseccomp`, the `isolated` extra).
        allow_unsandboxed: Where bubblewrap or user namespaces are missing, run the worker as a
            plain process (with its limits and seccomp filter, without namespaces) instead of failing.
        grace_seconds: See `timeout_seconds`.
        allow_pickle: See `RemotePythonExecutor`.
        **executor_kwargs: Passed as they are to the `LocalPythonExecutor` in the worker (its limits
            and grants); they must be `SafeSerializer`-encodable. `additional_functions` become
            host-side tools.
    """

    def __init__(
        self,
        additional_authorized_imports: list[str] | None = None,
        logger: Any = None,
        max_print_outputs_length: int | None = None,
        timeout_seconds: float | None = 30,
        engine: Literal["interpreter", "python"] = "interpreter",
        work_dir: str | os.PathLike[str] | None = None,
        limits: Limits | None = None,
        seccomp: bool = True,
        allow_unsandboxed: bool = False,
        grace_seconds: float = 5.0,
        allow_pickle: bool = False,
        **executor_kwargs: Any,
    ) -> None:
        if engine not in ("interpreter", "python"):
            raise ValueError(f"engine must be 'interpreter' or 'python', got {engine!r}.")
        super().__init__(
            list(additional_authorized_imports or ()), logger, allow_pickle, timeout_seconds, grace_seconds
        )
        self.engine = engine
        self.limits = limits or Limits()
        self.seccomp = seccomp and _seccomp_available()
        if seccomp and not self.seccomp:
            self._log(
                "pyseccomp/libseccomp is not installed: the isolated worker runs without its seccomp filter."
            )
        self.bwrap = shutil.which("bwrap")
        if self.bwrap is None and not allow_unsandboxed:
            raise SandboxUnavailableError(
                "The isolated executor needs bubblewrap (bwrap), which is not installed: `apt-get install "
                "bubblewrap` (or scripts/system/20-sandbox.sh). Pass allow_unsandboxed=True to run the worker "
                "as a plain process instead (resource limits only, no namespaces)."
            )
        self.allow_unsandboxed = allow_unsandboxed
        functions = executor_kwargs.pop("additional_functions", None) or {}
        settings = {
            "additional_authorized_imports": self.additional_imports,
            "max_print_outputs_length": max_print_outputs_length,
            "timeout_seconds": timeout_seconds,
            **executor_kwargs,
        }
        try:
            self._settings = {
                "engine": engine,
                "executor_kwargs": SafeSerializer.to_json_safe(settings),
                "limits": self.limits.to_dict(),
                "seccomp": self.seccomp,
            }
        except SerializationError as error:
            raise TypeError(f"The isolated executor's settings must be plain data: {error}") from error
        self._own_work_dir = work_dir is None
        self.work_dir = (
            tempfile.mkdtemp(prefix="smolagents-isolated-") if work_dir is None else os.fspath(work_dir)
        )
        if not os.path.isdir(self.work_dir):
            raise ValueError(f"work_dir {self.work_dir!r} is not a directory; create it first.")
        # Our temporary directory goes at cleanup, or at the latest when collected or at exit.
        self._remove_work_dir = (
            weakref.finalize(self, shutil.rmtree, self.work_dir, ignore_errors=True)
            if self._own_work_dir
            else None
        )
        self.is_sandboxed = self.bwrap is not None
        try:
            if functions:
                self.send_tools(dict(functions))
            self.start()
        except BaseException:
            self.cleanup()
            raise

    def _connect(self) -> PipeConnection:
        import json

        command = [sys.executable, "-I", "-m", "smolagents._executors.worker", json.dumps(self._settings)]
        if self.bwrap is not None and self.is_sandboxed:
            connection = PipeConnection(bubblewrap_command(self.bwrap, self.work_dir, command))
        else:
            environment = {"PATH": "/usr/bin:/bin", "HOME": self.work_dir}
            connection = PipeConnection(command, env=environment, cwd=self.work_dir)
        return connection

    def start(self) -> None:
        """Start the worker (done at construction, and after a crash on the next call)."""
        try:
            super().start()
        except SandboxError as error:
            text = str(error)
            if self.is_sandboxed and (
                "namespace" in text or "uid map" in text or "Operation not permitted" in text
            ):
                if not self.allow_unsandboxed:
                    raise SandboxUnavailableError(f"{_NAMESPACE_HINT}. bubblewrap said: {text}") from error
                self._log(f"{_NAMESPACE_HINT}; running the worker unsandboxed as allowed.")
                self.is_sandboxed = False
                super().start()
            else:
                raise

    def _close(self) -> None:
        super()._close()
        remove_work_dir = getattr(self, "_remove_work_dir", None)
        if remove_work_dir is not None:
            remove_work_dir()


def _seccomp_available() -> bool:
    try:
        import pyseccomp  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
