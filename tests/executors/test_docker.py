"""DockerExecutor against a real engine (scripts/system/40-docker.sh): confinement and lifecycle."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from kinds import DOCKER_IMAGE, DOCKER_SOCKET, docker_client

from smolagents.local_python_executor import InterpreterError
from smolagents.remote_executors import DockerExecutor, SandboxError, SandboxUnavailableError


@pytest.fixture
def client() -> Iterator[Any]:
    engine = docker_client()
    yield engine
    engine.close()


def make(**kwargs: Any) -> DockerExecutor:
    options: dict[str, Any] = {
        "image_name": DOCKER_IMAGE,
        "build_new_image": False,
        "base_url": DOCKER_SOCKET,
    }
    return DockerExecutor([], **(options | kwargs))


def test_the_container_has_no_network_limits_and_a_read_only_root(client: Any) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with make(mem_limit="256m", cpus=0.5, pids_limit=32) as executor:
            config = client.api.inspect_container(executor._connection.container.id)["HostConfig"]
            assert config["NetworkMode"] == "none"
            assert config["Memory"] == 256 * 2**20 and config["NanoCpus"] == 5 * 10**8
            assert config["PidsLimit"] == 32 and config["ReadonlyRootfs"] is True
            assert config["CapDrop"] == ["ALL"]
            code = f"import socket\nsocket.create_connection(('127.0.0.1', {server.getsockname()[1]}), timeout=3)"
            with pytest.raises(InterpreterError, match=r"OSError|unreachable|refused"):
                executor(code)
            with pytest.raises(InterpreterError, match="Read-only file system"):
                executor("open('/usr/planted', 'w')")
            assert executor("import os\nos.getuid()").output == 65534


def test_a_crashed_container_is_replaced_and_the_code_is_told(client: Any) -> None:
    with make() as executor:
        executor.send_variables({"given": 7})
        executor("mine = 1")
        first = executor._connection.container.id
        with pytest.raises(SandboxError, match="lost"):
            executor("import ctypes\nctypes.string_at(0)")
        assert executor("given").output == 7
        with pytest.raises(InterpreterError, match="NameError"):
            executor("mine")
        assert executor._connection.container.id != first
    assert not client.containers.list(all=True, filters={"id": first})


def test_an_image_can_be_built_from_a_dockerfile(client: Any) -> None:
    tag = "smolagents-test/built:latest"
    try:
        with make(
            image_name=tag, build_new_image=True, dockerfile_content=f"FROM {DOCKER_IMAGE}\n"
        ) as executor:
            assert executor("import sys\nsys.version_info[0]").output == 3
    finally:
        client.images.remove(tag, force=True)


def test_an_unreachable_engine_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(SandboxUnavailableError, match="Docker engine"):
        make(base_url=f"unix://{tmp_path}/nothing.sock")


def test_cleanup_removes_the_container(client: Any) -> None:
    with make() as executor:
        executor("1")
        container_id = executor._connection.container.id
    assert client.containers.list(all=True, filters={"id": container_id}) == []
