"""The pledge service without Qt: validation rules, the donation link, sealed durable saving with consent proofs, and
the dashboard totals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.campaign import load_campaign
from kiosk.errors import CampaignPackError, StorageError
from kiosk.pledges import (
    PledgeDraft,
    ValidPledge,
    donation_url,
    pledge_totals,
    save_pledge,
    validate_pledge,
)
from kiosk.resources import campaigns_dir
from kiosk.runtime import KioskRuntime, open_runtime
from local_db.models import ConsentEvent, FunnelCount, OutboxEntry, Pledge
from tests.helpers.kiosk import PASSPHRASE, make_options

PACK = load_campaign("hikvision")


def draft(**changes: object) -> PledgeDraft:
    base = PledgeDraft(preset_pounds=10, over_18=True, first_name="Dolma", email="dolma@example.org")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def valid(**changes: object) -> ValidPledge:
    pledge, errors = validate_pledge(draft(**changes), PACK)
    assert pledge is not None, errors
    return pledge


@pytest.fixture
def runtime(set_up_data_dir: Path) -> Iterator[KioskRuntime]:
    rt = open_runtime(make_options(set_up_data_dir))
    yield rt
    rt.close()


# --- validation ----------------------------------------------------------------------------------------------------


def test_a_minimal_pledge_is_valid_and_keeps_no_address_without_gift_aid() -> None:
    pledge = valid(address_line="1 High St", postcode="M1 1AE", gift_aid_enduring=True)
    assert (pledge.amount_pence, pledge.currency, pledge.frequency) == (1000, "GBP", "one_off")
    assert pledge.address_line == pledge.postcode == ""
    assert pledge.gift_aid is False and pledge.gift_aid_enduring is False
    assert pledge.consent_decisions() == {
        "gift_aid": False,
        "follow_up_email": False,
        "follow_up_phone": False,
        "email_updates": False,
    }


def test_typed_amount_wins_over_a_preset_and_is_parsed_to_pence() -> None:
    assert valid(custom_amount="£7,5").amount_pence == 750
    assert valid(preset_pounds=0, custom_amount="1,000").amount_pence == 100_000


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"preset_pounds": 0}, "amount", "choose an amount"),
        ({"preset_pounds": 7}, "amount", "one of the amounts shown"),
        ({"custom_amount": "0"}, "amount", "more than zero"),
        ({"custom_amount": "-5"}, "amount", "negative"),
        ({"custom_amount": "1e9"}, "amount", "in figures"),
        ({"custom_amount": "abc"}, "amount", "in figures"),
        ({"custom_amount": "£5.999"}, "amount", "two figures"),
        ({"custom_amount": "1000000000"}, "amount", "£1,000"),
        ({"frequency": "weekly"}, "frequency", "once or monthly"),
        ({"over_18": False}, "over_18", "18 or over"),
        ({"first_name": " "}, "first_name", "first name"),
        ({"email": "", "phone": ""}, "email", "email address or a phone number"),
        ({"email": "not-an-email"}, "email", "does not look like an email"),
        ({"phone": "12"}, "phone", "not valid"),
        ({"gift_aid": True}, "last_name", "Gift Aid needs your full name"),
        ({"gift_aid": True, "last_name": "Lhamo"}, "address_line", "home address"),
        ({"gift_aid": True, "last_name": "Lhamo", "address_line": "1 High St"}, "postcode", "postcode"),
        ({"gift_aid": True, "postcode": "75001"}, "postcode", "Gift Aid needs your UK home postcode"),
        ({"email": "", "phone": "07911 123456", "follow_up_email": True}, "follow_up_email", "email address"),
        ({"follow_up_phone": True}, "follow_up_phone", "phone number"),
        ({"email": "", "phone": "07911 123456", "optin_email": True}, "optin_email", "email address"),
    ],
)
def test_each_rule_gives_its_message_on_its_field(changes: dict[str, object], key: str, message: str) -> None:
    pledge, errors = validate_pledge(draft(**changes), PACK)
    assert pledge is None
    assert message in errors[key]


def test_gift_aid_pledge_keeps_full_name_and_normalised_address() -> None:
    pledge = valid(
        gift_aid=True,
        gift_aid_enduring=True,
        last_name=" Lhamo ",
        address_line="1   High St",
        postcode="m11ae",
        phone="07911 123456",
        frequency="monthly",
    )
    assert pledge.personal_fields() == {
        "first_name": "Dolma",
        "last_name": "Lhamo",
        "email": "dolma@example.org",
        "phone": "+447911123456",
        "address_line": "1 High St",
        "postcode": "M1 1AE",
    }
    assert pledge.consent_decisions()["gift_aid_enduring"] is True


# --- the donation link ---------------------------------------------------------------------------------------------


def test_donation_url_fills_amount_and_frequency() -> None:
    template = PACK.donation.url_template
    assert donation_url(template, 1250, "monthly") == (
        "https://act.example.org/donate/hikvision?amount=12.50&frequency=monthly"
    )
    assert donation_url(template, 500, "one_off").endswith("?amount=5&frequency=one_off")
    assert donation_url("https://x.example/give?p={amount_pence}", 1250, "one_off") == "https://x.example/give?p=1250"
    assert donation_url("https://x.example/give", 1250, "monthly") == "https://x.example/give"
    with pytest.raises(ValueError, match="frequency"):
        donation_url(template, 500, "weekly")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("https://x.example/give?a={ammount}", "unknown template field(s) ['ammount']"),
        ("https://x.example/give?a={amount", "not part of a {field}"),
    ],
)
def test_pack_refuses_a_template_with_a_typo(tmp_path: Path, template: str, problem: str) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(campaigns_dir() / "hikvision", pack)
    file = pack / "campaign.toml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(PACK.donation.url_template, template, 1), encoding="utf-8")
    with pytest.raises(CampaignPackError) as info:
        load_campaign(pack)
    assert info.value.field == "donation.url_template" and problem in info.value.problem


# --- saving ----------------------------------------------------------------------------------------------------------


def test_save_seals_and_stores_consents_outbox_and_funnel_in_one_go(runtime: KioskRuntime) -> None:
    pledge = valid(
        gift_aid=True,
        gift_aid_enduring=False,
        last_name="Lhamo",
        address_line="1 High St",
        postcode="M1 1AE",
        follow_up_phone=True,
        phone="07911 123456",
        optin_email=True,
    )
    receipt = save_pledge(runtime, pledge)
    assert receipt.donation_url.endswith("?amount=10&frequency=one_off")
    assert receipt.amount_text == "a one-off gift of £10"
    with runtime.db.begin() as session:
        record = session.get(Pledge, receipt.record_id)
        assert record is not None
        assert (record.amount_pence, record.currency, record.frequency, record.gift_aid) == (
            1000,
            "GBP",
            "one_off",
            True,
        )
        assert (record.follow_up_email, record.follow_up_phone, record.optin_email) == (False, True, True)
        assert record.sealed is not None and b"Lhamo" not in record.sealed
        events = list(session.scalars(select(ConsentEvent).where(ConsentEvent.record_id == record.id)))
        outbox = list(session.scalars(select(OutboxEntry)))
        funnel = list(session.scalars(select(FunnelCount).where(FunnelCount.flow == "pledge")))
    by_purpose = {e.purpose: e for e in events}
    assert {p: e.granted for p, e in by_purpose.items()} == {
        "gift_aid": True,
        "gift_aid_enduring": False,
        "follow_up_email": False,
        "follow_up_phone": True,
        "email_updates": True,
    }
    declaration = PACK.consent("gift_aid")
    assert (by_purpose["gift_aid"].text_sha256, by_purpose["gift_aid"].text_version) == (
        declaration.sha256,
        declaration.version,
    )
    assert [(o.record_id, o.record_kind, o.state, o.adapter) for o in outbox] == [
        (record.id, "pledge", "pending", "none")
    ]
    assert sum(f.completed for f in funnel) == 1
    assert runtime.vault is not None
    runtime.vault.unlock(PASSPHRASE)
    assert runtime.vault.open_record(record)["address_line"] == "1 High St"
    raw = runtime.options.db_path.read_bytes() + Path(f"{runtime.options.db_path}-wal").read_bytes()
    assert b"Lhamo" not in raw and b"dolma@example.org" not in raw and b"High St" not in raw


def test_failed_commit_raises_storage_error_and_stores_nothing(runtime: KioskRuntime) -> None:
    blocker = sqlite3.connect(runtime.options.db_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="could not store the pledge"):
            save_pledge(runtime, valid())
    finally:
        blocker.rollback()
        blocker.close()
    with runtime.db.begin() as session:
        for table in (Pledge, ConsentEvent, OutboxEntry):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table
    save_pledge(runtime, valid())  # the same pledge goes through once the database is free


def test_pledge_totals_keep_one_off_and_monthly_apart_and_filter(runtime: KioskRuntime) -> None:
    now = dt.datetime.now(dt.UTC)
    yesterday = now - dt.timedelta(days=1)
    save_pledge(runtime, valid(preset_pounds=20), when=yesterday, event_id="market")
    save_pledge(runtime, valid(custom_amount="12.50", frequency="monthly"), when=now, event_id="market")
    save_pledge(
        runtime,
        valid(preset_pounds=5, gift_aid=True, last_name="Lhamo", address_line="1 High St", postcode="M1 1AE"),
        when=now,
        event_id="festival",
    )
    save_pledge(runtime, valid(preset_pounds=10, frequency="monthly"), when=now, event_id="festival")
    with runtime.db.begin() as session:
        everything = pledge_totals(session)
        market = pledge_totals(session, event_id="market")
        today = pledge_totals(session, since=now - dt.timedelta(hours=1))
        nothing = pledge_totals(session, event_id="elsewhere")
        euros = pledge_totals(session, currency="EUR")
    assert (everything.one_off_count, everything.one_off_pence) == (2, 2500)
    assert (everything.monthly_count, everything.monthly_pence) == (2, 2250)
    assert everything.gift_aid_count == 1 and everything.count == 4
    assert (market.one_off_pence, market.monthly_pence, market.count) == (2000, 1250, 2)
    assert (today.one_off_pence, today.monthly_pence, today.count) == (500, 2250, 3)
    assert nothing.count == 0 and nothing.one_off_pence == nothing.monthly_pence == 0
    assert euros.count == 0
