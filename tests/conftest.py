"""Suite-wide guards: no network beyond loopback, an isolated Hugging Face cache."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

# Isolate every cache a provider SDK may write to, before any of them is imported.
_SESSION_HOME = tempfile.mkdtemp(prefix="smolagents-tests-")
os.environ["HF_HOME"] = os.path.join(_SESSION_HOME, "hf")
os.makedirs(os.path.join(os.environ["HF_HOME"], "hub"), exist_ok=True)
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["TOKENIZERS_PARALLELISM"] = "false"


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


@pytest.fixture(autouse=True)
def _no_network_beyond_loopback() -> Iterator[None]:
    """Fail the test if it tried to connect outside loopback, even if the error was swallowed."""
    start = len(_violations)
    yield
    attempted = _violations[start:]
    if attempted:
        pytest.fail(f"test tried to reach non-loopback addresses: {attempted}")
