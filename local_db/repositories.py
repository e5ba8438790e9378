"""Queries and writes used by the services. Each takes the caller's session (or, for the writes a save makes
while the attendee waits, its bare sqlite3 connection) and never commits on its own."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from local_db.models import (
    AuditEvent,
    Base,
    ConsentEvent,
    ConsentText,
    DataKey,
    FunnelCount,
    OrganiserVault,
    OutboxEntry,
    Pledge,
    Signature,
    utcnow,
)


def add_audit(session: Session, action: str, **details: Any) -> AuditEvent:
    """Append one audit event. Callers pass ids, counts and reasons only: never personal data."""
    entry = AuditEvent(action=action, details=audit_details(details))
    session.add(entry)
    return entry


def audit_details(details: Mapping[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, default=str)


def recent_audit(session: Session, limit: int = 200) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def get_vault(session: Session) -> OrganiserVault | None:
    return session.get(OrganiserVault, 1)


def add_data_key(session: Session, key_id: str, wrapped: bytes) -> None:
    session.add(DataKey(id=key_id, wrapped=wrapped))


def get_data_key(session: Session, key_id: str) -> DataKey | None:
    return session.get(DataKey, key_id)


# --- Writes on the bare connection ---------------------------------------------------------------------------
# A save runs while the attendee waits for the thank-you: its few INSERTs go straight to sqlite3 as prepared SQL,
# built once per table from the models' own names. Through SQLAlchemy (statement cache lookup, parameter
# processing, result set-up) the same statements cost more than the commit they ride on. Each function takes the
# bare connection of a ``Database.write()`` transaction, or a session, whose transaction it then writes in (and
# whose SQLAlchemy exception types it then raises).

Writer = Session | sqlite3.Connection


def _execute(target: Writer, sql: str, params: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Run one statement (an executemany for several rows of parameters) on the bare connection, or in the
    session's transaction, where failures keep SQLAlchemy's exception types its callers catch."""
    if isinstance(target, Session):
        conn = target.connection()
        result = conn.exec_driver_sql(sql, params[0] if len(params) == 1 else list(params))
        return [tuple(row) for row in result] if result.returns_rows else []
    if len(params) == 1:
        return target.execute(sql, params[0]).fetchall()
    target.executemany(sql, params)
    return []


def db_time(when: dt.datetime) -> str:
    """An aware datetime as the columns keep it: naive UTC text, exactly as SQLAlchemy's SQLite DateTime stores it
    (tests/db/test_fast_writes.py compares the two)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _db_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return db_time(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@cache
def _insert_sql(model: type[Base], columns: tuple[str, ...], conflict: str = "") -> str:
    table = _table(model)
    unknown = set(columns) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column {sorted(unknown)}")
    # Names only from the models (checked above) and this module's own conflict clauses; values are parameters.
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}){conflict}"  # noqa: S608


def _insert(target: Writer, model: type[Base], rows: Sequence[Mapping[str, Any]], conflict: str = "") -> None:
    if not rows:
        return
    columns = tuple(rows[0])
    sql = _insert_sql(model, columns, conflict)
    _execute(target, sql, [tuple(_db_value(row[c]) for c in columns) for row in rows])


def ensure_consent_text(target: Writer, sha256: str, purpose: str, version: str, language: str, text: str) -> None:
    """Keep each exact consent wording once, so every consent event can be proven from the database alone."""
    row = {"sha256": sha256, "purpose": purpose, "version": version, "language": language, "text": text}
    _insert(target, ConsentText, [row], " ON CONFLICT DO NOTHING")


def insert_record(target: Writer, model: type[Signature] | type[Pledge], values: Mapping[str, Any]) -> None:
    """Insert one new signature or pledge row as it is (every NOT NULL column given): a save writes each row once
    and never reads it back, so it needs no ORM object."""
    _insert(target, model, [values])


def insert_consent_events(target: Writer, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert consent events in one executemany (each row: record_id, record_kind, purpose, granted, text_version,
    text_sha256, language, created_at, kiosk_id, event_id)."""
    _insert(target, ConsentEvent, rows)


