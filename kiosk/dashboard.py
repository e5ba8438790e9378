"""What the organiser dashboard shows: counts, the day by hour, the funnel, pledge totals, sync and storage state.

Numbers only, never personal data. The counts and sums come from running totals that the database keeps with
triggers (local_db.reports, migration 0004), so a refresh reads a few hundred small rows whether the kiosk holds
100 records or 100,000 (bench/bench_dashboard.py). :func:`recount` counts the rows themselves instead; the tests
check that both always agree.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.pledges import PledgeTotals, pledge_totals
from kiosk.vault import utc_today_start
from local_db import reports
from local_db.models import Pledge, Signature, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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


@dataclass(frozen=True)
class Counts:
    """The dashboard's counted figures at one event, before they are laid out."""

    signatures_event: int
    signatures_all: int
    pledges_event: int
    pledges_all: int
    # {(record kind, UTC hour start): records} for today's hours at the event.
    hours: dict[tuple[str, dt.datetime], int]
    pledges: PledgeTotals
    sync_states: dict[str, int]


# Reads the counts: (session, event id, [since, until) of today's hours, pledge currency) -> Counts.
CountReader = Callable[["Session", str, dt.datetime, dt.datetime, str], Counts]


def read_totals(session: Session, event: str, since: dt.datetime, until: dt.datetime, currency: str) -> Counts:
    """The counts from the running totals: a few small aggregates, however many records are stored."""
    by_event = reports.totals_by_event(session)
    sums = reports.pledge_sums(session, currency, event_id=event)
    one_off, monthly = sums.get("one_off", reports.PledgeSums()), sums.get("monthly", reports.PledgeSums())
    return Counts(
        signatures_event=by_event.get(("signature", event), 0),
        signatures_all=sum(n for (kind, _), n in by_event.items() if kind == "signature"),
        pledges_event=by_event.get(("pledge", event), 0),
        pledges_all=sum(n for (kind, _), n in by_event.items() if kind == "pledge"),
        hours=reports.totals_by_hour(session, since, until, event),
        pledges=PledgeTotals(
            one_off_count=one_off.count,
            one_off_pence=one_off.pence,
            monthly_count=monthly.count,
            monthly_pence=monthly.pence,
            gift_aid_count=sum(frequency.gift_aid for frequency in sums.values()),
            currency=currency,
        ),
        sync_states=reports.outbox_totals(session),
    )


def recount(session: Session, event: str, since: dt.datetime, until: dt.datetime, currency: str) -> Counts:
    """The same counts from the rows themselves (time grows with the records): what the running totals must equal."""
    this_event = reports.RecordFilter(event_id=event)
    hours = {
        (kind, hour): n
        for model, kind in ((Signature, "signature"), (Pledge, "pledge"))
        for hour, n in reports.counts_by_hour(session, model, since, until, event).items()
    }
    return Counts(
        signatures_event=reports.count_records(session, Signature, this_event),
        signatures_all=reports.count_records(session, Signature),
        pledges_event=reports.count_records(session, Pledge, this_event),
        pledges_all=reports.count_records(session, Pledge),
        hours=hours,
        pledges=pledge_totals(session, event_id=event, currency=currency),
        sync_states=reports.outbox_state_counts(session),
    )


def collect_stats(
    runtime: KioskRuntime, now: dt.datetime | None = None, read: CountReader = read_totals
) -> DashboardStats:
    """Every dashboard figure for the kiosk's current event ("today" is today at this event, in local time)."""
    now = now or utcnow()
    event = runtime.event_id
    hours = today_hours(now)
    with runtime.db.begin() as session:
        counts = read(
            session, event, hours[0], hours[-1] + dt.timedelta(hours=1), runtime.options.campaign.donation.currency
        )
        funnel = reports.funnel_totals(session, event_id=event)
    bars = [
        HourBar(
            start=hour.astimezone(),
            signatures=counts.hours.get(("signature", hour), 0),
            pledges=counts.hours.get(("pledge", hour), 0),
        )
        for hour in hours
    ]
    quiet = 0
    while quiet < len(bars) - MIN_CHART_HOURS and bars[quiet].total == 0:
        quiet += 1
    flows = [funnel.get(flow, (0, 0, 0)) for flow in ("sign", "pledge")]
    # Today's counts are the sums of today's hours.
    return DashboardStats(
        event_id=event,
        signatures_today=sum(n for (kind, _), n in counts.hours.items() if kind == "signature"),
        signatures_event=counts.signatures_event,
        signatures_all=counts.signatures_all,
        pledges_today=sum(n for (kind, _), n in counts.hours.items() if kind == "pledge"),
        pledges_event=counts.pledges_event,
        pledges_all=counts.pledges_all,
        hours=tuple(bars[quiet:]),
        funnel=Funnel(
            attract=funnel.get("attract", (0, 0, 0))[0],
            started=sum(f[0] for f in flows),
            completed=sum(f[1] for f in flows),
            abandoned=sum(f[2] for f in flows),
        ),
        pledges=counts.pledges,
        sync_states={state: counts.sync_states.get(state, 0) for state in SYNC_STATES},
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
