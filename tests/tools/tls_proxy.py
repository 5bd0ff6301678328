"""An HTTPS-intercepting proxy on 127.0.0.1 that answers every tunnelled request itself.

For libraries that only take a proxy setting (ddgs, whose HTTP client is written in Rust): the
client asks to CONNECT to the real host; the proxy accepts, speaks TLS with a self-signed
certificate made for the test (the client is told not to verify), and serves the page the test
chose. Nothing leaves the machine: the proxy never connects anywhere.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path

# (host, request line, body) -> (status, content type, body); status 0 hangs up without answering.
Answer = Callable[[str, str, bytes], tuple[int, str, bytes]]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loopback test proxy")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class InterceptingProxy:
    def __init__(self, folder: Path, answer: Answer) -> None:
        cert, key = self_signed_certificate(folder)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.context.set_alpn_protocols(["http/1.1"])
        self.answer = answer
        self.requests: list[tuple[str, str]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._tunnel, args=(connection,), daemon=True).start()

    def _tunnel(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(30)
            head, _ = _read_head(connection)
            method, target = head.split(" ")[:2]
            if method != "CONNECT":
                connection.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host = target.split(":")[0]
            connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            try:
                with self.context.wrap_socket(connection, server_side=True) as tls:
                    self._serve(tls, host)
            except (ssl.SSLError, OSError):
                return

    def _serve(self, tls: ssl.SSLSocket, host: str) -> None:
        head, body = _read_head(tls)
        lines = head.split("\r\n")
        length = next(
            (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0
        )
        while len(body) < length:
            body += tls.recv(length - len(body))
        self.requests.append((host, lines[0]))
        status, content_type, payload = self.answer(host, lines[0], body)
        if status == 0:
            return  # hang up without answering
        tls.sendall(
            f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + payload
        )


def _read_head(connection: socket.socket) -> tuple[str, bytes]:
    """Read up to the blank line; return the head and the bytes of the body already received."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest
