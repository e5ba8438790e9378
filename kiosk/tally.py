"""Counts shown in public (attract screen): signatures at this stall today and in total on this kiosk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.vault import utc_today_start
from local_db import repositories as repo

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


def signature_tally(runtime: KioskRuntime) -> tuple[int, int]:
    """(signatures at this event today, signatures ever on this kiosk)."""
    with runtime.db.begin() as session:
        today = repo.count_signatures(session, since=utc_today_start(), event_id=runtime.event_id)
        total = repo.count_signatures(session, kiosk_id=runtime.kiosk_id)
    return today, total
