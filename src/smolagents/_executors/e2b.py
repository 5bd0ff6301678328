"""E2BExecutor: code in an E2B cloud sandbox, through the `e2b-code-interpreter` SDK."""

from __future__ import annotations

from typing import Any

from .cloud import Cell, CloudExecutor

__all__ = ["E2BExecutor"]


class E2BExecutor(CloudExecutor):
    """Run model code in an E2B sandbox (a cloud VM with a notebook kernel); tools are shipped as code.

    Args:
        additional_imports: Packages to install in the sandbox with pip.
        logger: The agent's logger, or None.
        allow_pickle: See `RemotePythonExecutor`.
        timeout_seconds: Limit of one call (see `CloudExecutor`).
        max_print_outputs_length: Characters of print output kept per call.
        **kwargs: Passed to `e2b_code_interpreter.Sandbox.create` (api_key, template, timeout,
            debug, sandbox_url...).
    """

    def __init__(
        self,
        additional_imports: list[str],
        logger: Any = None,
        allow_pickle: bool = False,
        timeout_seconds: float | None = 30,
        max_print_outputs_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(additional_imports, logger, allow_pickle, timeout_seconds, max_print_outputs_length)
        try:
            from e2b_code_interpreter import Sandbox
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                "Please install 'e2b' extra to use E2BExecutor: `pip install 'smolagents[e2b]'`"
            ) from error
        self.sandbox = Sandbox.create(**kwargs)
        try:
            self.boot()
        except BaseException:
            self.cleanup()
            raise
        self._log("E2B is running")

    def _run_cell(self, code: str, timeout: float | None) -> Cell:
        from e2b_code_interpreter.exceptions import TimeoutException

        try:
            execution = self.sandbox.run_code(code, timeout=timeout or 0)
        except TimeoutException as error:
            raise TimeoutError(str(error)) from error
        failed = execution.error
        failure = None if failed is None else (failed.name, failed.value, failed.traceback)
        return Cell(stdout="".join(str(text) for text in execution.logs.stdout), error=failure)

    def _close(self) -> None:
        sandbox = getattr(self, "sandbox", None)
        if sandbox is not None:
            self._log("Shutting down sandbox...")
            sandbox.kill()
            del self.sandbox
