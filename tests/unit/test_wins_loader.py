"""wins.toml loading: good cards load in order; each kind of bad data fails naming file, card, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.campaign import load_campaign
from kiosk.errors import CampaignPackError
from kiosk.resources import campaigns_dir
from kiosk.wins import WinCard, format_date, load_wins

GOOD = """\
# a comment line, so card lines are not simply counted from the top
[[card]]
id = "first"
kind = "win"
date = "2023-03-16"
title = "A win"
body = "Something good happened."
source = "A newspaper"
source_url = "https://example.org/a"

[[card]]
id = "second"
kind = "fact"
date = "2022-06"
title = "A fact"
body = "Something true."
source = "A report"
"""


def _pack(tmp_path: Path, text: str) -> Path:
    (tmp_path / "wins.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _second_card_line(text: str, field: str) -> int:
    """The line of ``field = ...`` in the second card, or of that card's header when the field is absent."""
    lines = text.splitlines()
    header = [n for n, line in enumerate(lines, start=1) if line == "[[card]]"][1]
    for number in range(header, len(lines) + 1):
        if lines[number - 1].startswith(f"{field} ="):
            return number
    return header


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_cards_load_in_file_order_with_every_field(tmp_path: Path) -> None:
    cards = load_wins(_pack(tmp_path, GOOD))
    assert [c.id for c in cards] == ["first", "second"]
    assert cards[0] == WinCard(
        id="first",
        kind="win",
        date="2023-03-16",
        title="A win",
        body="Something good happened.",
        source="A newspaper",
        source_url="https://example.org/a",
    )
    assert cards[1].source_url == "" and cards[1].image == ""


def test_a_pack_without_wins_toml_has_no_cards(tmp_path: Path) -> None:
    assert load_wins(tmp_path) == []


def test_bundled_pack_fills_campaign_wins() -> None:
    pack = load_campaign("hikvision")
    assert len(pack.wins) >= 12
    assert pack.wins == tuple(load_wins(pack.path))


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ('title = "A fact"', 'title = "' + "x" * 61 + '"', "title", "61 characters long; the limit is 60"),
        ('body = "Something true."', 'body = "' + "y" * 281 + '"', "body", "281 characters long; the limit is 280"),
        ('source = "A report"\n', "\n", "source", "is missing"),
        ('source = "A report"', 'source = "   "', "source", "must be non-empty text"),
        ('date = "2022-06"', 'date = "16/03/2023"', "date", "must be YYYY-MM-DD, YYYY-MM or YYYY"),
        ('date = "2022-06"', 'date = "2023-02-30"', "date", "not a date in the calendar"),
        ('date = "2022-06"', 'date = "2022-13"', "date", "not a date in the calendar"),
        ('date = "2022-06"', "date = 2022", "date", "must be text"),
        ('id = "second"', 'id = "first"', "id", "'first' is used by an earlier card"),
        ('kind = "fact"', 'kind = "victory"', "kind", "must be one of ['win', 'fact']"),
        ('source = "A report"', 'source = "A report"\nsorce_url = "https://example.org"', "sorce_url", "unknown field"),
        ('source = "A report"', 'source = "A report"\nsource_url = "ftp://example.org/x"', "source_url", "http(s)"),
        ('source = "A report"', 'source = "A report"\nsource_url = "example.org"', "source_url", "http(s)"),
        ('source = "A report"', 'source = "A report"\nimage = "../outside.svg"', "image", "not a file in the pack"),
        ('source = "A report"', 'source = "A report"\nimage = "/etc/hostname"', "image", "not a file in the pack"),
        ('source = "A report"', 'source = "A report"\nimage = "missing.svg"', "image", "not a file in the pack"),
        ('source = "A report"', 'source = "A report"\nimage = "notes.txt"', "image", "must be one of"),
    ],
)
def test_bad_card_names_file_card_line_and_field(tmp_path: Path, old: str, new: str, field: str, problem: str) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "notes.txt").write_text("not a picture", encoding="utf-8")
    (tmp_path / "outside.svg").write_text("<svg/>", encoding="utf-8")
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(CampaignPackError) as info:
        load_wins(_pack(pack, text))
    error = info.value
    assert error.file == str(pack / "wins.toml")
    assert error.field.startswith("card #2")
    assert error.field.endswith(f", line {_second_card_line(text, field)}: {field}")
    assert problem in error.problem


