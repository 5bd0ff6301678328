"""The sandbox end of the executor protocol, and a kernel that runs plain Python.

This file runs inside sandboxes (a bubblewrap worker, a Docker container, Pyodide), so it imports
only the standard library and `serialization.py`, which is shipped beside it when it runs alone.

The protocol: one JSON object per line, each way, over a byte stream.

| direction | message | meaning |
|---|---|---|
| sandbox to host | ``{"op": "ready", "python": "3.11.2"}`` | the kernel is up |
| host to sandbox | ``{"op": "tools", "names": [...]}`` | define proxy functions for the host's tools |
| host to sandbox | ``{"op": "vars", "values": <tagged>}`` | set variables |
| host to sandbox | ``{"op": "run", "code": "...", "timeout": 30}`` | run code |
| host to sandbox | ``{"op": "export_state"}`` | the code's variables in saved form (saved_state.py) |
| sandbox to host | ``{"op": "call", "tool": "t", "args": <tagged>, "kwargs": <tagged>}`` | call a host tool |
| host to sandbox | ``{"op": "return", "ok": true, "value": <tagged>}`` or ``"error": "..."`` | its result |
| sandbox to host | ``{"op": "done", "ok": true, "output": <tagged>, "logs": "...", "final": false}`` | code finished |
| sandbox to host | ``{"op": "done", "ok": false, "error": {...}, "logs": "..."}`` | code failed |

Values are `SafeSerializer.to_json_safe` data. Tools never enter the sandbox: each is a proxy
that sends a ``call`` and waits for the ``return``. ``final_answer(x)`` ends the code and hands
``x`` to the host, which applies its own final-answer tool.
"""

from __future__ import annotations

import ast
import io
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, Protocol

try:
    from ..serialization import SafeSerializer, SerializationError
except ImportError:  # shipped alone into a sandbox, beside serialization.py
    from serialization import SafeSerializer, SerializationError  # type: ignore[no-redef]

__all__ = [
    "CODE_FILENAME",
    "Channel",
    "Engine",
    "FdTransport",
    "PlainEngine",
    "RunFailure",
    "ToolCallError",
    "serve",
]

CODE_FILENAME = "<code>"
MAX_MESSAGE_BYTES = 256 * 2**20
"""Longest protocol line either end accepts (a hostile peer cannot make the other buffer more)."""
DEFAULT_MAX_PRINT = 50_000
_TRUNCATED = "\n..._This content has been truncated to stay below {limit} characters_...\n"


class Transport(Protocol):
    """A byte stream carrying one JSON message per line."""

    def read_line(self) -> bytes:
        """Return the next line (without its newline); b"" at end of stream."""

    def write_line(self, line: bytes) -> None:
        """Send one line (the newline is added)."""


class FdTransport:
    """Lines over two file descriptors (a pipe pair, or a socket twice)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._reader = os.fdopen(read_fd, "rb", buffering=65536, closefd=False)
        self._write_fd = write_fd

    def read_line(self) -> bytes:
        line = self._reader.readline(MAX_MESSAGE_BYTES + 1)
        if len(line) > MAX_MESSAGE_BYTES:
            raise ValueError("protocol message too long")
        return line.rstrip(b"\n")

    def write_line(self, line: bytes) -> None:
        view = memoryview(line + b"\n")
        while view:
            view = view[os.write(self._write_fd, view) :]


class ToolCallError(RuntimeError):
    """A host tool called from the sandbox failed; the message is the host's error."""


class _FinalAnswer(BaseException):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class _Timeout(BaseException):
    pass


