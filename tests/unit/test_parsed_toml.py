"""The parsed pack kept in the data dir (kiosk/parsed_toml.py): used only for the exact bytes it was parsed from,
never trusted when damaged, and never in the way when the disk is not writable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.campaign import load_campaign
from kiosk.errors import CampaignPackError
from kiosk.parsed_toml import PARSED_FILE, ParsedFiles
from kiosk.resources import campaigns_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(campaigns_dir() / "hikvision", target)
    return target


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def kept_files(data_dir: Path) -> dict[str, bytes]:
    """What the kept file holds, read independently of ParsedFiles: each file's path and the bytes it was parsed
    from (empty when the file is not there or not whole)."""
    import marshal
    import zlib

    try:
        blob = (data_dir / PARSED_FILE).read_bytes()
    except OSError:
        return {}
    head = b"campaign-parsed 1\n"
    crc, payload = blob[len(head) : len(head) + 4], blob[len(head) + 4 :]
    if not payload or not blob.startswith(head) or int.from_bytes(crc, "big") != zlib.crc32(payload):
        return {}
    return {path: source for path, (source, _) in marshal.loads(payload).items()}


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_later_start_loads_the_same_pack_without_the_toml_parser(pack: Path, data_dir: Path) -> None:
    first = load_campaign(pack, data_dir=data_dir)
    assert kept_files(data_dir) == {
        str(pack / name): (pack / name).read_bytes() for name in ("campaign.toml", "wins.toml")
    }
    script = (
        "import sys; from pathlib import Path; from kiosk.campaign import load_campaign; "
        "pack = load_campaign(Path(sys.argv[1]), data_dir=Path(sys.argv[2])); "
        "print('tomllib' in sys.modules, len(pack.wins), pack.consent('sign').sha256, pack.title, sep='|')"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", script, str(pack), str(data_dir)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        .stdout.rstrip("\n")
        .split("|")
    )
    assert out == ["False", str(len(first.wins)), first.consent("sign").sha256, first.title]
    assert len(first.wins) > 3
    # And the same again in this process, from the kept file.
    assert load_campaign(pack, data_dir=data_dir) == first == load_campaign(pack)


def test_an_edit_of_the_same_length_is_parsed_again(pack: Path, data_dir: Path) -> None:
    load_campaign(pack, data_dir=data_dir)
    _edit(pack / "campaign.toml", 'title = "Get Hikvision out of the UK"', 'title = "Get Hikvision out of the EU"')
    wins = pack / "wins.toml"
    wins.write_text(wins.read_text(encoding="utf-8").replace("Tesco", "Tosco"), encoding="utf-8")
    again = load_campaign(pack, data_dir=data_dir)
    assert again.title == "Get Hikvision out of the EU"
    assert any("Tosco" in card.title + card.body for card in again.wins)
    assert not any("Tesco" in card.title + card.body for card in again.wins)
    assert kept_files(data_dir)[str(pack / "wins.toml")] == (pack / "wins.toml").read_bytes()


def test_a_broken_edit_still_fails_with_the_files_line(pack: Path, data_dir: Path) -> None:
    load_campaign(pack, data_dir=data_dir)
    _edit(pack / "campaign.toml", 'title = "Get Hikvision out of the UK"', 'title = "unterminated')
    with pytest.raises(CampaignPackError, match=r"campaign\.toml.*not valid TOML.*line \d+"):
        load_campaign(pack, data_dir=data_dir)


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 0x01]),
        lambda blob: b"",
        lambda blob: os.urandom(len(blob)),
        lambda blob: b"campaign-parsed 1\n" + b"\x00\x00\x00\x00",
    ],
    ids=["truncated", "one-bit", "empty", "random", "header-only"],
)
def test_a_damaged_file_is_ignored_and_rewritten(pack: Path, data_dir: Path, damage: object) -> None:
    expected = load_campaign(pack, data_dir=data_dir)
    kept = data_dir / PARSED_FILE
    good = kept_files(data_dir)
    assert callable(damage)
    kept.write_bytes(damage(kept.read_bytes()))
    assert kept_files(data_dir) == {}
    assert load_campaign(pack, data_dir=data_dir) == expected
    assert kept_files(data_dir) == good


def test_bytes_that_match_but_a_wrong_shape_are_not_used(pack: Path, data_dir: Path, tmp_path: Path) -> None:
    """A well-formed file of another shape (as from another version) is parsed past, not trusted."""
    import marshal
    import zlib

    source = (pack / "campaign.toml").read_bytes()
    payload = marshal.dumps({str(pack / "campaign.toml"): (source, ["not", "a", "table"])})
    (data_dir / PARSED_FILE).write_bytes(b"campaign-parsed 1\n" + zlib.crc32(payload).to_bytes(4, "big") + payload)
    assert load_campaign(pack, data_dir=data_dir).title == "Get Hikvision out of the UK"


def test_a_read_only_data_dir_only_means_parsing_every_time(pack: Path, data_dir: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through read-only permissions")
    data_dir.chmod(0o500)
    try:
        assert load_campaign(pack, data_dir=data_dir).title == "Get Hikvision out of the UK"
        assert list(data_dir.iterdir()) == []
    finally:
        data_dir.chmod(0o700)


def test_a_data_dir_that_cannot_be_written_loses_nothing(pack: Path, tmp_path: Path) -> None:
    """Runs as root too: the kept file's path is taken by a folder, so writing it fails."""
    data_dir = tmp_path / "data"
    (data_dir / PARSED_FILE).mkdir(parents=True)
    assert load_campaign(pack, data_dir=data_dir).title == "Get Hikvision out of the UK"
    assert load_campaign(pack, data_dir=data_dir).title == "Get Hikvision out of the UK"
    assert sorted(p.name for p in data_dir.iterdir()) == [PARSED_FILE]


def test_toml_dates_are_parsed_every_time_not_kept(tmp_path: Path, data_dir: Path) -> None:
    file = tmp_path / "dated.toml"
    file.write_text("[card]\ndate = 2023-03-16\ntitle = 'x'\n", encoding="utf-8")
    other = tmp_path / "plain.toml"
    other.write_text("title = 'y'\n", encoding="utf-8")
    parsed = ParsedFiles(data_dir / PARSED_FILE)
    assert str(parsed.read(file)["card"]["date"]) == "2023-03-16"
    assert parsed.read(other) == {"title": "y"}
    parsed.save()
    assert list(kept_files(data_dir)) == [str(other)]
    again = ParsedFiles(data_dir / PARSED_FILE)
    assert str(again.read(file)["card"]["date"]) == "2023-03-16"
    assert again.read(other) == {"title": "y"}


def test_a_missing_file_is_named(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(CampaignPackError, match="file is missing"):
        ParsedFiles(data_dir / PARSED_FILE).read(tmp_path / "absent.toml")
