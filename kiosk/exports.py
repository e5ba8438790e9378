"""Exports for organisers: every record of a period or event, decrypted, in files their tools open.

One export is one new folder ``kiosk-export-<kiosk>-<YYYYmmdd-HHMMSS>`` holding:

- ``signatures.csv`` (Action Network upload column names), ``pledges.csv`` (HMRC Gift Aid schedule order first),
  ``consent_log.csv`` (every consent event of those records), ``audit.csv``;
- ``consent_texts/<sha256>.txt``: each exact consent wording, byte for byte, so ``sha256sum`` proves every line
  of the consent log, with ``consent_texts/index.csv`` naming purpose, version and language;
- ``manifest.json``: counts, time range, filters, SHA-256 and size of every file, kiosk and app version.

CSV is RFC 4180 (CRLF, quotes doubled) in UTF-8 with a BOM so Excel opens it correctly. A cell starting with
``= + - @``, tab or CR gets a leading apostrophe, so no spreadsheet runs it as a formula. ``fmt="xlsx"`` writes
the same tables, with the same cells, as sheets of ``export.xlsx`` instead of the four CSV files.

The folder is written under a hidden ``.partial`` name and renamed when complete: a folder with the final name is
always a whole export. Exports never change or delete records; they only stamp ``exported_at`` on the records
whose personal data went out, which ``purge_after = "synced_and_exported"`` waits for (see kiosk/retention.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk import __version__
from kiosk.errors import DecryptionError, KioskError, StorageError, VaultLockedError
from local_db import reports
from local_db import repositories as repo
from local_db.models import AuditEvent, ConsentEvent, ConsentText, OutboxEntry, Pledge, Signature, utcnow

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from kiosk.runtime import KioskRuntime
    from kiosk.vault import Vault

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
MANIFEST_FORMAT = "campaign-kiosk-export/1"
# Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_FIRST = (*FORMULA_TRIGGERS, "'")
# XML, and so XLSX, cannot hold most C0 control characters (a name typed with a stray NUL, say). In a sheet they are
# written with OOXML's own escape ``_xHHHH_``, which Excel and LibreOffice show as the character; an underscore that
# would start such a sequence in the original text is escaped the same way (``_x005F_``), so decoding is exact.
_XLSX_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")

SIGNATURE_COLUMNS = (
    # Action Network's upload field names first, so its column matcher maps them without clicks.
    "first_name",
    "last_name",
    "email",
    "zip_code",
    "country",
    "phone_number",
    "signed_at",
    "event",
    "kiosk",
    "source",
    "language",
    "petition",
    "email_opt_in",
    "sms_opt_in",
    "sync_state",
    "synced_at",
    "personal_data",
    "record_id",
)
# HMRC's Gift Aid schedule (Charities Online) columns in its order, then the rest of the pledge.
HMRC_COLUMNS = (
    "Title",
    "First name or initial",
    "Last name",
    "House name or number",
    "Postcode",
    "Aggregated donations",
    "Sponsored event",
    "Donation date",
    "Amount",
)
PLEDGE_COLUMNS = (
    *HMRC_COLUMNS,
    "currency",
    "frequency",
    "gift_aid_declaration",
    "gift_aid_enduring",
    "address_line",
    "email",
    "phone_number",
    "follow_up_email",
    "follow_up_phone",
    "email_opt_in",
    "pledged_at",
    "event",
    "kiosk",
    "source",
    "language",
    "sync_state",
    "synced_at",
    "personal_data",
    "record_id",
)
CONSENT_COLUMNS = (
    "record_id",
    "record_kind",
    "purpose",
    "granted",
    "text_version",
    "text_sha256",
    "language",
    "time",
    "event",
    "consent_event_id",
)
AUDIT_COLUMNS = ("audit_id", "time", "action", "details")
SHEET_ORDER = ("signatures", "pledges", "consent_log", "audit", "consent_texts")
CONSENT_INDEX_COLUMNS = ("text_sha256", "purpose", "version", "language", "file")

Progress = Callable[[int, int], None]
# Rows are fetched from SQLite, written and reported as progress in batches of this many.
BATCH = 5000
# Between a record's sync states and its last sync time in the one text the query gives for both.
DELIVERY_SEPARATOR = "\x1f"


class ExportError(KioskError):
    """An export could not be written (folder not writable, disk full, bad option)."""


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    counts: dict[str, int]
    files: dict[str, str]  # relative path -> SHA-256
    unreadable: list[str] = field(default_factory=list)  # record ids that failed to decrypt
    marked_exported: int = 0


def _remove_abandoned_partials(out_dir: Path) -> None:
    """An export killed mid-way (power cut, SIGKILL) leaves its hidden ``.partial`` folder, which holds personal data
    in clear: remove any such leftovers before writing a new export there."""
    for leftover in out_dir.glob(".*.partial"):
        if leftover.is_dir():
            log.warning("removing an unfinished export left by an interrupted run: %s", leftover.name)
            shutil.rmtree(leftover, ignore_errors=True)


def neutralise(value: str) -> str:
    """Make a text cell safe from spreadsheet formula injection by prefixing an apostrophe.

    A value that itself starts with an apostrophe gets one too, so stripping exactly one leading apostrophe
    always gives back the stored value (spreadsheets hide that first apostrophe anyway).
    """
    if value and value[0] in ESCAPED_FIRST:
        return "'" + value
    return value


def iso(value: dt.datetime | None) -> str:
    """UTC time as ISO 8601 with a Z, to the second (what CRMs and spreadsheets parse)."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_text(stored: str | None) -> str:
    """The same, from SQLite's stored UTC text ("2026-03-15 17:30:12.123456"): slicing, not parsing, as exports
    convert hundreds of thousands of these."""
    if not stored:
        return ""
    return f"{stored[:10]}T{stored[11:19]}Z"


