"""ModalExecutor: code in a Modal cloud sandbox running a Jupyter kernel gateway, through the `modal` SDK."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .cloud import Cell, CloudExecutor
from .errors import SandboxUnavailableError
from .jupyter import JupyterKernel

__all__ = ["ModalExecutor"]


class ModalExecutor(CloudExecutor):
    """Run model code in a Modal sandbox; tools are shipped as code.

    Args:
        additional_imports: Packages to install in the sandbox with pip.
        logger: The agent's logger, or None.
        allow_pickle: See `RemotePythonExecutor`.
        app_name: The Modal app the sandbox belongs to (created if missing).
        port: The port of the kernel gateway in the sandbox (reached through an encrypted tunnel).
        create_kwargs: Extra arguments of `modal.Sandbox.create` (image, timeout, secrets...).
        timeout_seconds: Limit of one call (see `CloudExecutor`).
        max_print_outputs_length: Characters of print output kept per call.
        startup_timeout_seconds: How long the sandbox's kernel gateway may take to answer.
    """

    def __init__(
        self,
        additional_imports: list[str],
        logger: Any = None,
        allow_pickle: bool = False,
        app_name: str = "smolagent-executor",
        port: int = 8888,
        create_kwargs: dict[str, Any] | None = None,
        timeout_seconds: float | None = 30,
        max_print_outputs_length: int | None = None,
        startup_timeout_seconds: float = 120,
    ) -> None:
        super().__init__(additional_imports, logger, allow_pickle, timeout_seconds, max_print_outputs_length)
        try:
            import modal
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                "Please install 'modal' extra to use ModalExecutor: `pip install 'smolagents[modal]'`"
            ) from error
        self.port = port
        self.kernel: JupyterKernel | None = None
        token = secrets.token_urlsafe(16)
        options: dict[str, Any] = dict(create_kwargs or {})
        try:
            options.setdefault(
                "image", modal.Image.debian_slim().pip_install("jupyter_kernel_gateway", "ipykernel")
            )
            options.setdefault("timeout", 60 * 5)
            if "app" not in options:
                options["app"] = modal.App.lookup(app_name, create_if_missing=True)
            options["encrypted_ports"] = [*options.get("encrypted_ports", []), port]
            options["secrets"] = [
                *options.get("secrets", []),
                modal.Secret.from_dict({"KG_AUTH_TOKEN": token}),
            ]
            entrypoint = [
                "jupyter",
                "kernelgateway",
                "--KernelGatewayApp.ip=0.0.0.0",
                f"--KernelGatewayApp.port={port}",
            ]
            self.sandbox = modal.Sandbox.create(*entrypoint, **options)
            url = self.sandbox.tunnels()[port].url  # https://host[:port]: an encrypted tunnel
            _wait_for_gateway(url, token, startup_timeout_seconds)
            self.kernel = JupyterKernel(url, token=token)
            self.boot()
        except BaseException as error:
            self.cleanup()
            if isinstance(error, modal.exception.Error) or isinstance(error, OSError):
                raise SandboxUnavailableError(
                    f"Could not start a Modal sandbox: {type(error).__name__}: {error}"
                ) from error
            raise

    def _run_cell(self, code: str, timeout: float | None) -> Cell:
        assert self.kernel is not None
        return self.kernel.run_cell(code, timeout)

    def _close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()
        sandbox = getattr(self, "sandbox", None)
        if sandbox is not None:
            sandbox.terminate()
            del self.sandbox


def _wait_for_gateway(base_url: str, token: str, timeout: float) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/api/kernelspecs?token={token}", timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise SandboxUnavailableError(
                f"The sandbox's kernel gateway did not answer within {timeout} seconds."
            )
        time.sleep(1.0)  # polling a remote service that is starting up
