"""Executors whose sandbox keeps a stream open to us: the host end of the protocol in kernel.py.

Tools stay here: the sandbox sends a ``call`` message, the tool runs in this process (with its
credentials, connections and state), and the result goes back. The sandbox is hostile: every
message is size-limited and checked, and a sandbox that dies, hangs past its deadline or breaks
the protocol is killed and restarted, and the code is told its variables were lost.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
import weakref
from abc import abstractmethod
from typing import Any, NoReturn, Protocol

from ..serialization import SerializationError
from .base import CodeOutput
from .errors import VARIABLES_LOST, SandboxError, SandboxTimeoutError, ValueTransferError
from .kernel import MAX_MESSAGE_BYTES
from .remote import RemotePythonExecutor

__all__ = ["Connection", "LineBuffer", "PipeConnection", "StreamedExecutor"]

_STDERR_TAIL = 4000


class Connection(Protocol):
    """A live sandbox: a byte stream to its kernel, and the means to kill it."""

    def send_line(self, line: bytes) -> None:
        """Send one line to the kernel."""

    def read_line(self, deadline: float | None) -> bytes | None:
        """Return the kernel's next line, None at end of stream; raise TimeoutError past `deadline`."""

    def kill(self) -> None:
        """Stop the sandbox for good and free what it holds."""

    def exit_reason(self) -> str:
        """Say why the sandbox ended (exit status, signal, last error output), once it has."""


