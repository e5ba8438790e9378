"""Is the sync target reachable? The system's reachability is only a hint (it says "online" whenever a default
route exists); a cheap probe of the target confirms it, and a successful real sync call is the best proof."""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.sync.adapters import ProbeResult

PROBE_INTERVAL_S = 30.0


class Connectivity:
    """Online/offline state of one sync target, and when to probe it next.

    Rules: a system "disconnected" hint means offline at once; any other change of hint asks for a probe now;
    while offline, probe every ``interval_s``; a delivered record or any HTTP answer means online.
    """

    def __init__(
        self,
        probe: Callable[[], ProbeResult],
        *,
        interval_s: float = PROBE_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._clock = clock
        self.interval_s = interval_s
        self.online: bool | None = None  # None: not known yet
        self.detail = ""
        self._next_probe = 0.0

    def hint(self, reachable: bool | None) -> None:
        """The system's reachability changed: False is believed at once, anything else is checked now."""
        if reachable is False:
            self._set(False, "no network connection")
            self._next_probe = self._clock() + self.interval_s
        else:
            self._next_probe = 0.0

    def probe_due(self) -> bool:
        return self.online is not True and self._clock() >= self._next_probe

    def seconds_to_probe(self) -> float:
        return max(0.0, self._next_probe - self._clock())

    def check(self) -> ProbeResult:
        result = self._probe()
        self._set(result.online, result.detail)
        self._next_probe = self._clock() + self.interval_s
        return result

    def report(self, reached: bool, detail: str = "") -> None:
        """What a real sync pass learnt: it reached the server, or could not connect."""
        self._set(reached, detail)
        if not reached:
            self._next_probe = self._clock() + self.interval_s

    def _set(self, online: bool, detail: str) -> None:
        self.online, self.detail = online, detail
