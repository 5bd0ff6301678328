"""What every executor running code outside this process shares: the interface, tools and answers."""

from __future__ import annotations

import json
import logging
from typing import Any

from .._interpreter.errors import ExecutionTimeoutError, InterpreterError
from ..serialization import SafeSerializer, SerializationError
from .base import CodeOutput, PythonExecutor
from .errors import ValueTransferError

__all__ = ["RemotePythonExecutor"]

_LOGGER = logging.getLogger("smolagents.executors")
_PICKLE_NOTE = (
    "allow_pickle=True: values the sandbox returns may be unpickled here, which lets code in the sandbox run "
    "code in this process. Use it only with sandboxes you fully trust."
)


class RemotePythonExecutor(PythonExecutor):
    """Base of executors that run the code in another process, container or machine.

    The code's variables live in the sandbox and persist across calls. Values cross the boundary
    as `SafeSerializer` JSON. The final answer is taken out of the sandbox as a value, and the
    host's `final_answer` tool is applied to it here.

    Args:
        additional_imports: Python packages the code needs (installed in sandboxes that can install).
        logger: The agent's logger (`AgentLogger`), or None.
        allow_pickle: Accept pickled values where JSON cannot carry them (logs a warning: a hostile
            sandbox could then run code in this process).
    """

    def __init__(self, additional_imports: list[str], logger: Any = None, allow_pickle: bool = False) -> None:
        if isinstance(additional_imports, str):
            raise TypeError(
                "additional_imports must be a list of package names, e.g. ['numpy'], not a string."
            )
        self.additional_imports = list(additional_imports or ())
        self.logger = logger
        self.allow_pickle = allow_pickle
        self.installed_packages: list[str] = []
        self.tools: dict[str, Any] = {}
        self._final_answer_tool: Any = None
        self._is_closed = False
        if allow_pickle:
            _LOGGER.warning(_PICKLE_NOTE)
            self._log(_PICKLE_NOTE)

    # -- what subclasses provide ----------------------------------------------------------------------
    # A subclass written for 1.26 implements only `run_code_raise_errors` (code runs in a notebook
    # kernel): the defaults below then send tools and variables as code through it.
    def run_code_raise_errors(self, code: str) -> CodeOutput:
        """Run `code` in the sandbox; return its output or raise `InterpreterError` with the logs."""
        raise NotImplementedError(f"{type(self).__name__} must implement run_code_raise_errors(code).")

    def _define_tools(self, tools: dict[str, Any]) -> None:
        """Make `tools` (final_answer excluded) callable by name inside the sandbox.

        By default, their requirements are installed with `install_packages` and their source code
        is run in the sandbox (with a stand-in `smolagents` module if the package is missing there).
        """
        from .bootstrap import module_definitions
        from .shipping import check_shippable, requirements, tool_sources

        check_shippable(tools, type(self).__name__)
        wanted = [name for name in requirements(tools) if name not in self.installed_packages]
        if wanted:
            self.installed_packages += self.install_packages(wanted)
        self.run_code_raise_errors(
            module_definitions()
            + f"globals().update(__import__('smolagents_kernel').build_shipped_tools({tool_sources(tools)!r}))\n"
        )

    def _set_variables(self, encoded: Any) -> None:
        """Set variables in the sandbox from their `SafeSerializer.to_json_safe` data."""
        self.run_code_raise_errors(self._variables_code(SafeSerializer.SAFE_PREFIX + json.dumps(encoded)))

    def _variables_code(self, payload: str) -> str:
        """Return standalone code that sets the variables serialized (`SafeSerializer.dumps`) as `payload`."""
        return (
            SafeSerializer.get_deserializer_code(allow_pickle=self.allow_pickle)
            + f"globals().update(_deserialize({payload!r}))\n"
        )

    @staticmethod
    def _deserialize_final_answer(encoded: str, allow_pickle: bool = False) -> Any:
        """Return the final answer a sandbox sent as ``safe:``-prefixed JSON (or ``pickle:`` data when allowed).

        Raises:
            SerializationError: The data has neither prefix, or is pickle and pickle is not allowed.
        """
        if not isinstance(encoded, str) or not encoded.startswith(
            (SafeSerializer.SAFE_PREFIX, SafeSerializer.PICKLE_PREFIX)
        ):
            raise SerializationError(
                f"Unknown final answer format: {str(encoded)[:60]!r}; expected data starting with "
                f"{SafeSerializer.SAFE_PREFIX!r} or {SafeSerializer.PICKLE_PREFIX!r}."
            )
        return SafeSerializer.loads(encoded, allow_pickle=allow_pickle)

    # -- the executor interface -----------------------------------------------------------------------
    def send_tools(self, tools: dict[str, Any]) -> None:
        """Make `tools` callable from the code by name; `final_answer` is applied here to the answer."""
        tools = dict(tools)
        self._final_answer_tool = tools.pop("final_answer", self._final_answer_tool)
        self.tools.update(tools)
        self._define_tools(tools)

    def send_variables(self, variables: dict[str, Any]) -> None:
        """Set `variables` as global names of the code (they must be `SafeSerializer`-encodable, or
        picklable with `allow_pickle`)."""
        if not variables:
            return
        if type(self)._set_variables is RemotePythonExecutor._set_variables:
            # Sent as code through run_code_raise_errors, so pickle can carry what JSON cannot.
            try:
                payload = SafeSerializer.dumps(dict(variables), allow_pickle=self.allow_pickle)
            except SerializationError as error:
                raise ValueTransferError(f"Cannot send variables to the sandbox: {error}") from error
            self.run_code_raise_errors(self._variables_code(payload))
            return
        self._set_variables(self.encode(dict(variables), what="variables"))

    def __call__(self, code_action: str) -> CodeOutput:
        """Run `code_action`; return its last value (or final answer), print output and whether it ended."""
        if not isinstance(code_action, str):
            raise TypeError(f"code must be a string, not {type(code_action).__name__}")
        return self.run_code_raise_errors(code_action)

    def cleanup(self) -> None:
        """Release the sandbox. Safe to call twice."""
        if not self._is_closed:
            self._is_closed = True
            self._close()

    def _close(self) -> None:  # optional: a sandbox that holds nothing
        """Release what the sandbox holds (processes, containers, temporary directories)."""

    def delete(self) -> None:
        """Release the sandbox (1.26's name for `cleanup`)."""
        self.cleanup()

    def __enter__(self) -> RemotePythonExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()

    def install_packages(self, additional_imports: list[str]) -> list[str]:
        """Install `additional_imports` in the sandbox; return what was installed.

        By default, with the ``!pip install`` command of a notebook kernel, through `run_code_raise_errors`.
        """
        if additional_imports:
            self.run_code_raise_errors(f"!pip install {' '.join(additional_imports)}")
        return list(additional_imports)

    # -- helpers for subclasses ---------------------------------------------------------------------
    def encode(self, value: Any, what: str) -> Any:
        """Return `value` as JSON data, or raise `ValueTransferError` naming what could not cross."""
        try:
            return SafeSerializer.to_json_safe(value)
        except SerializationError as error:
            raise ValueTransferError(f"Cannot send {what} to the sandbox: {error}") from error

    def decode(self, data: Any) -> Any:
        """Return the value that the sandbox encoded as `data` (tagged JSON, or pickle when allowed)."""
        if isinstance(data, dict) and data.get("__type__") == "pickle":
            return SafeSerializer.loads(str(data.get("data")), allow_pickle=self.allow_pickle)
        return SafeSerializer.from_json_safe(data)

    def finish(self, output: Any, logs: str, is_final_answer: bool) -> CodeOutput:
        """Return the code's `CodeOutput`, applying the host's `final_answer` tool to an answer."""
        if is_final_answer and self._final_answer_tool is not None:
            output = self._final_answer_tool(output)
        return CodeOutput(output=output, logs=logs, is_final_answer=is_final_answer)

    def output_of(self, reply: dict[str, Any]) -> CodeOutput:
        """Return the `CodeOutput` of the kernel's ``done`` reply to a run, or raise its error."""
        logs = reply.get("logs") if isinstance(reply.get("logs"), str) else ""
        assert isinstance(logs, str)
        if reply.get("ok"):
            try:
                output = self.decode(reply.get("output"))
            except SerializationError as unreadable:
                raise ValueTransferError(
                    f"The code's output could not be read: {unreadable}", logs=logs
                ) from unreadable
            return self.finish(output, logs, bool(reply.get("final")))
        details = reply.get("error")
        error: dict[str, Any] = details if isinstance(details, dict) else {}
        lineno = error.get("lineno") if isinstance(error.get("lineno"), int) else None
        kind = error.get("kind")
        error_class: type[InterpreterError] = (
            ExecutionTimeoutError
            if kind == "timeout"
            else ValueTransferError
            if kind == "serialization"
            else InterpreterError
        )
        raise error_class(str(error.get("message") or "Code execution failed."), logs=logs, lineno=lineno)

    def _log(self, message: str) -> None:
        if self.logger is not None:
            self.logger.log(message)
