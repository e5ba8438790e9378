"""Read-only aggregate queries for organisers: dashboard counts, pledge totals and reconciliation.

Every query here is an aggregate or a column stream run by SQLite over its indexes; none loads ORM objects, so
the dashboard and exports stay fast with 100,000 records. Each function takes the caller's session or connection
and never commits.

Figures read often (the dashboard, the public tally) come from running totals that triggers keep in the same
transaction as every change (migration 0004_dashboard_totals): they cost the same at 100 records and at 100,000.
``count_records``, ``counts_by_hour`` and ``outbox_state_counts`` count the rows themselves; ``verify`` and the
tests use them as the full recount the running totals must equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, String, case, column, func, literal, select, table
from sqlalchemy.orm import Session

from local_db.models import (
    FunnelCount,
    OutboxEntry,
    Pledge,
    Signature,
)

RecordModel = type[Signature] | type[Pledge]
_HOUR_SECONDS = 3600


@dataclass(frozen=True)
class RecordFilter:
    """Which records an organiser asked for: created in [since, until), at one event. All optional."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    event_id: str | None = None

    def clauses(self, model: RecordModel) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.since is not None:
            found.append(model.created_at >= self.since)
        if self.until is not None:
            found.append(model.created_at < self.until)
        if self.event_id is not None:
            found.append(model.event_id == self.event_id)
        return found


def count_records(session: Session | Connection, model: RecordModel, where: RecordFilter = RecordFilter()) -> int:
    stmt = select(func.count()).select_from(model).where(*where.clauses(model))
    return int(session.execute(stmt).scalar() or 0)


def counts_by_hour(
    session: Session, model: RecordModel, since: dt.datetime, until: dt.datetime, event_id: str | None = None
) -> dict[dt.datetime, int]:
    """Records per hour in [since, until), hours counted from ``since``: UTC hours when it is a whole UTC hour, and
    the local hours of a time zone whose midnight is not (India, Newfoundland). Counts the rows, over the
    (event_id, created_at) index; :func:`totals_by_hour` reads whole hours from the running totals instead."""
    origin = int(since.timestamp())
    offset = (func.cast(func.strftime("%s", model.created_at), Integer) - origin) // _HOUR_SECONDS
    stmt = select(offset, func.count()).where(*RecordFilter(since, until, event_id).clauses(model)).group_by(offset)
    counts: dict[dt.datetime, int] = {}
    for hours, count in session.execute(stmt):
        if hours is not None:
            counts[dt.datetime.fromtimestamp(origin + int(hours) * _HOUR_SECONDS, dt.UTC)] = int(count)
    return counts


def funnel_totals(session: Session, *, event_id: str | None = None) -> dict[str, tuple[int, int, int]]:
    """(started, completed, abandoned) per flow (attract, sign, pledge), summed over hours."""
    stmt = select(
        FunnelCount.flow,
        func.sum(FunnelCount.started),
        func.sum(FunnelCount.completed),
        func.sum(FunnelCount.abandoned),
    ).group_by(FunnelCount.flow)
    if event_id is not None:
        stmt = stmt.where(FunnelCount.event_id == event_id)
    return {str(flow): (int(s or 0), int(c or 0), int(a or 0)) for flow, s, c, a in session.execute(stmt)}


def outbox_state_counts(session: Session) -> dict[str, int]:
    """Outbox entries per state (pending, sending, synced, rejected), counted over the state index."""
    stmt = select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)
    return {str(state): int(count) for state, count in session.execute(stmt)}


# --- running totals (kept by triggers, see local_db/migrations/versions/0004_dashboard_totals.py) ---------------

RECORD_TOTALS = table(
    "record_totals",
    column("kind", String),  # signature | pledge
    column("event_id", String),
    column("hour", Integer),  # whole UTC hours since 1970-01-01
    column("kiosk_id", String),
    column("currency", String),  # pledges only ('' for signatures)
    column("frequency", String),  # pledges only ('' for signatures)
    column("records", Integer),
    column("amount_pence", Integer),
    column("gift_aid", Integer),
)
OUTBOX_TOTALS = table("outbox_totals", column("state", String), column("entries", Integer))
_KINDS: dict[RecordModel, str] = {Signature: "signature", Pledge: "pledge"}


