"""Petition signatures: validate what was typed, seal it, and store it with consent proofs and an outbox entry in
one durable transaction. Only after that commit may the kiosk say thank you."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import uuid
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk import validation as v
from kiosk.campaign import CampaignPack, ConsentText
from kiosk.consent import record_consents
from kiosk.errors import DecryptionError, StorageError
from kiosk.signature_form import SignatureDraft as SignatureDraft  # re-exported: callers import it from here
from local_db import repositories as repo
from local_db.models import OutboxEntry, Signature, utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime
    from kiosk.vault import Vault

log = logging.getLogger(__name__)

# The purposes a signature asks about; the sign consent is required, the others are optional opt-ins.
SIGNATURE_PURPOSES = ("sign", "email_updates", "sms_updates")

# Consent wordings already committed to each database (by SHA-256): each is written once per run, not with every
# save. Filled only after the commit that wrote them, so a rolled-back save cannot leave a wording unstored.
_STORED_TEXTS: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()


@lru_cache(maxsize=256)
def _text_sha256(text: ConsentText) -> str:
    """The wording's hash, computed once per wording rather than once per save."""
    return text.sha256


@dataclass(frozen=True)
class ValidSignature:
    """A draft that passed validation, normalised."""

    first_name: str
    last_name: str
    email: str
    postcode: str
    country: str  # ISO 3166 alpha-2; "GB" with a postcode
    phone: str  # E.164 or ""
    optin_email: bool
    optin_sms: bool
    language: str

    def personal_fields(self) -> dict[str, str]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "postcode": self.postcode,
            "country": self.country,
            "phone": self.phone,
        }


@dataclass
class SaveResult:
    record_id: str
    duplicate: bool = False
    new_optins: list[str] = field(default_factory=list)


def validate_signature(
    draft: SignatureDraft, pack: CampaignPack, memo: v.FormMemo | None = None
) -> tuple[ValidSignature | None, dict[str, str]]:
    """Check a draft against the pack's required fields. Returns (valid signature, {}) or (None, field errors).

    Error keys are field names: first_name, last_name, email, postcode, country, phone, consent_sign, optin_sms.
    ``memo``: the attendee's :class:`~kiosk.validation.FormMemo`, when the form is checked more than once (the
    details step, then the submit): typed fields checked before with the same requirements are not checked again,
    only the ticks.
    """
    required = pack.petition.required_fields
    email_required = draft.optin_email or "email" in required
    phone_required = draft.optin_sms or "phone" in required
    key = (
        draft.first_name,
        draft.last_name,
        draft.email,
        draft.outside_uk,
        draft.postcode,
        draft.country,
        draft.phone,
        email_required,
        phone_required,
        required,
    )
    checked = memo.recall(key) if memo is not None else None
    if checked is None:
        checked = _check_typed(draft, required, email_required, phone_required, memo)
        if memo is not None:
            memo.keep(key, *checked)
    values, typed_errors = checked
    errors = dict(typed_errors) if typed_errors else {}
    if draft.optin_email and not values["email"] and "email" not in errors:
        errors["email"] = "Email updates need your email address."
    if draft.optin_sms and values["phone"] and not v.is_mobile(values["phone"]):
        errors["phone"] = "Text updates need a mobile number."
    if not draft.consent_sign:
        errors["consent_sign"] = "Please tick the box to sign the petition."
    if errors:
        return None, errors
    return (
        ValidSignature(
            values["first_name"],
            values["last_name"],
            values["email"],
            values["postcode"],
            values["country"],
            values["phone"],
            draft.optin_email,
            draft.optin_sms,
            draft.language,
        ),
        {},
    )


