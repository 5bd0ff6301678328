"""DockerExecutor: plain CPython in a container with no network, talking over the attach stream.

The container runs ``python3 -c BOOT_CODE`` (see bootstrap.py): no port is published and no file is
copied in, so it works with ``network_mode="none"`` and a read-only root. Tools stay on the host and
are called back over the stream. The container is removed on cleanup.
"""

from __future__ import annotations

import os
import select
import struct
import time
from io import BytesIO
from typing import Any

from .bootstrap import BOOT_CODE, boot_line
from .errors import SandboxError, SandboxUnavailableError
from .streamed import LineBuffer, StreamedExecutor

__all__ = ["DockerExecutor"]

LABEL = "smolagents.executor"
"""Label on every container the executor starts (to find leftovers); its value is the host's process id."""
_DEFAULT_DOCKERFILE = "FROM python:3.12-slim\nRUN pip install --no-cache-dir numpy pandas pillow\n"


class _DockerConnection:
    """The kernel in a container: stdin and demultiplexed stdout/stderr of its attach socket."""

    def __init__(self, container: Any, socket_io: Any) -> None:
        self.container = container
        self._socket_io = socket_io
        self._socket = getattr(socket_io, "_sock", socket_io)
        self._frames = bytearray()
        self._lines = LineBuffer()
        self._stderr = bytearray()

    def send_line(self, line: bytes) -> None:
        try:
            self._socket.sendall(line + b"\n")
        except OSError as error:
            raise SandboxError("The container stopped reading its input.") from error

    def read_line(self, deadline: float | None) -> bytes | None:
        while (line := self._lines.pop_line()) is None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            if not select.select([self._socket], [], [], remaining)[0]:
                continue
            chunk = self._socket.recv(1 << 20)
            if not chunk:
                return None
            self._frames += chunk
            self._split_frames()
        return line

    def _split_frames(self) -> None:
        # Docker multiplexes a non-TTY attach: 8-byte headers (stream, 0, 0, 0, big-endian size).
        while len(self._frames) >= 8:
            stream, size = self._frames[0], struct.unpack(">I", self._frames[4:8])[0]
            if len(self._frames) < 8 + size:
                return
            payload = bytes(self._frames[8 : 8 + size])
            del self._frames[: 8 + size]
            if stream == 1:
                self._lines.feed(payload)
            else:
                self._stderr = (self._stderr + payload)[-4000:]

    def kill(self) -> None:
        try:
            self._socket_io.close()
            self._socket.close()
        finally:
            try:
                self.container.remove(force=True)
            except Exception as error:  # already gone is fine; anything else is worth knowing
                if "No such container" not in str(error) and "is already in progress" not in str(error):
                    raise

    def exit_reason(self) -> str:
        try:
            self.container.wait(timeout=5)
            self.container.reload()
            state = self.container.attrs.get("State", {})
        except Exception:
            return "it stopped answering"
        if state.get("OOMKilled"):
            return "it ran out of memory (killed by the memory limit)"
        tail = self._stderr.decode(errors="replace").strip()
        status = f"the container exited with status {state.get('ExitCode')}"
        return status + (f"; its last error output:\n{tail[-1500:]}" if tail else "")


