"""The numbers of one event for its printed summary: counts, the funnel and activity by hour. No personal data.

Only clear-text columns are read (times, amounts, yes/no flags); sealed personal fields are never touched, so the
summary can be printed while the vault is locked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from local_db.models import FunnelCount, Pledge, Signature
from local_db.session import Database

FLOWS = ("sign", "pledge")
# A chart of more hourly bars than this is unreadable on paper; longer events are charted by day instead.
MAX_HOURLY_BARS = 48


@dataclass(frozen=True)
class FunnelStage:
    """One flow's counts: how many started, finished and walked away."""

    flow: str
    started: int = 0
    completed: int = 0
    abandoned: int = 0

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None


@dataclass(frozen=True)
class ActivityBucket:
    """Signatures and pledges made in one hour (or day) of kiosk-local time; ``start`` is naive wall-clock time."""

    start: dt.datetime
    signatures: int
    pledges: int


@dataclass(frozen=True)
class EventSummary:
    """Everything the printed summary shows."""

    event_id: str
    kiosk_name: str
    generated_at: dt.datetime
    signatures: int = 0
    email_optins: int = 0
    sms_optins: int = 0
    pledges: int = 0
    monthly_pledges: int = 0
    gift_aid: int = 0
    pledged_pence_one_off: int = 0
    pledged_pence_monthly: int = 0
    currency: str = "GBP"
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    funnel: tuple[FunnelStage, ...] = ()
    activity: tuple[ActivityBucket, ...] = field(default=())
    # "hour" or "day": the width of each activity bucket.
    activity_unit: str = "hour"


def collect_event_summary(
    db: Database, event_id: str, kiosk_name: str, *, now: dt.datetime | None = None
) -> EventSummary:
    """Count the event's records in one read transaction (the database stays consistent while people sign)."""
    with db.begin() as session:
        return _collect(session, event_id, kiosk_name, now or dt.datetime.now(dt.UTC))


def _collect(session: Session, event_id: str, kiosk_name: str, now: dt.datetime) -> EventSummary:
    sig_rows = session.execute(
        select(Signature.created_at, Signature.optin_email, Signature.optin_sms).where(Signature.event_id == event_id)
    ).all()
    pledge_rows = session.execute(
        select(Pledge.created_at, Pledge.amount_pence, Pledge.frequency, Pledge.gift_aid, Pledge.currency).where(
            Pledge.event_id == event_id
        )
    ).all()
    funnel_rows = session.execute(
        select(
            FunnelCount.flow,
            func.sum(FunnelCount.started),
            func.sum(FunnelCount.completed),
            func.sum(FunnelCount.abandoned),
        )
        .where(FunnelCount.event_id == event_id)
        .group_by(FunnelCount.flow)
    ).all()

    funnel_by_flow = {
        row[0]: FunnelStage(row[0], int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in funnel_rows
    }
    flows = [*FLOWS, *sorted(set(funnel_by_flow) - set(FLOWS))]
    funnel = tuple(funnel_by_flow.get(flow, FunnelStage(flow)) for flow in flows)

    times = [row[0] for row in sig_rows] + [row[0] for row in pledge_rows]
    currencies = {row[4] for row in pledge_rows}
    activity, unit = _activity([row[0] for row in sig_rows], [row[0] for row in pledge_rows])
    return EventSummary(
        event_id=event_id,
        kiosk_name=kiosk_name,
        generated_at=now,
        signatures=len(sig_rows),
        email_optins=sum(1 for row in sig_rows if row[1]),
        sms_optins=sum(1 for row in sig_rows if row[2]),
        pledges=len(pledge_rows),
        monthly_pledges=sum(1 for row in pledge_rows if row[2] == "monthly"),
        gift_aid=sum(1 for row in pledge_rows if row[3]),
        pledged_pence_one_off=sum(row[1] for row in pledge_rows if row[2] != "monthly"),
        pledged_pence_monthly=sum(row[1] for row in pledge_rows if row[2] == "monthly"),
        currency=currencies.pop() if len(currencies) == 1 else "GBP",
        first=min(times) if times else None,
        last=max(times) if times else None,
        funnel=funnel,
        activity=activity,
        activity_unit=unit,
    )


def _activity(signed: list[dt.datetime], pledged: list[dt.datetime]) -> tuple[tuple[ActivityBucket, ...], str]:
    """Counts per kiosk-local hour from the first to the last record, empty hours included (or per day).

    Buckets are wall-clock times (naive, local): a volunteer reads "14:00" the way the stall's clock showed it.
    """
    if not signed and not pledged:
        return (), "hour"

    def wall_hour(t: dt.datetime) -> dt.datetime:
        return t.astimezone().replace(minute=0, second=0, microsecond=0, tzinfo=None)

    hours = [wall_hour(t) for t in (*signed, *pledged)]
    span = int((max(hours) - min(hours)).total_seconds() // 3600) + 1
    unit = "hour" if span <= MAX_HOURLY_BARS else "day"
    step = dt.timedelta(hours=1) if unit == "hour" else dt.timedelta(days=1)

    def bucket(t: dt.datetime) -> dt.datetime:
        hour = wall_hour(t)
        return hour if unit == "hour" else hour.replace(hour=0)

    sig_counts: dict[dt.datetime, int] = {}
    pledge_counts: dict[dt.datetime, int] = {}
    for t in signed:
        sig_counts[bucket(t)] = sig_counts.get(bucket(t), 0) + 1
    for t in pledged:
        pledge_counts[bucket(t)] = pledge_counts.get(bucket(t), 0) + 1
    first, last = min(sig_counts | pledge_counts), max(sig_counts | pledge_counts)
    buckets: list[ActivityBucket] = []
    cursor = first
    while cursor <= last:
        buckets.append(ActivityBucket(cursor, sig_counts.get(cursor, 0), pledge_counts.get(cursor, 0)))
        cursor += step
    return tuple(buckets), unit
