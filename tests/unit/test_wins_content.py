"""The Hikvision pack's wins cards say what the sources say: required facts, exact dates and figures, within limits.

The facts come from the campaign's sources (Free Tibet and Big Brother Watch articles, 2022–2023). Each required
fact below is matched by its words and must carry the date the source gives; any figure on a card must be one the
sources give, so a typo such as "1.3 million" or "2021" fails here rather than on a stall.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from kiosk.campaign import load_campaign
from kiosk.wins import BODY_MAX, KINDS, TITLE_MAX, WinCard

CARDS: tuple[WinCard, ...] = load_campaign("hikvision").wins

# (what the fact is, the card's date, kind, phrases that must all appear in its title + body)
REQUIRED = [
    ("Tesco phasing out Hikvision (CEO's letter)", "2023-03-16", "win", ["Tesco", "16 March 2023", "Jason Tarry"]),
    ("Morrisons joining Tesco", None, "win", ["Morrisons", "joined Tesco"]),
    (
        "Department of Health and Social Care ban",
        "2022-04-16",
        "win",
        ["Department of Health and Social Care", "16 April 2022", "Daily Telegraph"],
    ),
    (
        "Department for Work and Pensions commitment",
        "2022-06-27",
        "win",
        ["Work and Pensions", "letter of 23 June 2022", "announced on 27 June 2022"],
    ),
    ("British Security Awards withdraw the nomination", "2022-06", "win", ["British Security Awards", "withdrawn"]),
    (
        "City of Edinburgh Council commitment",
        "2022-10-27",
        "win",
        ["City of Edinburgh Council", "27 October 2022", "February 2023"],
    ),
    (
        "Cabinet Office recommendation",
        "2022-11",
        "win",
        ["Cabinet Office", "November 2022", "National Intelligence Law of the People's Republic of China"],
    ),
    ("Peers and MPs backing a ban", None, "win", ["At least 67 peers and MPs", "ban"]),
    ("Hikvision's net profit fall", "2022-08", "fact", ["11%", "net profit", "first half of 2022"]),
    (
        "Scale in the UK",
        None,
        "fact",
        ["at least 1.2 million", "Over 200 local councils"],
    ),
    ("Why: Tibet", None, "fact", ["surveillance state in Tibet"]),
    ("Why: the camps of the Uyghur region", None, "fact", ["camps", "Uyghur region"]),
    ("Why: US blacklisting", None, "fact", ["blacklisted in the United States"]),
    ("Why: the contracts", None, "fact", ["at least $1.2 billion", "11 separate", "surveillance projects"]),
]

# Every figure the sources give that a card may repeat. A number on a card that is not here is a typo.
SOURCE_FIGURES = {
    "16", "March", "2023", "April", "2022", "23", "June", "27", "21", "October", "February", "November",
    "67", "11%", "1.2", "200", "$1.2", "11", "July", "August",
}  # fmt: skip


def _text(card: WinCard) -> str:
    return f"{card.title} {card.body}"


def _matches(phrases: list[str]) -> list[WinCard]:
    return [c for c in CARDS if all(p.lower() in _text(c).lower() for p in phrases)]


def test_every_card_has_a_date_a_source_and_fits_its_limits() -> None:
    assert len(CARDS) >= len(REQUIRED) - 1  # the contracts and the camps may share a card
    for card in CARDS:
        assert card.date and card.source.strip(), card.id
        assert 0 < len(card.title) <= TITLE_MAX, card.id
        assert 0 < len(card.body) <= BODY_MAX, card.id
        assert card.kind in KINDS, card.id


def test_ids_are_unique() -> None:
    ids = [c.id for c in CARDS]
    assert len(ids) == len(set(ids))


def test_dates_are_real_and_in_the_campaign_period() -> None:
    for card in CARDS:
        parts = [int(p) for p in card.date.split("-")]
        first = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        assert dt.date(2021, 1, 1) <= first <= dt.date(2023, 12, 31), card.id


@pytest.mark.parametrize(("fact", "date", "kind", "phrases"), REQUIRED, ids=[r[0] for r in REQUIRED])
def test_required_fact_is_present_with_its_exact_date(
    fact: str, date: str | None, kind: str, phrases: list[str]
) -> None:
    found = _matches(phrases)
    assert found, f"no card says {phrases!r} ({fact})"
    assert any(c.kind == kind for c in found), f"{fact} should be a {kind} card"
    if date is not None:
        assert date in {c.date for c in found}, f"{fact} should be dated {date}, got {[c.date for c in found]}"


def test_partial_dates_are_the_ones_the_sources_leave_open() -> None:
    """Sources give no day for these; a card must not invent one."""
    by_words = {
        "British Security Awards": "2022-06",
        "Morrisons": "2023",
        "Cabinet Office": "2022-11",
    }
    for words, date in by_words.items():
        assert {c.date for c in _matches([words]) if c.kind == "win"} == {date}


def test_every_figure_on_a_card_comes_from_the_sources() -> None:
    for card in CARDS:
        words = re.findall(r"\$?\d[\d.,]*%?", _text(card))
        for word in words:
            figure = word.rstrip(".,")
            assert figure in SOURCE_FIGURES, f"{card.id}: {figure!r} is not a figure the sources give"


def test_dates_written_in_a_body_agree_with_the_cards_own_date() -> None:
    """A body that names its own day ("On 27 October 2022 ...") must carry that day as its date."""
    for card in CARDS:
        if len(card.date) == 10:
            assert card.date_text in _text(card) or card.kind == "fact", card.id


def test_source_links_are_https_pages_of_the_organisations_that_reported_them() -> None:
    for card in CARDS:
        assert card.source_url, f"{card.id} has no link for its QR code"
        parts = urlsplit(card.source_url)
        assert parts.scheme == "https"
        assert parts.netloc in {"freetibet.org", "bigbrotherwatch.org.uk"}, card.id


def test_illustrations_are_our_own_svg_files() -> None:
    pack = load_campaign("hikvision").path
    for card in CARDS:
        assert card.image.endswith(".svg"), card.id
        svg = (pack / card.image).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and "Drawn for this campaign pack" in svg
        assert "<image" not in svg and "base64" not in svg, f"{card.image} embeds a picture from elsewhere"
