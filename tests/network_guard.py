"""Refuse connections to anything but loopback for the whole test session."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any


class NetworkAccessDenied(RuntimeError):
    """A test tried to reach an address outside loopback."""


_violations: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths and other local families
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: only loopback literals are allowed


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        _violations.append(repr(address))
        raise NetworkAccessDenied(f"Tests must not reach {address!r}: only loopback addresses are allowed.")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]  # the guard itself
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
