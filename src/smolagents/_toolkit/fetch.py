"""Fetch a URL for a tool, within the limits every request made on a model's behalf needs.

Every request has a timeout, reads at most `max_bytes` of body, follows a bounded number of
redirects (each one checked again), and fails with a `FetchError` whose message is one sentence
the model can act on ("HTTP 404 (Not Found) for URL ...", "... timed out after 20 s").

Addresses: a URL the model chose (a page to visit) may point at this machine's private services
(cloud metadata at 169.254.169.254, an admin panel on localhost). With
``allow_private_addresses=False`` the host is resolved first and refused when any of its
addresses is loopback, private, link-local or otherwise not public; redirects are checked the same
way. Search endpoints the user configured are trusted and skip that check. The check does not stop
a DNS server that answers differently a moment later (rebinding); a proxy that enforces the policy
is the answer where that matters.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

__all__ = ["FetchError", "FetchLimits", "Fetched", "fetch", "import_httpx", "require_modules"]

_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_USER_AGENT = "Mozilla/5.0 (compatible; smolagents; +https://github.com/huggingface/smolagents)"


class FetchError(Exception):
    """A request failed; the message is one sentence for the model, never a traceback."""


@dataclass(frozen=True)
class FetchLimits:
    """Limits on one fetch.

    Attributes:
        timeout_seconds: Limit for connecting and for each read.
        max_bytes: Most body bytes read (after decompression); the rest is dropped.
        max_redirects: Most redirects followed.
        allow_private_addresses: Whether the URL may resolve to loopback, private or link-local
            addresses. False for URLs the model chose.
    """

    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private_addresses: bool = True


@dataclass(frozen=True)
class Fetched:
    """A response body read within the limits.

    Attributes:
        url: The URL finally read, after redirects.
        status: The HTTP status.
        media_type: The Content-Type without parameters, lower case ("" when absent).
        charset: The charset from the Content-Type, when given.
        body: The bytes read.
        is_truncated: Whether the body was longer than `max_bytes` and cut.
    """

    url: str
    status: int
    media_type: str
    charset: str | None
    body: bytes
    is_truncated: bool

    def text(self) -> str:
        """Return the body decoded with its charset (UTF-8 by default), replacing bad bytes."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name from the server
            return self.body.decode("utf-8", errors="replace")


def require_modules(tool_name: str, *modules: str) -> None:
    """Check (without importing them) that a tool's libraries are installed.

    Raises:
        ImportError: Naming the missing library and the extra that installs it.
    """
    import importlib.util

    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        raise ImportError(f"{tool_name} needs {', '.join(missing)}: pip install 'smolagents[toolkit]'.")


def import_httpx() -> Any:
    """Import httpx, or say which extra installs it.

    Returns:
        The httpx module (typed Any: it is an optional dependency).
    """
    try:
        import httpx
    except ImportError as error:
        raise ImportError("The web tools need httpx: pip install 'smolagents[toolkit]'.") from error
    return httpx


