"""WasmExecutor: CPython compiled to WebAssembly (Pyodide), run by Deno with only file reads allowed.

One Deno process per executor keeps Pyodide loaded (start-up takes seconds; a call then costs
milliseconds). Deno grants the runner nothing but reading Pyodide's own directory and the runner
script: no network, no environment, no subprocesses, no writes. Python runs in a Worker; the
protocol runs over the process's stdin/stdout, read synchronously inside Pyodide, so tools stay on
the host and are called back. The runner's main thread stays free to interrupt Python when the
code passes its time limit (the host signals it), so a timeout keeps the variables.

Offline, only Pyodide's standard library is available: its extra packages (numpy, pandas...) come
from a CDN that cannot be reached, so `additional_imports` cannot be installed.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

from .bootstrap import boot_line
from .errors import SandboxUnavailableError
from .streamed import Connection, PipeConnection, StreamedExecutor

__all__ = ["DEFAULT_PYODIDE_DIRS", "WasmExecutor", "find_pyodide"]

RUNNER = Path(__file__).with_name("wasm_runner.mjs")
DEFAULT_PYODIDE_DIRS = (
    "/var/cache/smolagents/pyodide/node_modules/pyodide",
    str(Path.home() / ".cache" / "smolagents" / "pyodide" / "node_modules" / "pyodide"),
)
"""Where scripts/system/45-wasm.sh installs Pyodide (`npm install pyodide`), looked up in order."""


def find_pyodide(pyodide_dir: str | None) -> str:
    """Return the directory holding ``pyodide.mjs``: the argument, $SMOLAGENTS_PYODIDE_DIR, or a default."""
    candidates = (
        [pyodide_dir] if pyodide_dir else [os.environ.get("SMOLAGENTS_PYODIDE_DIR"), *DEFAULT_PYODIDE_DIRS]
    )
    for candidate in candidates:
        if candidate and (Path(candidate) / "pyodide.mjs").is_file():
            return str(Path(candidate).resolve())
    raise SandboxUnavailableError(
        f"Pyodide was not found (looked in {[c for c in candidates if c]}): install it with `npm install "
        "pyodide@314.0.7` (or scripts/system/45-wasm.sh) and pass pyodide_dir=<.../node_modules/pyodide> or set "
        "SMOLAGENTS_PYODIDE_DIR."
    )


def find_deno(deno_path: str | None) -> str:
    """Return the Deno binary: the argument, the `deno` package's (the `wasm` extra), or the PATH's."""
    if deno_path:
        return deno_path
    try:
        import deno

        found: str = deno.find_deno_bin()
        return found
    except (ImportError, FileNotFoundError, AttributeError):
        pass
    on_path = shutil.which("deno")
    if on_path is None:
        raise SandboxUnavailableError(
            "Deno was not found: `pip install 'smolagents[wasm]'` (or put deno on PATH)."
        )
    return on_path


class WasmExecutor(StreamedExecutor):
    """Run model code in Pyodide (CPython on WebAssembly) inside a Deno process allowed only to read Pyodide.

    Args:
        additional_imports: Packages the code wants; Pyodide cannot install them offline, so they are
            reported and left out (only the standard library is there).
        logger: The agent's logger, or None.
        allow_pickle: See `RemotePythonExecutor`.
        timeout_seconds: Limit of one call. Code past its limit is interrupted through Pyodide's
            interrupt buffer (a KeyboardInterrupt in Python) and keeps its variables; code that does
            not stop within `grace_seconds` (stuck in C, e.g. `time.sleep`) gets its runner killed
            and restarted, and the agent is told its variables are lost.
        max_print_outputs_length: Characters of print output kept per call.
        pyodide_dir: Directory of the `pyodide` npm package (see `find_pyodide`).
        deno_path: The Deno binary (see `find_deno`).
        memory_limit_mb: JavaScript heap limit of the runner (V8's old space).
        grace_seconds: See `StreamedExecutor`.
        startup_timeout_seconds: How long loading Pyodide may take (seconds on an idle machine).
    """

    def __init__(
        self,
        additional_imports: list[str] | None = None,
        logger: Any = None,
        allow_pickle: bool = False,
        timeout_seconds: float | None = 30,
        max_print_outputs_length: int | None = None,
        pyodide_dir: str | None = None,
        deno_path: str | None = None,
        memory_limit_mb: int = 1024,
        grace_seconds: float = 2.0,
        startup_timeout_seconds: float = 120.0,
    ) -> None:
        super().__init__(
            list(additional_imports or ()),
            logger,
            allow_pickle,
            timeout_seconds,
            grace_seconds,
            startup_timeout_seconds,
        )
        self.pyodide_dir = find_pyodide(pyodide_dir)
        self.deno = find_deno(deno_path)
        self.memory_limit_mb = memory_limit_mb
        self.max_print_outputs_length = max_print_outputs_length
        if self.additional_imports:
            self._log(
                f"WasmExecutor: Pyodide offers only its standard library offline; {self.additional_imports} "
                "cannot be installed."
            )
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise

    interrupts_from_host = True

    def _connect(self) -> PipeConnection:
        command = [
            self.deno,
            "run",
            "--no-prompt",
            "--no-config",
            "--no-npm",
            "--no-remote",
            f"--allow-read={self.pyodide_dir},{RUNNER}",  # the runner reads itself to start its Worker
            f"--v8-flags=--max-old-space-size={self.memory_limit_mb}",
            str(RUNNER),
            self.pyodide_dir,
        ]
        environment = {"PATH": "/usr/bin:/bin", "DENO_NO_UPDATE_CHECK": "1", "NO_COLOR": "1"}
        if "DENO_DIR" in os.environ:
            environment["DENO_DIR"] = os.environ["DENO_DIR"]
        connection = PipeConnection(command, env=environment)
        connection.send_line(boot_line({"max_print_outputs_length": self.max_print_outputs_length}))
        return connection

    def _interrupt(self, connection: Connection) -> bool:
        """Interrupt the running code: the runner turns SIGUSR2 into a KeyboardInterrupt in Python."""
        assert isinstance(connection, PipeConnection)
        if connection.process.poll() is not None:
            return False
        connection.process.send_signal(signal.SIGUSR2)
        return True
