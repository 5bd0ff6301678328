"""Every executor the conformance suite runs, with how to build one and what it can do.

A kind that needs a system component (bwrap, a Docker engine, Deno + Pyodide) asks for it through
`system_requirements.require`, so it is skipped on a machine without it and fails under CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smolagents.local_python_executor import LocalPythonExecutor
from system_requirements import require, require_executable


@dataclass
class Kind:
    """How to build one kind of executor for the tests, and what it supports.

    Attributes:
        name: The test id.
        build: Builds an executor; takes the timeout in seconds and extra keyword arguments.
        tools_on_host: Tools run in the test process (False: their code is shipped into the sandbox).
        has_boundary: Values cross a process boundary (so an unserialisable value is an error).
        has_data_libraries: numpy, pandas and PIL are importable inside.
        held: Returns the ids of the processes or containers the executor holds (for cleanup checks).
        is_alive: Whether a process or container of `held` still exists.
        shared: Slow to start: tests share one executor of this kind unless they need a fresh one.
        holds_processes: Its sandbox is a local process or container the cleanup test can look for.
    """

    name: str
    build: Callable[..., Any]
    tools_on_host: bool = True
    has_boundary: bool = True
    has_data_libraries: bool = True
    held: Callable[[Any], list[Any]] = field(default=lambda executor: [])
    is_alive: Callable[[Any], bool] = field(default=lambda pid: _pid_alive(pid))
    shared: bool = False
    holds_processes: bool = True
    imports: list[str] = field(default_factory=lambda: ["numpy", "pandas", "PIL", "PIL.*", "numpy.*"])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def require_bubblewrap() -> None:
    require(
        shutil.which("bwrap") is not None,
        "bubblewrap (bwrap)",
        "apt-get install bubblewrap, or run scripts/system/20-sandbox.sh",
    )


def _local(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    return LocalPythonExecutor(imports, timeout_seconds=timeout, **kwargs)


def _isolated(engine: str) -> Callable[..., Any]:
    def build(timeout: float, imports: list[str], **kwargs: Any) -> Any:
        require_bubblewrap()
        from smolagents.remote_executors import IsolatedPythonExecutor

        return IsolatedPythonExecutor(
            imports, timeout_seconds=timeout, engine=engine, grace_seconds=3, **kwargs
        )

    return build


def _worker_pids(executor: Any) -> list[Any]:
    connection = executor._connection
    return [] if connection is None else [connection.process.pid]


DOCKER_SOCKET = os.environ.get("SMOLAGENTS_DOCKER_HOST", "unix:///var/lib/smolagents-docker/docker.sock")
DOCKER_IMAGE = "smolagents/python:bookworm"


DOCKER_USED: list[bool] = []
"""Not empty once a test has used the engine (the session then checks that no container is left)."""


def docker_client() -> Any:
    """Return a client of the test engine (scripts/system/40-docker.sh), or skip/fail without one."""
    import docker

    try:
        client = docker.DockerClient(base_url=DOCKER_SOCKET)
        client.ping()
        client.images.get(DOCKER_IMAGE)
    except docker.errors.DockerException as error:
        require(
            False,
            f"a Docker engine at {DOCKER_SOCKET} with image {DOCKER_IMAGE} ({error})",
            "run scripts/system/40-docker.sh",
        )
    DOCKER_USED.append(True)
    return client


def _docker(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    docker_client().close()
    from smolagents.remote_executors import DockerExecutor

    return DockerExecutor(
        [],
        image_name=DOCKER_IMAGE,
        build_new_image=False,
        base_url=DOCKER_SOCKET,
        timeout_seconds=timeout,
        **kwargs,
    )


def _container_ids(executor: Any) -> list[Any]:
    connection = executor._connection
    return [] if connection is None else [connection.container.id]


def _container_exists(container_id: str) -> bool:
    import docker

    client = docker_client()
    try:
        client.containers.get(container_id)
    except docker.errors.NotFound:
        return False
    finally:
        client.close()
    return True


def leftover_containers(remove: bool) -> list[str]:
    """Return the ids of this process's executor containers still on the test engine, removing them if asked."""
    from smolagents._executors.docker import LABEL

    client = docker_client()
    try:
        # Only this test process's: other runs may share the engine.
        left = client.containers.list(all=True, filters={"label": f"{LABEL}={os.getpid()}"})
        for container in left if remove else []:
            container.remove(force=True)
        return [container.id for container in left]
    finally:
        client.close()


