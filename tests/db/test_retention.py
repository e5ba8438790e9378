"""Retention: personal data of synced records is purged after retention_days or on demand; counts stay; the
purged bytes are gone from the database file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from kiosk.config import KioskConfig
from kiosk.retention import purge_expired, purge_personal_data
from kiosk.runtime import open_runtime
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from local_db.models import OutboxEntry, Signature
from local_db.repositories import count_signatures, recent_audit
from tests.helpers.kiosk import make_options


def _sign(runtime, email: str, when: dt.datetime) -> str:  # type: ignore[no-untyped-def]
    valid, _ = validate_signature(
        SignatureDraft("Pema", "Lhamo", email, "EH1 1YZ", consent_sign=True), runtime.options.campaign
    )
    assert valid is not None
    return save_signature(runtime, valid, when=when).record_id


def test_purge_after_retention_keeps_counts_and_unsynced(set_up_data_dir: Path) -> None:
    runtime = open_runtime(make_options(set_up_data_dir, KioskConfig(retention_days=30)))
    now = dt.datetime.now(dt.UTC)
    old_synced = _sign(runtime, "old.synced@example.org", now - dt.timedelta(days=40))
    old_pending = _sign(runtime, "old.pending@example.org", now - dt.timedelta(days=40))
    new_synced = _sign(runtime, "new.synced@example.org", now - dt.timedelta(days=1))
    with runtime.db.begin() as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.record_id.in_([old_synced, new_synced]))
            .values(state="synced", synced_at=now)
        )
    with runtime.db.begin() as session:
        old_blob = session.get(Signature, old_synced).sealed
    assert old_blob
    assert purge_expired(runtime) == 1
    with runtime.db.begin() as session:
        sealed = {r.id: r.sealed for r in session.scalars(select(Signature))}
        assert count_signatures(session) == 3
        assert next(e.action for e in recent_audit(session)) == "purge"
    assert sealed[old_synced] is None and sealed[old_pending] is not None and sealed[new_synced] is not None
    # On demand: every synced record, whatever its age.
    assert purge_personal_data(runtime, older_than=None, reason="organiser") == 1
    runtime.close()
    # secure_delete and the checkpoint leave no copy of the purged ciphertext in the file.
    assert old_blob[13:45] not in (set_up_data_dir / "kiosk.db").read_bytes()


def test_synced_and_exported_waits_for_export(set_up_data_dir: Path) -> None:
    config = KioskConfig(purge_after="synced_and_exported")
    runtime = open_runtime(make_options(set_up_data_dir, config))
    record = _sign(runtime, "x@example.org", dt.datetime.now(dt.UTC))
    with runtime.db.begin() as session:
        session.execute(update(OutboxEntry).values(state="synced"))
    assert purge_personal_data(runtime, older_than=None, reason="test") == 0
    with runtime.db.begin() as session:
        session.execute(update(Signature).where(Signature.id == record).values(exported_at=dt.datetime.now(dt.UTC)))
    assert purge_personal_data(runtime, older_than=None, reason="test") == 1
    runtime.close()
