"""kiosk.bridge.background: results come back on the UI thread, and a finished job leaves nothing behind (a signing
flow runs one, so a kiosk runs thousands a day)."""

from __future__ import annotations

import gc
import threading
from typing import Any

from kiosk.bridge.background import _Relay, run_in_background, wait_for_background


def _relays_alive() -> int:
    gc.collect()
    return sum(isinstance(o, _Relay) for o in gc.get_objects())


def test_results_and_errors_arrive_on_the_ui_thread(qtbot: Any, qapp: Any) -> None:
    ui = threading.get_ident()
    seen: list[tuple[str, object, bool]] = []

    def fail() -> None:
        raise ValueError("no")

    run_in_background(threading.get_ident, lambda worker: seen.append(("done", worker != ui, True)), seen.append)
    run_in_background(fail, seen.append, lambda exc: seen.append(("error", str(exc), threading.get_ident() == ui)))
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert sorted(seen) == [("done", True, True), ("error", "no", True)]


def test_finished_jobs_leave_nothing_behind(qtbot: Any, qapp: Any) -> None:
    before = _relays_alive()
    done: list[object] = []
    for n in range(300):
        if n % 3:
            run_in_background(lambda n=n: n, done.append, done.append)
        else:
            run_in_background(lambda: 1 / 0, done.append, done.append)
    wait_for_background()
    qtbot.waitUntil(lambda: len(done) == 300)
    qtbot.wait(50)  # the relays' deferred deletes
    # Each relay and its closures used to stay alive for good (a cycle through Qt's connections): 300 here.
    assert _relays_alive() == before
