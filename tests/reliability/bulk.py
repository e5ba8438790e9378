"""Many realistic sealed signatures, fast: each sealed by the real vault, stored by bulk insert with its consent
events and outbox entry, the rows the real save path writes. For soak tests, crash tests of export and benches."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import insert

from kiosk.runtime import KioskRuntime
from local_db import repositories as repo
from local_db.models import ConsentEvent, OutboxEntry, Signature
from tests.reliability.records import expected_fields

PURPOSES = ("sign", "email_updates", "sms_updates")
CHUNK = 10_000


def fill_signatures(
    runtime: KioskRuntime,
    count: int,
    *,
    first: int = 0,
    start: dt.datetime | None = None,
    spacing: dt.timedelta = dt.timedelta(seconds=1),
) -> dict[str, dict[str, str]]:
    """Insert ``count`` sealed signatures (signers ``first`` ..), created from ``start`` on, ``spacing`` apart.

    Returns {record id: the personal fields sealed in it}.
    """
    vault = runtime.vault
    assert vault is not None, "the kiosk must be set up"
    pack = runtime.options.campaign
    start = start or dt.datetime.now(dt.UTC) - spacing * count
    texts = {purpose: pack.consent(purpose) for purpose in PURPOSES}
    with runtime.db.begin() as session:
        for purpose, text in texts.items():
            repo.ensure_consent_text(session, text.sha256, purpose, text.version, "en", text.text)
    people: dict[str, dict[str, str]] = {}
    with runtime.db.engine.begin() as conn:
        for chunk in range(first, first + count, CHUNK):
            signatures: list[dict[str, Any]] = []
            consents: list[dict[str, Any]] = []
            outbox: list[dict[str, Any]] = []
            for n in range(chunk, min(first + count, chunk + CHUNK)):
                record_id = str(uuid.uuid4())
                fields = expected_fields(n)
                key_id, sealed = vault.seal(record_id, fields)
                when = start + spacing * (n - first)
                optin = n % 3 == 0
                people[record_id] = fields
                signatures.append(
                    {
                        "id": record_id,
                        "campaign_id": pack.id,
                        "petition_id": pack.petition.id,
                        "kiosk_id": runtime.kiosk_id,
                        "event_id": runtime.event_id,
                        "created_at": when,
                        "language": "en",
                        "source": "kiosk",
                        "data_key_id": key_id,
                        "sealed": sealed,
                        "optin_email": optin,
                        "optin_sms": False,
                    }
                )
                consents.extend(
                    {
                        "record_id": record_id,
                        "record_kind": "signature",
                        "purpose": purpose,
                        "granted": purpose == "sign" or (purpose == "email_updates" and optin),
                        "text_version": text.version,
                        "text_sha256": text.sha256,
                        "language": "en",
                        "created_at": when,
                        "kiosk_id": runtime.kiosk_id,
                        "event_id": runtime.event_id,
                    }
                    for purpose, text in texts.items()
                )
                outbox.append(
                    {
                        "record_id": record_id,
                        "record_kind": "signature",
                        "adapter": "none",
                        "state": "pending",
                        "created_at": when,
                        "updated_at": when,
                    }
                )
            conn.execute(insert(Signature), signatures)
            conn.execute(insert(ConsentEvent), consents)
            conn.execute(insert(OutboxEntry), outbox)
    return people
