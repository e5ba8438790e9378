"""The organiser print panel, and the attributed petition link the attract screen's QR code carries.

Making a PDF, rendering its preview (QtPdf), printing (Qt print support; CUPS on Linux), listing printers and
listing save folders all run on the thread pool; results come back to the UI thread through signals, so the
screen never stalls while a hundred flyer sheets go to the printer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    Property,
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QObject,
    QRect,
    QSize,
    QSizeF,
    QStandardPaths,
    QStorageInfo,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtQml import QmlElement, QmlUncreatable, QQmlImageProviderBase
from PySide6.QtQuick import QQuickImageProvider

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.bridge.background import run_in_background
from kiosk.bridge.controller import KioskController
from kiosk.bridge.listmodels import RowsModel
from kiosk.bridge.qr_provider import qr_image_source
from kiosk.errors import KioskError
from kiosk.printing.catalogue import MAX_COPIES, PAPER_SIZES, PrintError
from kiosk.printing.documents import DOCUMENTS, DocumentRequest, build_document, save_pdf
from kiosk.printing.qr import attributed_url, petition_link

log = logging.getLogger(__name__)

PREVIEW_PROVIDER = "printpreview"
PREVIEW_LONG_SIDE_PX = 1000
# Pages are rasterised for the printer at this resolution (or the printer's own, if lower): QR modules on flyers
# are ~1 mm, so 300 dpi gives each module about 11 dots.
PRINT_DPI = 300
CUPS_SOCKETS = ("/run/cups/cups.sock", "/var/run/cups/cups.sock")
# Where removable media are mounted on Linux desktops and kiosks.
REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/")


# --- work done on the thread pool (no QML objects touched here) ----------------------------------------------------


def _open_pdf(data: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A loaded QPdfDocument over the bytes (the buffer must outlive the document)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise PrintError(f"the PDF could not be read back for preview or printing ({document.error().name})")
    return document, buffer


def _page_image(document: QPdfDocument, page: int, size: QSize) -> QImage:
    """One page rendered onto white (QtPdf renders onto transparency)."""
    rendered = document.render(page, size)
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image


def render_preview(data: bytes, page: int, long_side: int = PREVIEW_LONG_SIDE_PX) -> tuple[QImage, int]:
    """Page ``page`` of a PDF as an image whose longer side is ``long_side`` pixels, and the PDF's page count."""
    document, _buffer = _open_pdf(data)
    try:
        count = document.pageCount()
        page = max(0, min(page, count - 1))
        points = document.pagePointSize(page)
        scale = long_side / max(points.width(), points.height())
        size = QSize(round(points.width() * scale), round(points.height() * scale))
        return _page_image(document, page, size), count
    finally:
        document.close()


def available_printers() -> list[str]:
    """Names of the printers the system knows (CUPS on Linux); may take a moment with network printers."""
    return [info.printerName() for info in QPrinterInfo.availablePrinters()]


def default_printer() -> str:
    return QPrinterInfo.defaultPrinterName()


def no_printer_message() -> str:
    """What to tell a volunteer when there is no printer to print on."""
    if sys.platform.startswith("linux") and not any(os.path.exists(sock) for sock in CUPS_SOCKETS):
        return (
            "No printer: the printing service (CUPS) is not running on this kiosk. "
            "Save the PDF to a USB stick and print it elsewhere, or ask whoever set up the kiosk to install CUPS."
        )
    return (
        "No printer is set up. Check that the printer is on and connected, and added in the system's printer "
        "settings, or save the PDF to a USB stick and print it elsewhere."
    )


def system_printer(name: str) -> QPrinter:
    """A QPrinter for the named system printer."""
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        raise PrintError(f"the printer {name!r} is no longer available")
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


