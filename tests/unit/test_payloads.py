"""Properties of what the adapters send, for every combination of consents and of who Action Network knows."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.sync.adapters import ConsentChange, ConsentState, DeliveryItem
from kiosk.sync.adapters.osdi import (
    consent_change_payload,
    person_signup_payload,
    plan_signup,
    signature_payload,
)
from kiosk.sync.adapters.webhook import batch_id, batch_payload, encode_body, sign_body
from kiosk.sync.settings import ActionNetworkSettings, Secret
from tests.helpers.fake_webhook import load_schema

AN = ActionNetworkSettings(petition_url="https://an.example/api/v2/petitions/p1", token=Secret("t"), tags=("kiosk",))
SCHEMA = load_schema()
WHEN = dt.datetime(2026, 11, 26, 10, 30, tzinfo=dt.UTC)
SHA = "a" * 64

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
emails = st.sampled_from(["", "ann@example.org", "o'brien@example.org", "zoë@example.org"])
mobiles = st.sampled_from(["", "+447911123456", "+33612345678"])


def statuses(body: dict[str, Any]) -> dict[str, str | None]:
    person = body["person"]
    email = (person.get("email_addresses") or [{}])[0]
    phone = (person.get("phone_numbers") or [{}])[0]
    return {"email": email.get("status"), "phone": phone.get("status")}


@st.composite
def items(draw: st.DrawFn, kind: str | None = None) -> DeliveryItem:
    email, phone = draw(emails), draw(mobiles)
    if not email and not phone:
        email = "only@example.org"
    consents = {
        purpose: ConsentState(draw(st.booleans()), f"{purpose}-v1", SHA, WHEN)
        for purpose in ("email_updates", "sms_updates")
    }
    consents["sign"] = ConsentState(True, "sign-v1", SHA, WHEN)
    record_kind = kind or draw(st.sampled_from(["signature", "pledge"]))
    details: dict[str, Any] = (
        {"petition_id": "p1"}
        if record_kind == "signature"
        else {"amount_pence": draw(st.integers(1, 10**6)), "currency": "GBP", "frequency": "monthly", "gift_aid": False}
    )
    change = None
    if draw(st.booleans()):
        change = ConsentChange(
            draw(st.integers(1, 10**6)),
            draw(st.sampled_from(["email_updates", "sms_updates"])),
            draw(st.booleans()),
            "v2",
            SHA,
            WHEN,
        )
    return DeliveryItem(
        entry_id=draw(st.integers(1, 10**6)),
        record_id=str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)),
        kind=record_kind,
        created_at=WHEN,
        language="en",
        source=draw(st.sampled_from(["kiosk", "paper"])),
        campaign_id="hikvision",
        event_id=draw(names),
        kiosk_id=str(uuid.uuid4()),
        personal={
            "first_name": draw(names),
            "last_name": draw(names),
            "email": email,
            "phone": phone,
            "postcode": "SW1A 1AA",
            "country": "GB",
        },
        consents=consents,
        details=details,
        consent_change=change,
    )


@given(
    has_email=st.booleans(),
    has_phone=st.booleans(),
    email_known=st.booleans(),
    phone_known=st.booleans(),
    optin_email=st.booleans(),
    optin_sms=st.booleans(),
)
def test_signup_plan_never_subscribes_without_opt_in_nor_unsubscribes_a_known_person(
    has_email: bool, has_phone: bool, email_known: bool, phone_known: bool, optin_email: bool, optin_sms: bool
) -> None:
    email_known, phone_known = email_known and has_email, phone_known and has_phone
    plan = plan_signup(
        has_email=has_email,
        has_phone=has_phone,
        email_known=email_known,
        phone_known=phone_known,
        optin_email=optin_email,
        optin_sms=optin_sms,
    )
    if plan.email_status == "subscribed":
        assert optin_email
    if plan.phone_status == "subscribed":
        assert optin_sms
    if plan.create_first:
        # What is created first is new to Action Network: no known email or number goes in it.
        sends_email = has_email and plan.include_email
        sends_phone = has_phone and plan.include_phone
        assert not (sends_email and email_known) and not (sends_phone and phone_known)
        # ... and a channel the person did not opt in to is explicitly off for that new person.
        if sends_email and not optin_email:
            assert plan.email_status == "unsubscribed"
        if sends_phone and not optin_sms:
            assert plan.phone_status == "unsubscribed"
    else:
        assert plan.email_status is None and plan.phone_status is None
    # Entirely new and not opted in somewhere: always created first (the signature helper would subscribe them).
    if not email_known and not phone_known and has_email and not optin_email:
        assert plan.create_first and plan.email_status == "unsubscribed"


@given(items(kind="signature"))
def test_signature_payload_subscribes_exactly_the_opt_ins(item: DeliveryItem) -> None:
    body = signature_payload(item, AN)
    text = json.dumps(body)
    assert "unsubscribed" not in text
    assert body["identifiers"] == [f"campaign_kiosk:{item.record_id}"]
    found = statuses(body)
    if item.personal["email"]:
        assert found["email"] == ("subscribed" if item.granted("email_updates") else None)
    if item.personal["phone"]:
        assert found["phone"] == ("subscribed" if item.granted("sms_updates") else None)
        assert body["person"]["phone_numbers"][0]["number_type"] == "Mobile"
    assert body["add_tags"] == ["kiosk"]


@given(items(), st.booleans(), st.booleans())
def test_signup_payload_carries_only_the_planned_statuses(
    item: DeliveryItem, email_known: bool, phone_known: bool
) -> None:
    plan = plan_signup(
        has_email=bool(item.personal["email"]),
        has_phone=bool(item.personal["phone"]),
        email_known=email_known,
        phone_known=phone_known,
        optin_email=item.granted("email_updates"),
        optin_sms=item.granted("sms_updates"),
    )
    found = statuses(person_signup_payload(item, plan))
    if item.personal["email"] and plan.include_email:
        assert found["email"] == plan.email_status
    if item.personal["phone"] and plan.include_phone:
        assert found["phone"] == plan.phone_status


@given(items(), st.booleans())
def test_withdrawals_only_touch_people_who_exist(item: DeliveryItem, exists: bool) -> None:
    body = consent_change_payload(item, person_exists=exists)
    change = item.consent_change
    if change is None:
        assert body is None
        return
    if body is not None:
        text = json.dumps(body)
        assert ("unsubscribed" in text) == (not change.granted)
        if not change.granted:
            assert exists


@settings(max_examples=60)
@given(st.lists(items(), min_size=1, max_size=8, unique_by=lambda i: i.delivery_id))
def test_webhook_batches_match_the_published_schema_and_are_signed(batch: list[DeliveryItem]) -> None:
    payload = batch_payload(batch, WHEN)
    jsonschema.validate(payload, SCHEMA)
    body = encode_body(payload)
    assert json.loads(body) == payload
    expected = "sha256=" + hmac.new(b"secret-secret-secret", body, hashlib.sha256).hexdigest()
    assert sign_body("secret-secret-secret", body) == expected
    assert batch_id(list(reversed(batch))) == payload["batch_id"]  # retries of the same set share the key
    for item, record in zip(batch, payload["records"], strict=True):
        assert record["id"] == item.delivery_id
        for purpose, state in item.consents.items():
            assert record["consents"][purpose]["granted"] == state.granted
