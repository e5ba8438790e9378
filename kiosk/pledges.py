"""Donation pledges: validate what was chosen and typed, seal it, and store it with consent proofs (Gift Aid
declaration included) and an outbox entry in one durable transaction. Only after that commit may the kiosk say thank
you and show the QR code to the campaign's donation page.

The kiosk never asks for card or bank details: a pledge is a promise, completed online. That keeps the kiosk out of
payment-card scope and makes a stolen kiosk worthless to a thief.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk import validation as v
from kiosk.campaign import CampaignPack
from kiosk.pledge_form import FREQUENCIES, PledgeDraft, PledgeReceipt, donation_url, pledge_amount
from kiosk.pledge_form import describe_amount as describe_amount  # re-exported: callers import it from here
from kiosk.signing import consent_texts_committed, prepare_save, record_proofs_and_queue, storage_failure
from local_db import repositories as repo
from local_db.models import Pledge

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


@dataclass(frozen=True)
class ValidPledge:
    """A draft that passed validation: amount in pence, personal fields normalised."""

    amount_pence: int
    currency: str
    frequency: str  # one_off | monthly
    first_name: str
    last_name: str
    email: str
    phone: str  # E.164 or ""
    address_line: str  # only with Gift Aid, else ""
    postcode: str  # only with Gift Aid, else ""
    gift_aid: bool
    gift_aid_enduring: bool
    follow_up_email: bool
    follow_up_phone: bool
    optin_email: bool
    language: str

    def personal_fields(self) -> dict[str, str]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "address_line": self.address_line,
            "postcode": self.postcode,
        }

    def consent_decisions(self) -> dict[str, bool]:
        """Every purpose the attendee was shown, granted or not (the enduring Gift Aid box shows only with Gift Aid)."""
        decisions = {
            "gift_aid": self.gift_aid,
            "follow_up_email": self.follow_up_email,
            "follow_up_phone": self.follow_up_phone,
            "email_updates": self.optin_email,
        }
        if self.gift_aid:
            decisions["gift_aid_enduring"] = self.gift_aid_enduring
        return decisions


@dataclass(frozen=True)
class PledgeTotals:
    """Pledged totals for the organiser dashboard (never the public screen). One-off and monthly kept apart:
    £10 a month and £10 once are different promises."""

    one_off_count: int = 0
    one_off_pence: int = 0
    monthly_count: int = 0
    monthly_pence: int = 0
    gift_aid_count: int = 0
    currency: str = "GBP"

    @property
    def count(self) -> int:
        return self.one_off_count + self.monthly_count


def validate_pledge(draft: PledgeDraft, pack: CampaignPack) -> tuple[ValidPledge | None, dict[str, str]]:
    """Check a draft. Returns (valid pledge, {}) or (None, messages by field).

    Error keys: amount, frequency, over_18, first_name, last_name, email, phone, address_line, postcode,
    follow_up_email, follow_up_phone, optin_email.
    """
    errors: dict[str, str] = {}
    amount, errors["amount"] = pledge_amount(draft, pack.donation)
    if draft.frequency not in FREQUENCIES:
        errors["frequency"] = "Please choose once or monthly."
    if not draft.over_18:
        errors["over_18"] = (
            "Please confirm you are 18 or over: only adults can pledge a donation. "
            "Under 18? Thank you for caring - you can still sign the petition!"
        )
    first, errors["first_name"] = v.normalise_name(draft.first_name, what="first name")
    last, errors["last_name"] = v.normalise_name(draft.last_name, required=draft.gift_aid, what="last name")
    if draft.gift_aid and errors["last_name"] == "Please enter your last name.":
        errors["last_name"] = "Gift Aid needs your full name: please enter your last name."
    email, errors["email"] = v.normalise_email(draft.email, required=False)
    phone, errors["phone"] = v.normalise_phone(draft.phone, required=False)
    if not draft.email.strip() and not draft.phone.strip():
        errors["email"] = "Please give an email address or a phone number, so we can match your pledge to your gift."
    address, postcode = "", ""
    if draft.gift_aid:
        address, errors["address_line"] = v.normalise_address_line(draft.address_line)
        postcode, errors["postcode"] = v.normalise_postcode(draft.postcode)
        if errors["postcode"] and draft.postcode.strip():
            errors["postcode"] = "That is not a UK postcode (like SW1A 1AA). Gift Aid needs your UK home postcode."
    if draft.follow_up_email and not draft.email.strip():
        errors["follow_up_email"] = "To email you about this pledge we need your email address: go back and add it."
    if draft.follow_up_phone and not draft.phone.strip():
        errors["follow_up_phone"] = (
            "To call or text you about this pledge we need your phone number: go back and add it."
        )
    if draft.optin_email and not draft.email.strip():
        errors["optin_email"] = "Email updates need your email address: go back and add it."
    errors = {key: message for key, message in errors.items() if message}
    if errors:
        return None, errors
    return (
        ValidPledge(
            amount_pence=amount,
            currency=pack.donation.currency,
            frequency=draft.frequency,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            address_line=address,
            postcode=postcode,
            gift_aid=draft.gift_aid,
            gift_aid_enduring=draft.gift_aid and draft.gift_aid_enduring,
            follow_up_email=draft.follow_up_email,
            follow_up_phone=draft.follow_up_phone,
            optin_email=draft.optin_email,
            language=draft.language,
        ),
        {},
    )


def save_pledge(
    runtime: KioskRuntime,
    pledge: ValidPledge,
    *,
    source: str = "kiosk",
    when: dt.datetime | None = None,
    event_id: str | None = None,
) -> PledgeReceipt:
    """Seal and store a pledge durably (synchronous=FULL commit) with its consent proofs and outbox entry.

    Raises:
        StorageError: the commit failed (disk full, database locked, read-only). Nothing was stored; the failure
            is in the audit log when the database still accepts that.
    """
    vault, record_id, when, event = prepare_save(runtime, when, event_id)
    pack = runtime.options.campaign
    try:
        with runtime.write() as conn:
            key_id, sealed = vault.seal(record_id, pledge.personal_fields())
            repo.insert_record(
                conn,
                Pledge,
                {
                    "id": record_id,
                    "campaign_id": pack.id,
                    "kiosk_id": runtime.kiosk_id,
                    "event_id": event,
                    "created_at": when,
                    "language": pledge.language,
                    "source": source,
                    "data_key_id": key_id,
                    "sealed": sealed,
                    "amount_pence": pledge.amount_pence,
                    "currency": pledge.currency,
                    "frequency": pledge.frequency,
                    "gift_aid": pledge.gift_aid,
                    "follow_up_email": pledge.follow_up_email,
                    "follow_up_phone": pledge.follow_up_phone,
                    "optin_email": pledge.optin_email,
                },
            )
            texts = record_proofs_and_queue(
                conn,
                runtime,
                record_id=record_id,
                record_kind="pledge",
                decisions=pledge.consent_decisions(),
                language=pledge.language,
                event_id=event,
                when=when,
            )
            repo.bump_funnel(conn, "pledge", "completed", event, when)
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise storage_failure(runtime, "pledge", exc) from None
    consent_texts_committed(runtime, texts)
    return PledgeReceipt(
        record_id=record_id,
        amount_pence=pledge.amount_pence,
        currency=pledge.currency,
        frequency=pledge.frequency,
        gift_aid=pledge.gift_aid,
        donation_url=donation_url(pack.donation.url_template, pledge.amount_pence, pledge.frequency),
    )


def pledge_totals(
    session: Session,
    event_id: str | None = None,
    since: dt.datetime | None = None,
    currency: str = "GBP",
) -> PledgeTotals:
    """Totals pledged in ``currency`` (all events unless ``event_id``; all time unless ``since``), one-off and
    monthly apart. Amounts are in clear on purpose, so this works while the vault is locked and after a purge."""
    stmt = (
        select(
            Pledge.frequency,
            func.count(),
            func.coalesce(func.sum(Pledge.amount_pence), 0),
            func.coalesce(func.sum(case((Pledge.gift_aid, 1), else_=0)), 0),
        )
        .where(Pledge.currency == currency)
        .group_by(Pledge.frequency)
    )
    if event_id is not None:
        stmt = stmt.where(Pledge.event_id == event_id)
    if since is not None:
        stmt = stmt.where(Pledge.created_at >= since)
    counts: dict[str, tuple[int, int]] = {}
    gift_aid = 0
    for frequency, count, pence, with_gift_aid in session.execute(stmt):
        counts[str(frequency)] = (int(count), int(pence))
        gift_aid += int(with_gift_aid)
    one_off = counts.get("one_off", (0, 0))
    monthly = counts.get("monthly", (0, 0))
    return PledgeTotals(
        one_off_count=one_off[0],
        one_off_pence=one_off[1],
        monthly_count=monthly[0],
        monthly_pence=monthly[1],
        gift_aid_count=gift_aid,
        currency=currency,
    )
