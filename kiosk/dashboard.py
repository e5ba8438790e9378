"""What the organiser dashboard shows: counts, the day by hour, the funnel, pledge totals, sync and storage state.

Numbers only, never personal data. Every figure is one aggregate query over an index, so a kiosk holding
100,000 records still answers in milliseconds (see tests/ui/test_dashboard.py and bench/).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.pledges import PledgeTotals, pledge_totals
from kiosk.vault import utc_today_start
from local_db import reports
from local_db.models import Pledge, Signature, utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

SYNC_STATES = ("pending", "sending", "synced", "rejected")
# The chart shows at least this many hours up to now, and earlier ones only when something happened in them.
MIN_CHART_HOURS = 8


@dataclass(frozen=True)
class HourBar:
    """One hour of today, in the kiosk's local time."""

    start: dt.datetime  # aware, local
    signatures: int
    pledges: int

    @property
    def label(self) -> str:
        return self.start.strftime("%H")

    @property
    def total(self) -> int:
        return self.signatures + self.pledges


@dataclass(frozen=True)
class Funnel:
    """How many people reached each step at this event: touched the attract screen, started a form, finished it,
    or walked away from it."""

    attract: int = 0
    started: int = 0
    completed: int = 0
    abandoned: int = 0


@dataclass(frozen=True)
class DashboardStats:
    event_id: str
    signatures_today: int
    signatures_event: int
    signatures_all: int
    pledges_today: int
    pledges_event: int
    pledges_all: int
    hours: tuple[HourBar, ...]
    funnel: Funnel
    pledges: PledgeTotals
    sync_states: dict[str, int] = field(default_factory=dict)
    free_disk_bytes: int = 0
    vault_unlocked: bool = False
    taken_at: dt.datetime = field(default_factory=utcnow)


def today_hours(now: dt.datetime | None = None) -> list[dt.datetime]:
    """The starts of today's local hours up to and including the current one, as aware UTC datetimes.

    Walking in UTC keeps daylight-saving days right: 23 or 25 local hours, each a real hour.
    """
    now = now or utcnow()
    start = utc_today_start(now)
    hours = []
    cursor = start
    while cursor <= now:
        hours.append(cursor)
        cursor += dt.timedelta(hours=1)
    return hours


def collect_stats(runtime: KioskRuntime, now: dt.datetime | None = None) -> DashboardStats:
    """Every dashboard figure for the kiosk's current event ("today" is today at this event, in local time)."""
    now = now or utcnow()
    event = runtime.event_id
    this_event = reports.RecordFilter(event_id=event)
    hours = today_hours(now)
    with runtime.db.begin() as session:
        sig_counts = [reports.count_records(session, Signature, f) for f in (this_event, reports.RecordFilter())]
        pledge_counts = [reports.count_records(session, Pledge, f) for f in (this_event, reports.RecordFilter())]
        # Today's count is the sum of today's hours: one query over the day instead of two.
        until = hours[-1] + dt.timedelta(hours=1)
        sig_hours = reports.counts_by_hour(session, Signature, hours[0], until, event)
        pledge_hours = reports.counts_by_hour(session, Pledge, hours[0], until, event)
        funnel = reports.funnel_totals(session, event_id=event)
        totals = pledge_totals(session, event_id=event, currency=runtime.options.campaign.donation.currency)
        sync = reports.outbox_state_counts(session)
    bars = [
        HourBar(start=hour.astimezone(), signatures=sig_hours.get(hour, 0), pledges=pledge_hours.get(hour, 0))
        for hour in hours
    ]
    quiet = 0
    while quiet < len(bars) - MIN_CHART_HOURS and bars[quiet].total == 0:
        quiet += 1
    flows = [funnel.get(flow, (0, 0, 0)) for flow in ("sign", "pledge")]
    return DashboardStats(
        event_id=event,
        signatures_today=sum(sig_hours.values()),
        signatures_event=sig_counts[0],
        signatures_all=sig_counts[1],
        pledges_today=sum(pledge_hours.values()),
        pledges_event=pledge_counts[0],
        pledges_all=pledge_counts[1],
        hours=tuple(bars[quiet:]),
        funnel=Funnel(
            attract=funnel.get("attract", (0, 0, 0))[0],
            started=sum(f[0] for f in flows),
            completed=sum(f[1] for f in flows),
            abandoned=sum(f[2] for f in flows),
        ),
        pledges=totals,
        sync_states={state: sync.get(state, 0) for state in SYNC_STATES},
        free_disk_bytes=free_disk_bytes(runtime),
        vault_unlocked=runtime.vault is not None and runtime.vault.unlocked,
        taken_at=now,
    )


def free_disk_bytes(runtime: KioskRuntime) -> int:
    try:
        return shutil.disk_usage(runtime.options.data_dir).free
    except OSError:
        return 0


def format_bytes(size: int) -> str:
    """Free space as people read it: 512 MB, 12.3 GB."""
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    if size < 1_000_000_000:
        return f"{size / 1_000_000:.0f} MB"
    if size < 1_000_000_000_000:
        return f"{size / 1_000_000_000:.1f} GB"
    return f"{size / 1_000_000_000_000:.1f} TB"
