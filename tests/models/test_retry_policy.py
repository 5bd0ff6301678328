"""Retry policy, rate limiter and client-side stop sequences (pure parts of the HTTP backends)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smolagents._errors import ModelProviderError
from smolagents.models._retry import (
    ProviderFailure,
    RateLimiter,
    RetryPolicy,
    acall_with_retries,
    call_with_retries,
    failure_from_status,
    parse_retry_after,
)
from smolagents.models._stops import StopSequenceCutter, cut_at_stop_sequences


class Flaky(Exception):
    """A failure our test classifier calls retryable."""


class Fatal(Exception):
    """A failure our test classifier calls final."""


def classify(error: BaseException) -> ProviderFailure | None:
    if isinstance(error, Flaky):
        return ProviderFailure("server", 503, detail="flaky")
    if isinstance(error, Fatal):
        return ProviderFailure("auth", 401, detail="fatal")
    return None


def make_error(failure: ProviderFailure, attempts: int) -> ModelProviderError:
    return ModelProviderError(
        f"{failure.detail} x{attempts}", status_code=failure.status_code, is_retryable=failure.is_retryable
    )


def failing(times: int, error: type[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error()
        return "ok"

    return calls, call


FAST = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.002)


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (401, "auth", False),
        (403, "auth", False),
        (404, "not_found", False),
        (400, "bad_request", False),
        (422, "bad_request", False),
        (408, "timeout", True),
        (429, "rate_limit", True),
        (500, "server", True),
        (503, "server", True),
        (504, "timeout", True),
    ],
)
def test_status_codes_map_to_failure_kinds(status: int, kind: str, retryable: bool) -> None:
    failure = failure_from_status(status)
    assert failure.kind == kind
    assert failure.is_retryable is retryable


def test_retry_after_header_is_read_in_seconds_only() -> None:
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("-1") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_within_jitter_and_cap() -> None:
    policy = RetryPolicy(initial_delay=1.0, multiplier=2.0, max_delay=5.0, jitter=0.25)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(base * 0.75 <= d <= base * 1.25 for d in delays)
    assert len({policy.delay(1) for _ in range(20)}) > 1  # jitter really varies


def test_retry_after_overrides_backoff_up_to_its_cap() -> None:
    policy = RetryPolicy(initial_delay=10.0, max_retry_after=3.0)
    assert policy.delay(1, retry_after=0.5) == 0.5
    assert policy.delay(1, retry_after=100.0) == 3.0


def test_invalid_policy_is_rejected_with_the_reason() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=2)


def test_retryable_failures_are_retried_until_success() -> None:
    calls, call = failing(2, Flaky)
    assert call_with_retries(call, classify, make_error, FAST) == "ok"
    assert len(calls) == 3


def test_attempts_are_bounded_and_the_error_counts_them() -> None:
    calls, call = failing(10, Flaky)
    with pytest.raises(ModelProviderError, match="flaky x4") as caught:
        call_with_retries(call, classify, make_error, FAST)
    assert len(calls) == 4
    assert isinstance(caught.value.__cause__, Flaky)


def test_final_failures_are_not_retried() -> None:
    calls, call = failing(1, Fatal)
    with pytest.raises(ModelProviderError, match="fatal x1"):
        call_with_retries(call, classify, make_error, FAST)
    assert len(calls) == 1


def test_unrecognised_exceptions_propagate_unchanged() -> None:
    calls, call = failing(1, KeyError)
    with pytest.raises(KeyError):
        call_with_retries(call, classify, make_error, FAST)
    assert len(calls) == 1


async def test_async_retries_wait_without_blocking_the_loop() -> None:
    calls, call = failing(2, Flaky)
    ticks: list[float] = []

    async def ticker() -> None:
        for _ in range(5):
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def flaky_call() -> str:
        return call()

    policy = RetryPolicy(max_attempts=3, initial_delay=0.03, jitter=0)
    result, _ = await asyncio.gather(acall_with_retries(flaky_call, classify, make_error, policy), ticker())
    assert result == "ok" and len(calls) == 3
    assert len(ticks) == 5  # the ticker ran while we were backing off


def test_rate_limiter_spaces_calls_across_threads() -> None:
    limiter = RateLimiter(requests_per_minute=1200)  # 50 ms apart
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        limiter.acquire()
        with lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= 0.045 for gap in gaps), gaps


async def test_rate_limiter_spaces_concurrent_coroutines() -> None:
    limiter = RateLimiter(requests_per_minute=1200)
    starts: list[float] = []

    async def worker() -> None:
        await limiter.aacquire()
        starts.append(time.monotonic())

    await asyncio.gather(*(worker() for _ in range(4)))
    assert max(starts) - min(starts) >= 0.14


def test_rate_limiter_without_limit_never_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    limiter = RateLimiter(None)
    for _ in range(1000):
        limiter.acquire()
    assert waits == []


def test_rate_limiter_rejects_non_positive_rates() -> None:
    with pytest.raises(ValueError, match="requests_per_minute"):
        RateLimiter(0)


def test_cut_at_stop_sequences_uses_the_earliest_match() -> None:
    assert cut_at_stop_sequences("a<end>b<stop>c", ["<stop>", "<end>"]) == "a"
    assert cut_at_stop_sequences("no stop here", ["<end>"]) == "no stop here"
    assert cut_at_stop_sequences("keeps empty stops out", [""]) == "keeps empty stops out"


def test_cutter_holds_back_a_possible_stop_prefix_until_it_is_settled() -> None:
    cutter = StopSequenceCutter(["<end_code>"])
    assert cutter.feed("print(1)<en") == "print(1)"
    assert cutter.feed("velope") == "<envelope"
    assert cutter.feed(" x<end_") == " x"
    assert cutter.feed("code> ignored") == ""
    assert cutter.is_stopped
    assert cutter.feed("more") == "" and cutter.flush() == ""


@given(
    text=st.text(alphabet="ab<>/x", max_size=40),
    stops=st.lists(st.text(alphabet="ab<>/", min_size=1, max_size=4), min_size=1, max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=8),
)
def test_streamed_cutting_equals_cutting_the_whole_text(text: str, stops: list[str], cuts: list[int]) -> None:
    bounds = sorted({0, len(text), *(min(c, len(text)) for c in cuts)})
    chunks = [text[start:end] for start, end in itertools.pairwise(bounds)]
    cutter = StopSequenceCutter(stops)
    streamed = "".join(cutter.feed(chunk) for chunk in chunks) + cutter.flush()
    assert streamed == cut_at_stop_sequences(text, stops)
