"""Wins cards: short, sourced facts and victories that explain the campaign on the attract screen.

Loaded from a pack's ``wins.toml`` (an ordered list of ``[[card]]`` tables). See docs/campaign-pack.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import CampaignPackError

TITLE_MAX = 60
BODY_MAX = 280
KINDS = ("win", "fact")
_DATE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$")


@dataclass(frozen=True)
class WinCard:
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
        """Dates as text sort in time order; a month-only date sorts before days of that month."""
        return self.date


def _card_line(text: str, index: int) -> int:
    """1-based line of the index-th ``[[card]]`` header, so errors point where the editor should look."""
    count = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("[[card]]"):
            count += 1
            if count == index:
                return number
    return 0


def load_wins(pack_dir: Path) -> list[WinCard]:
    """Load and validate ``wins.toml``; a pack without one has no cards."""
    from kiosk.campaign import read_toml

    file = pack_dir / "wins.toml"
    if not file.exists():
        return []
    data = read_toml(file)
    raw_cards = data.get("card", [])
    if not isinstance(raw_cards, list):
        raise CampaignPackError(str(file), "card", "must be a list of [[card]] tables")
    source_text = file.read_text(encoding="utf-8")
    cards: list[WinCard] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_cards):
        where = f"card #{index + 1} (line {_card_line(source_text, index)})"
        cards.append(_validate_card(file, where, raw, seen))
    return cards


def _validate_card(file: Path, where: str, raw: Any, seen: set[str]) -> WinCard:
    def fail(key: str, problem: str) -> CampaignPackError:
        return CampaignPackError(str(file), f"{where}.{key}", problem)

    def text(key: str, *, required: bool = True, max_len: int = 2000) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                raise fail(key, "is missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            raise fail(key, "must be non-empty text")
        value = value.strip()
        if len(value) > max_len:
            raise fail(key, f"is {len(value)} characters long; the limit is {max_len}")
        return value

    if not isinstance(raw, dict):
        raise fail("", "must be a table")
    card_id = text("id", max_len=80)
    if card_id in seen:
        raise fail("id", f"{card_id!r} is used by an earlier card")
    seen.add(card_id)
    kind = text("kind")
    if kind not in KINDS:
        raise fail("kind", f"must be one of {list(KINDS)}, got {kind!r}")
    date = raw.get("date")
    if not isinstance(date, str) or not _DATE.match(date):
        raise fail("date", f"must be text YYYY-MM-DD or YYYY-MM, got {date!r}")
    image = text("image", required=False, max_len=200)
    if image and (".." in Path(image).parts or not (file.parent / image).is_file()):
        raise fail("image", f"{image!r} is not a file in the pack")
    source_url = text("source_url", required=False, max_len=2000)
    if source_url and not source_url.startswith(("https://", "http://")):
        raise fail("source_url", "must be an http(s) address")
    return WinCard(
        id=card_id,
        kind=kind,
        date=date,
        title=text("title", max_len=TITLE_MAX),
        body=text("body", max_len=BODY_MAX),
        source=text("source", max_len=200),
        source_url=source_url,
        image=image,
    )