class Channel:
    """JSON messages over a transport, and calls to host tools from inside a run."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._lock = threading.Lock()  # tool calls from several threads of the code go one at a time

    def send(self, message: dict[str, Any]) -> None:
        """Send one message."""
        self.transport.write_line(json.dumps(message, allow_nan=False).encode())

    def receive(self) -> dict[str, Any] | None:
        """Return the next message, or None once the host has closed the stream."""
        line = self.transport.read_line()
        if not line:
            return None
        message = json.loads(line)
        if not isinstance(message, dict):
            raise ValueError("protocol message is not an object")
        return message

    def call(self, tool: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Call host tool `tool` and return its result (a failure raises `ToolCallError`)."""
        try:
            encoded = {
                "args": SafeSerializer.to_json_safe(list(args)),
                "kwargs": SafeSerializer.to_json_safe(kwargs),
            }
        except SerializationError as error:
            raise ToolCallError(f"Cannot pass these arguments to tool {tool!r}: {error}") from None
        with self._lock:
            self.send({"op": "call", "tool": tool, **encoded})
            reply = self.receive()
        if reply is None or reply.get("op") != "return":
            raise SystemExit(0)  # the host went away: nothing left to answer to
        if not reply.get("ok"):
            raise ToolCallError(str(reply.get("error")))
        return SafeSerializer.from_json_safe(reply.get("value"))


class Engine(Protocol):
    """What runs the code: plain Python here, the restricted interpreter in the isolated worker."""

    def set_tools(self, tools: dict[str, Callable[..., Any]]) -> None:
        """Make the host tools' proxies callable by name."""

    def set_variables(self, variables: dict[str, Any]) -> None:
        """Set variables of the code."""

    def run(self, code: str, timeout: float | None) -> tuple[Any, str, bool]:
        """Run code; return (output, logs, is_final_answer) or raise `RunFailure`."""

    def export_state(self) -> dict[str, Any]:
        """Return the code's variables in the saved form of `_executors/saved_state.py`.

        Raises:
            ValueError: When this engine cannot (a kernel running alone in a container).
        """


class RunFailure(Exception):
    """The code failed: what the host shows (message, line, kind) plus what it printed."""

    def __init__(self, message: str, logs: str, lineno: int | None = None, kind: str = "error") -> None:
        super().__init__(message)
        self.payload = {"message": message, "lineno": lineno, "kind": kind}
        self.logs = logs