def stored_time(stored: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stored).replace(tzinfo=dt.UTC)


def pounds(pence: int) -> str:
    """Whole pence as pounds with two decimals and no symbol (HMRC's schedule format)."""
    whole, rest = divmod(int(pence), 100)
    return f"{whole}.{rest:02d}"


def yes_no(value: Any) -> str:
    return "yes" if value else "no"


def house_name_or_number(address_line: str) -> str:
    """HMRC wants the house name or number only: the leading number ("12" of "12 High St"), else the part before
    the first comma ("Rose Cottage" of "Rose Cottage, Mill Lane"), else the whole line."""
    line = address_line.strip()
    match = re.match(r"^(\d+[A-Za-z]?(?:-\d+[A-Za-z]?)?)\b", line)
    if match:
        return match.group(1)
    return line.split(",", 1)[0].strip()


def export_folder_name(kiosk_name: str, now: dt.datetime) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", kiosk_name).strip("-").lower() or "kiosk"
    return f"kiosk-export-{slug[:40]}-{now.astimezone().strftime('%Y%m%d-%H%M%S')}"


# --- the queries: formatting that repeats on every row is done by SQLite ---------------------------------------------


def _text(column: Any) -> Any:
    """A stored UTC time as SQLite's own text ("2026-03-15 17:30:12.123456"), not a datetime object."""
    return type_coerce(column, String)


def _iso_sql(column: Any) -> Any:
    """SQL for :func:`iso_text`: the same ISO 8601 text, made by SQLite."""
    text = _text(column)
    return func.substr(text, 1, 10) + "T" + func.substr(text, 12, 8) + "Z"


def _safe_sql(column: Any) -> Any:
    """SQL for :func:`neutralise`: the same apostrophe before a formula trigger, applied by SQLite. The first
    character is compared as a code point (``unicode()``), which costs SQLite no new string per cell, and only in a
    text that sorts below the character after the last trigger ("A"): most cells (words, ids) do not, so they skip
    the function call."""
    triggers = [ord(c) for c in ESCAPED_FIRST]
    below = chr(max(triggers) + 1)
    return case(((column < below) & func.unicode(column).in_(triggers), literal("'") + column), else_=column)


def _yes_no_sql(flag: Any) -> Any:
    return case((flag, literal("yes")), else_=literal("no"))


# The consent purposes each table has a column for: the record's latest decision.
SIGNATURE_OPT_INS = ("email_updates", "sms_updates")
PLEDGE_CONSENTS = ("gift_aid", "gift_aid_enduring", "follow_up_email", "follow_up_phone", "email_updates")
NO_DELIVERY = "none" + DELIVERY_SEPARATOR


def _selected(
    stmt: Select[Any], model: reports.RecordModel, record_id: Any, where: reports.RecordFilter
) -> Select[Any]:
    """``stmt`` narrowed to rows of the selected records (all rows when nothing is filtered)."""
    if where == reports.RecordFilter():
        return stmt
    return stmt.join(model, model.id == record_id).where(*where.clauses(model))


def _latest_decisions(
    conn: Connection, model: reports.RecordModel, purpose: str, where: reports.RecordFilter
) -> dict[str, str]:
    """record id -> "yes" for each selected record whose latest decision for one purpose is a grant (a later
    withdrawal or opt-in wins); a record not in it has said no, or nothing.

    One pass over the consent events instead of a look-up per record: half the cost on 100,000 records. It fetches
    the grants (in the order stored, so each record's last one stays in the dict), and the withdrawals only when
    there is a grant they could follow: a purpose nobody opted in to (often SMS) costs one scan and no rows.
    """
    of_purpose = ConsentEvent.purpose == purpose
    by_id: tuple[Any, ...] = (ConsentEvent.record_id, ConsentEvent.id)
    grants = select(*by_id).where(of_purpose, ConsentEvent.granted).order_by(ConsentEvent.id)
    last_grant: dict[str, int] = dict(_all_rows(conn, _selected(grants, model, ConsentEvent.record_id, where)))
    if not last_grant:
        return {}
    withdrawals = select(*by_id).where(of_purpose, ~ConsentEvent.granted).order_by(ConsentEvent.id)
    last_withdrawal: dict[str, int] = dict(
        _all_rows(conn, _selected(withdrawals, model, ConsentEvent.record_id, where))
    )
    return {record_id: "yes" for record_id, at in last_grant.items() if last_withdrawal.get(record_id, -1) < at}