class LineBuffer:
    """Split a byte stream into lines, refusing a line longer than the protocol allows."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._data += chunk
        if len(self._data) > MAX_MESSAGE_BYTES and b"\n" not in self._data:
            raise SandboxError(f"The sandbox sent a message over {MAX_MESSAGE_BYTES} bytes.")

    def pop_line(self) -> bytes | None:
        end = self._data.find(b"\n")
        if end < 0:
            return None
        line = bytes(self._data[:end])
        del self._data[: end + 1]
        return line


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class PipeConnection:
    """A sandbox process whose stdin/stdout carry the protocol; its stderr is kept for diagnostics."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._out, self._err = self.process.stdout.fileno(), self.process.stderr.fileno()
        self._lines = LineBuffer()
        self._stderr = bytearray()

    def send_line(self, line: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(line + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as error:
            raise SandboxError("The sandbox stopped reading its input.") from error

    def read_line(self, deadline: float | None) -> bytes | None:
        while (line := self._lines.pop_line()) is None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            watched = [self._out] + ([self._err] if self._err >= 0 else [])
            ready, _, _ = select.select(watched, [], [], remaining)
            if self._err in ready:
                self._keep_stderr(os.read(self._err, 65536))
            if self._out in ready:
                chunk = os.read(self._out, 1 << 20)
                if not chunk:
                    return None
                self._lines.feed(chunk)
        return line

    def _keep_stderr(self, chunk: bytes) -> None:
        if not chunk:
            self._err = -1
            return
        self._stderr += chunk
        del self._stderr[:-_STDERR_TAIL]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def exit_reason(self) -> str:
        try:
            code: int | None = self.process.wait(timeout=5)  # it closed its output: it is ending
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            return "it stopped answering"
        while self._err >= 0 and select.select([self._err], [], [], 0)[0]:
            self._keep_stderr(os.read(self._err, 65536))
        if code > 128:  # bubblewrap reports a child killed by a signal as 128 + the signal
            code = 128 - code
        status = f"it was killed by {_signal_name(code)}" if code < 0 else f"it exited with status {code}"
        tail = self._stderr.decode(errors="replace").strip()
        return status + (f"; its last error output:\n{tail[-1500:]}" if tail else "")


class StreamedExecutor(RemotePythonExecutor):
    """An executor talking to a kernel (kernel.py or the isolated worker) over a `Connection`.

    Attributes:
        interrupts_from_host: The host interrupts code past its limit (`_interrupt`), instead of
            the kernel stopping it by itself.

    Args:
        timeout_seconds: Limit of one call; the sandbox is killed (and restarted) if the code has
            not stopped `grace_seconds` after it (after the interrupt, where the host sends one).
            None: no limit.
        grace_seconds: How long past its limit the code may take to stop by itself.
        startup_timeout_seconds: How long a starting sandbox may take to say it is ready.
        Other arguments: see `RemotePythonExecutor`.
    """

    interrupts_from_host = False

    def __init__(
        self,
        additional_imports: list[str],
        logger: Any = None,
        allow_pickle: bool = False,
        timeout_seconds: float | None = 30,
        grace_seconds: float = 5.0,
        startup_timeout_seconds: float = 120.0,
    ) -> None:
        super().__init__(additional_imports, logger, allow_pickle)
        if timeout_seconds is not None and timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive or None, got {timeout_seconds!r}.")
        self.timeout_seconds = timeout_seconds
        self.grace_seconds = grace_seconds
        self.startup_timeout_seconds = startup_timeout_seconds
        self._connection: Connection | None = None
        self._release: weakref.finalize[Any, Any] | None = None  # kills the sandbox, at the latest at exit
        self._variables: dict[str, Any] = {}  # what the host sent, sent again after a restart
        self.sandbox_info: dict[str, Any] = {}
        self.restarts = 0

    @abstractmethod
    def _connect(self) -> Connection:
        """Start a fresh sandbox and return the connection to its kernel."""

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the sandbox now (it also starts on first use), define the tools and variables."""
        if self._is_closed:
            raise SandboxError("This executor was cleaned up; create a new one.")
        if self._connection is not None:
            return
        connection = self._connect()
        try:
            deadline = time.monotonic() + self.startup_timeout_seconds
            banner = self._receive(connection, deadline, starting=True)
        except BaseException:
            connection.kill()
            raise
        if banner.get("op") != "ready":
            connection.kill()
            raise SandboxError(f"The sandbox did not start properly: it sent {str(banner)[:200]}")
        self.sandbox_info = banner
        self._connection = connection
        # An executor nobody cleaned up (a test failing mid-way, a forgotten agent) still frees its
        # sandbox when collected or when the interpreter exits.
        self._release = weakref.finalize(self, connection.kill)
        if self.tools:
            self._request({"op": "tools", "names": sorted(self.tools)})
        if self._variables:
            self._request({"op": "vars", "values": self._variables})

    def _close(self) -> None:
        self._drop_connection()

    def _drop_connection(self) -> None:
        """Forget the sandbox and kill it (once, whoever asks first: us, the collector or the exit)."""
        release, self._release, self._connection = self._release, None, None
        if release is not None:
            release()

    # -- the protocol ---------------------------------------------------------------------------------
    def install_packages(self, additional_imports: list[str]) -> list[str]:
        """Install nothing: these sandboxes use the packages their image or environment has."""
        return []

    def _define_tools(self, tools: dict[str, Any]) -> None:
        if self._connection is None:
            self.start()  # start() defines every tool known so far
        else:
            self._request({"op": "tools", "names": sorted(tools)})

    def _set_variables(self, encoded: Any) -> None:
        self._variables.update(encoded)
        if self._connection is None:
            self.start()
        else:
            self._request({"op": "vars", "values": encoded})

    def run_code_raise_errors(self, code: str) -> CodeOutput:
        """Run `code` in the sandbox; failures raise `InterpreterError` (subclasses) with the logs."""
        self.start()
        timeout = self.timeout_seconds
        reply = self._request({"op": "run", "code": code, "timeout": timeout, "pickle": self.allow_pickle})
        return self.output_of(reply)

    def _interrupt(self, connection: Connection) -> bool:
        """Ask the code to stop now that it is past its limit; False: this sandbox cannot be asked.

        Sandboxes that stop the code themselves (an alarm in the kernel) need no interrupt from here;
        those that cannot time themselves (Pyodide) are interrupted, keeping their variables.
        """
        return False

    def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send `message`, serve the tool calls the code makes meanwhile, return the ``done`` reply.

        Past its limit the code is interrupted (where the sandbox can be), and `grace_seconds` later
        the sandbox is killed and restarted.
        """
        connection = self._connection
        assert connection is not None
        limit = self.timeout_seconds if message.get("op") == "run" else None
        interrupted = not self.interrupts_from_host  # no interrupt to send: the grace starts at once
        deadline = (
            None if limit is None else time.monotonic() + limit + (self.grace_seconds if interrupted else 0)
        )
        connection.send_line(json.dumps(message, allow_nan=False).encode())
        while True:
            try:
                reply = self._receive(connection, deadline)
            except _PastDeadline:
                if interrupted or not self._interrupt(connection):
                    self._lose(
                        f"the code ran past its {self.timeout_seconds}-second limit and did not stop",
                        timeout=True,
                    )
                interrupted, deadline = True, time.monotonic() + self.grace_seconds
                continue
            if reply.get("op") == "done":
                return reply
            if reply.get("op") != "call":
                self._lose(f"it broke the protocol (sent {str(reply)[:200]})")
            started = time.monotonic()
            connection.send_line(self._serve_call(reply))
            if deadline is not None:  # time spent in host tools does not count against the code
                deadline += time.monotonic() - started

    def _receive(
        self, connection: Connection, deadline: float | None, starting: bool = False
    ) -> dict[str, Any]:
        try:
            line = connection.read_line(deadline)
        except TimeoutError:
            if starting:
                raise SandboxError(
                    f"The sandbox did not start within {self.startup_timeout_seconds} seconds."
                ) from None
            raise _PastDeadline from None
        except SandboxError as error:
            self._lose(str(error))
        if line is None:
            if starting:
                raise SandboxError(f"The sandbox failed to start: {connection.exit_reason()}")
            self._lose(connection.exit_reason())
        try:
            message = json.loads(line)
        except ValueError:
            self._lose(f"it sent a line that is not JSON: {line[:200]!r}")
        if not isinstance(message, dict):
            self._lose("it sent a message that is not an object")
        return message

    def _serve_call(self, message: dict[str, Any]) -> bytes:
        name = message.get("tool")
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None:
            return _reply_error(f"There is no tool named {name!r}.")
        try:
            args, kwargs = self.decode(message.get("args")), self.decode(message.get("kwargs"))
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise SerializationError("tool arguments must be a list and a dict")
        except SerializationError as error:
            return _reply_error(f"Bad arguments for tool {name!r}: {error}")
        try:
            value = tool(*args, **kwargs)
        except Exception as error:  # the tool's failure is the code's to handle, as in-process
            return _reply_error(f"{type(error).__name__}: {error}")
        try:
            encoded = self.encode(value, what=f"the result of tool {name!r}")
        except ValueTransferError as error:
            return _reply_error(str(error))
        return json.dumps({"op": "return", "ok": True, "value": encoded}, allow_nan=False).encode()

    def _lose(self, why: str, timeout: bool = False) -> NoReturn:
        """Kill the sandbox and raise the error that tells the code its variables are gone."""
        self._drop_connection()
        self.restarts += 1
        error_class = SandboxTimeoutError if timeout else SandboxError
        raise error_class(f"The sandbox failed: {why}. {VARIABLES_LOST}")


class _PastDeadline(Exception):
    """The sandbox sent nothing before the deadline."""


def _reply_error(text: str) -> bytes:
    return json.dumps({"op": "return", "ok": False, "error": text}).encode()