class _Printed(io.StringIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def text(self) -> str:
        logs = self.getvalue()
        if len(logs) <= self.limit:
            return logs
        half = self.limit // 2
        return logs[:half] + _TRUNCATED.format(limit=self.limit) + logs[-half:]


def _failure_line(trace: Any) -> int | None:
    lineno = None
    for frame, line in traceback.walk_tb(trace):
        if frame.f_code.co_filename == CODE_FILENAME:
            lineno = line
    return lineno


def _quoted_line(code: str, lineno: int | None) -> str:
    lines = code.splitlines()
    if lineno is None or not 0 < lineno <= len(lines):
        return "an unknown line"
    return f"line {lineno} ({lines[lineno - 1].strip()!r})"


class PlainEngine:
    """Runs code with CPython's own `exec` in persistent globals: the sandbox is the only barrier.

    Prints are captured, the value of a last expression statement is the output, and a timeout
    raises inside the code where the platform has `SIGALRM` (the host enforces a hard deadline too).

    Args:
        max_print_outputs_length: Characters of print output kept per call.
        host_interrupts: The host stops code at its limit by interrupting it (KeyboardInterrupt,
            as Pyodide's interrupt buffer raises) instead of the kernel's own alarm.
    """

    def __init__(self, max_print_outputs_length: int | None = None, host_interrupts: bool = False) -> None:
        self.max_print = DEFAULT_MAX_PRINT if max_print_outputs_length is None else max_print_outputs_length
        self.host_interrupts = host_interrupts
        self.globals: dict[str, Any] = {"__name__": "__main__", "final_answer": self._final_answer}
        self.protected = {"final_answer"}

    @staticmethod
    def _final_answer(answer: Any) -> Any:
        raise _FinalAnswer(answer)

    def set_tools(self, tools: dict[str, Callable[..., Any]]) -> None:
        self.globals.update({name: tool for name, tool in tools.items() if name != "final_answer"})
        self.protected |= set(tools)

    def set_variables(self, variables: dict[str, Any]) -> None:
        clashes = sorted(self.protected.intersection(variables))
        if clashes:
            raise ValueError(f"Variable names {clashes} are tools; rename them.")
        self.globals.update(variables)

    def export_state(self) -> dict[str, Any]:
        """Refuse: a kernel running alone has no exporter (the isolated worker wraps this engine)."""
        raise ValueError("This sandbox cannot export its variables.")

    def run(self, code: str, timeout: float | None) -> tuple[Any, str, bool]:
        printed = _Printed(self.max_print)
        try:
            tree = ast.parse(code, CODE_FILENAME)
        except SyntaxError as error:
            raise RunFailure(
                f"Code parsing failed on line {error.lineno} due to: SyntaxError: {error.msg}",
                "",
                error.lineno,
            ) from None
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        assert last is None or isinstance(last, ast.Expr)
        body = compile(tree, CODE_FILENAME, "exec")
        expression = compile(ast.Expression(last.value), CODE_FILENAME, "eval") if last is not None else None
        stdout, alarm = sys.stdout, _start_alarm(None if self.host_interrupts else timeout)
        sys.stdout = printed
        try:
            exec(body, self.globals)
            output = eval(expression, self.globals) if expression is not None else None
        except _FinalAnswer as answer:
            return answer.value, printed.text(), True
        except BaseException as raised:
            lineno = _failure_line(raised.__traceback__)
            where = _quoted_line(code, lineno)
            if isinstance(raised, _Timeout) or (
                self.host_interrupts and isinstance(raised, KeyboardInterrupt)
            ):
                message = f"Code execution stopped at {where}: it ran longer than its {timeout} seconds."
                raise RunFailure(message, printed.text(), lineno, "timeout") from None
            message = f"Code execution failed at {where} due to: {type(raised).__name__}: {raised}"
            raise RunFailure(message, printed.text(), lineno) from None
        finally:
            _stop_alarm(alarm)
            sys.stdout = stdout
        return output, printed.text(), False


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def _start_alarm(timeout: float | None) -> bool:
    if (
        not timeout
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        return False
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    return True


def _stop_alarm(started: bool) -> None:
    if started:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _proxy(channel: Channel, name: str) -> Callable[..., Any]:
    def call_tool(*args: Any, **kwargs: Any) -> Any:
        return channel.call(name, args, kwargs)

    call_tool.__name__ = call_tool.__qualname__ = name
    return call_tool


def _handle(channel: Channel, engine: Engine, message: dict[str, Any]) -> dict[str, Any]:
    op = message.get("op")
    if op == "tools":
        names = [str(name) for name in message["names"]]
        if not all(name.isidentifier() for name in names):
            raise ValueError(f"tool names must be identifiers: {names}")
        engine.set_tools({name: _proxy(channel, name) for name in names})
        return {"op": "done", "ok": True, "output": None, "logs": "", "final": False}
    if op == "vars":
        engine.set_variables(SafeSerializer.from_json_safe(message["values"]))
        return {"op": "done", "ok": True, "output": None, "logs": "", "final": False}
    if op == "run":
        return _run(engine, message)
    if op == "export_state":  # the code's variables, to save with the agent's memory
        return {"op": "done", "ok": True, "output": engine.export_state(), "logs": "", "final": False}
    raise ValueError(f"unknown protocol operation {op!r}")


def _run(engine: Engine, message: dict[str, Any]) -> dict[str, Any]:
    try:
        output, logs, final = engine.run(str(message["code"]), message.get("timeout"))
    except RunFailure as failure:
        return {"op": "done", "ok": False, "error": failure.payload, "logs": failure.logs}
    try:
        encoded = SafeSerializer.to_json_safe(output)
    except SerializationError as error:
        if message.get("pickle"):  # the host opted in (and was warned)
            encoded = {"__type__": "pickle", "data": SafeSerializer.dumps(output, allow_pickle=True)}
        else:
            what = "final answer" if final else "last value"
            refused = RunFailure(
                f"The code's {what} cannot leave the sandbox: {error}", logs, kind="serialization"
            )
            return {"op": "done", "ok": False, "error": refused.payload, "logs": logs}
    return {"op": "done", "ok": True, "output": encoded, "logs": logs, "final": final}


def serve(channel: Channel, engine: Engine, banner: dict[str, Any] | None = None) -> None:
    """Announce readiness, then answer the host's messages until it closes the stream."""
    channel.send({"op": "ready", "python": ".".join(map(str, sys.version_info[:3])), **(banner or {})})
    while True:
        message = channel.receive()
        if message is None:
            return
        try:
            reply = _handle(channel, engine, message)
        except (ValueError, TypeError, KeyError, SerializationError) as error:
            refused = RunFailure(f"{type(error).__name__}: {error}", "", kind="protocol")
            reply = {"op": "done", "ok": False, "error": refused.payload, "logs": ""}
        channel.send(reply)


REPLY_MARK = "__smolagents_reply__"
"""Starts the one line of a cell's output that carries the reply (cell-by-cell sandboxes)."""


def handle_text(engine: Engine, request: str) -> str:
    """Answer one JSON request with a marked JSON reply line (for sandboxes reached cell by cell)."""
    try:
        reply = _handle(None, engine, json.loads(request))  # type: ignore[arg-type]  # no stream: no proxies
    except (ValueError, TypeError, KeyError, SerializationError) as error:
        refused = RunFailure(f"{type(error).__name__}: {error}", "", kind="protocol")
        reply = {"op": "done", "ok": False, "error": refused.payload, "logs": ""}
    return REPLY_MARK + json.dumps(reply, allow_nan=False)


def install_tool_shim() -> None:
    """Provide `smolagents.Tool` and `smolagents.tool` where smolagents is not installed, for shipped tools."""
    import importlib

    try:  # by name: this module runs inside sandboxes, where the package may be missing
        importlib.import_module("smolagents")
    except ImportError:
        pass
    else:
        return
    import types

    class Tool:
        name = ""
        description = ""
        inputs: dict[str, Any] = {}
        output_type = "any"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.is_initialized = False

        def setup(self) -> None:
            self.is_initialized = True

        def forward(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if not self.is_initialized:
                self.setup()
            return self.forward(*args, **kwargs)

    def tool(function: Callable[..., Any]) -> Tool:
        shipped: Tool = type(function.__name__, (Tool,), {"name": function.__name__})()
        shipped.forward = function  # type: ignore[method-assign]
        return shipped

    module = types.ModuleType("smolagents")
    module.Tool, module.tool = Tool, tool  # type: ignore[attr-defined]
    sys.modules["smolagents"] = sys.modules["smolagents.tools"] = module


def build_shipped_tools(sources_json: str) -> dict[str, Any]:
    """Run each shipped tool's source and return the tools by name (one Tool class or @tool per source)."""
    install_tool_shim()
    base = sys.modules["smolagents"].Tool
    tools: dict[str, Any] = {}
    for name, source in json.loads(sources_json).items():
        namespace: dict[str, Any] = {"__name__": f"shipped_tool_{name}"}
        exec(compile(source, f"<tool {name}>", "exec"), namespace)
        values = list(namespace.values())
        instances = [value for value in values if isinstance(value, base)]
        classes = [
            value
            for value in values
            if isinstance(value, type)
            and issubclass(value, base)
            and value.__module__ == namespace["__name__"]
        ]
        leaves = [
            cls
            for cls in classes
            if not any(other is not cls and issubclass(other, cls) for other in classes)
        ]
        tools[name] = leaves[0]() if leaves else instances[0]
    return tools


def main(argv: list[str] | None = None) -> None:
    """Serve plain Python over stdin/stdout (fd 1 is moved aside so stray writes cannot corrupt it)."""
    args = json.loads((argv or sys.argv)[1]) if len(argv or sys.argv) > 1 else {}
    wire = os.dup(1)
    os.dup2(2, 1)  # what C code or the code itself writes to fd 1 goes to stderr
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), line_buffering=True)
    serve(
        Channel(FdTransport(0, wire)), PlainEngine(args.get("max_print_outputs_length")), {"engine": "python"}
    )


if __name__ == "__main__":
    main()
