"""Executors for cloud sandboxes reached cell by cell (E2B, Modal, Blaxel): no stream back to us.

The sandbox runs a notebook kernel. We define our kernel module in it once (its source, see
bootstrap.py), then every request is one cell that prints one marked JSON reply line. Tools are
shipped as code (shipping.py) with their requirements installed, and run in the sandbox.
"""

from __future__ import annotations

import json
import time
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from .base import CodeOutput
from .bootstrap import module_definitions
from .errors import SandboxError, SandboxTimeoutError
from .kernel import REPLY_MARK
from .remote import RemotePythonExecutor

__all__ = ["Cell", "CloudExecutor"]

ENGINE = "__smolagents_engine"


@dataclass
class Cell:
    """What running one cell in the sandbox's kernel gave.

    Attributes:
        stdout: Everything the cell printed.
        error: The kernel's error (name, value, traceback text) if the cell itself failed.
    """

    stdout: str
    error: tuple[str, str, str] | None = None


class CloudExecutor(RemotePythonExecutor):
    """Base of the cloud executors: subclasses create the sandbox and run cells in it.

    Args:
        timeout_seconds: Limit of one call, enforced in the sandbox (a timer signal) and, with
            `grace_seconds` more, by the request to the sandbox.
        max_print_outputs_length: Characters of print output kept per call.
        Other arguments: see `RemotePythonExecutor`.
    """

    def __init__(
        self,
        additional_imports: list[str],
        logger: Any = None,
        allow_pickle: bool = False,
        timeout_seconds: float | None = 30,
        max_print_outputs_length: int | None = None,
        grace_seconds: float = 10.0,
    ) -> None:
        super().__init__(additional_imports, logger, allow_pickle)
        self.timeout_seconds = timeout_seconds
        self.grace_seconds = grace_seconds
        self.max_print_outputs_length = max_print_outputs_length
        self._engine_defined = False

    @abstractmethod
    def _run_cell(self, code: str, timeout: float | None) -> Cell:
        """Run `code` as one cell of the sandbox's kernel (raise TimeoutError past `timeout`)."""

    # -- set-up ---------------------------------------------------------------------------------------
    def boot(self) -> None:
        """Install `additional_imports` in the sandbox (the kernel module is defined at first use)."""
        self.installed_packages = self.install_packages(self.additional_imports)

    def _ensure_engine(self) -> None:
        """Define the kernel module and its engine in the sandbox, once, before the first request."""
        if self._engine_defined:
            return
        engine = (
            f"{ENGINE} = __import__('smolagents_kernel').PlainEngine({self.max_print_outputs_length!r})\n"
        )
        self._checked_cell(module_definitions() + engine, "set up the sandbox's kernel")
        self._engine_defined = True

    def install_packages(self, additional_imports: list[str]) -> list[str]:
        """Install packages in the sandbox with pip; return those installed."""
        wanted = [name for name in additional_imports if name not in self.installed_packages]
        if not wanted:
            return []
        code = (
            "import subprocess as _subprocess, sys as _sys\n"
            f"_done = _subprocess.run([_sys.executable, '-m', 'pip', 'install', '--quiet', *{wanted!r}], "
            "capture_output=True, text=True)\n"
            "print(_done.returncode, _done.stderr[-1500:])\n"
        )
        cell = self._checked_cell(code, "install packages")
        status, _, detail = cell.stdout.strip().partition(" ")
        if status != "0":
            raise SandboxError(f"Installing {wanted} in the sandbox failed: {detail.strip()}")
        self._log(f"Installed {wanted} in the sandbox.")
        return wanted

    def _define_tools(self, tools: dict[str, Any]) -> None:
        if not tools:
            return
        from .shipping import check_shippable, requirements, shipping_code  # loads the tools package

        check_shippable(tools, type(self).__name__)
        self.installed_packages += self.install_packages(requirements(tools))
        self._ensure_engine()
        self._checked_cell(shipping_code(tools, ENGINE), f"define the tools {sorted(tools)}")

    def _set_variables(self, encoded: Any) -> None:
        reply = self._request({"op": "vars", "values": encoded}, None)
        if not reply.get("ok"):
            raise SandboxError(f"Setting variables in the sandbox failed: {reply.get('error')}")

    def run_code_raise_errors(self, code: str) -> CodeOutput:
        """Run `code` in the sandbox; failures raise `InterpreterError` (subclasses) with the logs."""
        message = {"op": "run", "code": code, "timeout": self.timeout_seconds, "pickle": self.allow_pickle}
        return self.output_of(self._request(message, self.timeout_seconds))

    # -- cells ----------------------------------------------------------------------------------------
    def _request(self, message: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        self._ensure_engine()
        request = json.dumps(message, allow_nan=False)
        code = f"print(__import__('smolagents_kernel').handle_text({ENGINE}, {request!r}))"
        limit = None if timeout is None else timeout + self.grace_seconds
        started = time.monotonic()
        try:
            cell = self._run_cell(code, limit)
        except TimeoutError:
            raise SandboxTimeoutError(
                f"The sandbox did not answer within {time.monotonic() - started:.0f} seconds: the code ran past its "
                f"{timeout}-second limit. Its kernel may still be busy; its variables may be lost."
            ) from None
        if cell.error is not None:
            name, value, trace = cell.error
            raise SandboxError(
                f"The sandbox's kernel failed ({name}: {value}); its variables may be lost.\n{trace}"
            )
        for line in reversed(cell.stdout.splitlines()):
            if line.startswith(REPLY_MARK):
                reply = json.loads(line[len(REPLY_MARK) :])
                if isinstance(reply, dict):
                    return reply
        raise SandboxError(f"The sandbox's kernel gave no reply; it printed: {cell.stdout[-500:]!r}")

    def _checked_cell(self, code: str, what: str) -> Cell:
        cell = self._run_cell(code, None)
        if cell.error is not None:
            name, value, trace = cell.error
            raise SandboxError(f"Could not {what} in the sandbox: {name}: {value}\n{trace[-1500:]}")
        return cell
