"""The wins cards' fitted body size kept between starts (kiosk/wins_fit.py): read back exactly, or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.campaign import load_campaign
from kiosk.wins import WinCard
from kiosk.wins_fit import FIT_FILE, KEEP, FitMemory, layout_signature

CARDS = load_campaign("hikvision").wins
LAYOUT = "725 336 1 DejaVu Sans en-GB"


def test_a_kept_size_is_read_back_by_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / FIT_FILE
    FitMemory(path, "sig").put(LAYOUT, 26.0)
    again = FitMemory(path, "sig")
    assert again.get(LAYOUT) == 26.0
    assert again.get("800 480 0.8 DejaVu Sans en-GB") == 0.0
    assert [p.name for p in tmp_path.iterdir()] == [FIT_FILE]  # written through a .part file, none left behind
    assert path.read_text(encoding="utf-8") == f"sig\n26.0\t{LAYOUT}\n"


def test_another_signature_means_measuring_again(tmp_path: Path) -> None:
    path = tmp_path / FIT_FILE
    FitMemory(path, "old pack").put(LAYOUT, 26.0)
    fresh = FitMemory(path, "new pack")
    assert fresh.get(LAYOUT) == 0.0
    fresh.put(LAYOUT, 22.0)
    assert path.read_text(encoding="utf-8") == f"new pack\n22.0\t{LAYOUT}\n"


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        b"sig\n26.0 " + LAYOUT.encode() + b"\n",  # no tab
        b"sig\nabc\t" + LAYOUT.encode() + b"\n",
        b"sig\nnan\t" + LAYOUT.encode() + b"\n",
        b"sig\n-3\t" + LAYOUT.encode() + b"\n",
        b"sig\n26.0\t\n",  # no layout
        b"sig\n26.0\t" + LAYOUT.encode() + b"\n2",  # cut short while written by hand
        b"",
    ],
    ids=["binary", "no-tab", "not-a-number", "nan", "negative", "no-layout", "truncated", "empty"],
)
def test_a_damaged_file_is_not_trusted_and_is_rewritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / FIT_FILE
    path.write_bytes(content)
    memory = FitMemory(path, "sig")
    assert memory.get(LAYOUT) == 0.0
    memory.put(LAYOUT, 24.0)
    assert FitMemory(path, "sig").get(LAYOUT) == 24.0


def test_only_the_latest_layouts_are_kept_and_bad_values_ignored(tmp_path: Path) -> None:
    path = tmp_path / FIT_FILE
    memory = FitMemory(path, "sig")
    for width in range(KEEP + 2):
        memory.put(f"{width} 300 1 DejaVu Sans en", 20.0 + width)
    memory.put("tab\tin layout", 20.0)
    memory.put(LAYOUT, float("inf"))
    memory.put(LAYOUT, 0.0)
    kept = path.read_text(encoding="utf-8").splitlines()[1:]
    assert kept == [f"{20.0 + w}\t{w} 300 1 DejaVu Sans en" for w in range(2, KEEP + 2)]


def test_a_disk_that_cannot_take_the_file_only_skips_it(tmp_path: Path) -> None:
    (tmp_path / FIT_FILE).mkdir()  # the file cannot replace it (chmod would not stop root)
    memory = FitMemory(tmp_path / FIT_FILE, "sig")
    memory.put(LAYOUT, 26.0)
    assert memory.get(LAYOUT) == 26.0  # still used for this run
    assert sorted(p.name for p in tmp_path.rglob("*")) == [FIT_FILE]
    assert FitMemory(None, "sig").get(LAYOUT) == 0.0


def test_the_signature_follows_the_cards_the_files_and_qt(tmp_path: Path) -> None:
    qml = tmp_path / "WinCardDelegate.qml"
    qml.write_text("Rectangle {}\n", encoding="utf-8")
    base = layout_signature(CARDS, [qml], "6.11.3")
    assert layout_signature(CARDS, [qml], "6.11.3") == base
    first = CARDS[0]
    longer = WinCard(first.id, first.kind, first.date, first.title, first.body + " More.", first.source)
    assert layout_signature([longer, *CARDS[1:]], [qml], "6.11.3") != base
    assert layout_signature(CARDS, [qml], "6.12.0") != base
    qml.write_text("Rectangle { width: 2 }\n", encoding="utf-8")
    assert layout_signature(CARDS, [qml], "6.11.3") != base
    assert layout_signature(CARDS, [tmp_path / "gone.ttf"], "6.11.3") != base
    os.utime(qml, ns=(0, 0))
    assert layout_signature(CARDS, [qml], "6.11.3") != base
