"""The export panel through the real QML: export with a progress bar, paper-sheet import with its report, backup,
and the per-event reconciliation list - each run off the UI thread, each needing what it should."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import update

from kiosk.paper_import import paper_form_version
from local_db.models import OutboxEntry
from tests.helpers.kiosk import KioskHarness, open_organiser, unlock_vault
from tests.helpers.organiser_records import store_pledge, store_signature


def exports_vm(k: KioskHarness) -> Any:
    return k.controller.feature("dashboard").property("exports")


def wait_idle(k: KioskHarness) -> None:
    vm = exports_vm(k)
    k.qtbot.waitUntil(lambda: not vm.property("busy"), timeout=20_000)


def open_panel(k: KioskHarness, *, unlock: bool = True) -> None:
    open_organiser(k)
    if unlock:
        unlock_vault(k)
    k.click("exportTab")
    k.find("exportPanel")


def test_export_needs_the_vault_unlocked(kiosk: KioskHarness) -> None:
    open_panel(kiosk, unlock=False)
    assert not kiosk.find("exportButton").property("enabled")
    assert kiosk.find("exportLockedNote").isVisible()
    assert not kiosk.find("importPaperButton").property("enabled")


def test_export_button_writes_the_folder_and_shows_progress(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    store_signature(k.runtime, "Zoë", "O'Brien", "zoe@example.org")
    store_pledge(k.runtime)
    open_panel(k)
    vm = exports_vm(k)
    seen: list[tuple[bool, float, bool]] = []

    def record() -> None:
        bar = k.find_any("exportProgress")
        seen.append((bool(vm.property("busy")), float(vm.property("progress")), bool(bar and bar.isVisible())))

    vm.stateChanged.connect(record)
    out = tmp_path / "usb"
    k.type_text("exportFolderField", str(out))
    assert vm.property("folder") == str(out)
    k.click("exportButton")
    wait_idle(k)
    status = k.text_of("exportStatus")
    assert status.startswith("Exported 1 signatures and 1 pledges to ")
    (folder,) = list(out.iterdir())
    assert str(folder) in status and vm.property("lastExport") == str(folder)
    with (folder / "signatures.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["first_name"], r["last_name"]) for r in rows] == [("Zoë", "O'Brien")]
    busy_states = [s for s in seen if s[0]]
    assert busy_states and all(visible for _, _, visible in busy_states), "the progress bar shows while exporting"
    assert [p for _, p, _ in busy_states][-1] == 1.0

    k.click("formatXlsxButton")
    assert vm.property("fileFormat") == "xlsx"
    k.click("exportButton")
    wait_idle(k)
    assert any((p / "export.xlsx").is_file() for p in out.iterdir())


def test_import_paper_from_the_panel_reports_bad_rows_then_imports_good_ones(
    kiosk: KioskHarness, tmp_path: Path
) -> None:
    k = kiosk
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "first_name,last_name,email,postcode,country,phone,signed,email_updates,sms_updates,signed_on\n"
        "Zoë,O'Brien,zoe@example.org,SW1A 1AA,,,yes,,,\n"
        "Bad,Row,not-an-email,SW1A 1AA,,,yes,,,\n",
        encoding="utf-8",
    )
    open_panel(k)
    vm = exports_vm(k)
    k.type_text("paperFileField", str(sheet))
    assert k.text_of("paperEventField") == "test-event"
    k.type_text("paperVersionField", paper_form_version(k.options.campaign))
    k.click("importPaperButton")
    wait_idle(k)
    assert k.text_of("exportStatus").startswith("Nothing imported: 1 of 2 row(s) have problems")
    assert k.text_of("importLine_0").startswith("line 3: email:")
    assert k.runtime.vault is not None
    k.click("skipInvalidCheck")
    k.click("importPaperButton")
    wait_idle(k)
    assert k.text_of("exportStatus") == "Imported 1 of 2 row(s); skipped 1 invalid row(s)."
    assert vm.property("statusIsError") is False
    assert k.controller.property("tallyTotal") == 1


def test_backup_from_the_panel(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    store_signature(k.runtime)
    open_panel(k, unlock=False)
    target = tmp_path / "stick" / "copy.db"
    k.type_text("backupFileField", str(target))
    k.click("backupButton")
    wait_idle(k)
    assert target.is_file() and k.text_of("exportStatus").startswith(f"Backed up to {target}")
    k.type_text("backupFileField", str(target))
    k.click("backupButton")
    wait_idle(k)
    assert "already exists" in k.text_of("exportStatus") and exports_vm(k).property("statusIsError")


def test_reconciliation_list_per_event_and_outstanding(kiosk: KioskHarness) -> None:
    k = kiosk
    runtime = k.runtime
    synced = store_signature(runtime, email="a@example.org")
    rejected = store_signature(runtime, email="b@example.org")
    store_signature(runtime, email="c@example.org", event="Hove fair")
    with runtime.db.begin() as session:
        session.execute(update(OutboxEntry).where(OutboxEntry.record_id == synced).values(state="synced"))
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.record_id == rejected)
            .values(state="rejected", last_error="422 invalid email", attempts=2)
        )
    open_panel(k, unlock=False)
    vm = exports_vm(k)
    k.qtbot.waitUntil(lambda: vm.property("outstandingTotal") == 2, timeout=10_000)
    texts = sorted(k.find(f"reconciliationText_{i}").property("text") for i in range(2))
    assert texts == [
        "Hove fair: 1 collected · 0 synced · 0 rejected · 1 outstanding",
        "test-event: 2 collected · 1 synced · 1 rejected · 0 outstanding",
    ]
    assert k.find("outstanding_0").property("text") == (
        f"signature {rejected[:8]} · test-event · rejected · 422 invalid email"
    )
    assert "not sent yet" in k.find("outstanding_1").property("text")
    assert "Still outstanding: 2" in k.find("outstandingTitle").property("text")