def pyodide_dir() -> str:
    """Return the Pyodide install of scripts/system/45-wasm.sh, or skip/fail without one."""
    from smolagents._executors.wasm import find_pyodide

    try:
        return find_pyodide(None)
    except Exception as error:
        require(False, f"Pyodide ({error})", "run scripts/system/45-wasm.sh")
        raise


def _wasm(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    from smolagents.remote_executors import WasmExecutor

    # Loading Pyodide takes seconds, minutes on a loaded machine: the start-up limit is not under test.
    kwargs.setdefault("startup_timeout_seconds", 900)
    return WasmExecutor([], pyodide_dir=pyodide_dir(), timeout_seconds=timeout, **kwargs)


SERVICES: dict[str, Any] = {}
"""Loopback stand-ins of the cloud services, started on first use, stopped at the end of the session."""


def service(name: str) -> Any:
    """Return the loopback server `name` ("e2b", "gateway" or "modal"), starting it if needed."""
    if name not in SERVICES:
        import loopback_services

        if name == "modal":
            SERVICES[name] = _modal_service()
        else:
            SERVICES[name] = (
                loopback_services.E2BServer() if name == "e2b" else loopback_services.GatewayServer()
            )
    return SERVICES[name]


def _modal_service() -> Any:
    import tempfile
    from pathlib import Path

    import loopback_modal

    require_executable("openssl", "apt-get install openssl")
    directory = Path(tempfile.mkdtemp(prefix="modal-stand-in-"))
    server = loopback_modal.ModalServer(loopback_modal.make_certificate(directory), directory)
    # The sandbox's websocket is opened at its first cell, long after construction: trusted for good.
    os.environ["WEBSOCKET_CLIENT_CA_BUNDLE"] = str(server.certificate)
    return server


def _e2b(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    from smolagents.remote_executors import E2BExecutor

    url = service("e2b").url
    return E2BExecutor([], timeout_seconds=timeout, debug=True, sandbox_url=url, api_key="e2b_test", **kwargs)


def _blaxel(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    os.environ.setdefault("BL_API_KEY", "test-key")
    os.environ.setdefault("BL_WORKSPACE", "test-workspace")
    from smolagents.remote_executors import BlaxelExecutor

    return BlaxelExecutor([], timeout_seconds=timeout, api_url=service("gateway").url, **kwargs)


def _modal(timeout: float, imports: list[str], **kwargs: Any) -> Any:
    from smolagents.remote_executors import ModalExecutor

    server = service("modal")
    settings = {
        "MODAL_SERVER_URL": server.url,
        "MODAL_TOKEN_ID": "ak-loopback",
        "MODAL_TOKEN_SECRET": "as-loopback",
        "MODAL_CONFIG_PATH": str(server.certificate.with_name("modal.toml")),
        "SSL_CERT_FILE": str(server.certificate),  # the tunnel is HTTPS, with the stand-in's certificate
    }
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        return ModalExecutor([], timeout_seconds=timeout, **kwargs)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_CLOUD = {"tools_on_host": False, "holds_processes": False}

KINDS: dict[str, Kind] = {
    "local": Kind("local", _local, has_boundary=False, holds_processes=False),
    "isolated": Kind("isolated", _isolated("interpreter"), held=_worker_pids),
    "isolated-python": Kind("isolated-python", _isolated("python"), held=_worker_pids),
    "docker": Kind("docker", _docker, held=_container_ids, is_alive=_container_exists, shared=True),
    "wasm": Kind("wasm", _wasm, held=_worker_pids, has_data_libraries=False, shared=True),
    "e2b": Kind("e2b", _e2b, **_CLOUD),
    "blaxel": Kind("blaxel", _blaxel, **_CLOUD),
    "modal": Kind("modal", _modal, **_CLOUD),
}