def _deliveries(conn: Connection, model: reports.RecordModel, where: reports.RecordFilter) -> dict[str, str]:
    """record id -> "states<US>time": the record's own outbox states in the order queued ("synced", or
    "synced,pending" with two adapters) and its last sync time; a record with no entry is :data:`NO_DELIVERY`.

    One pass over the outbox instead of a lookup per record.
    """
    stmt = (
        select(
            OutboxEntry.record_id,
            _text(
                OutboxEntry.state.concat(DELIVERY_SEPARATOR).concat(
                    func.coalesce(_iso_sql(OutboxEntry.synced_at), literal(""))
                )
            ),
        )
        .where(OutboxEntry.consent_event_id.is_(None))
        .order_by(OutboxEntry.id)
    )
    rows = _all_rows(conn, _selected(stmt, model, OutboxEntry.record_id, where))
    found = dict(rows)
    if len(found) == len(rows):
        return found
    # Some record is queued for more than one adapter: join its states, keep its last sync time.
    queued: dict[str, tuple[list[str], str]] = {}
    for record_id, entry in rows:
        state, _, synced = entry.rpartition(DELIVERY_SEPARATOR)
        states, latest = queued.setdefault(record_id, ([], ""))
        states.append(state)
        queued[record_id] = (states, max(latest, synced))
    return {rid: ",".join(states) + DELIVERY_SEPARATOR + synced for rid, (states, synced) in queued.items()}


def _signature_query(where: reports.RecordFilter) -> Select[Any]:
    return (
        select(
            literal_column("signatures.rowid"),
            Signature.id,
            Signature.data_key_id,
            Signature.sealed,
            _iso_sql(Signature.created_at),
            _safe_sql(Signature.event_id),
            _safe_sql(Signature.kiosk_id),
            Signature.source,
            _safe_sql(Signature.language),
            _safe_sql(Signature.petition_id),
        )
        .where(*where.clauses(Signature))
        .order_by(Signature.created_at)
    )


def _pledge_query(where: reports.RecordFilter) -> Select[Any]:
    return (
        select(
            literal_column("pledges.rowid"),
            Pledge.id,
            Pledge.data_key_id,
            Pledge.sealed,
            _text(Pledge.created_at),
            Pledge.amount_pence,
            _safe_sql(Pledge.currency),
            _safe_sql(Pledge.frequency),
            _iso_sql(Pledge.created_at),
            _safe_sql(Pledge.event_id),
            _safe_sql(Pledge.kiosk_id),
            Pledge.source,
            _safe_sql(Pledge.language),
        )
        .where(*where.clauses(Pledge))
        .order_by(Pledge.created_at)
    )


def _consent_query(where: reports.RecordFilter, *, joined: bool = False) -> Select[Any]:
    """Every consent event of the selected records, in the order stored, as finished CSV cells; with ``joined``, each
    row as one text, its cells joined by commas (see :meth:`_CsvTables.write_joined`)."""
    columns: tuple[Any, ...] = (
        ConsentEvent.record_id,
        ConsentEvent.record_kind,
        _safe_sql(ConsentEvent.purpose),
        _yes_no_sql(ConsentEvent.granted),
        _safe_sql(ConsentEvent.text_version),
        ConsentEvent.text_sha256,
        _safe_sql(ConsentEvent.language),
        _iso_sql(ConsentEvent.created_at),
        _safe_sql(ConsentEvent.event_id),
        cast(ConsentEvent.id, String),
    )
    if joined:
        # One text per row instead of ten: a third less time to fetch 300,000 rows, and nothing left to join. printf
        # builds each line in one piece (the || operator makes a new string per cell and comma: a third slower), and
        # writes a NULL cell as "", as csv.writer writes None.
        template = ",".join(["%s"] * len(columns))
        columns = (func.printf(template, *columns, type_=String).label("line"),)
    if where == reports.RecordFilter():
        return select(*columns).order_by(ConsentEvent.id)
    parts = [
        select(*columns, ConsentEvent.id.label("order_id"))
        .join(model, model.id == ConsentEvent.record_id)
        .where(*where.clauses(model))
        for model in (Signature, Pledge)
    ]
    both = union_all(*parts).subquery()
    return select(*[c for c in both.c if c.name != "order_id"]).order_by(both.c.order_id)


