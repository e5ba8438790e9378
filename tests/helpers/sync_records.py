"""Making records for sync tests through the real save path, and opening a runtime that syncs to a fake server."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig
from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.services import KioskOptions
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from tests.helpers.kiosk import PASSPHRASE, make_options, set_up_database


class FakeNow:
    """An injectable UTC clock that tests move forward instead of waiting."""

    def __init__(self) -> None:
        self.value = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += dt.timedelta(seconds=seconds)


def sync_options(data_dir: Path, sync: dict[str, Any], *, unlock: bool = True) -> KioskOptions:
    options = make_options(data_dir, KioskConfig(sync=sync))
    if unlock:
        options = KioskOptions(
            data_dir=options.data_dir, config=options.config, campaign=options.campaign, unlock_passphrase=PASSPHRASE
        )
    return options


def open_sync_runtime(data_dir: Path, sync: dict[str, Any], *, unlock: bool = True) -> KioskRuntime:
    """A set-up kiosk (set up on first use of ``data_dir``) whose ``[sync]`` is ``sync``, unlocked by default."""
    if not (data_dir / "kiosk.db").exists():
        set_up_database(data_dir)
    return open_runtime(sync_options(data_dir, sync, unlock=unlock))


def sign(
    runtime: KioskRuntime,
    n: int = 0,
    *,
    email: str | None = None,
    phone: str = "",
    optin_email: bool = False,
    optin_sms: bool = False,
    first: str = "Ann",
    last: str = "Signer",
    postcode: str = "SW1A 1AA",
) -> str:
    """Sign the petition as a validated draft through save_signature; returns the record id."""
    draft = SignatureDraft(
        first_name=first,
        last_name=last,
        email=email if email is not None else f"signer{n}-{uuid.uuid4().hex[:6]}@example.org",
        postcode=postcode,
        phone=phone,
        consent_sign=True,
        optin_email=optin_email,
        optin_sms=optin_sms,
    )
    valid, errors = validate_signature(draft, runtime.options.campaign)
    assert valid is not None, errors
    return save_signature(runtime, valid).record_id


def pledge(
    runtime: KioskRuntime,
    *,
    email: str,
    amount_pence: int = 1000,
    frequency: str = "monthly",
    optin_email: bool = False,
    follow_up_email: bool = True,
) -> str:
    """Store a pledge the way a pledge save does (sealed fields, consent proofs, outbox entry in one commit).

    The pledge flow (kiosk/pledges.py) is being written alongside sync; this keeps sync tests independent of it.
    """
    from kiosk.consent import record_consents
    from kiosk.signing import sync_adapter_name
    from local_db.models import OutboxEntry, Pledge

    vault = runtime.vault
    assert vault is not None
    record_id = str(uuid.uuid4())
    when = dt.datetime.now(dt.UTC)
    key_id, sealed = vault.seal(
        record_id, {"first_name": "Pat", "last_name": "Pledger", "email": email, "phone": "", "postcode": "BN1 1AA"}
    )
    with runtime.db.begin() as session:
        session.add(
            Pledge(
                id=record_id,
                campaign_id=runtime.options.campaign.id,
                kiosk_id=runtime.kiosk_id,
                event_id=runtime.event_id,
                created_at=when,
                language="en",
                data_key_id=key_id,
                sealed=sealed,
                amount_pence=amount_pence,
                currency="GBP",
                frequency=frequency,
                gift_aid=False,
                follow_up_email=follow_up_email,
                optin_email=optin_email,
            )
        )
        session.flush()
        record_consents(
            session,
            record_id=record_id,
            record_kind="pledge",
            decisions={"email_updates": optin_email, "follow_up_email": follow_up_email},
            pack=runtime.options.campaign,
            language="en",
            kiosk_id=runtime.kiosk_id,
            event_id=runtime.event_id,
            when=when,
        )
        session.add(
            OutboxEntry(
                record_id=record_id,
                record_kind="pledge",
                adapter=sync_adapter_name(runtime),
                state="pending",
                created_at=when,
                updated_at=when,
            )
        )
    return record_id


def withdraw(runtime: KioskRuntime, record_id: str, purpose: str) -> int:
    """Record a later withdrawal of one purpose as a new consent event with its own outbox entry."""
    from kiosk.consent import record_consents
    from kiosk.signing import sync_adapter_name
    from local_db.models import OutboxEntry

    when = dt.datetime.now(dt.UTC)
    with runtime.db.begin() as session:
        (event,) = record_consents(
            session,
            record_id=record_id,
            record_kind="signature",
            decisions={purpose: False},
            pack=runtime.options.campaign,
            language="en",
            kiosk_id=runtime.kiosk_id,
            event_id=runtime.event_id,
            when=when,
        )
        session.add(
            OutboxEntry(
                record_id=record_id,
                record_kind="signature",
                consent_event_id=event.id,
                adapter=sync_adapter_name(runtime),
                state="pending",
                created_at=when,
                updated_at=when,
            )
        )
        session.flush()
        return int(event.id)


def bulk_signatures(runtime: KioskRuntime, count: int, *, optin_every: int = 3) -> list[str]:
    """``count`` signatures with the rows save_signature writes (sealed fields, consent events with their text
    proofs, outbox entry), in one commit: volume tests need thousands, and 5,000 durable commits take a minute."""
    from local_db import repositories as repo
    from local_db.models import ConsentEvent, OutboxEntry, Signature

    vault = runtime.vault
    assert vault is not None
    pack = runtime.options.campaign
    when = dt.datetime.now(dt.UTC)
    adapter = runtime.options.config.sync.get("adapter", "none")
    ids = []
    with runtime.db.begin() as session:
        texts = {}
        for purpose in ("sign", "email_updates", "sms_updates"):
            text = pack.consent(purpose)
            repo.ensure_consent_text(session, text.sha256, purpose, text.version, "en", text.text)
            texts[purpose] = text
        for n in range(count):
            record_id = str(uuid.uuid4())
            optin = n % optin_every == 0
            key_id, sealed = vault.seal(
                record_id,
                {
                    "first_name": "Bulk",
                    "last_name": f"Signer{n}",
                    "email": f"bulk{n}@example.org",
                    "postcode": "SW1A 1AA",
                    "country": "GB",
                    "phone": "",
                },
            )
            rows: list[Any] = [
                Signature(
                    id=record_id,
                    campaign_id=pack.id,
                    petition_id=pack.petition.id,
                    kiosk_id=runtime.kiosk_id,
                    event_id=runtime.event_id,
                    created_at=when,
                    language="en",
                    source="kiosk",
                    data_key_id=key_id,
                    sealed=sealed,
                    optin_email=optin,
                    optin_sms=False,
                ),
                OutboxEntry(
                    record_id=record_id,
                    record_kind="signature",
                    adapter=adapter,
                    state="pending",
                    created_at=when,
                    updated_at=when,
                ),
            ]
            for purpose, granted in (("sign", True), ("email_updates", optin), ("sms_updates", False)):
                rows.append(
                    ConsentEvent(
                        record_id=record_id,
                        record_kind="signature",
                        purpose=purpose,
                        granted=granted,
                        text_version=texts[purpose].version,
                        text_sha256=texts[purpose].sha256,
                        language="en",
                        created_at=when,
                        kiosk_id=runtime.kiosk_id,
                        event_id=runtime.event_id,
                    )
                )
            session.add_all(rows)
            ids.append(record_id)
    return ids
