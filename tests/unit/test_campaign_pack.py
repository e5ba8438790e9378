"""Campaign pack loading: the bundled pack loads; broken packs fail with one message naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.campaign import CONSENT_PURPOSES, load_campaign
from kiosk.errors import CampaignPackError
from kiosk.resources import campaigns_dir


def test_bundled_pack_loads_with_every_consent_text() -> None:
    pack = load_campaign("hikvision")
    assert pack.title == "Get Hikvision out of the UK"
    assert set(pack.consents) == set(CONSENT_PURPOSES)
    assert all(len(c.sha256) == 64 and c.version for c in pack.consents.values())
    assert pack.petition.url.startswith("https://")


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(campaigns_dir() / "hikvision", target)
    return target


def _edit(pack: Path, old: str, new: str) -> None:
    file = pack / "campaign.toml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        ('title = "Get Hikvision out of the UK"', "", "title", "is missing"),
        ('url = "https://act.example.org/privacy"', 'url = "ftp://x"', "privacy.url", "http(s) address"),
        ('version = "sms-2026-11"', "version = 3", "consent.sms_updates.version", "must be text"),
        (
            "presets_pounds = [5, 10, 20, 50]",
            "presets_pounds = [5, -1]",
            "donation.presets_pounds",
            "positive",
        ),
        ("max_pounds = 1000", "max_pounds = 10", "donation.presets_pounds", "above donation.max_pounds"),
        (
            'required_fields = ["first_name"',
            'required_fields = ["shoe_size"',
            "petition.required_fields",
            "unknown",
        ),
    ],
)
def test_broken_field_names_file_field_and_problem(
    pack_copy: Path, old: str, new: str, field: str, problem: str
) -> None:
    _edit(pack_copy, old, new)
    with pytest.raises(CampaignPackError) as info:
        load_campaign(pack_copy)
    assert info.value.field == field
    assert problem in info.value.problem
    assert str(pack_copy / "campaign.toml") in str(info.value)


def test_toml_syntax_error_keeps_line_number(pack_copy: Path) -> None:
    _edit(pack_copy, 'organisation = "Free Tibet"', 'organisation = "Free Tibet')
    with pytest.raises(CampaignPackError) as info:
        load_campaign(pack_copy)
    assert "not valid TOML" in str(info.value) and "line" in str(info.value)


def test_missing_pack_lists_bundled_ones(tmp_path: Path) -> None:
    with pytest.raises(CampaignPackError, match="bundled packs: hikvision"):
        load_campaign(tmp_path / "nowhere")


def test_consent_hash_is_of_exact_text() -> None:
    import hashlib

    sign = load_campaign("hikvision").consent("sign")
    assert sign.sha256 == hashlib.sha256(sign.text.encode()).hexdigest()