def _audit_query(where: reports.RecordFilter) -> Select[Any]:
    stmt = select(
        cast(AuditEvent.id, String),
        _iso_sql(AuditEvent.created_at),
        _safe_sql(AuditEvent.action),
        _safe_sql(AuditEvent.details),
    ).order_by(AuditEvent.id)
    if where.since is not None:
        stmt = stmt.where(AuditEvent.created_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(AuditEvent.created_at < where.until)
    return stmt


def _batches(conn: Connection, stmt: Select[Any]) -> Generator[Sequence[Any], None, None]:
    """Stream a query's rows as the driver's plain tuples, in lists of up to BATCH rows.

    Every column above is already text, a number or bytes, so SQLAlchemy has no per-row conversion to do and
    reading the DBAPI cursor directly halves the cost of 400,000 rows.
    """
    result = conn.execute(stmt)
    cursor = result.cursor
    try:
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        result.close()


def _all_rows(conn: Connection, stmt: Select[Any]) -> Sequence[Any]:
    result = conn.execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _count(conn: Connection, stmt: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar() or 0)


# --- table writers ------------------------------------------------------------------------------------------------


class _HashedFile(io.RawIOBase):
    """A new file that hashes its bytes on their way to disk, so the manifest's SHA-256 needs no second read."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = path.open("xb", buffering=0)
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        written = self._file.write(data) or 0
        self.sha256.update(memoryview(data).cast("B")[:written])
        return written

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _plain_lines(batch: Sequence[Sequence[Any]], columns: int) -> str | None:
    """The batch's rows as CSV lines (CRLF after each) when no cell needs quoting, else None.

    Joining cells with commas is what csv.writer writes for a cell holding no comma, quote or line break, and
    checking a whole batch at once costs a few scans of one string instead of a csv.writer call per row. A row of
    another length or a cell that is not text also gives None, and the caller lets csv.writer do the batch.
    """
    if not batch or set(map(len, batch)) != {columns}:
        return None
    try:
        text = "\r\n".join(map(",".join, batch)) + "\r\n"
    except TypeError:  # a cell that is not text
        return None
    rows = len(batch)
    if '"' in text or text.count(",") != rows * (columns - 1) or text.count("\r") != rows or text.count("\n") != rows:
        return None
    return text


def _joined_lines(lines: Sequence[Sequence[str]], columns: int) -> str | None:
    """Rows of one text each, the cells SQLite joined with commas, as CSV text (CRLF after each line) when no cell
    holds a comma, quote or line break: then each line is what csv.writer writes for its cells. Else (also for a
    missing line, or a row of more than one text) None."""
    try:
        text = "\r\n".join(itertools.chain.from_iterable(lines)) + "\r\n"
    except TypeError:  # a line that is not text
        return None
    rows = len(lines)
    if '"' in text or text.count(",") != rows * (columns - 1) or text.count("\r") != rows or text.count("\n") != rows:
        return None
    return text


class _CsvTables:
    """Each table is its own RFC 4180 CSV file, UTF-8 with a BOM, hashed as it is written and synced to disk."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.digests: dict[str, str] = {}

    @property
    def files(self) -> list[str]:
        """The files written, in reading order whatever order they were written in."""
        return [f"{name}.csv" for name in SHEET_ORDER if f"{name}.csv" in self.digests]

    def write(self, name: str, header: Sequence[str], batches: Iterable[Sequence[Sequence[Any]] | str]) -> None:
        """Write one table from its rows, given in batches; bytes as csv.writer (QUOTE_MINIMAL, CRLF) writes them.
        A batch may also be given as finished CSV text."""
        relative = f"{name}.csv"
        raw = _HashedFile(self._folder / relative)
        # Plain UTF-8 after a written BOM: the same bytes as "utf-8-sig", through the codec's fast path.
        with io.TextIOWrapper(io.BufferedWriter(raw, 1 << 20), encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(header)
            for batch in batches:
                text = batch if isinstance(batch, str) else _plain_lines(batch, len(header))
                if text is None:
                    writer.writerows(batch)
                else:
                    fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        self.digests[relative] = raw.sha256.hexdigest()

    def write_joined(
        self,
        name: str,
        header: Sequence[str],
        lines: Generator[Sequence[Sequence[str]], None, None],
        rows_from: Callable[[int], Iterable[Sequence[Sequence[Any]]]],
    ) -> None:
        """Write one table from its rows given as lines (the cells joined by commas, in batches) while no cell needs
        quotes, so the lines are what csv.writer writes; from the first batch where one does, from the rows as cells
        that ``rows_from(rows already written)`` gives, through csv.writer as :meth:`write` does."""

        def batches() -> Iterator[Sequence[Sequence[Any]] | str]:
            done = 0
            try:
                for batch in lines:
                    text = _joined_lines(batch, len(header))
                    if text is None:
                        break
                    yield text
                    done += len(batch)
                else:
                    return
            finally:
                lines.close()
            yield from rows_from(done)

        self.write(name, header, batches())

    def close(self) -> None:
        """Nothing to finish: each CSV is complete when written."""


def xlsx_text(value: str) -> str:
    """``value`` as an XLSX cell can hold it: control characters XML forbids become OOXML ``_xHHHH_`` escapes."""
    return _XLSX_NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


class _XlsxTables:
    """Each table is a sheet of one export.xlsx; every cell is written as text, never as a formula."""

    def __init__(self, folder: Path) -> None:
        from openpyxl import Workbook

        self._folder = folder
        self._book = Workbook(write_only=True)
        # Sheets in reading order, whatever order the tables are written in.
        self._sheets = {name: self._book.create_sheet(title=name) for name in SHEET_ORDER}
        self.files: list[str] = []
        self.digests: dict[str, str] = {}

    def write(self, name: str, header: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]]) -> None:
        from openpyxl.cell import WriteOnlyCell

        sheet = self._sheets[name]
        sheet.append(list(header))
        for row in itertools.chain.from_iterable(batches):
            cells = []
            for value in row:
                if isinstance(value, str):
                    value = xlsx_text(value)
                cell = WriteOnlyCell(sheet, value=value)
                # openpyxl would store any string starting with "=" as a formula; a text cell is never evaluated.
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)

    def close(self) -> None:
        self._book.save(self._folder / "export.xlsx")
        self.files.append("export.xlsx")