def epoch_hour(when: dt.datetime) -> int:
    """The running totals' hour of an aware datetime: whole UTC hours since 1970."""
    return int(when.timestamp()) // _HOUR_SECONDS


def _whole_hour(when: dt.datetime) -> bool:
    return when.timestamp() % _HOUR_SECONDS == 0


def totals_by_event(session: Session | Connection) -> dict[tuple[str, str], int]:
    """{(record kind, event id): records ever stored}, from the running totals."""
    rt = RECORD_TOTALS.c
    stmt = select(rt.kind, rt.event_id, func.sum(rt.records)).group_by(rt.kind, rt.event_id)
    return {(str(kind), str(event)): int(count or 0) for kind, event, count in session.execute(stmt)}


def kiosk_total(session: Session | Connection, model: RecordModel, kiosk_id: str) -> int:
    """Records of one kind ever stored by one kiosk, from the running totals."""
    rt = RECORD_TOTALS.c
    stmt = select(func.coalesce(func.sum(rt.records), 0)).where(rt.kind == _KINDS[model], rt.kiosk_id == kiosk_id)
    return int(session.execute(stmt).scalar() or 0)


def totals_by_hour(
    session: Session, since: dt.datetime, until: dt.datetime | None = None, event_id: str | None = None
) -> dict[tuple[str, dt.datetime], int]:
    """{(record kind, UTC hour start): records} created in [since, until), as :func:`counts_by_hour` counts them.

    Read from the running totals when ``since`` and ``until`` fall on whole UTC hours (local midnight does in every
    whole-hour time zone); otherwise the totals cannot split an hour, so the rows in range are counted over the
    (event_id, created_at) index instead: exact either way.
    """
    if not (_whole_hour(since) and (until is None or _whole_hour(until))):
        far = until or dt.datetime.max.replace(tzinfo=dt.UTC)
        return {
            (kind, hour): count
            for model, kind in _KINDS.items()
            for hour, count in counts_by_hour(session, model, since, far, event_id).items()
        }
    rt = RECORD_TOTALS.c
    # Naming every kind lets SQLite seek the primary key (kind, event_id, hour) instead of scanning the table.
    stmt = select(rt.kind, rt.hour, func.sum(rt.records)).where(
        rt.kind.in_(list(_KINDS.values())), rt.hour >= epoch_hour(since)
    )
    if until is not None:
        stmt = stmt.where(rt.hour < epoch_hour(until))
    if event_id is not None:
        stmt = stmt.where(rt.event_id == event_id)
    found: dict[tuple[str, dt.datetime], int] = {}
    for kind, hour, count in session.execute(stmt.group_by(rt.kind, rt.hour)):
        if count:
            found[(str(kind), dt.datetime.fromtimestamp(int(hour) * _HOUR_SECONDS, dt.UTC))] = int(count)
    return found


@dataclass(frozen=True)
class PledgeSums:
    """Pledges of one frequency in one currency: how many, how much, how many with a Gift Aid declaration."""

    count: int = 0
    pence: int = 0
    gift_aid: int = 0


def pledge_sums(session: Session | Connection, currency: str, event_id: str | None = None) -> dict[str, PledgeSums]:
    """{frequency: sums} of every pledge in ``currency`` (at one event, if given), from the running totals."""
    rt = RECORD_TOTALS.c
    stmt = (
        select(rt.frequency, func.sum(rt.records), func.sum(rt.amount_pence), func.sum(rt.gift_aid))
        .where(rt.kind == "pledge", rt.currency == currency)
        .group_by(rt.frequency)
    )
    if event_id is not None:
        stmt = stmt.where(rt.event_id == event_id)
    return {
        str(frequency): PledgeSums(int(count or 0), int(pence or 0), int(gift_aid or 0))
        for frequency, count, pence, gift_aid in session.execute(stmt)
        if count
    }


def outbox_totals(session: Session | Connection) -> dict[str, int]:
    """Outbox entries per state, from the running totals (states with none left are omitted)."""
    stmt = select(OUTBOX_TOTALS.c.state, OUTBOX_TOTALS.c.entries).where(OUTBOX_TOTALS.c.entries != 0)
    return {str(state): int(count) for state, count in session.execute(stmt)}


# --- reconciliation ------------------------------------------------------------------------------------------------

# The delivery state of one record, from its own outbox entries (not later consent updates): rejected if any
# adapter rejected it, synced once every adapter has it, missing if it never had an entry, else outstanding.
RECORD_STATES = ("synced", "rejected", "outstanding", "missing")


