"""Queries and writes used by the services. Each takes the caller's session and never commits on its own."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
    entry = AuditEvent(action=action, details=json.dumps(details, sort_keys=True, default=str))
    session.add(entry)
    return entry


def recent_audit(session: Session, limit: int = 200) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def get_vault(session: Session) -> OrganiserVault | None:
    return session.get(OrganiserVault, 1)


def add_data_key(session: Session, key_id: str, wrapped: bytes) -> None:
    session.add(DataKey(id=key_id, wrapped=wrapped))


def get_data_key(session: Session, key_id: str) -> DataKey | None:
    return session.get(DataKey, key_id)


def ensure_consent_text(session: Session, sha256: str, purpose: str, version: str, language: str, text: str) -> None:
    """Keep each exact consent wording once, so every consent event can be proven from the database alone."""
    session.execute(
        sqlite_insert(ConsentText)
        .values(sha256=sha256, purpose=purpose, version=version, language=language, text=text)
        .on_conflict_do_nothing()
    )


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@cache
def _insert_into(model: type[Base]) -> Insert:
    """One INSERT statement per table, built once: SQLAlchemy then finds its compiled form by the statement's cache
    key instead of constructing and keying a new statement on every save."""
    return insert(_table(model))


@cache
def _funnel_upsert(column: str) -> SqliteInsert:
    table = _table(FunnelCount)
    return sqlite_insert(table).on_conflict_do_update(
        index_elements=["hour", "event_id", "flow"], set_={column: table.c[column] + 1}
    )


def insert_record(session: Session, model: type[Signature] | type[Pledge], values: Mapping[str, Any]) -> None:
    """Insert one new signature or pledge row as it is: a Core INSERT on the session's connection, without the
    ORM's unit of work (a save writes each row once and never reads it back)."""
    session.connection().execute(_insert_into(model), [dict(values)])


def insert_consent_events(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert consent events in one executemany (each row: record_id, record_kind, purpose, granted, text_version,
    text_sha256, language, created_at, kiosk_id, event_id)."""
    if rows:
        session.connection().execute(_insert_into(ConsentEvent), [dict(row) for row in rows])


def insert_outbox_entry(session: Session, *, record_id: str, record_kind: str, adapter: str, when: dt.datetime) -> None:
    """Queue a new record for delivery (state pending), in the caller's transaction."""
    session.connection().execute(
        _insert_into(OutboxEntry),
        [
            {
                "record_id": record_id,
                "record_kind": record_kind,
                "adapter": adapter,
                "state": "pending",
                "attempts": 0,
                "created_at": when,
                "updated_at": when,
            }
        ],
    )


def hour_of(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def bump_funnel(session: Session, flow: str, column: str, event_id: str, when: dt.datetime | None = None) -> None:
    """Add one to a per-hour funnel counter (``started``, ``completed`` or ``abandoned``)."""
    if column not in ("started", "completed", "abandoned"):
        raise ValueError(f"unknown funnel column {column!r}")
    hour = hour_of(when or utcnow())
    values = {"hour": hour, "event_id": event_id, "flow": flow, "started": 0, "completed": 0, "abandoned": 0}
    values[column] = 1
    # On the connection (Core), one prepared upsert per column: built through the ORM session on every call, this
    # one statement cost more than the commit it rides on.
    session.connection().execute(_funnel_upsert(column), values)


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


@cache
def _first_with_tag() -> Select[str]:
    return select(Signature.id).where(Signature.dedupe_tag == bindparam("tag")).order_by(Signature.created_at).limit(1)


def first_signature_id_with_tag(session: Session, tag: str) -> str | None:
    """The id of the earliest signature with this duplicate-detection tag, or None (an index lookup)."""
    found = session.connection().execute(_first_with_tag(), {"tag": tag}).scalar()
    return None if found is None else str(found)


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
