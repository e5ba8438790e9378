"""When to try a failed delivery again: exponential backoff with full jitter, and the server's ``Retry-After``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

BASE_S = 2.0
CAP_S = 15 * 60.0
# A server asking for more than a day is almost certainly wrong; waiting longer would look like a lost record.
RETRY_AFTER_MAX_S = 24 * 3600.0


@dataclass(frozen=True)
class Backoff:
    """Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform wait in
    ``[0, min(cap, base * 2**(attempt-1))]``, so kiosks that lost the network together do not retry together."""

    base_s: float = BASE_S
    cap_s: float = CAP_S
    rng: Callable[[], float] = field(default=random.random, compare=False)

    def ceiling(self, attempt: int) -> float:
        """The longest wait after the ``attempt``-th failed attempt (1-based)."""
        exponent = max(0, attempt - 1)
        # 2**64 * base is far past any cap; stop growing before floats overflow.
        return min(self.cap_s, self.base_s * (2.0 ** min(exponent, 64)))

    def delay(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before the next attempt; never less than what the server asked for."""
        jittered = self.rng() * self.ceiling(attempt)
        if retry_after_s is None:
            return jittered
        return max(jittered, min(retry_after_s, RETRY_AFTER_MAX_S))


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). None if absent/bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(int(text)), RETRY_AFTER_MAX_S)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return min(max(0.0, (when - now).total_seconds()), RETRY_AFTER_MAX_S)
