"""Backoff with full jitter, Retry-After parsing and the rate limiter, on injected clocks (no waiting)."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.sync.backoff import CAP_S, RETRY_AFTER_MAX_S, Backoff, parse_retry_after
from kiosk.sync.ratelimit import RateLimiter


def test_ceiling_doubles_from_two_seconds_up_to_fifteen_minutes() -> None:
    backoff = Backoff()
    assert [backoff.ceiling(n) for n in range(1, 6)] == [2, 4, 8, 16, 32]
    assert backoff.ceiling(10) == 900 == CAP_S
    assert backoff.ceiling(10_000) == 900


@given(attempt=st.integers(1, 10_000), draw=st.floats(0, 1, exclude_max=True))
def test_full_jitter_stays_between_zero_and_the_ceiling(attempt: int, draw: float) -> None:
    backoff = Backoff(rng=lambda: draw)
    assert 0 <= backoff.delay(attempt) <= backoff.ceiling(attempt)


def test_jitter_spreads_retries_out() -> None:
    delays = {round(Backoff().delay(6), 3) for _ in range(50)}
    assert len(delays) > 40  # kiosks that lost the network together do not come back together


@given(attempt=st.integers(1, 50), retry_after=st.floats(0, 10 * RETRY_AFTER_MAX_S), draw=st.floats(0, 1))
def test_never_sooner_than_retry_after(attempt: int, retry_after: float, draw: float) -> None:
    delay = Backoff(rng=lambda: draw).delay(attempt, retry_after)
    assert delay >= min(retry_after, RETRY_AFTER_MAX_S)


def test_retry_after_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 11, 26, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(" 0 ", now) == 0
    later = format_datetime(now + dt.timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now) == pytest.approx(90)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0  # in the past: go now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("99999999", now) == RETRY_AFTER_MAX_S


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


@given(rate=st.integers(1, 20), gaps=st.lists(st.floats(0, 0.5), min_size=1, max_size=80))
def test_rate_limiter_never_allows_more_than_the_limit_in_any_second(rate: int, gaps: list[float]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep, margin_s=0)
    starts = []
    for gap in gaps:
        clock.t += gap
        limiter.acquire()
        starts.append(clock.t)
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s - start < 1.0]
        assert len(in_window) <= rate


def test_rate_limiter_lets_a_burst_through_then_paces() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4, clock=clock, sleep=clock.sleep, margin_s=0.05)
    for _ in range(4):
        assert limiter.acquire() == 0
    assert limiter.acquire() == pytest.approx(1.05)
    assert RateLimiter(0).acquire() == 0 and not RateLimiter(0).enabled


def test_fractional_rate_spaces_requests() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0.5, clock=clock, sleep=clock.sleep, margin_s=0)
    limiter.acquire()
    assert limiter.acquire() == pytest.approx(2.0)
