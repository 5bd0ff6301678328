"""The suite's network guard refuses non-loopback addresses and lets loopback through."""

from __future__ import annotations

import socket

import pytest

from network_guard import NetworkAccessDenied, _violations


def test_guard_refuses_a_public_address() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkAccessDenied):
            sock.connect(("93.184.216.34", 80))
    finally:
        sock.close()
        _violations.clear()  # this test provoked the violation on purpose


def test_guard_allows_loopback() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
        conn, _ = server.accept()
        conn.close()
    finally:
        client.close()
        server.close()
