"""Retries with backoff, rate limiting, and the mapping of provider failures into our errors.

Backends classify an SDK exception into a `ProviderFailure` (from its exception type and status
code, never from message text); `call_with_retries` retries the retryable kinds with exponential
backoff and jitter (or the server's Retry-After), then raises one `ModelProviderError`.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from .._errors import ModelProviderError

__all__ = [
    "FailureKind",
    "ProviderFailure",
    "RateLimiter",
    "RetryPolicy",
    "acall_with_retries",
    "call_with_retries",
    "failure_from_status",
    "parse_retry_after",
]

T = TypeVar("T")

FailureKind = Literal[
    "auth", "not_found", "bad_request", "rate_limit", "server", "timeout", "connection", "malformed", "other"
]
_RETRYABLE_KINDS: frozenset[str] = frozenset({"rate_limit", "server", "timeout", "connection"})


@dataclass(frozen=True)
class ProviderFailure:
    """What a failed provider call amounts to, read from the SDK's exception.

    Attributes:
        kind: The class of failure; decides whether it is retried and what fix the error suggests.
        status_code: The HTTP status, when the provider answered with one.
        retry_after: Seconds the provider asked us to wait (Retry-After header), if it said.
        detail: The provider's own description of the failure, shown to the user.
    """

    kind: FailureKind
    status_code: int | None = None
    retry_after: float | None = None
    detail: str = ""

    @property
    def is_retryable(self) -> bool:
        """Whether a later attempt may succeed (rate limit, server error, timeout, connection)."""
        return self.kind in _RETRYABLE_KINDS


def failure_from_status(
    status_code: int, detail: str = "", retry_after: float | None = None
) -> ProviderFailure:
    """Classify an HTTP error status."""
    kind: FailureKind
    if status_code in (401, 403):
        kind = "auth"
    elif status_code == 404:
        kind = "not_found"
    elif status_code in (408, 504):
        kind = "timeout"
    elif status_code == 429:
        kind = "rate_limit"
    elif status_code >= 500:
        kind = "server"
    elif status_code >= 400:
        kind = "bad_request"
    else:
        kind = "other"
    return ProviderFailure(kind, status_code, retry_after, detail)


def parse_retry_after(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds (HTTP dates are ignored: we back off instead)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    """How transient provider failures are retried.

    Args:
        max_attempts: Total attempts, the first included (1 disables retries).
        initial_delay: Seconds before the second attempt; later waits grow by `multiplier`.
        multiplier: Growth factor of the wait between attempts.
        max_delay: Upper bound of one computed wait.
        jitter: Fraction of each wait drawn at random (0.5 waits 50-150% of it), so that
            clients failing together do not retry together.
        max_retry_after: Upper bound honoured for a server's Retry-After.
    """

    max_attempts: int = 4
    initial_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 0.5
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}.")
        if self.initial_delay < 0 or self.max_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("RetryPolicy delays must be >= 0 and jitter between 0 and 1.")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the seconds to wait after failed attempt number `attempt` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        base = min(self.initial_delay * self.multiplier ** (attempt - 1), self.max_delay)
        return base * (1 + random.uniform(-self.jitter, self.jitter))


NO_RETRY = RetryPolicy(max_attempts=1)


class RateLimiter:
    """Space calls evenly so that at most `requests_per_minute` start in any minute.

    Safe to share between threads and event loops: a slot is reserved under a lock, and the
    wait happens outside it (`time.sleep` in `acquire`, `asyncio.sleep` in `aacquire`).
    """

    def __init__(self, requests_per_minute: float | None = None) -> None:
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError(
                f"requests_per_minute must be a positive number or None (no limit), got {requests_per_minute}."
            )
        self.requests_per_minute = requests_per_minute
        self._interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def _reserve(self) -> float:
        if not self._interval:
            return 0.0
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        return slot - now

    def acquire(self) -> None:
        """Block until the next call may start."""
        wait = self._reserve()
        if wait > 0:
            time.sleep(wait)

    async def aacquire(self) -> None:
        """Wait, without blocking the event loop, until the next call may start."""
        wait = self._reserve()
        if wait > 0:
            await asyncio.sleep(wait)


Classifier = Callable[[BaseException], "ProviderFailure | None"]
ErrorFactory = Callable[[ProviderFailure, int], ModelProviderError]


def call_with_retries(
    call: Callable[[], T],
    classify: Classifier,
    make_error: ErrorFactory,
    policy: RetryPolicy,
    limiter: RateLimiter | None = None,
) -> T:
    """Run `call`, retrying failures that `classify` calls retryable.

    Exceptions `classify` does not recognise (returns None for) propagate unchanged.

    Raises:
        ModelProviderError: From `make_error`, once attempts are exhausted or the failure is final.
    """
    attempt = 0
    while True:
        attempt += 1
        if limiter is not None:
            limiter.acquire()
        try:
            return call()
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            if not (failure.is_retryable and attempt < policy.max_attempts):
                raise make_error(failure, attempt) from exc
            wait = policy.delay(attempt, failure.retry_after)
        time.sleep(wait)


async def acall_with_retries(
    call: Callable[[], Awaitable[T]],
    classify: Classifier,
    make_error: ErrorFactory,
    policy: RetryPolicy,
    limiter: RateLimiter | None = None,
) -> T:
    """Async twin of `call_with_retries`: waits with `asyncio.sleep`."""
    attempt = 0
    while True:
        attempt += 1
        if limiter is not None:
            await limiter.aacquire()
        try:
            return await call()
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            if not (failure.is_retryable and attempt < policy.max_attempts):
                raise make_error(failure, attempt) from exc
            wait = policy.delay(attempt, failure.retry_after)
        await asyncio.sleep(wait)
