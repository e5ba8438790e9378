"""Paper sheets typed up as CSV: good sheets import through the real save path as source=paper; every bad row is
reported by line and reason; all-or-nothing unless skip_invalid; duplicates are never stored twice."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from kiosk.cli import main
from kiosk.errors import VaultLockedError
from kiosk.paper_import import PaperImportError, import_paper, paper_form_version
from kiosk.runtime import KioskRuntime
from local_db import repositories as repo
from local_db.models import ConsentEvent, OutboxEntry, Signature
from tests.helpers.kiosk import PASSPHRASE
from tests.helpers.organiser_records import open_test_runtime, store_signature

HEADER = "first_name,last_name,email,postcode,country,phone,signed,email_updates,sms_updates,signed_on\n"
GOOD = (
    HEADER
    + "Zoë,O'Brien,zoe@example.org,sw1a 1aa,,,yes,yes,,2026-03-01\n"
    + "李,小龙,li@example.org,,France,,x,,,\n"
    + '"Ní Bhriain-Ó Sé",Siobhán,siobhan@example.org,BN1 1AA,,07911 123456,✓,,yes,15/03/2026\n'
)


@pytest.fixture
def runtime(set_up_data_dir: Path) -> Iterator[KioskRuntime]:
    rt = open_test_runtime(set_up_data_dir)
    yield rt
    rt.close()


@pytest.fixture
def version(runtime: KioskRuntime) -> str:
    return paper_form_version(runtime.options.campaign)


def sheet(tmp_path: Path, text: str, name: str = "sheet.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def signatures(runtime: KioskRuntime) -> list[Signature]:
    with runtime.db.begin() as session:
        return list(session.scalars(select(Signature).order_by(Signature.created_at)))


def test_form_version_names_each_consent_text_version(runtime: KioskRuntime, version: str) -> None:
    pack = runtime.options.campaign
    assert version == "+".join(pack.consent(p).version for p in ("sign", "email_updates", "sms_updates"))


def test_good_sheet_is_sealed_consented_and_queued_like_a_kiosk_signature(
    runtime: KioskRuntime, version: str, tmp_path: Path
) -> None:
    report = import_paper(runtime, sheet(tmp_path, GOOD), event_id="Brighton market", consent_version=version)
    assert report.committed and report.rows == 3 and not report.bad and not report.duplicates
    assert [line for line, _ in report.imported] == [2, 3, 4]
    stored = {s.id: s for s in signatures(runtime)}
    assert set(stored) == {record_id for _, record_id in report.imported}
    opened = {runtime.vault.open_record(s)["email"]: (s, runtime.vault.open_record(s)) for s in stored.values()}
    zoe, zoe_fields = opened["zoe@example.org"]
    assert zoe_fields == {
        "first_name": "Zoë",
        "last_name": "O'Brien",
        "email": "zoe@example.org",
        "postcode": "SW1A 1AA",
        "country": "GB",
        "phone": "",
    }
    assert opened["li@example.org"][1]["country"] == "FR" and opened["li@example.org"][1]["postcode"] == ""
    assert opened["siobhan@example.org"][1]["phone"] == "+447911123456"
    assert zoe.created_at.astimezone().date() == dt.date(2026, 3, 1)
    assert opened["siobhan@example.org"][0].created_at.astimezone().date() == dt.date(2026, 3, 15)
    for record in stored.values():
        assert (record.source, record.event_id, record.petition_id) == ("paper", "Brighton market", "hikvision-out")
    pack = runtime.options.campaign
    with runtime.db.begin() as session:
        events = list(session.scalars(select(ConsentEvent).where(ConsentEvent.record_id == zoe.id)))
        outbox = list(session.scalars(select(OutboxEntry)))
        audit = [a for a in repo.recent_audit(session) if a.action == "paper_import"]
    assert {e.purpose: e.granted for e in events} == {"sign": True, "email_updates": True, "sms_updates": False}
    for event in events:
        assert (event.text_version, event.text_sha256) == (
            pack.consent(event.purpose).version,
            pack.consent(event.purpose).sha256,
        )
        assert event.event_id == "Brighton market"
    assert sorted(e.record_id for e in outbox) == sorted(stored) and {e.state for e in outbox} == {"pending"}
    assert len(audit) == 1 and '"imported": 3' in audit[0].details and "zoe" not in audit[0].details.lower()


BAD_ROWS = [
    ("Ann,Lee,not-an-email,SW1A 1AA,,,yes,,,", "email: That does not look like an email address"),
    (",Lee,ann@example.org,SW1A 1AA,,,yes,,,", "first_name: Please enter your first name"),
    ("Ann,Lee2,ann@example.org,SW1A 1AA,,,yes,,,", "last_name: Names do not usually contain digits"),
    ("Ann,Lee,ann@example.org,XX1,,,yes,,,", "postcode: That is not a UK postcode"),
    ("Ann,Lee,ann@example.org,,Atlantis,,yes,,,", "country: Please choose your country from the list"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,yes,,yes,", "phone: Please enter your mobile number"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,020 7946 0000,yes,,yes,", "phone: Text updates need a mobile number"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,,,,", "signed: the sign box is not ticked"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,maybe,,,", "signed: 'maybe' is not a tick"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,yes,nope,,", "email_updates: 'nope' is not a tick"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,yes,,,March", "signed_on: 'March' is not a date"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,yes,,,2999-01-01", "signed_on: 2999-01-01 is in the future"),
    ("Ann,Lee,ann@example.org,SW1A 1AA,,,yes,,,,extra", "has 11 cells but the header has 10"),
    ("Ann 🙂,Lee,ann@example.org,SW1A 1AA,,,yes,,,", "first_name: Please use letters only"),
]


@pytest.mark.parametrize(
    ("row", "reason"), BAD_ROWS, ids=[reason.split(":")[0] + str(i) for i, (_, reason) in enumerate(BAD_ROWS)]
)
def test_each_bad_row_reason_is_reported_with_its_line_and_nothing_stored(
    runtime: KioskRuntime, version: str, tmp_path: Path, row: str, reason: str
) -> None:
    text = HEADER + "Zoë,O'Brien,zoe@example.org,SW1A 1AA,,,yes,,,\n\n" + row + "\n"
    report = import_paper(runtime, sheet(tmp_path, text), event_id="Brighton market", consent_version=version)
    assert not report.committed and report.imported == []
    assert [bad.line for bad in report.bad] == [4], "line 4: after the header, a good row and a blank line"
    assert reason in report.bad[0].reason
    assert report.lines() == [f"line 4: {report.bad[0].reason}"]
    assert signatures(runtime) == []


def test_line_numbers_count_physical_lines_of_quoted_cells(runtime: KioskRuntime, version: str, tmp_path: Path) -> None:
    text = HEADER + 'Zoë,"O\'Brien\nsecond line",zoe@,SW1A 1AA,,,yes,,,\nAnn,Lee,bad,SW1A 1AA,,,yes,,,\n'
    report = import_paper(runtime, sheet(tmp_path, text), event_id="E", consent_version=version)
    assert [bad.line for bad in report.bad] == [2, 4]


MIXED = (
    HEADER
    + "Zoë,O'Brien,zoe@example.org,SW1A 1AA,,,yes,,,\n"
    + "Bad,Email,nope,SW1A 1AA,,,yes,,,\n"
    + "Li,Wei,li@example.org,SW1A 1AA,,,yes,,,\n"
    + "No,Tick,no@example.org,SW1A 1AA,,,,,,\n"
)


def test_mixed_sheet_imports_nothing_by_default(runtime: KioskRuntime, version: str, tmp_path: Path) -> None:
    report = import_paper(runtime, sheet(tmp_path, MIXED), event_id="E", consent_version=version)
    assert not report.committed and [b.line for b in report.bad] == [3, 5]
    assert "Nothing imported: 2 of 4 row(s) have problems" in report.summary()
    assert signatures(runtime) == []
    with runtime.db.begin() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_mixed_sheet_with_skip_invalid_imports_the_good_rows(
    runtime: KioskRuntime, version: str, tmp_path: Path
) -> None:
    report = import_paper(runtime, sheet(tmp_path, MIXED), event_id="E", consent_version=version, skip_invalid=True)
    assert (
        report.committed and [line for line, _ in report.imported] == [2, 4] and [b.line for b in report.bad] == [3, 5]
    )
    assert report.summary() == "Imported 2 of 4 row(s); skipped 2 invalid row(s)."
    assert sorted(runtime.vault.open_record(s)["email"] for s in signatures(runtime)) == [
        "li@example.org",
        "zoe@example.org",
    ]


def test_duplicates_are_not_stored_twice_and_new_opt_ins_are_kept(
    runtime: KioskRuntime, version: str, tmp_path: Path
) -> None:
    earlier = store_signature(runtime, "Ann", "Lee", "ann@example.org")
    text = (
        HEADER
        + "Ann,Lee,ANN@example.org,SW1A 1AA,,,yes,yes,,\n"  # signed on the kiosk already; now wants email
        + "Zoë,O'Brien,zoe@example.org,SW1A 1AA,,,yes,,,\n"
        + "Zoë,O'Brien,zoe@example.org,SW1A 1AA,,,yes,,,\n"  # the same person twice on the sheet
    )
    report = import_paper(runtime, sheet(tmp_path, text), event_id="E", consent_version=version)
    assert report.committed and [line for line, _ in report.imported] == [3]
    assert report.duplicates == [
        (2, "already signed on this kiosk; added opt-ins: email_updates"),
        (4, "same person as line 3; not stored twice"),
    ]
    assert "1 had" not in report.summary() and "2 had already signed" in report.summary()
    assert len(signatures(runtime)) == 2
    with runtime.db.begin() as session:
        assert repo.latest_consents(session, earlier)["email_updates"] is True
    # Importing the same sheet again stores nothing new: safe to repeat after a failure.
    again = import_paper(runtime, sheet(tmp_path, text), event_id="E", consent_version=version)
    assert again.imported == [] and len(again.duplicates) == 3 and len(signatures(runtime)) == 2


def test_wrong_consent_version_is_refused_clearly(runtime: KioskRuntime, version: str, tmp_path: Path) -> None:
    with pytest.raises(
        PaperImportError,
        match=r"consent version 'sign-2025-01' is not this campaign pack's \(" + version.replace("+", r"\+"),
    ):
        import_paper(runtime, sheet(tmp_path, GOOD), event_id="E", consent_version="sign-2025-01")
    assert signatures(runtime) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first_name,last_name,email,postcode,signed,email_updates,sms_updates,adress\n", "unknown column(s) 'adress'"),
        (
            "first_name,last_name,email,postcode,signed,email_updates\nA,B,a@example.org,SW1A 1AA,yes,\n",
            "no sms_updates column",
        ),
        ("first_name,last_name,postcode,signed,email_updates,sms_updates\n", "no email column"),
        ("", "is empty"),
    ],
)
def test_file_level_problems_stop_before_anything(
    runtime: KioskRuntime, version: str, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(PaperImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_paper(runtime, sheet(tmp_path, text), event_id="E", consent_version=version)


def test_excel_variants_bom_semicolons_and_non_utf8(runtime: KioskRuntime, version: str, tmp_path: Path) -> None:
    with_bom = sheet(tmp_path, "\ufeff" + GOOD.replace(",", ";"), "bom.csv")
    report = import_paper(runtime, with_bom, event_id="E", consent_version=version)
    assert report.committed and len(report.imported) == 3
    latin1 = sheet(tmp_path, HEADER + "Zoë,B,z@example.org,SW1A 1AA,,,yes,,,\n", "latin1.csv", "latin-1")
    with pytest.raises(PaperImportError, match=r"not UTF-8.*CSV UTF-8"):
        import_paper(runtime, latin1, event_id="E", consent_version=version)


def test_needs_the_vault_unlocked_and_an_event(set_up_data_dir: Path, tmp_path: Path) -> None:
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    try:
        version = paper_form_version(rt.options.campaign)
        with pytest.raises(VaultLockedError):
            import_paper(rt, sheet(tmp_path, GOOD), event_id="E", consent_version=version)
        rt.vault.unlock(PASSPHRASE)
        with pytest.raises(PaperImportError, match="name the event"):
            import_paper(rt, sheet(tmp_path, GOOD), event_id="  ", consent_version=version)
    finally:
        rt.close()


def test_import_paper_command(set_up_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    version = paper_form_version(rt.options.campaign)
    rt.close()
    base = ["--data-dir", str(set_up_data_dir), "import-paper", str(sheet(tmp_path, MIXED)), "--event", "Hove"]
    common = ["--consent-version", version, "--passphrase-file", str(secret)]
    assert main([*base, *common]) == 1
    out = capsys.readouterr().out
    assert "line 3: email:" in out and "line 5: signed:" in out and "Nothing imported" in out
    assert main([*base, *common, "--skip-invalid"]) == 0
    assert "Imported 2 of 4 row(s)" in capsys.readouterr().out
    assert main([*base, "--consent-version", "old", "--passphrase-file", str(secret)]) == 2
    assert "is not this campaign pack's" in capsys.readouterr().err


def test_printed_paper_sheet_carries_the_wording_and_the_version(
    set_up_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheet.pdf"
    args = ["--data-dir", str(set_up_data_dir), "print", "paper-sheet", "--out", str(out), "--copies", "2"]
    assert main(args) == 0
    capsys.readouterr()
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2
    text = " ".join(reader.pages[0].extract_text().split())
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    pack = rt.options.campaign
    rt.close()
    assert f"Form version: {paper_form_version(pack)}" in text
    assert "Event: test-event" in text
    for purpose in ("sign", "email_updates", "sms_updates"):
        consent = pack.consent(purpose)
        assert " ".join(consent.text.split()) in text and f"[{consent.version}]" in text
    for heading in ("First name", "Last name", "Email", "Mobile (optional)", "Sign"):
        assert heading in text