# --- the export ---------------------------------------------------------------------------------------------------


# The first columns of a signature or pledge query row: rowid, id, data key id, sealed.
_ROWID, _ID, _BLOB = itemgetter(0), itemgetter(1), itemgetter(3)
_SEALED = itemgetter(1, 2, 3)


@dataclass
class _Run:
    """State of one export while it is written."""

    vault: Vault
    total: int
    progress: Progress | None
    done: int = 0
    unreadable: list[str] = field(default_factory=list)
    purged: int = 0
    # rowid -> id of each record whose personal data went out.
    exported: dict[str, dict[int, str]] = field(default_factory=lambda: {"signature": {}, "pledge": {}})

    def advance(self, records: int) -> None:
        self.done += records
        if self.progress is not None and records:
            self.progress(self.done, self.total)

    def open_batch(self, kind: str, batch: Sequence[Any]) -> tuple[list[dict[str, Any]], list[str]]:
        """For the rows (rowid, id, key id, sealed, ...) of a batch: each record's personal fields and its
        personal_data state (present | purged | unreadable). The vault opens the batch's sealed records in one call."""
        sealed = list(map(_SEALED, batch))
        if None in map(_BLOB, batch):
            sealed = [row for row in sealed if row[2] is not None]
        opened = self.vault.open_blobs(sealed)
        if len(opened) == len(batch) and not any(isinstance(fields, DecryptionError) for fields in opened):
            # Every record sealed and readable, as nearly always.
            self.exported[kind].update(zip(map(_ROWID, batch), map(_ID, batch), strict=True))
            return opened, ["present"] * len(batch)  # type: ignore[return-value]  # no error among them
        found = iter(opened)
        fields_of: list[dict[str, Any]] = []
        states: list[str] = []
        for rowid, record_id, _, blob, *_ in batch:
            opened_one = {} if blob is None else next(found)
            if isinstance(opened_one, DecryptionError):
                self.unreadable.append(record_id)
                self.vault.report_decryption_failure(opened_one)
                log.error("record %s could not be decrypted for export; exported without personal data", record_id)
                fields_of.append({})
                states.append("unreadable")
                continue
            if blob is None:
                self.purged += 1
                states.append("purged")
            else:
                self.exported[kind][rowid] = record_id
                states.append("present")
            fields_of.append(opened_one)
        return fields_of, states


def export_records(
    runtime: KioskRuntime,
    out_dir: Path,
    *,
    where: reports.RecordFilter = reports.RecordFilter(),  # noqa: B008 - a frozen dataclass
    fmt: str = "csv",
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write one complete export folder into ``out_dir`` and return what it holds.

    ``progress(done, total)`` is called from this thread as records are written.

    Raises:
        VaultLockedError: the vault is locked (personal data cannot be read).
        ExportError: the format is unknown, or the folder cannot be written (nothing partial is left behind).
        StorageError: the database cannot be read.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    vault = runtime.vault
    if vault is None or not vault.unlocked:
        raise VaultLockedError("Unlock with the organiser passphrase to export: the export holds personal data.")
    now = now or utcnow()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the export folder {out_dir}: {exc.strerror}") from None
    _remove_abandoned_partials(out_dir)
    final = _unused(out_dir / export_folder_name(vault.kiosk_name, now))
    partial = out_dir / f".{final.name}.partial"
    try:
        partial.mkdir()
        counts, files, run = _write_export(runtime, vault, partial, where, fmt, progress, now)
        os.replace(partial, final)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        _audit_failure(runtime, str(exc.strerror or exc))
        raise ExportError(f"could not write the export in {out_dir}: {exc.strerror or exc}") from None
    except SQLAlchemyError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        _audit_failure(runtime, str(getattr(exc, "orig", exc)))
        raise StorageError(f"could not read the records to export: {getattr(exc, 'orig', exc)}") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    marked = _mark_exported(runtime, run, now, final, counts, fmt, where)
    log.info("exported %s to %s", counts, final)
    return ExportResult(folder=final, counts=counts, files=files, unreadable=run.unreadable, marked_exported=marked)


def _unused(path: Path) -> Path:
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}-{n}")
        n += 1
    return candidate