def _record_delivery() -> Any:
    return (
        select(
            OutboxEntry.record_id.label("record_id"),
            func.count().label("entries"),
            func.sum(case((OutboxEntry.state == "rejected", 1), else_=0)).label("rejected"),
            func.sum(case((OutboxEntry.state == "synced", 1), else_=0)).label("synced"),
            func.max(OutboxEntry.attempts).label("attempts"),
            func.max(OutboxEntry.last_error).label("last_error"),
        )
        .where(OutboxEntry.consent_event_id.is_(None))
        .group_by(OutboxEntry.record_id)
        .subquery()
    )


def _delivery_state(delivery: Any) -> Any:
    return case(
        (delivery.c.entries.is_(None), literal("missing")),
        (delivery.c.rejected > 0, literal("rejected")),
        (delivery.c.synced == delivery.c.entries, literal("synced")),
        else_=literal("outstanding"),
    )


def reconciliation_counts(session: Session) -> dict[tuple[str, str, str], int]:
    """{(event id, record kind, delivery state): records}, for every record ever collected on this kiosk."""
    delivery = _record_delivery()
    state = _delivery_state(delivery)
    found: dict[tuple[str, str, str], int] = {}
    for kind, model in (("signature", Signature), ("pledge", Pledge)):
        stmt = (
            select(model.event_id, state.label("delivery"), func.count())
            .select_from(model)
            .outerjoin(delivery, delivery.c.record_id == model.id)
            .group_by(model.event_id, "delivery")
        )
        for event_id, delivered, count in session.execute(stmt):
            found[(str(event_id), kind, str(delivered))] = int(count)
    return found


@dataclass(frozen=True)
class OutstandingRecord:
    """A record not yet safely at the sync target. No personal data: ids, states and errors only."""

    record_id: str
    kind: str
    event_id: str
    created_at: dt.datetime
    state: str  # rejected | outstanding | missing
    attempts: int
    last_error: str


def outstanding_records(session: Session, limit: int | None = None) -> tuple[list[OutstandingRecord], int]:
    """Records not synced, rejected ones first then oldest first; returns (up to ``limit`` of them, total)."""
    delivery = _record_delivery()
    state = _delivery_state(delivery)
    parts = []
    for kind, model in (("signature", Signature), ("pledge", Pledge)):
        parts.append(
            select(
                model.id.label("record_id"),
                literal(kind).label("kind"),
                model.event_id.label("event_id"),
                model.created_at.label("created_at"),
                state.label("delivery"),
                func.coalesce(delivery.c.attempts, 0).label("attempts"),
                func.coalesce(delivery.c.last_error, "").label("last_error"),
            )
            .select_from(model)
            .outerjoin(delivery, delivery.c.record_id == model.id)
            .where(state != "synced")
        )
    union = parts[0].union_all(parts[1]).subquery()
    total = int(session.execute(select(func.count()).select_from(union)).scalar() or 0)
    stmt = select(union).order_by(case((union.c.delivery == "rejected", 0), else_=1), union.c.created_at)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = [
        OutstandingRecord(
            record_id=str(r.record_id),
            kind=str(r.kind),
            event_id=str(r.event_id),
            created_at=_as_utc(r.created_at),
            state=str(r.delivery),
            attempts=int(r.attempts),
            last_error=str(r.last_error),
        )
        for r in session.execute(stmt)
    ]
    return rows, total


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def record_states(session: Session) -> dict[str, dict[str, int]]:
    """Per record kind: total, sealed (personal data held), purged, exported, from paper."""
    found: dict[str, dict[str, int]] = {}
    for kind, model in (("signature", Signature), ("pledge", Pledge)):
        row = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((model.sealed.is_not(None), 1), else_=0)), 0),
                func.coalesce(func.sum(case((model.purged_at.is_not(None), 1), else_=0)), 0),
                func.coalesce(func.sum(case((model.exported_at.is_not(None), 1), else_=0)), 0),
                func.coalesce(func.sum(case((model.source == "paper", 1), else_=0)), 0),
            )
        ).one()
        found[kind] = {
            "total": int(row[0]),
            "sealed": int(row[1]),
            "purged": int(row[2]),
            "exported": int(row[3]),
            "paper": int(row[4]),
        }
    return found