def _check_typed(
    draft: SignatureDraft,
    required: tuple[str, ...],
    email_required: bool,
    phone_required: bool,
    memo: v.FormMemo | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """What the typed fields normalise to, and the message of each field that is not right (no ticks checked)."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    values["first_name"], errors["first_name"] = v.normalise_name(
        draft.first_name, required="first_name" in required, what="first name"
    )
    values["last_name"], errors["last_name"] = v.normalise_name(
        draft.last_name, required="last_name" in required, what="last name"
    )
    normalise_email = memo.emails.normalise if memo is not None else v.normalise_email
    values["email"], errors["email"] = normalise_email(draft.email, required=email_required)
    if draft.outside_uk:
        values["country"], errors["country"] = v.normalise_country(draft.country, required="postcode" in required)
        values["postcode"] = ""
    else:
        values["postcode"], errors["postcode"] = v.normalise_postcode(draft.postcode, required="postcode" in required)
        values["country"] = "GB"
    values["phone"], errors["phone"] = v.normalise_phone(draft.phone, required=phone_required)
    return values, {key: message for key, message in errors.items() if message}


def sync_adapter_name(runtime: KioskRuntime) -> str:
    adapter = runtime.options.config.sync.get("adapter", "none")
    return adapter if isinstance(adapter, str) else "none"


def save_signature(
    runtime: KioskRuntime,
    signature: ValidSignature,
    *,
    source: str = "kiosk",
    when: dt.datetime | None = None,
    event_id: str | None = None,
) -> SaveResult:
    """Seal and store a signature durably (synchronous=FULL commit), or recognise a duplicate.

    A duplicate (same normalised email on the same petition, recognised only while the vault is unlocked) is not
    stored again; opt-ins newly ticked are stored as new consent events on the earlier signature.

    Raises:
        StorageError: the commit failed (disk full, database locked, read-only). Nothing was stored; the failure
            is in the audit log when the database still accepts that.
    """
    vault, record_id, when, event = prepare_save(runtime, when, event_id)
    pack = runtime.options.campaign
    tag = vault.dedupe_tag(pack.petition.id, signature.email)
    earlier_id = None
    try:
        with runtime.write() as conn:
            if tag is not None:
                earlier_id = repo.first_signature_id_with_tag(conn, tag)
            if earlier_id is None:
                key_id, sealed = vault.seal(record_id, signature.personal_fields())
                repo.insert_record(
                    conn,
                    Signature,
                    {
                        "id": record_id,
                        "campaign_id": pack.id,
                        "petition_id": pack.petition.id,
                        "kiosk_id": runtime.kiosk_id,
                        "event_id": event,
                        "created_at": when,
                        "language": signature.language,
                        "source": source,
                        "data_key_id": key_id,
                        "sealed": sealed,
                        "optin_email": signature.optin_email,
                        "optin_sms": signature.optin_sms,
                        "dedupe_tag": tag,
                    },
                )
                texts = record_proofs_and_queue(
                    conn,
                    runtime,
                    record_id=record_id,
                    record_kind="signature",
                    decisions={
                        "sign": True,
                        "email_updates": signature.optin_email,
                        "sms_updates": signature.optin_sms,
                    },
                    language=signature.language,
                    event_id=event,
                    when=when,
                )
                if source == "kiosk":
                    # The funnel counts flows on this screen; typed-up paper sheets never "started" here.
                    repo.bump_funnel(conn, "sign", "completed", event, when)
        if earlier_id is not None:
            # Rare (a second signature with the same email): the ORM path, which reads and updates the earlier one.
            with runtime.db.begin() as session:
                earlier = session.get(Signature, earlier_id)
                assert earlier is not None
                return _record_new_optins(runtime, session, earlier, signature, when, event, source)
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise storage_failure(runtime, "signature", exc) from None
    consent_texts_committed(runtime, texts)
    return SaveResult(record_id=record_id)


def _record_new_optins(
    runtime: KioskRuntime,
    session: object,
    earlier: Signature,
    signature: ValidSignature,
    when: dt.datetime,
    event: str,
    source: str,
) -> SaveResult:
    assert isinstance(session, Session)
    current = repo.latest_consents(session, earlier.id)
    wanted = {"email_updates": signature.optin_email, "sms_updates": signature.optin_sms}
    newly = {purpose: True for purpose, granted in wanted.items() if granted and not current.get(purpose, False)}
    if newly:
        events = record_consents(
            session,
            record_id=earlier.id,
            record_kind="signature",
            decisions=newly,
            pack=runtime.options.campaign,
            language=signature.language,
            kiosk_id=runtime.kiosk_id,
            event_id=event,
            when=when,
        )
        earlier.optin_email = earlier.optin_email or signature.optin_email
        earlier.optin_sms = earlier.optin_sms or signature.optin_sms
        if signature.optin_sms and signature.phone:
            _update_phone(runtime, session, earlier, signature.phone)
        for consent_event in events:
            session.add(
                OutboxEntry(
                    record_id=earlier.id,
                    record_kind="signature",
                    consent_event_id=consent_event.id,
                    adapter=sync_adapter_name(runtime),
                    state="pending",
                    created_at=when,
                    updated_at=when,
                )
            )
    if source == "kiosk":
        repo.bump_funnel(session, "sign", "completed", event, when)
    repo.add_audit(session, "duplicate_signature", record_id=earlier.id, new_optins=sorted(newly))
    return SaveResult(record_id=earlier.id, duplicate=True, new_optins=sorted(newly))


def _update_phone(runtime: KioskRuntime, session: object, earlier: Signature, phone: str) -> None:
    """Text updates need the number the person just gave: re-seal the earlier record with it.

    Duplicates are only recognised while the vault is unlocked, so the earlier record can be opened here.
    """
    assert isinstance(session, Session) and runtime.vault is not None
    try:
        fields = runtime.vault.open_record(earlier)
    except DecryptionError as exc:
        repo.add_audit(session, "decryption_failed", record_id=earlier.id, reason=str(exc))
        return
    if fields.get("phone") == phone:
        return
    fields["phone"] = phone
    earlier.data_key_id, earlier.sealed = runtime.vault.seal(earlier.id, fields)


def prepare_save(
    runtime: KioskRuntime, when: dt.datetime | None, event_id: str | None
) -> tuple[Vault, str, dt.datetime, str]:
    """What every new record needs before its transaction: the vault, a fresh id, the time and the event.

    It also makes sure this run's data key exists: creating it commits on its own connection, which must not
    happen inside the caller's transaction.
    """
    vault = runtime.vault
    if vault is None:
        raise StorageError("This kiosk is not set up yet.")
    vault.start_run()
    return vault, new_record_id(), when or utcnow(), event_id or runtime.event_id


def new_record_id() -> str:
    """A new record's id: a random (version 4) UUID as text. (Formatting the text by hand from os.urandom saved
    ~20 us of a ~1 ms save; the standard library's is the one to trust.)"""
    return str(uuid.uuid4())


def record_proofs_and_queue(
    conn: sqlite3.Connection,
    runtime: KioskRuntime,
    *,
    record_id: str,
    record_kind: str,
    decisions: dict[str, bool],
    language: str,
    event_id: str,
    when: dt.datetime,
) -> list[str]:
    """The part every new record shares, in the caller's transaction: one consent event per purpose shown (granted
    or not, with the version and SHA-256 of the exact words), the words themselves when this database may not have
    them yet, and the outbox entry.

    Returns the hashes of the wordings written here; pass them to :func:`consent_texts_committed` after the commit.
    """
    pack = runtime.options.campaign
    kiosk_id = runtime.kiosk_id
    stored = _STORED_TEXTS.get(runtime.db.engine, set())
    written: list[str] = []
    rows = []
    for purpose, granted in decisions.items():
        text = pack.consent(purpose)
        sha256 = _text_sha256(text)
        if sha256 not in stored:
            repo.ensure_consent_text(conn, sha256, purpose, text.version, language, text.text)
            written.append(sha256)
        rows.append(
            {
                "record_id": record_id,
                "record_kind": record_kind,
                "purpose": purpose,
                "granted": bool(granted),
                "text_version": text.version,
                "text_sha256": sha256,
                "language": language,
                "created_at": when,
                "kiosk_id": kiosk_id,
                "event_id": event_id,
            }
        )
    repo.insert_consent_events(conn, rows)
    repo.insert_outbox_entry(
        conn, record_id=record_id, record_kind=record_kind, adapter=sync_adapter_name(runtime), when=when
    )
    return written


def consent_texts_committed(runtime: KioskRuntime, sha256s: list[str]) -> None:
    """Remember wordings that a committed transaction stored, so later saves skip writing them again."""
    if sha256s:
        _STORED_TEXTS.setdefault(runtime.db.engine, set()).update(sha256s)


def storage_failure(runtime: KioskRuntime, what: str, exc: sqlite3.Error | SQLAlchemyError) -> StorageError:
    reason = str(getattr(exc, "orig", exc))
    log.error("could not store a %s: %s", what, reason)
    try:
        with runtime.db.begin() as session:
            repo.add_audit(session, "save_failed", kind=what, reason=reason)
    except SQLAlchemyError:
        log.error("could not audit the failed %s save yet; it goes in with the next commit", what)
        runtime.audit_later("save_failed", kind=what, reason=reason)
    return StorageError(f"could not store the {what}: {reason}")


def backfill_dedupe_tags(runtime: KioskRuntime) -> tuple[int, list[str]]:
    """After unlock: give duplicate-detection tags to signatures stored while locked.

    Returns (records tagged, ids that failed to decrypt). Failures are audited, never fatal.
    """
    vault = runtime.vault
    if vault is None or not vault.unlocked:
        return 0, []
    petition_id = runtime.options.campaign.petition.id
    tagged, failed = 0, []
    with runtime.db.begin() as session:
        for record in repo.signatures_without_tag(session, petition_id):
            try:
                email = str(vault.open_record(record).get("email", ""))
            except DecryptionError as exc:
                failed.append(record.id)
                repo.add_audit(session, "decryption_failed", record_id=record.id, reason=str(exc))
                continue
            record.dedupe_tag = vault.dedupe_tag(petition_id, email)
            tagged += 1
    return tagged, failed


def checkpoint_while_idle(runtime: KioskRuntime) -> None:
    """When a flow that saved is over (back on the attract screen): copy its pages from the WAL into the database
    file now, rather than inside the commit of a later save (``Database.checkpoint``). Never fatal: a failure
    leaves the pages in the WAL, which SQLite checkpoints itself later."""
    try:
        runtime.db.checkpoint()
    except (sqlite3.Error, SQLAlchemyError) as exc:
        log.warning("could not checkpoint the database: %s", exc)


def record_flow_event(runtime: KioskRuntime, flow: str, column: str) -> None:
    """Count a flow started/abandoned for the funnel (no personal data).

    On the saves' connection: a write on any other connection makes that one read its pages again at the next save.
    """
    try:
        with runtime.write() as conn:
            repo.bump_funnel(conn, flow, column, runtime.event_id)
    except (sqlite3.Error, SQLAlchemyError) as exc:
        log.warning("could not count a %s %s: %s", flow, column, exc)
