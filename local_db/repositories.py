"""Queries and writes used by the services. Each takes the caller's session and never commits on its own."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from local_db.models import (
    AuditEvent,
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


def hour_of(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def bump_funnel(session: Session, flow: str, column: str, event_id: str, when: dt.datetime | None = None) -> None:
    """Add one to a per-hour funnel counter (``started``, ``completed`` or ``abandoned``)."""
    if column not in ("started", "completed", "abandoned"):
        raise ValueError(f"unknown funnel column {column!r}")
    hour = hour_of(when or utcnow())
    values = {"hour": hour, "event_id": event_id, "flow": flow, "started": 0, "completed": 0, "abandoned": 0}
    values[column] = 1
    stmt = sqlite_insert(FunnelCount).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["hour", "event_id", "flow"],
            set_={column: getattr(FunnelCount, column) + 1},
        )
    )


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