def _write_export(
    runtime: KioskRuntime,
    vault: Vault,
    folder: Path,
    where: reports.RecordFilter,
    fmt: str,
    progress: Progress | None,
    now: dt.datetime,
) -> tuple[dict[str, int], dict[str, str], _Run]:
    tables: _CsvTables | _XlsxTables = _CsvTables(folder) if fmt == "csv" else _XlsxTables(folder)
    signatures, pledges = _signature_query(where), _pledge_query(where)
    consents, audit = _consent_query(where), _audit_query(where)
    with runtime.db.engine.connect() as conn:
        # One read transaction (pysqlite begins none for SELECTs): every file describes the same moment, even
        # while the kiosk keeps signing people up.
        conn.exec_driver_sql("BEGIN")
        counts = {
            "signatures": _count(conn, signatures),
            "pledges": _count(conn, pledges),
            "consent_events": _count(conn, consents),
            "audit_events": _count(conn, audit),
        }
        run = _Run(vault=vault, total=counts["signatures"] + counts["pledges"], progress=progress)
        if progress is not None:
            progress(0, run.total)
        first, last = _time_range(conn, where)
        for name, model, columns, query, purposes, cells in (
            ("signatures", Signature, SIGNATURE_COLUMNS, signatures, SIGNATURE_OPT_INS, _signature_cells),
            ("pledges", Pledge, PLEDGE_COLUMNS, pledges, PLEDGE_CONSENTS, _pledge_cells),
        ):
            selected = counts[name] > 0
            decisions = [_latest_decisions(conn, model, p, where) if selected else {} for p in purposes]
            deliveries = _deliveries(conn, model, where) if selected else {}
            tables.write(name, columns, cells(_batches(conn, query), run, decisions, deliveries))
        if isinstance(tables, _CsvTables):
            tables.write_joined(
                "consent_log",
                CONSENT_COLUMNS,
                _batches(conn, _consent_query(where, joined=True)),
                lambda done: _batches(conn, consents.offset(done)),
            )
        else:
            tables.write("consent_log", CONSENT_COLUMNS, _batches(conn, consents))
        tables.write("audit", AUDIT_COLUMNS, _batches(conn, audit))
        texts = _consent_texts(conn, consents)
        conn.rollback()
    counts.update(consent_texts=len(texts), purged=run.purged, unreadable=len(run.unreadable))
    text_files = _write_consent_texts(folder, texts)
    if isinstance(tables, _XlsxTables):
        index_rows = [
            [sha, neutralise(p), neutralise(v), neutralise(lang), f"{sha}.txt"] for sha, p, v, lang, _ in texts
        ]
        tables.write("consent_texts", CONSENT_INDEX_COLUMNS, [index_rows])
    tables.close()
    # CSV files were hashed as they were written; a consent text's file is named by its hash.
    known = {**tables.digests, **{f"consent_texts/{sha}.txt": sha for sha, *_ in texts}}
    files = {name: known.get(name) or _sha256(folder / name) for name in [*tables.files, *text_files]}
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": iso(now),
        "app_version": __version__,
        "kiosk": {"id": vault.kiosk_id, "name": vault.kiosk_name},
        "campaign": runtime.options.campaign.id,
        "file_format": fmt,
        "filters": {"since": iso(where.since) or None, "until": iso(where.until) or None, "event": where.event_id},
        "time_range": {"first_record": iso_text(first) or None, "last_record": iso_text(last) or None},
        "counts": counts,
        "unreadable_records": run.unreadable,
        "files": {name: {"sha256": digest, "bytes": (folder / name).stat().st_size} for name, digest in files.items()},
    }
    with (folder / "manifest.json").open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    return counts, files, run


def _time_range(conn: Connection, where: reports.RecordFilter) -> tuple[str | None, str | None]:
    ends: list[str] = []
    for model in (Signature, Pledge):
        row = conn.execute(
            select(func.min(_text(model.created_at)), func.max(_text(model.created_at))).where(*where.clauses(model))
        ).one()
        ends.extend(str(value) for value in row if value is not None)
    return (min(ends), max(ends)) if ends else (None, None)


