"""Hostile text through the ways out of the kiosk: sync payloads, CSV exports and paper-sheet imports.

What tests/unit/test_payloads.py, test_exports.py and test_paper_import.py do not cover: any Unicode, control
characters, NUL bytes, right-to-left text, very long strings and SQL/formula injection strings. Round trips must
be exact: a webhook body decodes to the very values sealed; an Action Network search filter quotes a value so it
parses back to itself; an exported CSV cell, once its anti-formula apostrophe is taken off, is the stored value;
a paper sheet's row is either refused with a reason or stored and decrypts to exactly its normalised values.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import event
from hypothesis import strategies as st
from sqlalchemy import select

from kiosk.exports import FORMULA_TRIGGERS, export_records
from kiosk.paper_import import check_rows, import_paper, paper_form_version
from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.services import KioskOptions
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from kiosk.sync.adapters import ConsentState, DeliveryItem
from kiosk.sync.adapters.osdi import odata_quote, person_signup_payload, plan_signup, signature_payload
from kiosk.sync.adapters.webhook import batch_payload, encode_body, sign_body
from kiosk.sync.settings import ActionNetworkSettings, Secret
from local_db.models import Signature
from tests.helpers.kiosk import PASSPHRASE, make_options, set_up_database
from tests.reliability.strategies import INJECTIONS, examples, nasty_text, plausible_name

WHEN = dt.datetime(2026, 11, 26, 10, 30, tzinfo=dt.UTC)
AN = ActionNetworkSettings(petition_url="https://an.example/api/v2/petitions/p1", token=Secret("t"), tags=("kiosk",))
# The fake Action Network's filter grammar, copied from Action Network's docs (tests/helpers/fake_action_network.py).
ODATA_FILTER = re.compile(r"^\s*(identifier|email_address|phone_number)\s+eq\s+'((?:[^']|'')*)'\s*$", re.DOTALL)


def item(personal: dict[str, str], optin: bool) -> DeliveryItem:
    sha = "a" * 64
    return DeliveryItem(
        entry_id=1,
        record_id=str(uuid.uuid4()),
        kind="signature",
        created_at=WHEN,
        language="en",
        source="kiosk",
        campaign_id="hikvision",
        event_id="stall",
        kiosk_id=str(uuid.uuid4()),
        personal=personal,
        consents={
            "sign": ConsentState(True, "v1", sha, WHEN),
            "email_updates": ConsentState(optin, "v1", sha, WHEN),
            "sms_updates": ConsentState(False, "v1", sha, WHEN),
        },
        details={"petition_id": "p1"},
    )


personal_values = st.fixed_dictionaries(
    {
        "first_name": nasty_text,
        "last_name": nasty_text,
        "email": nasty_text,
        "phone": nasty_text,
        "postcode": nasty_text,
        "country": nasty_text,
    }
)


def _webhook_body_is_exact(personal: dict[str, str], secret: str) -> None:
    payload = batch_payload([item(personal, optin=True)], WHEN)
    body = encode_body(payload)
    decoded = json.loads(body.decode("utf-8"))
    assert decoded == json.loads(json.dumps(payload))
    sent = decoded["records"][0]["person"]
    assert sent == {key: value for key, value in personal.items() if value}
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(sign_body(secret, body), expected)


test_webhook_body, test_webhook_body_thorough = examples(
    _webhook_body_is_exact, personal_values, nasty_text.filter(bool)
)


def _action_network_bodies_are_exact(personal: dict[str, str], optin: bool, exists: bool) -> None:
    record = item(personal, optin)
    for body in (
        signature_payload(record, AN),
        person_signup_payload(
            record,
            plan_signup(
                has_email=bool(personal["email"]),
                has_phone=bool(personal["phone"]),
                email_known=exists,
                phone_known=False,
                optin_email=optin,
                optin_sms=False,
            ),
        ),
    ):
        round_tripped = json.loads(json.dumps(body, ensure_ascii=False))
        assert round_tripped == body
        person = round_tripped["person"]
        if personal["first_name"]:
            assert person["given_name"] == personal["first_name"]
        if "email_addresses" in person:
            assert person["email_addresses"][0]["address"] == personal["email"]
            assert person["email_addresses"][0].get("status") in (None, "subscribed", "unsubscribed")


test_action_network_bodies, test_action_network_bodies_thorough = examples(
    _action_network_bodies_are_exact, personal_values, st.booleans(), st.booleans()
)


def _search_filter_quotes_exactly(value: str) -> None:
    match = ODATA_FILTER.match(f"email_address eq {odata_quote(value)}")
    assert match is not None
    assert match.group(2).replace("''", "'") == value


test_search_filter, test_search_filter_thorough = examples(_search_filter_quotes_exactly, nasty_text)


# --- CSV export -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kiosk_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskRuntime]:
    data_dir = tmp_path_factory.mktemp("roundtrip")
    set_up_database(data_dir)
    base = make_options(data_dir)
    options = KioskOptions(data_dir=data_dir, config=base.config, campaign=base.campaign, unlock_passphrase=PASSPHRASE)
    runtime = open_runtime(options)
    yield runtime
    runtime.close()


# Names and emails that pass validation yet start like a formula or hold injection text.
formula_names = st.tuples(st.sampled_from(["-", "'", ""]), plausible_name).map("".join)
formula_emails = st.tuples(st.sampled_from(["=", "+", "-", "", "'", "=cmd|'", "@"]), st.emails()).map(
    lambda t: t[0] + t[1] if t[0] != "@" else t[1]
)
signers = st.lists(
    st.tuples(formula_names | st.sampled_from(INJECTIONS), formula_names, formula_emails), min_size=1, max_size=12
)


def un_neutralise(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" else cell


def _export_cells_are_exact(runtime: KioskRuntime, tmp_path_factory: pytest.TempPathFactory, people: list) -> None:  # type: ignore[type-arg]
    saved: dict[str, dict[str, str]] = {}
    for first, last, email in people:
        draft = SignatureDraft(first_name=first, last_name=last, email=email, postcode="SW1A 1AA", consent_sign=True)
        valid, _ = validate_signature(draft, runtime.options.campaign)
        if valid is None:
            continue
        result = save_signature(runtime, valid)
        if not result.duplicate:
            saved[result.record_id] = valid.personal_fields()
    exported = export_records(runtime, tmp_path_factory.mktemp("export"))
    with (exported.folder / "signatures.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {row["record_id"]: row for row in csv.DictReader(fh)}
    for record_id, fields in saved.items():
        row = rows[record_id]
        for column, key in (("first_name", "first_name"), ("last_name", "last_name"), ("email", "email")):
            cell = row[column]
            assert cell[:1] not in FORMULA_TRIGGERS, cell
            assert un_neutralise(cell) == fields[key]


_export_fast, _export_slow = examples(_export_cells_are_exact, signers, fast=8)


def test_export_cells(kiosk_runtime: KioskRuntime, tmp_path_factory: pytest.TempPathFactory) -> None:
    _export_fast(kiosk_runtime, tmp_path_factory)


@pytest.mark.slow
def test_export_cells_thorough(kiosk_runtime: KioskRuntime, tmp_path_factory: pytest.TempPathFactory) -> None:
    _export_slow(kiosk_runtime, tmp_path_factory)


# --- paper sheets -----------------------------------------------------------------------------------------

PAPER_HEADER = ["first_name", "last_name", "email", "postcode", "phone", "signed", "email_updates", "sms_updates"]
good_paper_row = st.tuples(
    plausible_name,
    plausible_name,
    formula_emails,
    st.sampled_from(["SW1A 1AA", "m1 1ae"]),
    st.just(""),
    st.sampled_from(["yes", "x", "✓"]),
    st.sampled_from(["yes", ""]),
    st.just(""),
).map(list)
paper_rows = st.lists(
    good_paper_row
    | st.tuples(
        nasty_text | plausible_name,
        nasty_text | plausible_name,
        nasty_text | formula_emails,
        nasty_text | st.sampled_from(["SW1A 1AA", "m1 1ae", "B33 8TH"]),
        nasty_text | st.sampled_from(["", "07911 123456"]),
        nasty_text | st.sampled_from(["yes", "x", "", "no"]),
        nasty_text | st.sampled_from(["yes", ""]),
        st.sampled_from(["", "no"]),
    ).map(list),
    min_size=1,
    max_size=8,
)


def _paper_rows_are_refused_or_kept_exactly(
    runtime: KioskRuntime, tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    sheet = tmp_path_factory.mktemp("paper") / "sheet.csv"
    # Text files hold no NUL or lone CR a spreadsheet would write; everything else goes in as typed.
    rows = [[cell.replace("\x00", "") for cell in row] for row in rows]
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([PAPER_HEADER, *rows])
    good, bad, count = check_rows(sheet, runtime.options.campaign)
    assert len(good) + len(bad) == count
    assert all(row.reason for row in bad)
    event("some rows good" if good else "no row good")
    if not good:
        return
    with runtime.db.begin() as session:
        before = set(session.scalars(select(Signature.id)))
    report = import_paper(
        runtime,
        sheet,
        event_id="paper-test",
        consent_version=paper_form_version(runtime.options.campaign),
        skip_invalid=True,
    )
    assert report is not None
    vault = runtime.vault
    assert vault is not None
    with runtime.db.begin() as session:
        new = [r for r in session.scalars(select(Signature)) if r.id not in before]
        opened = [vault.open_record(record) for record in new]
    wanted = [row.signature.personal_fields() for row in good]
    # Duplicates of earlier signers (same email) are folded into the earlier record, never stored twice.
    assert all(fields in wanted for fields in opened)


_paper_fast, _paper_slow = examples(_paper_rows_are_refused_or_kept_exactly, paper_rows, fast=25)


def test_paper_rows(kiosk_runtime: KioskRuntime, tmp_path_factory: pytest.TempPathFactory) -> None:
    _paper_fast(kiosk_runtime, tmp_path_factory)


@pytest.mark.slow
def test_paper_rows_thorough(kiosk_runtime: KioskRuntime, tmp_path_factory: pytest.TempPathFactory) -> None:
    _paper_slow(kiosk_runtime, tmp_path_factory)
