"""Read-only aggregate queries for organisers: dashboard counts, pledge totals and reconciliation.

Every query here is an aggregate or a column stream run by SQLite over its indexes; none loads ORM objects, so
the dashboard and exports stay fast with 100,000 records. Each function takes the caller's session or connection
and never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, literal, select
from sqlalchemy.orm import Session

from local_db.models import (
    FunnelCount,
    OutboxEntry,
    Pledge,
    Signature,
)

RecordModel = type[Signature] | type[Pledge]
# SQLite keeps UTC datetimes as "YYYY-MM-DD HH:MM:SS.ffffff"; the first 13 characters name the hour.
_HOUR_PREFIX = 13


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
    """Records per UTC hour in [since, until), grouped by SQLite over the created_at index."""
    hour = func.substr(model.created_at, 1, _HOUR_PREFIX)
    stmt = select(hour, func.count()).where(*RecordFilter(since, until, event_id).clauses(model)).group_by(hour)
    counts: dict[dt.datetime, int] = {}
    for prefix, count in session.execute(stmt):
        start = dt.datetime.strptime(str(prefix), "%Y-%m-%d %H").replace(tzinfo=dt.UTC)
        counts[start] = int(count)
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