def insert_outbox_entry(target: Writer, *, record_id: str, record_kind: str, adapter: str, when: dt.datetime) -> None:
    """Queue a new record for delivery (state pending), in the caller's transaction."""
    row = {
        "record_id": record_id,
        "record_kind": record_kind,
        "adapter": adapter,
        "state": "pending",
        "attempts": 0,
        "created_at": when,
        "updated_at": when,
    }
    _insert(target, OutboxEntry, [row])


def append_audit(target: Writer, action: str, details: Mapping[str, Any], when: dt.datetime | None = None) -> None:
    """:func:`add_audit` for a bare-connection transaction."""
    row = {"created_at": when or utcnow(), "action": action, "details": audit_details(details)}
    _insert(target, AuditEvent, [row])


def hour_of(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


FUNNEL_COLUMNS = ("started", "completed", "abandoned")


def bump_funnel(target: Writer, flow: str, column: str, event_id: str, when: dt.datetime | None = None) -> None:
    """Add one to a per-hour funnel counter (``started``, ``completed`` or ``abandoned``)."""
    if column not in FUNNEL_COLUMNS:
        raise ValueError(f"unknown funnel column {column!r}")
    row: dict[str, Any] = {"hour": hour_of(when or utcnow()), "event_id": event_id, "flow": flow}
    row.update({name: int(name == column) for name in FUNNEL_COLUMNS})
    upsert = f" ON CONFLICT (hour, event_id, flow) DO UPDATE SET {column} = {column} + 1"
    _insert(target, FunnelCount, [row], upsert)


_FIRST_WITH_TAG = "SELECT id FROM signatures WHERE dedupe_tag = ? ORDER BY created_at LIMIT 1"


def first_signature_id_with_tag(target: Writer, tag: str) -> str | None:
    """The id of the earliest signature with this duplicate-detection tag, or None (an index lookup)."""
    found = _execute(target, _FIRST_WITH_TAG, [(tag,)])
    return str(found[0][0]) if found else None


def count_signatures(
    session: Session,
    *,
    since: dt.datetime | None = None,
    event_id: str | None = None,
    kiosk_id: str | None = None,
) -> int:
    stmt = select(func.count()).select_from(Signature)
    if since is not None:
        stmt = stmt.where(Signature.created_at >= since)
    if event_id is not None:
        stmt = stmt.where(Signature.event_id == event_id)
    if kiosk_id is not None:
        stmt = stmt.where(Signature.kiosk_id == kiosk_id)
    return int(session.scalar(stmt) or 0)


def count_pledges(session: Session, *, since: dt.datetime | None = None, event_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(Pledge)
    if since is not None:
        stmt = stmt.where(Pledge.created_at >= since)
    if event_id is not None:
        stmt = stmt.where(Pledge.event_id == event_id)
    return int(session.scalar(stmt) or 0)


def signatures_with_tag(session: Session, tag: str) -> list[Signature]:
    return list(session.scalars(select(Signature).where(Signature.dedupe_tag == tag).order_by(Signature.created_at)))


def signatures_without_tag(session: Session, petition_id: str) -> list[Signature]:
    return list(
        session.scalars(
            select(Signature).where(
                Signature.dedupe_tag.is_(None),
                Signature.petition_id == petition_id,
                Signature.sealed.is_not(None),
            )
        )
    )


def consent_events_for(session: Session, record_id: str) -> list[ConsentEvent]:
    return list(
        session.scalars(select(ConsentEvent).where(ConsentEvent.record_id == record_id).order_by(ConsentEvent.id))
    )


def latest_consents(session: Session, record_id: str) -> dict[str, bool]:
    """The current state of each purpose for one record: the latest event wins."""
    state: dict[str, bool] = {}
    for event in consent_events_for(session, record_id):
        state[event.purpose] = event.granted
    return state


def reset_stuck_outbox(session: Session) -> int:
    """Entries left in 'sending' by a crash go back to 'pending' (the adapter checks before re-sending)."""
    result = session.execute(update(OutboxEntry).where(OutboxEntry.state == "sending").values(state="pending"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
