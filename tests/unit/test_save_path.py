"""The fast save path (Core inserts, consent wordings written once per run) keeps every row a save has always made."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.errors import StorageError
from kiosk.runtime import open_runtime
from kiosk.signing import SignatureDraft, new_record_id, save_signature, validate_signature
from local_db import repositories as repo
from local_db.models import AuditEvent, ConsentEvent, ConsentText, FunnelCount, OutboxEntry, Signature
from tests.helpers.kiosk import make_options


def _valid(runtime, email: str, **kw):  # type: ignore[no-untyped-def]
    draft = SignatureDraft(
        first_name="Yeshi", last_name="Dorje", email=email, postcode="EH1 1YZ", consent_sign=True, **kw
    )
    valid, errors = validate_signature(draft, runtime.options.campaign)
    assert valid is not None, errors
    return valid


def test_each_save_stores_the_record_its_proofs_outbox_entry_and_count(set_up_data_dir: Path) -> None:
    runtime = open_runtime(make_options(set_up_data_dir))
    pack = runtime.options.campaign
    first = save_signature(runtime, _valid(runtime, "a@example.org", optin_email=True))
    second = save_signature(runtime, _valid(runtime, "b@example.org"))
    with runtime.db.begin() as session:
        for result, email_granted in ((first, True), (second, False)):
            record = session.get(Signature, result.record_id)
            assert record is not None and record.sealed and record.kiosk_id == runtime.kiosk_id
            assert record.created_at.tzinfo is not None
            events = repo.consent_events_for(session, result.record_id)
            assert [(e.purpose, e.granted) for e in events] == [
                ("sign", True),
                ("email_updates", email_granted),
                ("sms_updates", False),
            ]
            assert all(e.text_sha256 == pack.consent(e.purpose).sha256 for e in events)
            outbox = session.scalars(select(OutboxEntry).where(OutboxEntry.record_id == result.record_id)).all()
            assert [(o.state, o.attempts, o.consent_event_id) for o in outbox] == [("pending", 0, None)]
        # Each wording once, provable from the database alone.
        texts = {t.sha256: t.text for t in session.scalars(select(ConsentText))}
        for purpose in ("sign", "email_updates", "sms_updates"):
            assert texts[pack.consent(purpose).sha256] == pack.consent(purpose).text
        assert session.scalar(select(FunnelCount.completed).where(FunnelCount.flow == "sign")) == 2
    runtime.close()


def test_a_failed_first_save_does_not_leave_its_wordings_unstored(
    set_up_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first save writes the consent wordings; when its transaction rolls back, the next save must write them
    again (consent events reference their wording, so a skipped wording would fail every later save)."""
    runtime = open_runtime(make_options(set_up_data_dir))

    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(repo, "insert_outbox_entry", locked)
    with pytest.raises(StorageError):
        save_signature(runtime, _valid(runtime, "a@example.org"))
    monkeypatch.undo()
    with runtime.db.begin() as session:
        assert session.scalars(select(ConsentText)).all() == []
        assert session.scalars(select(Signature)).all() == []
    saved = save_signature(runtime, _valid(runtime, "a@example.org"))
    with runtime.db.begin() as session:
        assert len(session.scalars(select(ConsentEvent).where(ConsentEvent.record_id == saved.record_id)).all()) == 3
        assert len(session.scalars(select(ConsentText)).all()) == 3
        assert [a.action for a in session.scalars(select(AuditEvent))].count("save_failed") == 1
    runtime.close()


def test_record_ids_are_random_uuids_in_the_usual_text_form() -> None:
    ids = [new_record_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for record_id in ids:
        parsed = uuid.UUID(record_id)
        assert str(parsed) == record_id and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # Every bit that is not the version or the variant is random: each takes both values across the ids.
    bits = [uuid.UUID(record_id).int for record_id in ids]
    fixed = (0xF << 76) | (0x3 << 62)
    assert all(
        any(b >> i & 1 for b in bits) and not all(b >> i & 1 for b in bits) for i in range(128) if not fixed >> i & 1
    )
