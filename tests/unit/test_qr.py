"""QR matrices and attributed links (no Qt): what a phone reads is exactly the link the campaign wants counted."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.campaign import load_campaign
from kiosk.config import KioskConfig
from kiosk.printing.qr import QUIET_ZONE, attributed_url, petition_link, qr_matrix, short_url


def matrix_image(text: str, module_px: int = 6) -> Image.Image:
    matrix = qr_matrix(text)
    image = Image.new("L", (matrix.size, matrix.size), 255)
    for y, x, length in matrix.dark_runs():
        for dx in range(length):
            image.putpixel((x + dx, y), 0)
    return image.resize((matrix.size * module_px,) * 2, Image.Resampling.NEAREST).convert("RGB")


def test_matrix_has_a_four_module_quiet_zone_and_error_correction_m() -> None:
    text = "https://act.example.org/petitions/hikvision-out?utm_source=kiosk"
    matrix = qr_matrix(text)
    rows = matrix.rows
    for i in range(QUIET_ZONE):
        assert not any(rows[i]) and not any(rows[-1 - i])
        assert not any(row[i] for row in rows) and not any(row[-1 - i] for row in rows)
    # The finder pattern's corner starts right after the quiet zone.
    assert rows[QUIET_ZONE][QUIET_ZONE]
    (result,) = zxingcpp.read_barcodes(matrix_image(text))
    assert result.text == text
    assert result.ec_level == "M"


def test_dark_runs_cover_exactly_the_dark_modules() -> None:
    matrix = qr_matrix("runs")
    from_runs = {(x + dx, y) for y, x, length in matrix.dark_runs() for dx in range(length)}
    from_rows = {(x, y) for y, row in enumerate(matrix.rows) for x, dark in enumerate(row) if dark}
    assert from_runs == from_rows


def test_matrix_rejects_empty_and_oversized_text() -> None:
    with pytest.raises(ValueError, match="needs some text"):
        qr_matrix("")
    with pytest.raises(ValueError, match="too many"):
        qr_matrix("x" * 5000)


def test_attribution_is_added_after_the_links_own_parameters() -> None:
    url = attributed_url(
        "https://act.example.org/p?ref=stall&lang=en#sign", source="kiosk", medium="Brighton market", campaign="hik"
    )
    assert url == (
        "https://act.example.org/p?ref=stall&lang=en"
        "&utm_source=kiosk&utm_medium=Brighton%20market&utm_campaign=hik#sign"
    )


def test_attribution_replaces_existing_utm_values_and_keeps_others() -> None:
    url = attributed_url(
        "https://x.example/p?utm_source=web&a=1&utm_medium=old", source="kiosk", medium="e", campaign="c"
    )
    assert parse_qsl(urlsplit(url).query) == [
        ("a", "1"),
        ("utm_source", "kiosk"),
        ("utm_medium", "e"),
        ("utm_campaign", "c"),
    ]


def test_attribution_encodes_reserved_characters_and_skips_empty_values() -> None:
    url = attributed_url("https://x.example/p", source="kiosk", medium="a&b=c/é", campaign="")
    assert url == "https://x.example/p?utm_source=kiosk&utm_medium=a%26b%3Dc%2F%C3%A9"


@settings(max_examples=60, deadline=None)
@given(medium=st.text(min_size=1, max_size=40), source=st.text(min_size=1, max_size=20))
def test_any_event_name_round_trips_through_the_link(medium: str, source: str) -> None:
    url = attributed_url("https://x.example/p?keep=1", source=source, medium=medium, campaign="hikvision")
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    assert query == {"keep": "1", "utm_source": source, "utm_medium": medium, "utm_campaign": "hikvision"}


def test_petition_link_uses_the_pack_the_config_and_the_event() -> None:
    pack = load_campaign("hikvision")
    link = petition_link(pack, KioskConfig(utm_source="stall-kiosk"), "Leeds 2026")
    assert link == (
        "https://act.example.org/petitions/hikvision-out"
        "?utm_source=stall-kiosk&utm_medium=Leeds%202026&utm_campaign=hikvision"
    )


def test_short_url_is_what_people_would_type() -> None:
    assert short_url("https://www.example.org/petitions/x/?utm_source=kiosk") == "example.org/petitions/x"
