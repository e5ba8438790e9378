"""Wins cards: short, sourced facts and victories that explain the campaign on the attract screen.

Loaded from a pack's ``wins.toml`` (an ordered list of ``[[card]]`` tables). See docs/campaign-pack.md.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from kiosk.errors import CampaignPackError
from kiosk.parsed_toml import ParsedFiles, read_source

TITLE_MAX = 60
BODY_MAX = 280
KINDS = ("win", "fact")
FIELDS = ("id", "kind", "date", "title", "body", "source", "source_url", "image")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
# ISO 8601 calendar dates at the precision the source gives: a day, a month, or (when only that is known) a year.
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_CARD_HEADER = re.compile(r"^\s*\[\[\s*card\s*\]\]")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class WinCard(NamedTuple):
    id: str
    kind: str
    date: str
    title: str
    body: str
    source: str
    source_url: str = ""
    image: str = ""

    @property
    def sort_key(self) -> str:
        """Text that sorts cards in time order.

        A date known only to the month (or year) sorts after the days of that month (or year): the event is only
        known to have happened by then, and "Morrisons joined Tesco (2023)" must not come before Tesco's
        16 March 2023. Equal keys keep the pack's order when used with a stable sort.
        """
        parts = self.date.split("-")
        if len(parts) == 1:
            return f"{self.date}-13"
        if len(parts) == 2:
            return f"{self.date}-32"
        return self.date

    @property
    def date_text(self) -> str:
        """The date as people write it: "16 March 2023", "June 2022" or "2023"."""
        return format_date(self.date)


def format_date(date: str) -> str:
    """An ISO date of any precision (``2023-03-16``, ``2022-06``, ``2023``) in words, day first."""
    match = _DATE.match(date)
    if not match:
        raise ValueError(f"not an ISO date: {date!r}")
    year, month, day = match.groups()
    if month is None:
        return year
    if day is None:
        return f"{_MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def date_problem(date: object) -> str | None:
    """Why ``date`` is not a usable card date, or None when it is."""
    if not isinstance(date, str):
        return f"must be text YYYY-MM-DD, YYYY-MM or YYYY, got {date!r}"
    match = _DATE.match(date)
    if not match:
        return f"must be YYYY-MM-DD, YYYY-MM or YYYY, got {date!r}"
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return f"{date!r} is not a date in the calendar"
    return None


def _card_lines(text: str) -> list[int]:
    """1-based line numbers of every ``[[card]]`` header, in order."""
    return [number for number, line in enumerate(text.splitlines(), start=1) if _CARD_HEADER.match(line)]


def _field_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    """1-based line of ``key = ...`` between two card headers, so errors point at the line to fix."""
    assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(start, min(end, len(lines) + 1)):
        if assignment.match(lines[number - 1]):
            return number
    return None


def load_wins(pack_dir: Path, parsed: ParsedFiles | None = None) -> list[WinCard]:
    """Load and validate ``wins.toml``; a pack without one has no cards.

    Raises:
        CampaignPackError: naming the file, the card (number, id and line) and the field that is wrong.
    """
    file = pack_dir / "wins.toml"
    if not file.exists():
        return []
    source = read_source(file)
    data = (parsed or ParsedFiles()).parse(file, source)
    unknown_top = sorted(set(data) - {"card"})
    if unknown_top:
        raise CampaignPackError(str(file), unknown_top[0], "unknown key; wins.toml holds only [[card]] tables")
    raw_cards = data.get("card", [])
    if not isinstance(raw_cards, list):
        raise CampaignPackError(str(file), "card", "must be a list of [[card]] tables")
    source_lines = source.decode("utf-8").splitlines()  # parsed, so UTF-8
    headers = _card_lines("\n".join(source_lines))
    cards: list[WinCard] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_cards):
        start = headers[index] if index < len(headers) else 0
        end = headers[index + 1] if index + 1 < len(headers) else len(source_lines) + 1
        cards.append(_validate_card(_CardReader(file, index, raw, source_lines, start, end), seen))
    return cards


class _CardReader:
    """Reads one ``[[card]]`` table, failing with the file, card number, line and field."""

    def __init__(self, file: Path, index: int, raw: Any, lines: list[str], start: int, end: int) -> None:
        self.file, self.index, self.raw = file, index, raw
        self.lines, self.start, self.end = lines, start, end
        self.card_id = ""

    def fail(self, key: str, problem: str) -> CampaignPackError:
        line = _field_line(self.lines, self.start, self.end, key) if key else None
        where = f"card #{self.index + 1}"
        if self.card_id:
            where += f" ({self.card_id})"
        where += f", line {line or self.start}"
        return CampaignPackError(str(self.file), f"{where}: {key}" if key else where, problem)

    def text(self, key: str, *, required: bool = True, max_len: int = 2000) -> str:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be non-empty text")
        value = value.strip()
        if len(value) > max_len:
            raise self.fail(key, f"is {len(value)} characters long; the limit is {max_len}")
        return value


def _validate_card(r: _CardReader, seen: set[str]) -> WinCard:
    if not isinstance(r.raw, dict):
        raise r.fail("", "must be a table")
    card_id = r.text("id", max_len=80)
    if card_id in seen:
        raise r.fail("id", f"{card_id!r} is used by an earlier card")
    seen.add(card_id)
    r.card_id = card_id
    unknown = sorted(set(r.raw) - set(FIELDS))
    if unknown:
        raise r.fail(unknown[0], f"unknown field; a card has {', '.join(FIELDS)}")
    kind = r.text("kind")
    if kind not in KINDS:
        raise r.fail("kind", f"must be one of {list(KINDS)}, got {kind!r}")
    date = r.raw.get("date")
    if isinstance(date, dt.date) and not isinstance(date, dt.datetime):
        date = date.isoformat()  # an unquoted TOML date (date = 2023-03-16) means the same day
    if date is None:
        raise r.fail("date", "is missing")
    problem = date_problem(date)
    if problem:
        raise r.fail("date", problem)
    assert isinstance(date, str)
    image = r.text("image", required=False, max_len=200)
    if image:
        parts = PurePosixPath(image)
        pack = r.file.parent.resolve()
        try:
            target = (pack / image).resolve()
            is_file = target.is_file()
        except (ValueError, OSError):  # a NUL byte, or a name too long for the filesystem
            is_file = False
        if parts.is_absolute() or ".." in parts.parts or not is_file or not target.is_relative_to(pack):
            raise r.fail("image", f"{image!r} is not a file in the pack")
        if target.suffix.lower() not in IMAGE_SUFFIXES:
            raise r.fail("image", f"must be one of {', '.join(IMAGE_SUFFIXES)}, got {image!r}")
    source_url = r.text("source_url", required=False, max_len=2000)
    if source_url:
        parts_url = urlsplit(source_url)
        if parts_url.scheme not in ("https", "http") or not parts_url.netloc or " " in source_url:
            raise r.fail("source_url", f"must be an http(s) address, got {source_url!r}")
    return WinCard(
        id=card_id,
        kind=kind,
        date=date,
        title=r.text("title", max_len=TITLE_MAX),
        body=r.text("body", max_len=BODY_MAX),
        source=r.text("source", max_len=200),
        source_url=source_url,
        image=image,
    )
