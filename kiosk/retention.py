"""Retention: wipe the personal data of records that have safely arrived, keep the counts.

A record qualifies when every outbox entry for it is synced (and, with ``purge_after = "synced_and_exported"``,
it was exported too) and it is older than ``retention_days``; an organiser can purge qualifying records at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from sqlalchemy import exists, select, update

from local_db import repositories as repo
from local_db.models import OutboxEntry, Pledge, Signature, utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)


def purge_personal_data(runtime: KioskRuntime, *, older_than: dt.timedelta | None, reason: str) -> int:
    """Wipe sealed personal fields of qualifying records. ``older_than=None`` purges every qualifying record.

    Returns how many records were purged. The WAL is checkpointed afterwards so the old pages do not linger.
    """
    config = runtime.options.config
    now = utcnow()
    purged = 0
    with runtime.db.begin() as session:
        for model in (Signature, Pledge):
            unsynced = exists().where(OutboxEntry.record_id == model.id, OutboxEntry.state != "synced")
            any_entry = exists().where(OutboxEntry.record_id == model.id)
            conditions = [model.sealed.is_not(None), any_entry, ~unsynced]
            if older_than is not None:
                conditions.append(model.created_at < now - older_than)
            if config.purge_after == "synced_and_exported":
                conditions.append(model.exported_at.is_not(None))
            ids = list(session.scalars(select(model.id).where(*conditions)))
            if ids:
                session.execute(update(model).where(model.id.in_(ids)).values(sealed=None, purged_at=now))
                purged += len(ids)
        if purged:
            repo.add_audit(session, "purge", records=purged, reason=reason)
    if purged:
        with runtime.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("purged personal data of %d records (%s)", purged, reason)
    return purged


def purge_expired(runtime: KioskRuntime) -> int:
    """The automatic purge after ``retention_days`` (run at start-up)."""
    days = runtime.options.config.retention_days
    return purge_personal_data(runtime, older_than=dt.timedelta(days=days), reason=f"retention {days} days")
