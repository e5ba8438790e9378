"""The organiser print panel through the real QML: choose, preview (QtPdf), print, save; never blocking the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.helpers.kiosk import KioskHarness, open_organiser
from tests.helpers.qr_decode import decode_qr_texts, qimage_to_pil, render_pdf_pages

LINK = "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=test-event&utm_campaign=hikvision"
A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)


def open_print_panel(k: KioskHarness) -> Any:
    """Organiser mode, Print tab; returns the printing view model once the first preview is on screen."""
    open_organiser(k)
    k.click("printTab")
    k.find("printPanel")
    vm = k.controller.feature("printing")
    k.qtbot.waitUntil(lambda: vm.property("pageCount") > 0 and not vm.property("busy"), timeout=10000)
    k.qtbot.waitUntil(lambda: vm.printers_listed and vm.destinations_listed, timeout=10000)
    return vm


def save_to(k: KioskHarness, vm: Any, folder: Path, label: str) -> None:
    """Offer ``folder`` as a save destination (as a mounted USB stick would be) and tap it."""
    vm.add_destination(str(folder), label)
    name = f"saveDestination_{vm.property('destinations').rowCount() - 1}"
    k.qtbot.waitUntil(lambda: k.exists(name))
    k.qtbot.wait(100)  # let the new button be laid out before scrolling to it
    assert k.find(name).property("text") == label
    k.click(name)


def wait_idle(k: KioskHarness, vm: Any) -> None:
    k.qtbot.wait(200)  # past the settings debounce
    k.qtbot.waitUntil(lambda: not vm.property("busy"), timeout=20000)


def preview_codes(vm: Any) -> list[str]:
    return decode_qr_texts(qimage_to_pil(vm.preview_image()))


def sizes(path: Path) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in PdfReader(path).pages]


def pdf_printer(path: Path) -> Any:
    """A real QPrinter writing PDF (Qt's own print-to-file): CI has no CUPS server to print to."""
    from PySide6.QtPrintSupport import QPrinter

    def make(name: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer

    return make


def test_panel_previews_each_document_and_saves_the_chosen_one(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    vm = open_print_panel(k)
    assert vm.property("document") == "flyers"
    assert preview_codes(vm) == [LINK] * 8
    assert k.text_of("previewPageText") == "Page 1 of 1"
    # The preview is on screen, not only in memory: the grab of the preview item has dark QR modules in it.
    preview = k.find("printPreview")
    assert preview.property("source").toString().startswith("image://printpreview/")

    k.click("document_poster")
    k.qtbot.waitUntil(lambda: vm.property("document") == "poster")
    wait_idle(k, vm)
    assert preview_codes(vm) == [LINK]

    k.click("paper_A3")
    k.click("copiesUp")
    k.click("copiesUp")
    assert k.text_of("copiesText") == "3"
    wait_idle(k, vm)
    k.qtbot.waitUntil(lambda: k.text_of("previewPageText") == "Page 1 of 3")
    k.click("previewNext")
    k.qtbot.waitUntil(lambda: k.text_of("previewPageText") == "Page 2 of 3", timeout=5000)
    assert preview_codes(vm) == [LINK]

    stick = tmp_path / "usb stick"
    stick.mkdir()
    save_to(k, vm, stick, "Test stick")
    k.qtbot.waitUntil(lambda: vm.property("lastSaved") != "", timeout=10000)
    saved = Path(vm.property("lastSaved"))
    assert saved.parent == stick and saved.name.startswith("hikvision-poster-A3-")
    assert "Saved" in k.text_of("printStatus")
    assert sizes(saved) == [A3] * 3
    assert decode_qr_texts(render_pdf_pages(saved, dpi=50)[2]) == [LINK]
    assert not list(stick.glob(".*.part"))


def test_summary_preview_comes_from_this_kiosks_records(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    vm = open_print_panel(k)
    k.click("document_summary")
    k.qtbot.waitUntil(lambda: vm.property("document") == "summary")
    wait_idle(k, vm)
    assert vm.property("pageCount") == 1 and not vm.property("statusIsError")
    save_to(k, vm, tmp_path, "Folder")
    k.qtbot.waitUntil(lambda: vm.property("lastSaved") != "", timeout=10000)
    text = PdfReader(vm.property("lastSaved")).pages[0].extract_text()
    assert "Event: test-event" in text and "Kiosk: test-kiosk" in text


def test_no_printer_says_so_and_offers_saving(kiosk: KioskHarness) -> None:
    from kiosk.bridge.printing import no_printer_message

    k = kiosk
    vm = k.controller.feature("printing")
    vm.list_printers = list  # a kiosk with no printer set up (what CI has anyway)
    open_print_panel(k)
    k.qtbot.waitUntil(lambda: k.exists("printerMessage"), timeout=5000)
    message = k.text_of("printerMessage")
    assert message == no_printer_message()
    assert message.startswith("No printer") and "USB stick" in message
    assert not k.find("printButton").property("enabled")
    vm.printDocument()  # even if called, it explains instead of failing silently
    assert vm.property("status") == no_printer_message() and vm.property("statusIsError")


def test_printing_sends_every_page_off_the_ui_thread(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    out = tmp_path / "printed.pdf"
    vm = k.controller.feature("printing")
    vm.list_printers = lambda: ["Stall printer"]
    vm.make_printer = pdf_printer(out)
    open_print_panel(k)
    k.qtbot.waitUntil(lambda: k.find("printButton").property("enabled"), timeout=5000)
    assert k.text_of("printButton") == "Print on Stall printer"
    assert not k.exists("printerMessage")
    k.click("copiesUp")
    wait_idle(k, vm)

    k.click("printButton")
    # The click returned while the job is still running: the screen stays live and says what is happening.
    assert vm.property("busy")
    assert k.text_of("printStatus").startswith(("Sending to Stall printer", "Printing page"))
    k.qtbot.waitUntil(lambda: not vm.property("busy"), timeout=60000)
    assert k.text_of("printStatus") == "Sent 2 pages of flyers to Stall printer."
    # Qt's printer rounds A4 to whole points (595 x 842).
    assert [(round(w), round(h)) for w, h in sizes(out)] == [(595, 842)] * 2
    for page in render_pdf_pages(out, dpi=150):
        assert decode_qr_texts(page) == [LINK] * 8


# Qt itself warns when a printer refuses to start; that refusal is what this test is about.
@pytest.mark.qt_log_ignore(r"QPainter::begin\(\): Returned false")
def test_a_refused_print_job_or_missing_folder_gives_a_clear_message(kiosk: KioskHarness, tmp_path: Path) -> None:
    k = kiosk
    vm = k.controller.feature("printing")
    vm.list_printers = lambda: ["Broken printer"]
    vm.make_printer = pdf_printer(tmp_path / "no such folder" / "out.pdf")
    open_print_panel(k)
    k.qtbot.waitUntil(lambda: k.find("printButton").property("enabled"), timeout=5000)
    k.click("printButton")
    k.qtbot.waitUntil(lambda: not vm.property("busy"), timeout=20000)
    assert vm.property("statusIsError")
    assert k.text_of("printStatus").startswith("Printing on Broken printer failed: the printer")

    gone = tmp_path / "unplugged"
    save_to(k, vm, gone, "Unplugged stick")
    k.qtbot.waitUntil(lambda: not vm.property("busy") and vm.property("status") != "", timeout=10000)
    assert vm.property("statusIsError")
    assert k.text_of("printStatus").startswith(f"Could not save in {gone}")
    assert "USB stick" in k.text_of("printStatus")


@pytest.mark.parametrize("size", [(800, 480), (1280, 800)])
def test_panel_fits_the_screen(kiosk: KioskHarness, size: tuple[int, int]) -> None:
    from PySide6.QtCore import QPointF

    k = kiosk
    k.window.resize(*size)
    open_print_panel(k)
    for name in ("printButton", "copiesUp", "document_flyers", "paper_A4", "previewNext", "printPreview"):
        item = k.find(name)
        k.scroll_into_view(item)
        corner = item.mapToScene(QPointF(item.width(), item.height()))
        assert corner.x() <= size[0] + 0.5 and corner.y() <= size[1] + 0.5, name
        if name != "printPreview":
            assert item.height() >= 56, name