def print_pdf(
    data: bytes,
    printer: QPrinter,
    *,
    copies: int = 1,
    title: str = "campaign-kiosk",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Paint every page of the PDF onto ``printer``; returns the number of pages sent.

    When the PDF is ``copies`` repeats of the same pages, each distinct page is rasterised once and painted
    ``copies`` times (a hundred flyer sheets cost one rendering).

    Raises:
        PrintError: the printer refused the job.
    """
    document, _buffer = _open_pdf(data)
    try:
        count = document.pageCount()
        per_copy = count // copies if copies > 0 and count % copies == 0 else count
        first = document.pagePointSize(0)
        printer.setDocName(title)
        printer.setFullPage(True)
        # The printer takes the PDF's own page size (A4, A3, Letter) and we paint edge to edge: the PDFs already
        # keep their content inside printable margins.
        page_size = QPageSize(
            QSizeF(first.width(), first.height()), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
        )
        printer.setPageLayout(QPageLayout(page_size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
        painter = QPainter()
        if not painter.begin(printer):
            raise PrintError(
                f"the printer {printer.printerName() or printer.outputFileName()!r} did not accept the job"
            )
        try:
            dpi = min(PRINT_DPI, printer.resolution())
            images: dict[int, QImage] = {}
            for index in range(count):
                if index:
                    printer.newPage()
                source = index % per_copy
                if source not in images:
                    points = document.pagePointSize(source)
                    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
                    images[source] = _page_image(document, source, size)
                target: QRect = printer.pageLayout().fullRectPixels(printer.resolution())
                painter.drawImage(target, images[source])
                if progress is not None:
                    progress(index + 1, count)
        finally:
            painter.end()
        return count
    finally:
        document.close()


def save_destinations() -> list[dict[str, str]]:
    """Folders a PDF can be saved to: mounted USB sticks and cards first, then the Documents folder."""
    rows: list[dict[str, str]] = []
    for volume in QStorageInfo.mountedVolumes():
        root = volume.rootPath()
        removable = root.startswith(REMOVABLE_ROOTS) or (sys.platform == "win32" and not root.upper().startswith("C:"))
        if not (removable and volume.isValid() and volume.isReady()) or volume.isReadOnly():
            continue
        free_mb = volume.bytesAvailable() // 1_000_000
        rows.append({"key": root, "label": volume.displayName() or Path(root).name, "detail": f"{free_mb} MB free"})
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        rows.append({"key": documents, "label": "Documents folder", "detail": documents})
    return rows


# --- the view model ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    document: str
    paper: str
    copies: int


@dataclass(frozen=True)
class _Generated:
    settings: _Settings
    data: bytes
    preview: QImage
    page: int
    page_count: int


class _Progress(QObject):
    """Lives on the UI thread; the print job emits from the pool and Qt queues the call over."""

    advanced = Signal(int, int)


class PreviewImageProvider(QQuickImageProvider):
    """``image://printpreview/<serial>``: the page the print panel is showing."""

    def __init__(self, view_model: PrintingViewModel) -> None:
        super().__init__(QQmlImageProviderBase.ImageType.Image)
        self._view_model = view_model

    def requestImage(self, id: str, size: QSize, requestedSize: QSize) -> QImage:  # noqa: N803  (Qt's names)
        image = self._view_model.preview_image()
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image


@QmlElement
@QmlUncreatable("PrintingViewModel is provided by the kiosk")
class PrintingViewModel(QObject):
    """Print panel state and the petition link.

    Signals:
        stateChanged: settings, busy state, status text, printers or destinations changed.
        previewChanged: a new preview page is ready (or the preview was cleared).
        linkChanged: the attributed petition link changed (the event became known).
    """

    stateChanged = Signal()
    previewChanged = Signal()
    linkChanged = Signal()

    def __init__(self, controller: KioskController) -> None:
        super().__init__(controller)
        self._controller = controller
        options = controller.options
        self._pack = options.campaign
        self._config = options.config
        self._event_id = options.config.event_id
        self._kiosk_name = options.config.name
        self._documents = RowsModel(("key", "label", "description"), self)
        self._documents.replace(
            [{"key": k.key, "label": k.label, "description": k.description} for k in DOCUMENTS.values()]
        )
        self._papers = RowsModel(("key", "label"), self)
        self._papers.replace([{"key": name, "label": name} for name in PAPER_SIZES])
        self._printers = RowsModel(("key", "label"), self)
        self._destinations = RowsModel(("key", "label", "detail"), self)
        self._extra_destinations: list[dict[str, str]] = []
        #: True once the first look for printers / save folders has finished.
        self.destinations_listed = False
        self._settings = _Settings(next(iter(DOCUMENTS)), "A4", 1)
        self._printer = ""
        self._printers_known = False
        self._busy = ""
        self._status = ""
        self._status_is_error = False
        self._generated: _Generated | None = None
        self._preview_serial = 0
        self._active = False
        self._generation = 0
        self._page = 0
        self._last_saved = ""
        self._progress = _Progress(self)
        self._progress.advanced.connect(self._print_progress)
        # Settings change in bursts (tapping copies up five times): make one preview after the last tap.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._generate_preview)
        #: Makes the QPrinter for a printer name; tests point it at a PDF file, since no CUPS runs in CI.
        self.make_printer: Callable[[str], QPrinter] = system_printer
        #: Lists printer names (on the pool); tests replace it together with make_printer.
        self.list_printers: Callable[[], list[str]] = available_printers
        controller.runtimeReady.connect(self._runtime_ready)
        controller.add_wipeable(self.reset)

    # --- petition link (attract screen) -------------------------------------------------------------------------

    def _runtime_ready(self, runtime: Any) -> None:
        event_id = str(getattr(runtime, "event_id", "") or "")
        vault = getattr(runtime, "vault", None)
        self._kiosk_name = str(getattr(vault, "kiosk_name", "") or self._kiosk_name)
        if event_id and event_id != self._event_id:
            self._event_id = event_id
            self.linkChanged.emit()

    def _link(self) -> str:
        return petition_link(self._pack, self._config, self._event_id)

    def _link_source(self) -> str:
        return qr_image_source(self._link())

    petitionQrUrl = Property(str, _link, notify=linkChanged)
    petitionQrSource = Property(str, _link_source, notify=linkChanged)

    @Slot(str, result=str)
    def attributedLink(self, url: str) -> str:
        """Any campaign link with this kiosk's attribution (the same parameters as the petition QR code)."""
        return attributed_url(url, source=self._config.utm_source, medium=self._event_id, campaign=self._pack.id)

    @Slot(str, result=str)
    def qrSource(self, text: str) -> str:
        """The ``Image.source`` of a QR code for ``text``."""
        return qr_image_source(text)

    # --- properties --------------------------------------------------------------------------------------------

    def _get_documents(self) -> RowsModel:
        return self._documents

    def _get_papers(self) -> RowsModel:
        return self._papers

    def _get_printers(self) -> RowsModel:
        return self._printers

    def _get_destinations(self) -> RowsModel:
        return self._destinations

    def _get_document(self) -> str:
        return self._settings.document

    def _get_paper(self) -> str:
        return self._settings.paper

    def _get_copies(self) -> int:
        return self._settings.copies

    def _get_max_copies(self) -> int:
        return MAX_COPIES

    def _get_printer(self) -> str:
        return self._printer

    def _get_busy(self) -> bool:
        return bool(self._busy)

    def _get_busy_text(self) -> str:
        return self._busy

    def _get_status(self) -> str:
        return self._status

    def _get_status_is_error(self) -> bool:
        return self._status_is_error

    def _get_printer_message(self) -> str:
        return "" if self._printer or not self._printers_known else no_printer_message()

    def _get_can_print(self) -> bool:
        return bool(self._printer) and not self._busy

    def _get_preview_source(self) -> str:
        return f"image://{PREVIEW_PROVIDER}/{self._preview_serial}" if self._generated else ""

    def _get_page(self) -> int:
        return self._generated.page if self._generated else 0

    def _get_page_count(self) -> int:
        return self._generated.page_count if self._generated else 0

    def _get_last_saved(self) -> str:
        return self._last_saved

    documents = Property(QObject, _get_documents, constant=True)
    papers = Property(QObject, _get_papers, constant=True)
    printers = Property(QObject, _get_printers, constant=True)
    destinations = Property(QObject, _get_destinations, constant=True)
    document = Property(str, _get_document, notify=stateChanged)
    paper = Property(str, _get_paper, notify=stateChanged)
    copies = Property(int, _get_copies, notify=stateChanged)
    maxCopies = Property(int, _get_max_copies, constant=True)
    printer = Property(str, _get_printer, notify=stateChanged)
    busy = Property(bool, _get_busy, notify=stateChanged)
    busyText = Property(str, _get_busy_text, notify=stateChanged)
    status = Property(str, _get_status, notify=stateChanged)
    statusIsError = Property(bool, _get_status_is_error, notify=stateChanged)
    printerMessage = Property(str, _get_printer_message, notify=stateChanged)
    canPrint = Property(bool, _get_can_print, notify=stateChanged)
    previewSource = Property(str, _get_preview_source, notify=previewChanged)
    previewPage = Property(int, _get_page, notify=previewChanged)
    pageCount = Property(int, _get_page_count, notify=previewChanged)
    lastSaved = Property(str, _get_last_saved, notify=stateChanged)

    @property
    def printers_listed(self) -> bool:
        return self._printers_known

    def preview_image(self) -> QImage:
        return self._generated.preview if self._generated else QImage(1, 1, QImage.Format.Format_RGB32)

    # --- settings ----------------------------------------------------------------------------------------------

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status, self._status_is_error = text, error
        self.stateChanged.emit()

    def _change(self, **changes: Any) -> None:
        settings = _Settings(**{**self._settings.__dict__, **changes})
        if settings == self._settings:
            return
        self._settings = settings
        self._status = ""
        self.stateChanged.emit()
        if self._active:
            self._debounce.start()

    @Slot(str)
    def chooseDocument(self, key: str) -> None:
        if key in DOCUMENTS:
            self._page = 0
            self._change(document=key)

    @Slot(str)
    def choosePaper(self, paper: str) -> None:
        if paper in PAPER_SIZES:
            self._change(paper=paper)

    @Slot(int)
    def setCopies(self, copies: int) -> None:
        self._change(copies=max(1, min(MAX_COPIES, copies)))

    @Slot(str)
    def choosePrinter(self, name: str) -> None:
        if name != self._printer and any(row["key"] == name for row in self._printers.rows()):
            self._printer = name
            self.stateChanged.emit()

    # --- preview -------------------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """The panel opened: make the preview and look for printers and save folders."""
        self._active = True
        self._generate_preview()
        self.refreshPrinters()
        self.refreshDestinations()

    def _request(self, settings: _Settings) -> DocumentRequest:
        from kiosk.runtime import KioskRuntime

        runtime = self._controller.runtime
        return DocumentRequest(
            pack=self._pack,
            config=self._config,
            event_id=self._event_id or "unassigned",
            paper=settings.paper,
            copies=settings.copies,
            kiosk_name=self._kiosk_name,
            db=runtime.db if isinstance(runtime, KioskRuntime) else None,
        )

    def _generate_preview(self, page: int | None = None) -> None:
        settings = self._settings
        page = self._page if page is None else page
        request = self._request(settings)
        previous = self._generated
        self._generation += 1
        generation = self._generation

        def work() -> _Generated:
            data = (
                previous.data
                if previous and previous.settings == settings
                else build_document(settings.document, request)
            )
            image, count = render_preview(data, page)
            return _Generated(settings, data, image, max(0, min(page, count - 1)), count)

        def done(generated: _Generated) -> None:
            if generation != self._generation:
                return  # settings changed while this one was being made; a newer preview is on its way
            self._busy = ""
            self._generated = generated
            self._page = generated.page
            self._preview_serial += 1
            self.stateChanged.emit()
            self.previewChanged.emit()

        self._busy = "Making the preview…"
        self.stateChanged.emit()
        run_in_background(work, done, self._failed_for(generation))

    def _failed_for(self, generation: int) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._busy = ""
            self._set_status(_message_for(exc), error=True)

        return failed

    @Slot(int)
    def showPage(self, page: int) -> None:
        if self._generated is None or not 0 <= page < self._generated.page_count or page == self._generated.page:
            return
        self._page = page
        self._generate_preview(page)

    @Slot()
    def nextPage(self) -> None:
        self.showPage(self._page + 1)

    @Slot()
    def previousPage(self) -> None:
        self.showPage(self._page - 1)

    # --- printing ------------------------------------------------------------------------------------------------

    @Slot()
    def refreshPrinters(self) -> None:
        def done(names: list[str]) -> None:
            self._printers_known = True
            self._printers.replace([{"key": name, "label": name} for name in names])
            if self._printer not in names:
                preferred = default_printer() if self.list_printers is available_printers else ""
                self._printer = preferred if preferred in names else (names[0] if names else "")
            self.stateChanged.emit()

        def failed(exc: BaseException) -> None:
            log.error("could not list printers: %s", exc)
            done([])

        run_in_background(self.list_printers, done, failed)

    @Slot()
    def printDocument(self) -> None:
        if self._busy:
            return
        if not self._printer:
            self._set_status(no_printer_message(), error=True)
            return
        settings, printer_name = self._settings, self._printer
        request = self._request(settings)
        previous = self._generated
        make_printer, progress = self.make_printer, self._progress
        title = f"{self._pack.title}: {DOCUMENTS[settings.document].label}"

        def work() -> int:
            data = (
                previous.data
                if previous and previous.settings == settings
                else build_document(settings.document, request)
            )
            return print_pdf(
                data, make_printer(printer_name), copies=settings.copies, title=title, progress=progress.advanced.emit
            )

        def done(pages: int) -> None:
            self._busy = ""
            label = DOCUMENTS[settings.document].label.lower()
            self._set_status(f"Sent {pages} page{'s' if pages != 1 else ''} of {label} to {printer_name}.")

        def failed(exc: BaseException) -> None:
            self._busy = ""
            self._set_status(f"Printing on {printer_name} failed: {_message_for(exc)}", error=True)

        self._busy = f"Sending to {printer_name}…"
        self._status = ""
        self.stateChanged.emit()
        run_in_background(work, done, failed)

    def _print_progress(self, done: int, total: int) -> None:
        if self._busy:
            self._busy = f"Printing page {done} of {total}…"
            self.stateChanged.emit()

    # --- saving --------------------------------------------------------------------------------------------------

    def add_destination(self, path: str, label: str, detail: str = "") -> None:
        """Offer one more folder to save into (kept across refreshes)."""
        self._extra_destinations.append({"key": path, "label": label, "detail": detail or path})
        self._destinations.replace([*self._destinations.rows(), self._extra_destinations[-1]])

    @Slot()
    def refreshDestinations(self) -> None:
        def done(rows: list[dict[str, str]]) -> None:
            self._destinations.replace([*rows, *self._extra_destinations])
            self.destinations_listed = True
            self.stateChanged.emit()

        def failed(exc: BaseException) -> None:
            log.error("could not list save folders: %s", exc)
            done([])

        run_in_background(save_destinations, done, failed)

    @Slot(str)
    def saveTo(self, folder: str) -> None:
        if self._busy or not folder:
            return
        settings = self._settings
        request = self._request(settings)
        previous = self._generated
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"{self._pack.id}-{settings.document}-{settings.paper}-{stamp}.pdf"
        target = Path(folder) / name

        def work() -> Path:
            data = (
                previous.data
                if previous and previous.settings == settings
                else build_document(settings.document, request)
            )
            return save_pdf(data, target)

        def done(path: Path) -> None:
            self._busy = ""
            self._last_saved = str(path)
            self._set_status(f"Saved {path.name} in {path.parent}.")

        def failed(exc: BaseException) -> None:
            self._busy = ""
            if isinstance(exc, OSError):
                reason = exc.strerror or str(exc)
                self._set_status(
                    f"Could not save in {folder}: {reason}. Is the USB stick still plugged in, with space left?",
                    error=True,
                )
            else:
                self._set_status(_message_for(exc), error=True)

        self._busy = "Saving…"
        self._status = ""
        self.stateChanged.emit()
        run_in_background(work, done, failed)

    # --- leaving ------------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the attract screen: drop the made PDF and messages (settings stay for the next print)."""
        self._active = False
        self._debounce.stop()
        self._generation += 1
        if self._generated is not None or self._status:
            self._generated = None
            self._status = ""
            self._page = 0
            self.stateChanged.emit()
            self.previewChanged.emit()


def _message_for(exc: BaseException) -> str:
    if isinstance(exc, KioskError | PrintError):
        return str(exc)
    log.error("printing failed", exc_info=exc)
    return f"something went wrong ({type(exc).__name__}); the log has details"
