"""Counts shown in public (attract screen): signatures at this stall today and in total on this kiosk.

Both come from the running totals the database keeps (local_db.reports), so the tally costs the same at any size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.vault import utc_today_start
from local_db import reports
from local_db.models import Signature

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


def signature_tally(runtime: KioskRuntime) -> tuple[int, int]:
    """(signatures at this event today, signatures ever on this kiosk)."""
    with runtime.db.begin() as session:
        hours = reports.totals_by_hour(session, utc_today_start(), event_id=runtime.event_id)
        today = sum(n for (kind, _), n in hours.items() if kind == "signature")
        total = reports.kiosk_total(session, Signature, runtime.kiosk_id)
    return today, total