def _signature_cells(
    batches: Iterator[Sequence[Any]], run: _Run, consents: Sequence[dict[str, str]], deliveries: dict[str, str]
) -> Iterator[list[tuple[str, ...]]]:
    """The signatures' rows, a batch at a time, built a column at a time: each column is one pass of a
    comprehension or ``map`` over the batch, and ``zip`` makes the rows, instead of a Python loop assembling every
    row cell by cell. Rows are tuples: the garbage collector stops tracking a tuple of strings the first time it
    sees one, so a batch of them is never promoted and never costs full collections."""
    email_updates, sms_updates = (decisions.get for decisions in consents)
    delivery = deliveries.get
    for batch in batches:
        opened, states = run.open_batch("signature", batch)
        ids = list(map(_ID, batch))
        delivered = list(map(delivery, ids, itertools.repeat(NO_DELIVERY)))
        rows = list(
            zip(
                *(_personal_column(opened, key) for key in SIGNATURE_PERSONAL),
                *(map(itemgetter(column), batch) for column in _SIGNATURE_CLEAR),  # formatted by the query
                map(email_updates, ids, itertools.repeat("no")),
                map(sms_updates, ids, itertools.repeat("no")),
                *_split_deliveries(delivered),
                states,
                ids,
                strict=True,
            )
        )
        yield rows
        run.advance(len(batch))


# Columns of a signature query row: the record id, and signed_at .. petition as the query formats them.
_SIGNATURE_CLEAR = range(4, 10)
# The personal fields of a signature, in the order of the first columns of signatures.csv.
SIGNATURE_PERSONAL = ("first_name", "last_name", "email", "postcode", "country", "phone")
_ESCAPED_FIRST = frozenset(ESCAPED_FIRST)
# A line of text (one column's cells joined by line feeds) holding a cell that neutralise() would change.
_NEEDS_NEUTRALISING = re.compile("(?:^|\n)[" + re.escape("".join(ESCAPED_FIRST)) + "]")


def _split_deliveries(delivered: list[str]) -> tuple[list[str], list[str]]:
    """The sync states and the last sync times of "states<US>time" texts (see :func:`_deliveries`): one join and one
    split of the batch instead of a partition per record, while each text holds exactly one separator."""
    parts = DELIVERY_SEPARATOR.join(delivered).split(DELIVERY_SEPARATOR)
    if len(parts) == 2 * len(delivered):
        return parts[0::2], parts[1::2]
    split = [text.rpartition(DELIVERY_SEPARATOR) for text in delivered]
    return [states for states, _, _ in split], [synced for _, _, synced in split]


def _personal_column(opened: Sequence[dict[str, Any]], key: str) -> list[str]:
    """One personal field of every record of a batch, as its CSV cells: ``neutralise(str(value))``, "" when absent.

    Nearly every column is all text and holds no formula trigger: one join and one regular-expression scan of the
    whole column show that, and then the values are the cells. Otherwise each cell is converted and neutralised."""
    values = [fields.get(key, "") for fields in opened]
    try:
        joined = "\n".join(values)
    except TypeError:  # a value that is not text
        return [neutralise(str(value)) for value in values]
    if _NEEDS_NEUTRALISING.search(joined) is None:
        return values
    # As neutralise() does, inline: phone numbers start with "+", so this is every phone column.
    return ["'" + value if value and value[0] in _ESCAPED_FIRST else value for value in values]


def _pledge_cells(
    batches: Iterator[Sequence[Any]], run: _Run, consents: Sequence[dict[str, str]], deliveries: dict[str, str]
) -> Iterator[list[tuple[str, ...]]]:
    for batch in batches:
        rows: list[tuple[str, ...]] = []
        opened, personal = run.open_batch("pledge", batch)
        for (_, record_id, _, _, created, amount_pence, currency, frequency, *clear), fields, state in zip(
            batch, opened, personal, strict=True
        ):
            get = fields.get
            gift_aid, enduring, follow_email, follow_phone, email_updates = (
                decisions.get(record_id, "no") for decisions in consents
            )
            states, _, synced = deliveries.get(record_id, NO_DELIVERY).rpartition(DELIVERY_SEPARATOR)
            address = str(get("address_line", ""))
            rows.append(
                (
                    # HMRC's Gift Aid schedule, in its order.
                    neutralise(str(get("title", ""))),
                    neutralise(str(get("first_name", ""))),
                    neutralise(str(get("last_name", ""))),
                    neutralise(house_name_or_number(address)),
                    neutralise(str(get("postcode", ""))),
                    "",  # aggregated donations: each pledge is its own line
                    "No",  # sponsored event
                    stored_time(created).astimezone().strftime("%d/%m/%y"),
                    pounds(amount_pence),
                    # The rest of the pledge.
                    currency,
                    frequency,
                    gift_aid,
                    enduring,
                    neutralise(address),
                    neutralise(str(get("email", ""))),
                    neutralise(str(get("phone", ""))),
                    follow_email,
                    follow_phone,
                    email_updates,
                    *clear,  # pledged_at .. language, formatted by the query
                    states,
                    synced,
                    state,
                    record_id,
                )
            )
        yield rows
        run.advance(len(batch))


