"""BlaxelExecutor: code in a Blaxel cloud sandbox running a Jupyter kernel gateway, through the `blaxel` SDK."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from .cloud import Cell, CloudExecutor
from .jupyter import JupyterKernel

__all__ = ["BlaxelExecutor"]


class BlaxelExecutor(CloudExecutor):
    """Run model code in a Blaxel sandbox (a VM from the `image`, with a kernel gateway on port 8888).

    Args:
        additional_imports: Packages to install in the sandbox with pip.
        logger: The agent's logger, or None.
        allow_pickle: See `RemotePythonExecutor`.
        sandbox_name: The sandbox's name (default: a fresh ``smolagent-executor-<hex>``).
        image: The sandbox image (it must serve a Jupyter kernel gateway on port 8888).
        memory: Memory of the sandbox in MB.
        ttl: Time to live of the sandbox.
        region: Deployment region (Blaxel's default if None).
        timeout_seconds: Limit of one call (see `CloudExecutor`).
        max_print_outputs_length: Characters of print output kept per call.
        api_url: The Blaxel API to use instead of the SDK's configured one (e.g. a self-hosted or test
            endpoint).
    """

    def __init__(
        self,
        additional_imports: list[str],
        logger: Any = None,
        allow_pickle: bool = False,
        sandbox_name: str | None = None,
        image: str = "blaxel/jupyter-notebook",
        memory: int = 4096,
        ttl: str | None = None,
        region: str | None = None,
        timeout_seconds: float | None = 30,
        max_print_outputs_length: int | None = None,
        api_url: str | None = None,
    ) -> None:
        super().__init__(additional_imports, logger, allow_pickle, timeout_seconds, max_print_outputs_length)
        try:
            from blaxel.core import settings
            from blaxel.core.client import Client
            from blaxel.core.client import client as configured_client
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                "Please install 'blaxel' extra to use BlaxelExecutor: `pip install 'smolagents[blaxel]'`"
            ) from error
        self.sandbox_name = sandbox_name or f"smolagent-executor-{uuid.uuid4().hex[:8]}"
        self.port = 8888
        self._headers = dict(settings.headers)
        self._owns_client = api_url is not None
        self._client = Client(base_url=api_url, headers=self._headers) if api_url else configured_client
        runtime: dict[str, Any] = {"image": image, "memory": memory, "ports": [{"target": self.port}]}
        if ttl:
            runtime["ttl"] = ttl
        config: dict[str, Any] = {"metadata": {"name": self.sandbox_name}, "spec": {"runtime": runtime}}
        if region:
            config["spec"]["region"] = region
        self.kernel: JupyterKernel | None = None
        self._created = False
        try:
            self.sandbox = self._create_sandbox(config)
            self._created = True
            token = secrets.token_urlsafe(16)
            url = f"{self.sandbox.metadata.url}/port/{self.port}"
            self.kernel = JupyterKernel(url, headers=self._headers, token=token)
            self.boot()
        except BaseException as error:
            self.cleanup()
            if isinstance(error, Exception):
                raise RuntimeError(f"Failed to initialize Blaxel sandbox: {error}") from error
            raise
        self._log("Blaxel is running")

    def _create_sandbox(self, config: dict[str, Any]) -> Any:
        from blaxel.core.client.api.compute import create_sandbox
        from blaxel.core.client.models import Sandbox

        body = Sandbox.from_dict(config)
        assert body is not None
        created = create_sandbox.sync(client=self._client, body=body)
        if not isinstance(created, Sandbox):
            raise RuntimeError(f"Blaxel refused to create the sandbox: {created}")
        return created

    def _run_cell(self, code: str, timeout: float | None) -> Cell:
        assert self.kernel is not None
        return self.kernel.run_cell(code, timeout)

    def _close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()
        if self._created:
            from blaxel.core.client.api.compute import delete_sandbox

            self._log(f"Requesting sandbox {self.sandbox_name} deletion...")
            delete_sandbox.sync(client=self._client, sandbox_name=self.sandbox_name)
        if self._owns_client:
            self._client.get_httpx_client().close()