async def fetch(
    url: str,
    limits: FetchLimits,
    *,
    method: str = "GET",
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    must_be_complete: bool = False,
    accept_error_status: bool = False,
) -> Fetched:
    """Request `url` and read its body within `limits`.

    Args:
        url: An absolute http(s) URL.
        limits: Timeout, size, redirect and address limits.
        method: The HTTP method; a redirect to another method (303) turns it into GET.
        params: Query parameters added to the first request.
        headers: Extra request headers.
        json_body: A JSON body for the first request.
        must_be_complete: Fail instead of truncating a body longer than `max_bytes` (for JSON or
            XML, which cannot be parsed in part).
        accept_error_status: Return 4xx/5xx responses instead of failing (an API's error body
            says more than its status).

    Raises:
        FetchError: For a malformed URL, a refused address, a network failure, a timeout, too many
            redirects, an HTTP error status or (with `must_be_complete`) a body over the limit.
    """
    httpx = import_httpx()
    _check_url(url)
    request_headers = {"User-Agent": _USER_AGENT, **(headers or {})}
    timeout = httpx.Timeout(limits.timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, headers=request_headers) as client:
        for _ in range(limits.max_redirects + 1):
            if not limits.allow_private_addresses:
                await _check_public_address(url)
            try:
                fetched, location = await _read_one(client, method, url, params, json_body, limits)
            except httpx.TimeoutException:
                raise FetchError(
                    f"The request to {url} timed out after {limits.timeout_seconds:g} s."
                ) from None
            except httpx.InvalidURL as error:
                raise FetchError(f"{url!r} is not a valid web address ({error}).") from None
            except httpx.HTTPError as error:
                raise FetchError(f"Could not reach {url}: {_reason(error)}.") from None
            if location is None:
                return _accepted(fetched, limits, must_be_complete, accept_error_status)
            url = urljoin(url, location)
            _check_url(url)
            if fetched.status == 303 or (fetched.status in (301, 302) and method == "POST"):
                method, json_body = "GET", None
            params = None  # they are part of the redirect target already
    raise FetchError(f"{url} redirected more than {limits.max_redirects} times; stopped following.")


async def _read_one(
    client: Any,
    method: str,
    url: str,
    params: dict[str, Any] | None,
    json_body: Any,
    limits: FetchLimits,
) -> tuple[Fetched, str | None]:
    """Send one request; return the body read and the redirect target, if any."""
    async with client.stream(method, url, params=params, json=json_body) as response:
        location = response.headers.get("location")
        if response.status_code in _REDIRECT_STATUSES and location:
            return _fetched(response, b"", False), location
        chunks: list[bytes] = []
        size = 0
        is_truncated = False
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limits.max_bytes:
                is_truncated = True
                break
        body = b"".join(chunks)[: limits.max_bytes]
        return _fetched(response, body, is_truncated), None


def _fetched(response: Any, body: bytes, is_truncated: bool) -> Fetched:
    content_type = response.headers.get("content-type", "")
    media_type, _, parameters = content_type.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        key, _, value = parameter.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip().strip('"')
    return Fetched(
        url=str(response.url),
        status=response.status_code,
        media_type=media_type.strip().lower(),
        charset=charset,
        body=body,
        is_truncated=is_truncated,
    )


def _accepted(
    fetched: Fetched, limits: FetchLimits, must_be_complete: bool, accept_error_status: bool
) -> Fetched:
    if fetched.status >= 400 and not accept_error_status:
        raise FetchError(f"HTTP {fetched.status} ({_status_phrase(fetched.status)}) for URL {fetched.url}.")
    if fetched.is_truncated and must_be_complete:
        raise FetchError(
            f"The response from {fetched.url} is larger than {limits.max_bytes:,} bytes; stopped reading."
        )
    return fetched


def _check_url(url: str) -> None:
    if not isinstance(url, str) or not url.strip():
        raise FetchError("The URL is empty: give a full address such as https://example.com/page.")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        shown = f"'{parts.scheme}'" if parts.scheme else "no scheme"
        raise FetchError(f"{url!r} is not a web address ({shown}): give a full http:// or https:// URL.")
    if not parts.hostname:
        raise FetchError(f"{url!r} has no host name: give a full address such as https://example.com/page.")


async def _check_public_address(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(
            f"Could not reach {url}: the host name {host!r} does not resolve ({error})."
        ) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise FetchError(
                f"Refused to fetch {url}: {host} is a private, loopback or link-local address ({address}), "
                "which this tool is not allowed to reach."
            )


def _reason(error: Exception) -> str:
    """Name the network failure behind an httpx error from the exceptions it wraps."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(seen, ConnectionRefusedError):
            return "the connection was refused"
        if isinstance(seen, ssl.SSLError):
            return f"the TLS handshake failed ({seen.reason or seen})"
        seen = seen.__cause__ or seen.__context__
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


def _status_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "unknown status"
