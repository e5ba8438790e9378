"""Paper sheets typed up as CSV: the same validation, consent proofs, sealing, outbox and duplicate handling as a
signature made on the screen, marked ``source = "paper"``.

The sheet (``campaign-kiosk print paper-sheet``) prints the consent wording of the campaign pack and a form version
made of the versions of its consent texts (see :func:`paper_form_version`). The person importing gives that version;
when it is not the current pack's, nothing is imported, because the consent events could not name the words the
signers actually saw.

All-or-nothing by default: every row is checked first and one bad row stops the whole import, with every bad row
reported by line number and reason. ``skip_invalid`` imports the good rows and reports the others.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pycountry

from kiosk.campaign import CampaignPack
from kiosk.errors import KioskError, StorageError, VaultLockedError
from kiosk.signing import SignatureDraft, ValidSignature, save_signature, validate_signature
from local_db import repositories as repo
from local_db.models import utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

# The consent boxes printed on the sheet, in its order.
PAPER_PURPOSES = ("sign", "email_updates", "sms_updates")
# Column names accepted in the typed-up CSV (case, spaces and hyphens do not matter), by field.
COLUMN_NAMES = {
    "first_name": ("first_name", "first", "given_name", "forename"),
    "last_name": ("last_name", "last", "surname", "family_name"),
    "email": ("email", "email_address", "e_mail"),
    "postcode": ("postcode", "post_code", "postal_code", "zip_code", "zip"),
    "country": ("country", "country_code"),
    "phone": ("phone", "mobile", "phone_number", "mobile_number"),
    "signed": ("signed", "sign", "consent_sign"),
    "email_updates": ("email_updates", "email_opt_in", "optin_email"),
    "sms_updates": ("sms_updates", "text_updates", "sms_opt_in", "optin_sms"),
    "signed_on": ("signed_on", "date", "signed_at"),
}
# The tick-box columns must be there, so a blank cell means "not ticked" rather than "not typed up".
CONSENT_COLUMNS = ("signed", "email_updates", "sms_updates")
YES = {"yes", "y", "x", "✓", "✔", "true", "1", "ticked"}
NO = {"", "no", "n", "false", "0"}
UK_NAMES = {"gb", "uk", "united kingdom", "great britain", "england", "scotland", "wales", "northern ireland"}

Progress = Callable[[int, int], None]


class PaperImportError(KioskError):
    """The file as a whole cannot be imported (unreadable, wrong columns, wrong consent version, no event)."""


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What happened to each row. ``committed`` is False when nothing was stored."""

    rows: int = 0
    imported: list[tuple[int, str]] = field(default_factory=list)  # (line, record id)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line, what was done)
    bad: list[BadRow] = field(default_factory=list)
    committed: bool = False
    stopped: str = ""  # a storage failure part way; rows before it are stored

    def summary(self) -> str:
        if not self.committed:
            return (
                f"Nothing imported: {len(self.bad)} of {self.rows} row(s) have problems. Fix them and import again, "
                "or import only the good rows (skip invalid)."
            )
        text = f"Imported {len(self.imported)} of {self.rows} row(s)"
        if self.duplicates:
            text += f"; {len(self.duplicates)} had already signed (not stored twice)"
        if self.bad:
            text += f"; skipped {len(self.bad)} invalid row(s)"
        text += "."
        if self.stopped:
            text += f" Stopped early: {self.stopped}"
        return text

    def lines(self) -> list[str]:
        """Every bad row and duplicate, one line each, by line number."""
        found = [(bad.line, f"line {bad.line}: {bad.reason}") for bad in self.bad]
        found += [(line, f"line {line}: {note}") for line, note in self.duplicates]
        return [text for _, text in sorted(found)]


@dataclass(frozen=True)
class _Row:
    line: int
    signature: ValidSignature
    when: dt.datetime


def paper_form_version(pack: CampaignPack) -> str:
    """The version printed on the paper sheet: the versions of its consent texts, joined with "+".

    Any change of wording changes a text's version (the pack rule), so it changes this too.
    """
    return "+".join(pack.consent(purpose).version for purpose in PAPER_PURPOSES)


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _columns(header: list[str], pack: CampaignPack) -> dict[str, int]:
    by_alias = {alias: key for key, aliases in COLUMN_NAMES.items() for alias in aliases}
    found: dict[str, int] = {}
    unknown = []
    for position, raw in enumerate(header):
        name = _normalise_header(raw)
        key = by_alias.get(name)
        if key is None:
            if name:
                unknown.append(raw.strip())
            continue
        if key in found:
            raise PaperImportError(f"the column {key!r} appears twice in the header")
        found[key] = position
    if unknown:
        known = ", ".join(aliases[0] for aliases in COLUMN_NAMES.values())
        raise PaperImportError(f"unknown column(s) {', '.join(map(repr, unknown))}; the columns are: {known}")
    needed = list(CONSENT_COLUMNS) + [
        f for f in ("first_name", "last_name", "email") if f in pack.petition.required_fields
    ]
    missing = [key for key in needed if key not in found]
    if "postcode" in pack.petition.required_fields and "postcode" not in found and "country" not in found:
        missing.append("postcode")
    if missing:
        raise PaperImportError(f"the header has no {', '.join(missing)} column; the first line must name the columns")
    return found


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(first line number, cells) of every row after the header, header included as the first item."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PaperImportError(
            f"{path.name} is not UTF-8 text: in your spreadsheet choose 'Save as' and 'CSV UTF-8'"
        ) from None
    except OSError as exc:
        raise PaperImportError(f"cannot read {path}: {exc.strerror}") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise PaperImportError(f"line {reader.line_num}: not valid CSV ({exc})") from None
    if not rows:
        raise PaperImportError(f"{path.name} is empty")
    return rows


