"""A stand-in for Modal's API on 127.0.0.1: the gRPC services `ModalExecutor` uses, and its sandbox.

The `modal` SDK reads its server from ``MODAL_SERVER_URL`` and speaks gRPC (grpclib) with the
protobufs it ships (`modal_proto`), so this servicer answers with those same messages. It serves
only the calls a sandbox's life takes (app and environment lookup, image build, auth token, create,
terminate); any other call fails as UNIMPLEMENTED, so a change in the SDK's calls shows up as a clear
failure. The sandbox itself is a Jupyter kernel gateway (loopback_services.GatewayServer) behind
TLS, as Modal's encrypted tunnels are: the test trusts a certificate made for 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from loopback_services import GatewayServer

_OK = {"status": 1}  # GenericResult.GENERIC_STATUS_SUCCESS


def make_certificate(directory: Path) -> Path:
    """Write a self-signed certificate and key for 127.0.0.1 into `directory`; return the PEM holding both."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert


class ModalServer:
    """Modal's control plane on a loopback port; each sandbox created is a TLS kernel gateway.

    Attributes:
        url: What ``MODAL_SERVER_URL`` must be.
        certificate: The certificate the sandboxes' TLS uses (trust it to reach them).
        calls: Every call received, as (method name, request message).
        sandboxes: The gateways of the sandboxes not terminated yet, by sandbox id.
    """

    def __init__(self, certificate: Path, directory: Path) -> None:
        import grpclib.server

        self.certificate, self._directory = certificate, directory
        self.calls: list[tuple[str, Any]] = []
        self.sandboxes: dict[str, Any] = {}
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(certificate, certificate.with_name("key.pem"))
        self._loop = asyncio.new_event_loop()

        async def start() -> Any:
            server = grpclib.server.Server([self._servicer()])
            await server.start("127.0.0.1", 0)
            return server

        self._server = self._loop.run_until_complete(start())
        self.url = f"http://127.0.0.1:{self._server._server.sockets[0].getsockname()[1]}"
        self._thread = threading.Thread(target=self._loop.run_forever, name="modal-stand-in", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the server and every sandbox still running."""

        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()
        for gateway in self.sandboxes.values():
            gateway.stop()
        self.sandboxes.clear()
        shutil.rmtree(self._directory, ignore_errors=True)

    @property
    def kernels(self) -> dict[str, Any]:
        """The kernels of the sandboxes still running, by id."""
        return {key: kernel for gateway in self.sandboxes.values() for key, kernel in gateway.kernels.items()}

    def names(self) -> list[str]:
        """The names of the calls received, in order."""
        return [name for name, _ in self.calls]

    # -- the services ---------------------------------------------------------------------------------
    def _answers(self) -> dict[str, Any]:
        token_claims = base64.urlsafe_b64encode(json.dumps({"exp": time.time() + 3600}).encode()).decode()
        return {
            "AppGetOrCreate": lambda request: {"app_id": "ap-loopback"},
            "EnvironmentGetOrCreate": lambda request: {
                "environment_id": "en-loopback",
                "metadata": {"name": "main", "settings": {"image_builder_version": "2024.10"}},
            },
            "ImageGetOrCreate": lambda request: {"image_id": f"im-{len(self.calls)}", "result": _OK},
            "AuthTokenGet": lambda request: {"token": f"e30.{token_claims.rstrip('=')}.unsigned"},
            "SandboxCreateV2": self._create,
            "SandboxTerminateV2": self._terminate,
        }

    def _create(self, request: Any) -> dict[str, Any]:
        gateway = GatewayServer(tls=self._tls)
        sandbox_id = f"sb-{len(self.sandboxes) + len(self.calls)}"
        self.sandboxes[sandbox_id] = gateway
        ports = [port.port for port in request.definition.open_ports.ports]
        tunnels = [
            {"container_port": port, "host": "127.0.0.1", "port": gateway.server_address[1]} for port in ports
        ]
        return {"sandbox_id": sandbox_id, "task_id": "ta-loopback", "tunnels": tunnels}

    def _terminate(self, request: Any) -> dict[str, Any]:
        gateway = self.sandboxes.pop(request.sandbox_id, None)
        if gateway is not None:
            gateway.stop()
        return {}

    def _servicer(self) -> Any:
        import grpclib.const
        from google.protobuf.json_format import ParseDict
        from grpclib.exceptions import GRPCError
        from modal_proto import api_grpc

        answers = self._answers()
        replies = {path.rsplit("/", 1)[1]: handler.reply_type for path, handler in _mapping().items()}
        server = self

        def method(name: str) -> Any:
            async def handle(self: Any, stream: Any) -> None:
                request = await stream.recv_message()
                server.calls.append((name, request))
                if name not in answers:
                    raise GRPCError(grpclib.const.Status.UNIMPLEMENTED, f"the stand-in does not serve {name}")
                await stream.send_message(ParseDict(answers[name](request), replies[name]()))

            return handle

        methods = {name: method(name) for name in api_grpc.ModalClientBase.__abstractmethods__}
        return type("ModalStandIn", (api_grpc.ModalClientBase,), methods)()


def _mapping() -> dict[str, Any]:
    from modal_proto import api_grpc

    class _Names(api_grpc.ModalClientBase):
        pass

    _Names.__abstractmethods__ = frozenset()
    mapping: dict[str, Any] = _Names().__mapping__()
    return mapping
