"""Printed documents: page size, page count, text and every QR code read back from the real PDFs.

PDF pages are rasterised with QtPdf (composited onto white) and decoded with zxing-cpp; text is read with pypdf.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from kiosk.campaign import CampaignPack, load_campaign
from kiosk.config import KioskConfig
from kiosk.printing import pdfs
from kiosk.printing.documents import DOCUMENTS, DocumentRequest, build_document
from kiosk.printing.event_summary import collect_event_summary
from kiosk.printing.qr import petition_link
from kiosk.wins import WinCard
from tests.helpers.qr_decode import decode_qr_texts, render_pdf_pages

LINK = "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=Brighton%20market&utm_campaign=hikvision"
POINTS = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55), "Letter": (612.0, 792.0)}

WINS = (
    WinCard("w1", "win", "2023-11", "Parliament debates a ban", "MPs debated a ban for the first time.", "Hansard"),
    WinCard("w2", "win", "2025-01-12", "Hospital trust commits", "A hospital trust will replace its cameras.", "BBC"),
    WinCard("f1", "fact", "2025-06", "A fact, not a win", "Facts are not wins and stay off the poster.", "Report"),
    WinCard("w3", "win", "2024-03", "Council removes cameras", "A council took the cameras out of its buildings.", "x"),
    WinCard("w0", "win", "2019-02", "An older win", "This one is the fourth most recent win.", "x"),
)


@pytest.fixture(scope="module")
def pack() -> CampaignPack:
    return load_campaign("hikvision")._replace(wins=WINS)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in PdfReader(path).pages]


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def embedded_fonts(path: Path) -> set[str]:
    """Names of the fonts the pages use whose program is embedded (TrueType subsets carry /FontFile2)."""
    found: set[str] = set()

    def walk(resources: Any) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                found.add(str(descriptor.get_object()["/FontName"]).split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in PdfReader(path).pages:
        walk(page.get("/Resources"))
    return found


# --- flyers --------------------------------------------------------------------------------------------------------


def test_flyer_sheet_has_eight_cards_each_with_a_code_that_reads_as_the_link(
    qapp: Any, tmp_path: Path, pack: CampaignPack
) -> None:
    path = write(tmp_path, "flyers.pdf", pdfs.flyers_pdf(pack, LINK, copies=3))
    assert page_sizes(path) == [POINTS["A4"]] * 3
    for text in page_texts(path):
        assert text.count("act.example.org/petitions/hikvision-out") == 8
        assert text.count("Free Tibet") == 8
        flat = " ".join(text.split())
        assert flat.count("Get Hikvision out of the UK") == 8
        assert flat.count("Scan to sign: Ban Hikvision cameras from the UK") == 8
    pages = render_pdf_pages(path)
    assert len(pages) == 3
    assert decode_qr_texts(pages[0]) == [LINK] * 8
    assert decode_qr_texts(pages[2]) == [LINK] * 8
    assert embedded_fonts(path) == {"DejaVuSans", "DejaVuSans-Bold"}


@pytest.mark.parametrize(("paper", "cards"), [("Letter", 8), ("A3", 16)])
def test_flyers_fit_other_paper(qapp: Any, tmp_path: Path, pack: CampaignPack, paper: str, cards: int) -> None:
    path = write(tmp_path, "flyers.pdf", pdfs.flyers_pdf(pack, LINK, paper=paper))
    assert page_sizes(path) == [POINTS[paper]]
    assert page_texts(path)[0].count("act.example.org/petitions/hikvision-out") == cards
    assert decode_qr_texts(render_pdf_pages(path)[0]) == [LINK] * cards


def test_card_grid_uses_true_a7_on_a4_and_shrinks_only_when_it_must() -> None:
    a4 = pdfs.card_grid(pdfs.PAPER_SIZES["A4"], 8)
    assert (a4.cols, a4.rows, round(a4.scale, 3)) == (2, 4, 1.0)
    assert round(a4.card_w / pdfs.mm, 1) == 105.0 and round(a4.card_h / pdfs.mm, 1) == 74.0
    letter = pdfs.card_grid(pdfs.PAPER_SIZES["Letter"], 8)
    assert 0.9 < letter.scale < 1.0
    for grid, (page_w, page_h) in ((a4, pdfs.PAPER_SIZES["A4"]), (letter, pdfs.PAPER_SIZES["Letter"])):
        for x, y in grid.cells():
            assert x >= 0 and x + grid.card_w <= page_w + 0.01
            assert y >= 0 and y + grid.card_h <= page_h + 0.01


def test_custom_card_count(qapp: Any, tmp_path: Path, pack: CampaignPack) -> None:
    path = write(tmp_path, "flyers.pdf", pdfs.flyers_pdf(pack, LINK, cards=2))
    assert decode_qr_texts(render_pdf_pages(path)[0]) == [LINK] * 2


# --- poster --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_poster_has_headline_three_most_recent_wins_and_a_large_code(
    qapp: Any, tmp_path: Path, pack: CampaignPack, paper: str
) -> None:
    path = write(tmp_path, "poster.pdf", pdfs.poster_pdf(pack, LINK, paper=paper, copies=2))
    assert page_sizes(path) == [POINTS[paper]] * 2
    text = " ".join(page_texts(path)[0].split())
    assert "Get Hikvision out of the UK" in text
    assert "What we have won so far" in text
    newest_first = ["Hospital trust commits", "Council removes cameras", "Parliament debates a ban"]
    positions = [text.index(title) for title in newest_first]
    assert positions == sorted(positions)
    assert "12 January 2025" in text and "March 2024" in text
    assert "An older win" not in text and "A fact, not a win" not in text
    assert "act.example.org/petitions/hikvision-out" in text
    page = render_pdf_pages(path, dpi=72)[0]
    assert decode_qr_texts(page) == [LINK]
    # Large: the code's square is at least 40 % of the page width.
    import zxingcpp

    (result,) = zxingcpp.read_barcodes(page)
    assert result.position.top_right.x - result.position.top_left.x >= 0.4 * page.width


def test_poster_without_wins_leaves_the_section_out(qapp: Any, tmp_path: Path, pack: CampaignPack) -> None:
    path = write(tmp_path, "poster.pdf", pdfs.poster_pdf(pack._replace(wins=()), LINK))
    text = page_texts(path)[0]
    assert "What we have won so far" not in text
    assert decode_qr_texts(render_pdf_pages(path, dpi=72)[0]) == [LINK]


def test_win_dates_print_at_the_precision_the_source_gives() -> None:
    assert pdfs.format_win_date("2023-03-16") == "16 March 2023"
    assert pdfs.format_win_date("2022-06") == "June 2022"
    assert pdfs.format_win_date("2023") == "2023"


def test_recent_wins_are_newest_wins_only() -> None:
    assert [w.id for w in pdfs.recent_wins(WINS)] == ["w2", "w3", "w1"]
    assert pdfs.recent_wins(()) == []


# --- event summary -------------------------------------------------------------------------------------------------


def _pledge(runtime: Any, when: dt.datetime, pence: int, frequency: str, gift_aid: bool, event: str) -> None:
    from local_db.models import Pledge

    record_id = str(uuid.uuid4())
    key_id, sealed = runtime.vault.seal(record_id, {"first_name": "Zoë", "email": "zoe.pledger@example.org"})
    with runtime.db.begin() as session:
        session.add(
            Pledge(
                id=record_id,
                campaign_id="hikvision",
                kiosk_id=runtime.kiosk_id,
                event_id=event,
                created_at=when,
                language="en",
                data_key_id=key_id,
                sealed=sealed,
                amount_pence=pence,
                frequency=frequency,
                gift_aid=gift_aid,
            )
        )


@pytest.fixture
def event_runtime(set_up_data_dir: Path) -> Any:
    """A set-up kiosk with signatures, pledges and funnel counts at 'test-event' (and one record elsewhere)."""
    from kiosk.runtime import open_runtime
    from kiosk.signing import ValidSignature, save_signature
    from local_db import repositories as repo
    from tests.helpers.kiosk import make_options

    runtime = open_runtime(make_options(set_up_data_dir))
    base = dt.datetime(2026, 5, 2, 9, 30).astimezone().astimezone(dt.UTC)  # 09:30 kiosk time
    people = [("Ann", 0, True), ("Bob", 0, False), ("Cy", 2, True), ("Di", 2, False), ("Ed", 3, False)]
    for name, hour, email in people:
        signature = ValidSignature(
            first_name=name,
            last_name="Secretname",
            email=f"{name.lower()}@example.org",
            postcode="BN1 1AA",
            country="GB",
            phone="",
            optin_email=email,
            optin_sms=name == "Cy",
            language="en",
        )
        save_signature(runtime, signature, when=base + dt.timedelta(hours=hour))
    other = replace(signature, email="elsewhere@example.org")
    save_signature(runtime, other, when=base, event_id="another-event")
    _pledge(runtime, base + dt.timedelta(hours=1), 1000, "one_off", True, "test-event")
    _pledge(runtime, base + dt.timedelta(hours=3), 500, "monthly", False, "test-event")
    with runtime.db.begin() as session:
        for _ in range(7):
            repo.bump_funnel(session, "sign", "started", "test-event", base)
        repo.bump_funnel(session, "sign", "abandoned", "test-event", base)
        repo.bump_funnel(session, "pledge", "started", "test-event", base)
        repo.bump_funnel(session, "pledge", "started", "test-event", base)
    yield runtime
    runtime.close()


def test_event_summary_counts_only_this_event(event_runtime: Any) -> None:
    summary = collect_event_summary(event_runtime.db, "test-event", "test-kiosk")
    assert (summary.signatures, summary.email_optins, summary.sms_optins) == (5, 2, 1)
    assert (summary.pledges, summary.monthly_pledges, summary.gift_aid) == (2, 1, 1)
    assert (summary.pledged_pence_one_off, summary.pledged_pence_monthly) == (1000, 500)
    funnel = {stage.flow: stage for stage in summary.funnel}
    # save_signature counts each completion; the test added starts and one walk-away.
    assert (funnel["sign"].started, funnel["sign"].completed, funnel["sign"].abandoned) == (7, 5, 1)
    assert (funnel["pledge"].started, funnel["pledge"].completed) == (2, 0)
    assert summary.activity_unit == "hour"
    assert [(b.start.hour, b.signatures, b.pledges) for b in summary.activity] == [
        (9, 2, 0),
        (10, 0, 1),
        (11, 2, 0),
        (12, 1, 1),
    ]


def test_summary_pdf_shows_counts_funnel_and_chart_but_no_personal_data(
    qapp: Any, tmp_path: Path, pack: CampaignPack, event_runtime: Any
) -> None:
    summary = collect_event_summary(event_runtime.db, "test-event", "test-kiosk")
    path = write(tmp_path, "summary.pdf", pdfs.summary_pdf(pack, summary))
    assert page_sizes(path) == [POINTS["A4"]]
    lines = [" ".join(line.split()) for line in page_texts(path)[0].splitlines()]
    text = "\n".join(lines)
    for expected in ("Event summary", "Event: test-event", "Kiosk: test-kiosk", "Signatures", "Gift Aid declarations"):
        assert expected in lines
    assert lines[lines.index("Signatures") + 1] == "5"
    assert lines[lines.index("Pledges") + 1] == "2"
    assert lines[lines.index("Gift Aid declarations") + 1] == "1"
    assert "1 (£10.00)" in lines and "1 (£5.00 a month)" in lines
    petition_row = lines.index("Petition")
    assert lines[petition_row + 1 : petition_row + 5] == ["7", "5", "1", "71%"]
    for hour_label in ("09:00", "10:00", "11:00", "12:00"):
        assert hour_label in lines
    for personal in ("Ann", "Secretname", "example.org", "BN1", "Zoë"):
        assert personal not in text
    assert "no names, contact details or other personal data" in text


def test_summary_of_an_empty_event_says_so(qapp: Any, tmp_path: Path, pack: CampaignPack, event_runtime: Any) -> None:
    summary = collect_event_summary(event_runtime.db, "nobody-came", "test-kiosk")
    path = write(tmp_path, "summary.pdf", pdfs.summary_pdf(pack, summary, paper="Letter", copies=2))
    assert page_sizes(path) == [POINTS["Letter"]] * 2
    assert "Nothing signed or pledged at this event yet." in page_texts(path)[0]


# --- registry, settings and fonts ------------------------------------------------------------------------------------


def test_every_registered_document_builds_with_the_attributed_link(
    qapp: Any, tmp_path: Path, pack: CampaignPack, event_runtime: Any
) -> None:
    config = KioskConfig(utm_source="stall")
    request = DocumentRequest(pack=pack, config=config, event_id="test-event", db=event_runtime.db)
    expected = petition_link(pack, config, "test-event")
    assert expected.endswith("?utm_source=stall&utm_medium=test-event&utm_campaign=hikvision")
    for key in DOCUMENTS:
        path = write(tmp_path, f"{key}.pdf", build_document(key, request))
        codes = decode_qr_texts(render_pdf_pages(path, dpi=100)[0])
        assert set(codes) <= {expected}, key
        assert key == "summary" or codes, key


def test_bad_settings_are_refused_with_a_clear_message(pack: CampaignPack) -> None:
    with pytest.raises(pdfs.PrintError, match="unknown paper size 'B5'"):
        pdfs.flyers_pdf(pack, LINK, paper="B5")
    with pytest.raises(pdfs.PrintError, match="copies must be between 1 and"):
        pdfs.poster_pdf(pack, LINK, copies=0)
    with pytest.raises(pdfs.PrintError, match="unknown document 'leaflet'"):
        build_document("leaflet", DocumentRequest(pack=pack, config=KioskConfig(), event_id="e"))
    with pytest.raises(pdfs.PrintError, match="needs the kiosk's database"):
        build_document("summary", DocumentRequest(pack=pack, config=KioskConfig(), event_id="e"))


def test_the_print_fonts_cover_every_text_the_pack_prints(pack: CampaignPack) -> None:
    shipped = load_campaign("hikvision")
    texts = [shipped.title, shipped.pitch, shipped.organisation, shipped.petition.title]
    texts += [f"{card.title} {card.body}" for card in shipped.wins]
    for text in texts:
        assert pdfs.missing_glyphs(text) == [], text
    # The check can fail: CJK is not in DejaVu Sans.
    assert pdfs.missing_glyphs("签名 ok") == ["名", "签"]


def test_non_latin_text_prints_and_reads_back(qapp: Any, tmp_path: Path, pack: CampaignPack) -> None:
    title = "Zoë’s stall — Ελευθερία · Свобода · Özgürlük ✓"
    assert pdfs.missing_glyphs(title) == []
    path = write(tmp_path, "poster.pdf", pdfs.poster_pdf(pack._replace(title=title), LINK))
    assert title in " ".join(page_texts(path)[0].split())


# --- command line --------------------------------------------------------------------------------------------------


def test_print_command_writes_each_document(qapp: Any, tmp_path: Path, set_up_data_dir: Path, capsys: Any) -> None:
    from kiosk.cli import main

    base = ["--data-dir", str(set_up_data_dir), "--config", str(tmp_path / "none.toml"), "print"]
    out = tmp_path / "flyers.pdf"
    assert main([*base, "flyers", "--out", str(out), "--paper", "Letter", "--copies", "2"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert page_sizes(out) == [POINTS["Letter"]] * 2
    # The event comes from setup (set_up_database uses "test-event").
    expected = (
        "https://act.example.org/petitions/hikvision-out?utm_source=kiosk&utm_medium=test-event&utm_campaign=hikvision"
    )
    assert set(decode_qr_texts(render_pdf_pages(out, dpi=100)[1])) == {expected}

    out = tmp_path / "poster.pdf"
    assert main([*base, "poster", "--out", str(out), "--paper", "A3", "--event", "Leeds fair"]) == 0
    assert page_sizes(out) == [POINTS["A3"]]
    assert decode_qr_texts(render_pdf_pages(out, dpi=50)[0]) == [expected.replace("test-event", "Leeds%20fair")]

    out = tmp_path / "summary.pdf"
    assert main([*base, "summary", "--out", str(out)]) == 0
    assert "Event: test-event" in page_texts(out)[0]


def test_print_command_explains_bad_input(tmp_path: Path, set_up_data_dir: Path, capsys: Any) -> None:
    from kiosk.cli import main

    base = ["--data-dir", str(set_up_data_dir), "--config", str(tmp_path / "none.toml"), "print"]
    assert main([*base, "poster", "--out", str(tmp_path / "x.pdf"), "--copies", "0"]) == 2
    assert "copies must be between 1 and 500" in capsys.readouterr().err
    assert main([*base, "poster", "--out", str(tmp_path / "x.pdf"), "--cards", "4"]) == 2
    assert "--cards applies to flyers only" in capsys.readouterr().err
    assert main([*base, "flyers", "--out", str(tmp_path / "missing" / "x.pdf")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.pdf"))