def test_duplicate_id_points_at_the_second_card(tmp_path: Path) -> None:
    text = GOOD.replace('id = "second"', 'id = "first"')
    with pytest.raises(CampaignPackError) as info:
        load_wins(_pack(tmp_path, text))
    second_id_line = [n for n, s in enumerate(text.splitlines(), 1) if s == 'id = "first"'][1]
    assert info.value.field == f"card #2, line {second_id_line}: id"


def test_error_message_reads_as_one_line_for_organisers(tmp_path: Path) -> None:
    text = GOOD.replace('title = "A fact"', 'title = "' + "z" * 70 + '"')
    with pytest.raises(CampaignPackError) as info:
        load_wins(_pack(tmp_path, text))
    line = _line_of(text, 'title = "zzz')
    assert str(info.value) == (
        f"{tmp_path / 'wins.toml'}: card #2 (second), line {line}: title: is 70 characters long; the limit is 60"
    )


def test_toml_syntax_error_keeps_tomls_line(tmp_path: Path) -> None:
    with pytest.raises(CampaignPackError, match=r"not valid TOML .*line 5"):
        load_wins(_pack(tmp_path, GOOD.replace('date = "2023-03-16"', 'date = "2023-03-16')))


def test_wins_toml_holds_only_cards(tmp_path: Path) -> None:
    with pytest.raises(CampaignPackError) as info:
        load_wins(_pack(tmp_path, 'title = "stray"\n' + GOOD))
    assert info.value.field == "title"


def test_unquoted_toml_date_and_year_only_date_are_accepted(tmp_path: Path) -> None:
    text = GOOD.replace('date = "2023-03-16"', "date = 2023-03-16").replace('date = "2022-06"', 'date = "2023"')
    cards = load_wins(_pack(tmp_path, text))
    assert [c.date for c in cards] == ["2023-03-16", "2023"]


def test_image_inside_the_pack_loads(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "tick.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    text = GOOD.replace('source = "A report"', 'source = "A report"\nimage = "images/tick.svg"')
    assert load_wins(_pack(tmp_path, text))[1].image == "images/tick.svg"


def test_broken_bundled_wins_fail_the_whole_pack(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(campaigns_dir() / "hikvision", pack)
    wins = pack / "wins.toml"
    text = wins.read_text(encoding="utf-8")
    wins.write_text(text.replace('kind = "win"', 'kind = "loss"', 1), encoding="utf-8")
    with pytest.raises(CampaignPackError, match="kind: must be one of"):
        load_campaign(pack)


@pytest.mark.parametrize(
    ("date", "words"),
    [("2023-03-16", "16 March 2023"), ("2022-06", "June 2022"), ("2023", "2023"), ("2022-10-01", "1 October 2022")],
)
def test_dates_are_written_for_people(date: str, words: str) -> None:
    assert format_date(date) == words


def test_partial_dates_sort_after_the_days_they_contain() -> None:
    def card(date: str) -> WinCard:
        return WinCard(id=date, kind="win", date=date, title="t", body="b", source="s")

    dates = ["2023", "2022-06", "2023-03-16", "2022-06-27", "2022-07", "2022-04-16"]
    ordered = [c.date for c in sorted((card(d) for d in dates), key=lambda c: c.sort_key)]
    assert ordered == ["2022-04-16", "2022-06-27", "2022-06", "2022-07", "2023-03-16", "2023"]