class DockerExecutor(StreamedExecutor):
    """Run model code with plain CPython in a Docker container without network.

    Args:
        additional_imports: Packages the code needs; installed with pip when the image is built
            (the container itself has no network to install anything).
        logger: The agent's logger, or None.
        allow_pickle: See `RemotePythonExecutor`.
        host: Accepted for compatibility with 1.26; unused (no port is published).
        port: Accepted for compatibility with 1.26; unused.
        image_name: The image to run (it needs `python3`; numpy, pandas and PIL for those values).
        build_new_image: Build `image_name` from `dockerfile_content` even if it exists.
        container_run_kwargs: Extra arguments for `containers.create` (override the defaults below).
        dockerfile_content: The Dockerfile to build (default: python:3.12-slim with numpy, pandas, pillow).
        timeout_seconds: Limit of one call (see `StreamedExecutor`).
        max_print_outputs_length: Characters of print output kept per call.
        mem_limit: Memory limit of the container.
        cpus: CPUs the container may use.
        pids_limit: Processes the container may run.
        base_url: The Docker engine's address (default: the environment, like `docker.from_env()`).
    """

    def __init__(
        self,
        additional_imports: list[str],
        logger: Any = None,
        allow_pickle: bool = False,
        host: str = "127.0.0.1",
        port: int = 8888,
        image_name: str = "smolagents-executor",
        build_new_image: bool = True,
        container_run_kwargs: dict[str, Any] | None = None,
        dockerfile_content: str | None = None,
        timeout_seconds: float | None = 30,
        max_print_outputs_length: int | None = None,
        mem_limit: str = "1g",
        cpus: float = 1.0,
        pids_limit: int = 128,
        base_url: str | None = None,
    ) -> None:
        super().__init__(additional_imports, logger, allow_pickle, timeout_seconds)
        try:
            import docker
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                "Please install 'docker' extra to use DockerExecutor: `pip install 'smolagents[docker]'`"
            ) from error
        self.host, self.port, self.image_name = host, port, image_name
        self.max_print_outputs_length = max_print_outputs_length
        address = base_url or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        if address.startswith("unix://") and not os.path.exists(address[len("unix://") :]):
            raise SandboxUnavailableError(
                f"Could not connect to the Docker engine: there is no socket at {address}. Make sure Docker is "
                "running (and DOCKER_HOST points at it), or run scripts/system/40-docker.sh."
            )
        try:
            self.client = docker.DockerClient(base_url=base_url) if base_url else docker.from_env()
            self.client.ping()
        except docker.errors.DockerException as error:
            if getattr(self, "client", None) is not None:
                self.client.close()
                del self.client
            raise SandboxUnavailableError(
                f"Could not connect to the Docker engine ({error}): make sure Docker is running (and DOCKER_HOST "
                "points at it), or run scripts/system/40-docker.sh."
            ) from error
        self._run_kwargs = {
            "network_mode": "none",
            "mem_limit": mem_limit,
            "nano_cpus": int(cpus * 1e9),
            "pids_limit": pids_limit,
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "read_only": True,
            "tmpfs": {"/tmp": "size=64m"},
            "user": "65534:65534",
            "working_dir": "/tmp",
            **(container_run_kwargs or {}),
        }
        try:
            self._ensure_image(build_new_image, dockerfile_content)
            self.start()
        except BaseException:
            self.cleanup()
            raise

    def _ensure_image(self, build_new_image: bool, dockerfile_content: str | None) -> None:
        import docker

        if not build_new_image:
            try:
                self.client.images.get(self.image_name)
                return
            except docker.errors.ImageNotFound:
                self._log(f"Image {self.image_name} not found, building it.")
        dockerfile = dockerfile_content or _DEFAULT_DOCKERFILE
        if self.additional_imports:
            dockerfile += f"\nRUN pip install --no-cache-dir {' '.join(self.additional_imports)}\n"
        try:
            self.client.images.build(fileobj=BytesIO(dockerfile.encode()), tag=self.image_name, rm=True)
        except docker.errors.BuildError as error:
            log = "".join(str(chunk.get("stream", chunk.get("error", ""))) for chunk in error.build_log)[
                -1500:
            ]
            raise SandboxUnavailableError(
                f"Building image {self.image_name!r} failed: {error}\n{log}"
            ) from error
        self.installed_packages = list(self.additional_imports)

    def _connect(self) -> _DockerConnection:
        kernel_args = {"max_print_outputs_length": self.max_print_outputs_length}
        container = self.client.containers.create(
            self.image_name,
            command=["python3", "-u", "-c", BOOT_CODE],
            stdin_open=True,
            tty=False,
            detach=True,
            labels={LABEL: str(os.getpid())},  # whose leftovers: engines are shared
            **self._run_kwargs,
        )
        try:
            params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            socket_io = self.client.api.attach_socket(container.id, params=params)
            connection = _DockerConnection(container, socket_io)
            container.start()
            connection.send_line(boot_line(kernel_args))
        except BaseException:
            container.remove(force=True)
            raise
        return connection

    def _close(self) -> None:
        super()._close()
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