def _yes_no(value: str, column: str) -> tuple[bool, str]:
    folded = value.strip().casefold()
    if folded in YES:
        return True, ""
    if folded in NO:
        return False, ""
    return False, f"{column}: {value.strip()!r} is not a tick - leave it empty or write yes"


def _country_code(value: str) -> tuple[bool, str]:
    """(outside the UK, ISO code or the text as typed for validation to judge)."""
    text = value.strip()
    if not text or text.casefold() in UK_NAMES:
        return False, ""
    try:
        return True, str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return True, text


def _when(value: str, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """The date on the sheet as a moment (noon local time, or now if that is later than now)."""
    text = value.strip()
    if not text:
        return now, ""
    day = None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    if day is None:
        return None, f"signed_on: {text!r} is not a date (like 2026-03-15 or 15/03/2026)"
    moment = dt.datetime(day.year, day.month, day.day, 12).astimezone().astimezone(dt.UTC)
    if day > now.astimezone().date():
        return None, f"signed_on: {text} is in the future"
    return min(moment, now), ""


def check_rows(path: Path, pack: CampaignPack, now: dt.datetime | None = None) -> tuple[list[_Row], list[BadRow], int]:
    """Read and validate every row without storing anything: (good rows, bad rows, non-blank rows)."""
    now = now or utcnow()
    (_, header), *body = _read_rows(path)
    columns = _columns(header, pack)
    good: list[_Row] = []
    bad: list[BadRow] = []
    count = 0
    for line, cells in body:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if len(cells) > len(header):
            bad.append(BadRow(line, f"has {len(cells)} cells but the header has {len(header)} - a stray comma?"))
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            position = columns.get(key)
            return cells[position] if position is not None and position < len(cells) else ""

        problems = []
        ticks = {}
        for column in CONSENT_COLUMNS:
            ticks[column], problem = _yes_no(cell(column), column)
            if problem:
                problems.append(problem)
        when, problem = _when(cell("signed_on"), now)
        if problem:
            problems.append(problem)
        outside_uk, country = _country_code(cell("country"))
        draft = SignatureDraft(
            first_name=cell("first_name"),
            last_name=cell("last_name"),
            email=cell("email"),
            postcode="" if outside_uk else cell("postcode"),
            outside_uk=outside_uk,
            country=country,
            phone=cell("phone"),
            consent_sign=ticks["signed"],
            optin_email=ticks["email_updates"],
            optin_sms=ticks["sms_updates"],
            language=pack.default_language,
        )
        valid, errors = validate_signature(draft, pack)
        for key, message in errors.items():
            if key == "consent_sign":
                problems.append("signed: the sign box is not ticked, so this is not a signature")
            else:
                problems.append(f"{key}: {message}")
        if problems or valid is None or when is None:
            bad.append(BadRow(line, "; ".join(problems)))
            continue
        good.append(_Row(line, valid, when))
    return good, bad, count


def import_paper(
    runtime: KioskRuntime,
    path: Path,
    *,
    event_id: str,
    consent_version: str,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a typed-up paper sheet through the kiosk's own save path.

    Raises:
        VaultLockedError: the vault is locked (duplicates could not be recognised).
        PaperImportError: the file, the event or the consent version is wrong; nothing was stored.
    """
    vault = runtime.vault
    if vault is None or not vault.unlocked:
        raise VaultLockedError(
            "Unlock with the organiser passphrase first, so people who already signed are not stored twice."
        )
    pack = runtime.options.campaign
    expected = paper_form_version(pack)
    if consent_version.strip() != expected:
        raise PaperImportError(
            f"the sheet's consent version {consent_version.strip()!r} is not this campaign pack's ({expected}): "
            "the consent wording differs, so these consents could not be proven. Import with the pack the sheet "
            "was printed from, or collect these signatures again on a current sheet."
        )
    event = event_id.strip()
    if not event:
        raise PaperImportError("name the event the sheet was filled in at (--event)")
    good, bad, count = check_rows(path, pack, now)
    report = ImportReport(rows=count, bad=bad)
    if bad and not skip_invalid:
        _audit(runtime, path, event, expected, report, skip_invalid)
        return report
    report.committed = True
    first_line_of: dict[str, int] = {}
    for done, row in enumerate(good, start=1):
        try:
            result = save_signature(runtime, row.signature, source="paper", when=row.when, event_id=event)
        except StorageError as exc:
            report.stopped = (
                f"line {row.line}: {exc}. The rows before it are stored; import the same file again once fixed - "
                "they will be recognised and not stored twice."
            )
            break
        if result.duplicate:
            earlier = first_line_of.get(result.record_id)
            note = f"same person as line {earlier}" if earlier else "already signed on this kiosk"
            note += f"; added opt-ins: {', '.join(result.new_optins)}" if result.new_optins else "; not stored twice"
            report.duplicates.append((row.line, note))
        else:
            first_line_of[result.record_id] = row.line
            report.imported.append((row.line, result.record_id))
        if progress is not None:
            progress(done, len(good))
    _audit(runtime, path, event, expected, report, skip_invalid)
    log.info("paper import of %s: %s", path.name, report.summary())
    return report


def _audit(runtime: KioskRuntime, path: Path, event: str, version: str, report: ImportReport, skip: bool) -> None:
    with runtime.db.begin() as session:
        repo.add_audit(
            session,
            "paper_import",
            file=path.name,
            event=event,
            consent_version=version,
            rows=report.rows,
            imported=len(report.imported),
            duplicates=len(report.duplicates),
            bad_lines=[bad.line for bad in report.bad],
            skip_invalid=skip,
            committed=report.committed,
            stopped=bool(report.stopped),
        )