def _consent_texts(conn: Connection, consents: Select[Any]) -> list[tuple[str, str, str, str, str]]:
    """(sha256, purpose, version, language, text) of every wording the exported consent events name."""
    used = consents.order_by(None).subquery()
    hashes = select(used.c.text_sha256).distinct()
    stmt = (
        select(ConsentText.sha256, ConsentText.purpose, ConsentText.version, ConsentText.language, ConsentText.text)
        .where(ConsentText.sha256.in_(hashes))
        .order_by(ConsentText.sha256)
    )
    return [(str(a), str(b), str(c), str(d), str(e)) for a, b, c, d, e in conn.execute(stmt)]


def _write_consent_texts(folder: Path, texts: list[tuple[str, str, str, str, str]]) -> list[str]:
    """Each wording as ``<sha256>.txt`` holding exactly the bytes that were hashed, plus an index."""
    directory = folder / "consent_texts"
    directory.mkdir()
    written = []
    for sha, _purpose, _version, _language, text in texts:
        data = text.encode("utf-8")
        if hashlib.sha256(data).hexdigest() != sha:
            raise ExportError(f"the stored consent text {sha} does not match its hash; the database is damaged")
        (directory / f"{sha}.txt").write_bytes(data)
        written.append(f"consent_texts/{sha}.txt")
    with (directory / "index.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(CONSENT_INDEX_COLUMNS)
        for sha, purpose, version, language, _text in texts:
            writer.writerow([sha, neutralise(purpose), neutralise(version), neutralise(language), f"{sha}.txt"])
    written.append("consent_texts/index.csv")
    return written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _mark_exported(
    runtime: KioskRuntime,
    run: _Run,
    now: dt.datetime,
    folder: Path,
    counts: dict[str, int],
    fmt: str,
    where: reports.RecordFilter,
) -> int:
    """Stamp ``exported_at`` (first export only) on records whose personal data went out, and audit the export.

    A failure here leaves a complete export and unstamped records: retention then simply waits for the next one.
    """
    marked = 0
    try:
        with runtime.db.begin() as session:
            for kind, model in (("signature", Signature), ("pledge", Pledge)):
                if run.exported[kind]:
                    marked += _stamp_exported(session, model, run.exported[kind], now)
            repo.add_audit(
                session,
                "export",
                folder=folder.name,
                format=fmt,
                counts=counts,
                marked_exported=marked,
                since=iso(where.since) or None,
                until=iso(where.until) or None,
                event=where.event_id,
                unreadable=run.unreadable,
            )
    except SQLAlchemyError as exc:
        log.error("export %s is complete but could not be recorded: %s", folder.name, getattr(exc, "orig", exc))
        return 0
    return marked


def _stamp_exported(
    session: Session,
    model: reports.RecordModel,
    exported: dict[int, str] | Iterable[tuple[int, str]],
    now: dt.datetime,
) -> int:
    """Set ``exported_at`` where still unset, on the given records (rowid -> id, or (rowid, id) pairs), in one
    statement.

    SQLite reads the keys from one JSON array. Rowids make it three times faster than ids on 100,000 records; they
    are used only after checking, in this transaction, that each still names the same record (a VACUUM may
    renumber them), else the ids are used.
    """
    rowid: ColumnElement[int] = literal_column(f"{model.__tablename__}.rowid")
    named_by = exported if isinstance(exported, dict) else dict(exported)
    ordered = sorted(named_by)
    ids = list(map(named_by.__getitem__, ordered))
    rowids = select(func.json_each(json.dumps(ordered)).table_valued("value").c.value)
    # One string back instead of 100,000 rows: the ids those rowids name now, in rowid order.
    named = select(model.id).where(rowid.in_(rowids)).order_by(rowid).subquery()
    current = session.connection().execute(select(func.group_concat(named.c.id, ","))).scalar()
    if current == ",".join(ids):
        match = rowid.in_(rowids)
    else:
        log.warning("record rowids changed during the export; stamping exported_at by id instead")
        match = model.id.in_(select(func.json_each(json.dumps(ids)).table_valued("value").c.value))
    # Core, not an ORM bulk update: no objects are loaded, so there is nothing to synchronise or fetch back.
    result = session.connection().execute(
        update(model).where(match, model.exported_at.is_(None)).values(exported_at=now)
    )
    return int(result.rowcount or 0)


def _audit_failure(runtime: KioskRuntime, reason: str) -> None:
    try:
        with runtime.db.begin() as session:
            repo.add_audit(session, "export_failed", reason=reason)
    except SQLAlchemyError:
        log.error("could not audit the failed export either")


def parse_when(text: str, *, end_of_day: bool = False) -> dt.datetime:
    """A command-line date or time: ``2026-03-15`` (local midnight; with ``end_of_day`` the next midnight, so an
    ``--until`` date includes that whole day) or an ISO 8601 time (local unless it names its zone).

    Raises:
        ExportError: the text is not a date or time.
    """
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = dt.date.fromisoformat(value)
            if end_of_day:
                day += dt.timedelta(days=1)
            return dt.datetime(day.year, day.month, day.day).astimezone().astimezone(dt.UTC)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(f"{text!r} is not a date (2026-03-15) or time (2026-03-15T17:30)") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC)
