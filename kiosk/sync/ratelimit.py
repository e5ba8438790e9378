"""A request rate limit that is never exceeded, counted the way a server counts: requests in any one second."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Requests leave the kiosk evenly but can arrive bunched (a slow first packet, a busy server thread). Counting our
# window a little longer than a second keeps the server's own one-second count within the limit.
ARRIVAL_JITTER_MARGIN_S = 0.05


class RateLimiter:
    """Sliding-window limiter: at most ``per_second`` request starts in any window of 1 s (+ a jitter margin).

    ``per_second`` 0 switches it off. The clock and sleep are injectable so tests need not wait.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin_s: float = ARRIVAL_JITTER_MARGIN_S,
    ) -> None:
        if per_second < 0:
            raise ValueError("per_second must be >= 0")
        self.per_second = per_second
        self._clock, self._sleep = clock, sleep
        self._window = 1.0 + margin_s
        # A fractional limit (0.5/s) is one request per 2 s: scale the window, keep a whole count.
        self._count = max(1, int(per_second)) if per_second else 0
        if per_second and per_second < 1:
            self._window = 1.0 / per_second + margin_s
        elif per_second and per_second != int(per_second):
            self._window = self._count / per_second + margin_s
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited_s = 0.0

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def acquire(self) -> float:
        """Block until one more request may start now; returns the seconds waited."""
        if not self.enabled:
            return 0.0
        waited = 0.0
        with self._lock:
            now = self._clock()
            while True:
                while self._starts and now - self._starts[0] >= self._window:
                    self._starts.popleft()
                if len(self._starts) < self._count:
                    self._starts.append(now)
                    self.waited_s += waited
                    return waited
                pause = self._window - (now - self._starts[0])
                self._sleep(pause)
                waited += pause
                # The oldest start has now left the window. Drop it by hand: float rounding can leave the clock a
                # hair short of the window's end, and comparing again would spin on that hair.
                oldest = self._starts.popleft()
                now = max(self._clock(), oldest + self._window)
