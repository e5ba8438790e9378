"""End to end: people sign and pledge through the real QML flows, the organiser exports from organiser mode, and the
files read back with Python's csv module and openpyxl hold every record once, every value exact (or neutralised where
a spreadsheet would run it), and a manifest whose hashes match."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.helpers.kiosk import PASSPHRASE, KioskHarness, open_organiser, unlock_vault
from tests.helpers.organiser_records import store_signature

# (first, last, email as typed, phone as typed) -> what the export must hold (phone in E.164, neutralised cells).
SIGNERS = [
    ("李", "小龙", "li@example.org", "", ("李", "小龙", "li@example.org", "")),
    ("Αλέξανδρος", "Παπαδόπουλος", "alex@example.org", "", ("Αλέξανδρος", "Παπαδόπουλος", "alex@example.org", "")),
    ("عمر", "الفاروق", "omar@example.org", "", ("عمر", "الفاروق", "omar@example.org", "")),
    ("Siobhán", "O'Brien-Ní", "o'brien@example.org", "", ("Siobhán", "O'Brien-Ní", "o'brien@example.org", "")),
    # Formula triggers a person can really type: a leading hyphen in a name, = and + in an email, a phone number.
    ("-Ann", "Lee", "=cmd@example.org", "07911 123456", ("'-Ann", "Lee", "'=cmd@example.org", "'+447911123456")),
    ("Björk", "Guðmundsdóttir", "+tag@example.org", "", ("Björk", "Guðmundsdóttir", "'+tag@example.org", "")),
]


def sign(k: KioskHarness, first: str, last: str, email: str, phone: str) -> None:
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    k.type_text("firstNameField", first)
    k.type_text("lastNameField", last)
    k.type_text("emailField", email)
    k.type_text("postcodeField", "sw1a 1aa")
    if phone:
        k.type_text("phoneField", phone)
    k.click("nextButton")
    k.find("consentSignCheck")
    k.click("consentSignCheck")
    k.click("submitSignatureButton")
    k.wait_screen("thankYou")
    k.find("thankYouScreen")
    k.click("doneButton")
    k.wait_screen("attract")


def pledge(k: KioskHarness) -> None:
    vm = k.controller.feature("pledge")

    def next_step(step: int) -> None:
        k.click("nextButton")
        k.qtbot.waitUntil(lambda: vm.property("step") == step, timeout=3000)
        k.qtbot.wait(50)

    k.click("pledgeButton")
    k.wait_screen("pledge")
    k.click("over18Check")
    k.click("amountPreset20")
    next_step(1)
    k.click("giftAidCheck")
    next_step(2)
    k.type_text("firstNameField", "Zoë")
    k.type_text("lastNameField", "D'Arcy")
    k.type_text("emailField", "zoe@example.org")
    k.type_text("addressField", 'Flat 2, "Rose" House, 12 Mill Lane')
    k.type_text("postcodeField", "bn1 1aa")
    next_step(3)
    k.click("followUpEmailCheck")
    k.click("submitPledgeButton")
    k.wait_screen("pledgeThankYou")
    k.click("doneButton")
    k.wait_screen("attract")


def export_from_panel(k: KioskHarness, out: Path, fmt: str) -> Path:
    exports = k.controller.feature("dashboard").property("exports")
    k.type_text("exportFolderField", str(out))
    k.click("formatXlsxButton" if fmt == "xlsx" else "formatCsvButton")
    k.click("exportButton")
    k.qtbot.waitUntil(lambda: not exports.property("busy") and exports.property("lastExport") != "", timeout=20_000)
    return Path(str(exports.property("lastExport")))


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def check_manifest(folder: Path) -> dict[str, Any]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, info in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"] and len(data) == info["bytes"], name
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == set(manifest["files"]) | {"manifest.json"}
    return dict(manifest)


def test_export_after_signing_and_pledging_through_the_screens(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    for first, last, email, phone, _ in SIGNERS:
        sign(k, first, last, email, phone)
    pledge(k)
    # A line break cannot be typed into the single-line fields; the save path still must survive one.
    k.runtime.vault.unlock(PASSPHRASE)
    store_signature(k.runtime, "Ann\nMarie", 'Smith, "Jo"', "ann@example.org")
    k.runtime.vault.lock()
    expected = {email.lower(): cells for _, _, email, _, cells in SIGNERS}
    expected["ann@example.org"] = ("Ann\nMarie", 'Smith, "Jo"', "ann@example.org", "")

    open_organiser(k)
    unlock_vault(k)
    k.click("exportTab")
    k.find("exportPanel")

    folder = export_from_panel(k, tmp_path / "usb", "csv")
    manifest = check_manifest(folder)
    assert manifest["counts"]["signatures"] == len(SIGNERS) + 1 and manifest["counts"]["pledges"] == 1
    rows = read_csv(folder / "signatures.csv")
    assert len(rows) == len({r["record_id"] for r in rows}) == len(expected)
    got = {}
    for row in rows:
        key = row["email"].lstrip("'").lower()
        got[key] = (row["first_name"], row["last_name"], row["email"], row["phone_number"])
        assert (row["zip_code"], row["country"], row["event"], row["personal_data"]) == (
            "SW1A 1AA",
            "GB",
            "test-event",
            "present",
        )
    assert got == expected
    (pledge_row,) = read_csv(folder / "pledges.csv")
    assert (pledge_row["First name or initial"], pledge_row["Last name"]) == ("Zoë", "D'Arcy")
    assert pledge_row["address_line"] == 'Flat 2, "Rose" House, 12 Mill Lane'
    assert (pledge_row["House name or number"], pledge_row["Postcode"], pledge_row["Amount"]) == (
        "Flat 2",
        "BN1 1AA",
        "20.00",
    )
    assert (pledge_row["gift_aid_declaration"], pledge_row["follow_up_email"]) == ("yes", "yes")
    log = read_csv(folder / "consent_log.csv")
    record_ids = {r["record_id"] for r in rows} | {pledge_row["record_id"]}
    assert {r["record_id"] for r in log} == record_ids
    for line in log:
        text = folder / "consent_texts" / f"{line['text_sha256']}.txt"
        assert hashlib.sha256(text.read_bytes()).hexdigest() == line["text_sha256"]
    audit = read_csv(folder / "audit.csv")
    assert {"setup", "unlock"} <= {a["action"] for a in audit}

    xlsx_folder = export_from_panel(k, tmp_path / "usb", "xlsx")
    check_manifest(xlsx_folder)
    book = load_workbook(xlsx_folder / "export.xlsx", read_only=True)
    sheet = list(book["signatures"].iter_rows(values_only=True))
    header = list(sheet[0])
    cells = [dict(zip(header, (v or "" for v in row), strict=True)) for row in sheet[1:]]
    from_xlsx = {
        str(c["email"]).lstrip("'").lower(): (c["first_name"], c["last_name"], c["email"], c["phone_number"])
        for c in cells
    }
    assert from_xlsx == expected
    pledges = list(book["pledges"].iter_rows(values_only=True))
    assert pledges[1][pledges[0].index("address_line")] == 'Flat 2, "Rose" House, 12 Mill Lane'
    assert len(list(book["consent_log"].iter_rows())) == len(log) + 1
