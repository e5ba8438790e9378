"""Exports: every record once with exact values, safe cells, provable consents, a manifest that checks out, and a
folder that is either complete or absent. Records are stored through the real save paths into real SQLite files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from kiosk import exports
from kiosk.cli import main
from kiosk.errors import VaultLockedError
from kiosk.exports import ExportError, export_records, neutralise, parse_when
from kiosk.runtime import KioskRuntime
from local_db import repositories as repo
from local_db.models import AuditEvent, ConsentEvent, OutboxEntry, Pledge, Signature, utcnow
from local_db.reports import RecordFilter
from tests.helpers.kiosk import PASSPHRASE
from tests.helpers.organiser_records import open_test_runtime, store_pledge, store_signature

# (first, last, email, phone) as stored; names in several scripts, and cells a spreadsheet would otherwise run.
PEOPLE = [
    ("Zoë", "O'Brien", "zoe@example.org", ""),
    ("李", "小龙", "li@example.org", "+447911123456"),
    ("Αλέξανδρος", "Παπαδόπουλος", "alex@example.org", ""),
    ("عمر", "الفاروق", "omar@example.org", ""),
    ('Ann, "Jo"', "Smith\r\nJones", "ann@example.org", ""),
    ('=HYPERLINK("http://evil.example","x")', "-2+3", "=cmd@example.org", ""),
    ("@SUM(A1)", "\tTabbed", "+plus@example.org", ""),
    ("\rReturn", "Ní Bhriain-Ó Sé", "ni@example.org", ""),
]


@pytest.fixture
def runtime(set_up_data_dir: Path) -> Iterator[KioskRuntime]:
    rt = open_test_runtime(set_up_data_dir)
    yield rt
    rt.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 BOM"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def sign_everyone(runtime: KioskRuntime) -> dict[str, tuple[str, str, str, str]]:
    ids = {}
    for i, (first, last, email, phone) in enumerate(PEOPLE):
        record_id = store_signature(runtime, first, last, email, phone=phone, optin_email=i % 2 == 0)
        ids[record_id] = (first, last, email, phone)
    return ids


def test_signatures_every_record_once_with_exact_values_and_safe_cells(runtime: KioskRuntime, tmp_path: Path) -> None:
    ids = sign_everyone(runtime)
    result = export_records(runtime, tmp_path / "out")

    rows = read_csv(result.folder / "signatures.csv")
    assert [r["record_id"] for r in rows].count(next(iter(ids))) == 1
    assert sorted(r["record_id"] for r in rows) == sorted(ids)
    assert list(rows[0])[:6] == ["first_name", "last_name", "email", "zip_code", "country", "phone_number"]
    for row in rows:
        first, last, email, phone = ids[row["record_id"]]
        assert row["first_name"] == neutralise(first)
        assert row["last_name"] == neutralise(last)
        assert row["email"] == neutralise(email)
        assert row["phone_number"] == neutralise(phone)
        assert row["zip_code"] == "SW1A 1AA" and row["country"] == "GB"
        assert row["event"] == "test-event" and row["source"] == "kiosk" and row["personal_data"] == "present"
        assert row["sync_state"] == "pending"
        assert row["email_opt_in"] == ("yes" if PEOPLE.index((first, last, email, phone)) % 2 == 0 else "no")
        assert dt.datetime.strptime(row["signed_at"], "%Y-%m-%dT%H:%M:%SZ")
    by_id = {r["record_id"]: r for r in rows}
    # Exact where nothing needed neutralising: scripts, apostrophes, commas, quotes and line breaks round-trip.
    assert {(by_id[i]["first_name"], by_id[i]["last_name"]) for i in ids} >= {
        ("Zoë", "O'Brien"),
        ("李", "小龙"),
        ("Αλέξανδρος", "Παπαδόπουλος"),
        ("عمر", "الفاروق"),
        ('Ann, "Jo"', "Smith\r\nJones"),
    }
    # Formula triggers (= + - @ tab CR) get an apostrophe in front and nothing else changes.
    neutralised = [v for r in rows for v in r.values() if v[:1] == "'"]
    assert sorted(neutralised) == sorted(
        [
            '\'=HYPERLINK("http://evil.example","x")',
            "'-2+3",
            "'=cmd@example.org",
            "'@SUM(A1)",
            "'\tTabbed",
            "'+plus@example.org",
            "'\rReturn",
            "'+447911123456",
        ]
    )
    assert not [v for r in rows for v in r.values() if v[:1] in exports.FORMULA_TRIGGERS]


def test_csv_is_rfc4180_with_crlf_and_doubled_quotes(runtime: KioskRuntime, tmp_path: Path) -> None:
    store_signature(runtime, 'Ann, "Jo"', "Smith\nJones", "ann@example.org")
    result = export_records(runtime, tmp_path)
    raw = (result.folder / "signatures.csv").read_bytes()[3:].decode("utf-8")
    header, rest = raw.split("\r\n", 1)
    assert header.startswith("first_name,last_name,email,zip_code")
    assert rest.startswith('"Ann, ""Jo""","Smith\nJones",ann@example.org,')
    assert rest.endswith("\r\n") and rest.count("\r\n") == 1


def test_pledges_in_hmrc_schedule_order_with_pounds_and_consents(runtime: KioskRuntime, tmp_path: Path) -> None:
    monthly = store_pledge(
        runtime, "Chidi", "O'Neill", amount_pence=500, frequency="monthly", address_line='Rose "Cottage", Mill Lane'
    )
    one_off = store_pledge(
        runtime,
        "Dee",
        "Ng",
        amount_pence=123456,
        gift_aid=False,
        follow_up_email=False,
        follow_up_phone=True,
        phone="+447700900123",
    )
    numbered = store_pledge(runtime, "Eve", "Ruiz", amount_pence=1005, address_line="12A High Street, Hove")
    result = export_records(runtime, tmp_path)
    rows = {r["record_id"]: r for r in read_csv(result.folder / "pledges.csv")}
    header = list(next(iter(rows.values())))
    assert header[:9] == list(exports.HMRC_COLUMNS)
    assert header[9:12] == ["currency", "frequency", "gift_aid_declaration"]
    m, o, n = rows[monthly], rows[one_off], rows[numbered]
    assert (m["First name or initial"], m["Last name"], m["Amount"], m["frequency"]) == (
        "Chidi",
        "O'Neill",
        "5.00",
        "monthly",
    )
    assert (m["House name or number"], m["address_line"], m["Postcode"]) == (
        'Rose "Cottage"',
        'Rose "Cottage", Mill Lane',
        "BN1 1AA",
    )
    assert (m["gift_aid_declaration"], m["follow_up_email"], m["follow_up_phone"]) == ("yes", "yes", "no")
    assert (o["Amount"], o["gift_aid_declaration"], o["follow_up_phone"], o["phone_number"]) == (
        "1234.56",
        "no",
        "yes",
        "'+447700900123",
    )
    assert o["House name or number"] == "" and o["Postcode"] == ""
    assert n["House name or number"] == "12A" and n["Amount"] == "10.05"
    today = dt.datetime.now().astimezone().strftime("%d/%m/%y")
    assert {r["Donation date"] for r in rows.values()} == {today}
    assert {r["Sponsored event"] for r in rows.values()} == {"No"} and {r["currency"] for r in rows.values()} == {"GBP"}


def test_consent_log_lines_are_provable_from_consent_texts(runtime: KioskRuntime, tmp_path: Path) -> None:
    signature = store_signature(runtime, optin_email=True)
    pledge = store_pledge(runtime)
    result = export_records(runtime, tmp_path)
    log = read_csv(result.folder / "consent_log.csv")
    with runtime.db.begin() as session:
        stored = list(session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)))
    assert [(r["record_id"], r["purpose"], r["granted"]) for r in log] == [
        (e.record_id, e.purpose, "yes" if e.granted else "no") for e in stored
    ]
    assert {r["record_id"] for r in log} == {signature, pledge}
    pack = runtime.options.campaign
    index = {r["text_sha256"]: r for r in read_csv(result.folder / "consent_texts" / "index.csv")}
    for row in log:
        text_file = result.folder / "consent_texts" / f"{row['text_sha256']}.txt"
        assert hashlib.sha256(text_file.read_bytes()).hexdigest() == row["text_sha256"]
        assert text_file.read_text(encoding="utf-8") == pack.consent(row["purpose"]).text
        assert row["text_version"] == pack.consent(row["purpose"]).version == index[row["text_sha256"]]["version"]
        assert row["language"] == "en" and row["event"] == "test-event"


def test_opt_in_columns_follow_the_latest_consent_event(runtime: KioskRuntime, tmp_path: Path) -> None:
    record_id = store_signature(runtime, optin_email=True)
    pack = runtime.options.campaign
    with runtime.db.begin() as session:
        # A withdrawal is a new event, never an edit: the export must show the latest decision.
        text = pack.consent("email_updates")
        session.add(
            ConsentEvent(
                record_id=record_id,
                record_kind="signature",
                purpose="email_updates",
                granted=False,
                text_version=text.version,
                text_sha256=text.sha256,
                language="en",
                kiosk_id=runtime.kiosk_id,
                event_id=runtime.event_id,
            )
        )
    result = export_records(runtime, tmp_path)
    (row,) = read_csv(result.folder / "signatures.csv")
    assert row["email_opt_in"] == "no"
    grants = [r["granted"] for r in read_csv(result.folder / "consent_log.csv") if r["purpose"] == "email_updates"]
    assert grants == ["yes", "no"]
    # The same when the export is narrowed to the record's event (the decisions are then read for it alone).
    by_event = export_records(runtime, tmp_path / "event", where=RecordFilter(event_id=runtime.event_id))
    assert [r["email_opt_in"] for r in read_csv(by_event.folder / "signatures.csv")] == ["no"]


def test_sync_state_lists_every_adapter_in_queue_order_with_the_last_sync_time(
    runtime: KioskRuntime, tmp_path: Path
) -> None:
    twice = store_signature(runtime)
    once = store_signature(runtime, email="b@example.org")
    first, last = dt.datetime(2026, 3, 15, 10, 0, 5, tzinfo=dt.UTC), dt.datetime(2026, 3, 15, 11, 30, 9, tzinfo=dt.UTC)
    with runtime.db.begin() as session:
        queued = session.scalars(select(OutboxEntry).where(OutboxEntry.record_id == twice)).one()
        queued.state, queued.synced_at = "synced", last
        session.add(
            OutboxEntry(record_id=twice, record_kind="signature", adapter="webhook", state="pending", synced_at=first)
        )
    for where in (RecordFilter(), RecordFilter(event_id=runtime.event_id)):
        rows = {
            r["record_id"]: r
            for r in read_csv(export_records(runtime, tmp_path, where=where).folder / "signatures.csv")
        }
        assert (rows[twice]["sync_state"], rows[twice]["synced_at"]) == ("synced,pending", "2026-03-15T11:30:09Z")
        assert (rows[once]["sync_state"], rows[once]["synced_at"]) == ("pending", "")


# Cells csv.writer quotes (comma, quote, CR, LF) and the rest of Unicode, NUL and formula triggers included.
cell_text = st.text(
    st.sampled_from([",", '"', "\r", "\n", "\x00", "'", "=", "a", "Z", " ", "é", "李", "🙂"]), max_size=6
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=8))
def test_plain_lines_are_exactly_what_csv_writer_writes(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    plain = exports._plain_lines(rows, 3)
    assert plain is None or plain == buffer.getvalue()
    # Joined lines are used exactly when no cell needs quoting.
    needs_quotes = any(c in cell for row in rows for cell in row for c in ',"\r\n')
    assert (plain is None) == needs_quotes


def test_plain_lines_leave_odd_rows_to_csv_writer() -> None:
    assert exports._plain_lines([("a", "b")], 2) == "a,b\r\n"
    assert exports._plain_lines([("a", "b"), ("c",)], 2) is None, "a row of another length"
    assert exports._plain_lines([("a", None)], 2) is None, "a cell that is not text"
    assert exports._plain_lines([], 2) is None


def test_files_of_many_batches_with_and_without_quoting_are_csv_writer_bytes(
    runtime: KioskRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH", 2)
    ids = sign_everyone(runtime)
    for i in range(5):
        store_signature(runtime, f"Plain{i}", "Name", f"plain{i}@example.org")
    result = export_records(runtime, tmp_path)
    for name in ("signatures", "consent_log"):
        raw = (result.folder / f"{name}.csv").read_bytes()
        with (result.folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        again = io.StringIO()
        csv.writer(again, lineterminator="\r\n").writerows(rows)
        assert raw == b"\xef\xbb\xbf" + again.getvalue().encode("utf-8"), name
    firsts = {r["record_id"]: r["first_name"] for r in read_csv(result.folder / "signatures.csv")}
    assert {firsts[i] for i in ids} == {neutralise(first) for first, *_ in ids.values()}
    assert len(firsts) == len(ids) + 5


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=8))
def test_joined_lines_are_exactly_what_csv_writer_writes(rows: list[list[str]]) -> None:
    """Lines SQLite joined with commas (the consent log) are written as they are only when csv.writer would write
    the same bytes for their cells."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    joined = exports._joined_lines([(",".join(row),) for row in rows], 3)
    assert joined is None or joined == buffer.getvalue()
    needs_quotes = any(c in cell for row in rows for cell in row for c in ',"\r\n')
    assert (joined is None) == needs_quotes
    assert exports._joined_lines([("a,b,c",), (None,)], 3) is None  # type: ignore[list-item]
    assert exports._joined_lines([("a,b,c",), ("a,b", "c")], 3) is None


@pytest.mark.parametrize("event", [None, "Fair"])
@pytest.mark.parametrize("odd_from", [0, 3, 7, None])
def test_consent_log_is_csv_writer_over_its_cells_whichever_batch_first_needs_quotes(
    runtime: KioskRuntime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event: str | None,
    odd_from: int | None,
) -> None:
    """The consent log is written from joined lines until a batch holds a cell that needs quotes, and from there
    on through csv.writer from the cells: whichever batch that is, the file is csv.writer over the cells."""
    monkeypatch.setattr(exports, "BATCH", 4)
    for i in range(4):
        store_signature(runtime, f"P{i}", "Name", f"p{i}@example.org", optin_email=i % 2 == 0)
    store_pledge(runtime)
    with runtime.db.begin() as session:
        session.execute(update(ConsentEvent).values(event_id="Fair"))
        session.execute(update(Signature).values(event_id="Fair"))
        session.execute(update(Pledge).values(event_id="Fair"))
        if odd_from is not None:
            odd = 'Leeds, "Hyde"\r\nPark'
            session.execute(update(ConsentEvent).where(ConsentEvent.id > odd_from).values(event_id=odd))
    where = RecordFilter(event_id=event)
    result = export_records(runtime, tmp_path, where=where)
    with runtime.db.engine.connect() as conn:
        cells = [list(row) for row in conn.execute(exports._consent_query(where))]
    assert len(cells) > 3 * exports.BATCH
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows([exports.CONSENT_COLUMNS, *cells])
    raw = (result.folder / "consent_log.csv").read_bytes()
    assert raw == b"\xef\xbb\xbf" + expected.getvalue().encode("utf-8")
    assert ('"Leeds, ""Hyde""\r\nPark"' in raw.decode("utf-8")) == (odd_from is not None)


def test_manifest_counts_range_versions_and_hashes(runtime: KioskRuntime, tmp_path: Path) -> None:
    start = utcnow() - dt.timedelta(hours=3)
    store_signature(runtime, when=start)
    store_signature(runtime, email="b@example.org", when=start + dt.timedelta(hours=1))
    store_pledge(runtime, when=start + dt.timedelta(hours=2))
    result = export_records(runtime, tmp_path)
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {
        "signatures": 2,
        "pledges": 1,
        "consent_events": 11,
        "audit_events": manifest["counts"]["audit_events"],
        "consent_texts": 7,
        "purged": 0,
        "unreadable": 0,
    }
    assert manifest["counts"]["audit_events"] >= 2  # setup and unlock at least
    assert manifest["kiosk"] == {"id": runtime.kiosk_id, "name": "test-kiosk"}
    assert manifest["app_version"] and manifest["campaign"] == "hikvision" and manifest["file_format"] == "csv"
    assert manifest["time_range"] == {
        "first_record": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_record": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    on_disk = {p.relative_to(result.folder).as_posix() for p in result.folder.rglob("*") if p.is_file()}
    assert on_disk == set(manifest["files"]) | {"manifest.json"}
    for name, info in manifest["files"].items():
        data = (result.folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"] and len(data) == info["bytes"]


def test_xlsx_has_the_same_sheets_as_text_cells(runtime: KioskRuntime, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ids = sign_everyone(runtime)
    store_pledge(runtime)
    csv_export = export_records(runtime, tmp_path / "csv")
    result = export_records(runtime, tmp_path / "xlsx", fmt="xlsx")
    assert (result.folder / "export.xlsx").is_file() and not (result.folder / "signatures.csv").exists()
    book = load_workbook(result.folder / "export.xlsx")
    assert book.sheetnames == ["signatures", "pledges", "consent_log", "audit", "consent_texts"]
    for name in ("signatures", "pledges", "consent_log"):
        sheet_rows = [[c.value or "" for c in row] for row in book[name].iter_rows()]
        with (csv_export.folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            # XML (inside xlsx) reads CR LF and a lone CR in a cell as LF; everything else is the same cell.
            csv_rows = [[cell.replace("\r\n", "\n").replace("\r", "\n") for cell in row] for row in csv.reader(fh)]
        assert sheet_rows == csv_rows, name
    cells = [c for row in book["signatures"].iter_rows(min_row=2) for c in row if c.value]
    assert all(c.data_type == "s" for c in cells), "every cell is text, none a formula"
    firsts = {row[-1].value: row[0].value for row in book["signatures"].iter_rows(min_row=2)}
    assert {firsts[i] for i in ids} == {neutralise(first).replace("\r", "\n") for first, *_ in ids.values()}
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert (
        hashlib.sha256((result.folder / "export.xlsx").read_bytes()).hexdigest()
        == (manifest["files"]["export.xlsx"]["sha256"])
    )


def test_filters_by_time_and_event(runtime: KioskRuntime, tmp_path: Path) -> None:
    day = dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)
    early = store_signature(runtime, email="a@example.org", when=day - dt.timedelta(days=1))
    inside = store_signature(runtime, email="b@example.org", when=day)
    other_event = store_signature(runtime, email="c@example.org", when=day, event="Hove fair")
    late = store_signature(runtime, email="d@example.org", when=day + dt.timedelta(days=1))
    pledge = store_pledge(runtime, when=day)

    def exported(where: RecordFilter) -> set[str]:
        folder = export_records(runtime, tmp_path, where=where).folder
        return {r["record_id"] for name in ("signatures", "pledges") for r in read_csv(folder / f"{name}.csv")}

    assert exported(RecordFilter(since=day - dt.timedelta(hours=1), until=day + dt.timedelta(hours=1))) == {
        inside,
        other_event,
        pledge,
    }
    assert exported(RecordFilter(event_id="Hove fair")) == {other_event}
    assert exported(RecordFilter(since=day + dt.timedelta(hours=1))) == {late}
    assert exported(RecordFilter(until=day)) == {early}


def test_locked_vault_refuses_and_writes_nothing(set_up_data_dir: Path, tmp_path: Path) -> None:
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    try:
        store_signature(rt)
        with pytest.raises(VaultLockedError):
            export_records(rt, tmp_path / "out")
    finally:
        rt.close()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_failure_part_way_leaves_no_folder_and_is_audited(
    runtime: KioskRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_signature(runtime)

    def full_disk(*_args: Any) -> list[str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "_write_consent_texts", full_disk)
    with pytest.raises(ExportError, match="No space left"):
        export_records(runtime, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    with runtime.db.begin() as session:
        assert repo.recent_audit(session)[0].action == "export_failed"
        assert session.scalar(select(Signature.exported_at)) is None


def test_export_changes_nothing_but_first_export_time_and_is_audited(runtime: KioskRuntime, tmp_path: Path) -> None:
    store_signature(runtime)
    store_pledge(runtime)
    purged = store_signature(runtime, email="gone@example.org")
    with runtime.db.begin() as session:
        session.execute(update(Signature).where(Signature.id == purged).values(sealed=None, purged_at=utcnow()))

    def snapshot() -> list[Any]:
        conn = sqlite3.connect(runtime.db.path)
        try:
            tables = ("signatures", "pledges", "consent_events", "consent_texts", "outbox", "data_keys")
            return [sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables]
        finally:
            conn.close()

    before = snapshot()
    first = export_records(runtime, tmp_path)
    with runtime.db.begin() as session:
        stamps = {r.id: r.exported_at for r in session.scalars(select(Signature))}
        pledge_stamp = session.scalar(select(Pledge.exported_at))
        audits = [a for a in repo.recent_audit(session) if a.action == "export"]
    assert stamps[purged] is None, "no personal data went out for a purged record"
    assert all(stamps[i] is not None for i in stamps if i != purged) and pledge_stamp is not None
    assert first.marked_exported == 2
    assert len(audits) == 1 and json.loads(audits[0].details)["folder"] == first.folder.name
    row = next(r for r in read_csv(first.folder / "signatures.csv") if r["record_id"] == purged)
    assert (row["personal_data"], row["first_name"], row["email"]) == ("purged", "", "")

    second = export_records(runtime, tmp_path)
    assert second.folder != first.folder and second.marked_exported == 0
    with runtime.db.begin() as session:
        assert {r.id: r.exported_at for r in session.scalars(select(Signature))} == stamps
    after = snapshot()
    # Only exported_at (the column before last of the shared record columns) differs.
    exported_col = [c[1] for c in sqlite3.connect(runtime.db.path).execute("PRAGMA table_info(signatures)")].index(
        "exported_at"
    )
    strip = lambda rows: [tuple(v for i, v in enumerate(r) if i != exported_col) for r in rows]  # noqa: E731
    assert strip(after[0]) == strip(before[0])
    pledge_col = [c[1] for c in sqlite3.connect(runtime.db.path).execute("PRAGMA table_info(pledges)")].index(
        "exported_at"
    )
    assert [tuple(v for i, v in enumerate(r) if i != pledge_col) for r in after[1]] == [
        tuple(v for i, v in enumerate(r) if i != pledge_col) for r in before[1]
    ]
    assert after[2:] == before[2:]


def test_tampered_record_is_reported_by_id_and_the_rest_export(runtime: KioskRuntime, tmp_path: Path) -> None:
    good = store_signature(runtime)
    bad = store_signature(runtime, email="tampered@example.org")
    with runtime.db.begin() as session:
        record = session.get(Signature, bad)
        assert record is not None and record.sealed is not None
        flipped = bytearray(record.sealed)
        flipped[-1] ^= 0x01
        record.sealed = bytes(flipped)
    result = export_records(runtime, tmp_path)
    assert result.unreadable == [bad]
    rows = {r["record_id"]: r for r in read_csv(result.folder / "signatures.csv")}
    assert rows[good]["first_name"] == "Ann" and rows[bad]["personal_data"] == "unreadable"
    assert rows[bad]["first_name"] == ""
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["unreadable_records"] == [bad] and manifest["counts"]["unreadable"] == 1
    with runtime.db.begin() as session:
        failures = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "decryption_failed")))
        assert session.get(Signature, bad).exported_at is None  # type: ignore[union-attr]
    assert [json.loads(f.details)["record_id"] for f in failures] == [bad]


def test_stamping_falls_back_to_ids_when_rowids_moved(runtime: KioskRuntime) -> None:
    a = store_signature(runtime)
    b = store_signature(runtime, email="b@example.org")
    now = utcnow()
    with runtime.db.begin() as session:
        # Rowids that no longer name these records (as after a VACUUM): the ids decide.
        marked = exports._stamp_exported(session, Signature, [(999, a), (998, b)], now)
    assert marked == 2
    with runtime.db.begin() as session:
        assert {r.exported_at for r in session.scalars(select(Signature))} == {now}


def test_dates_on_the_command_line() -> None:
    local_midnight = dt.datetime(2026, 3, 15).astimezone()
    assert parse_when("2026-03-15") == local_midnight.astimezone(dt.UTC)
    assert parse_when("2026-03-15", end_of_day=True) == dt.datetime(2026, 3, 16).astimezone().astimezone(dt.UTC)
    assert parse_when("2026-03-15T17:30Z") == dt.datetime(2026, 3, 15, 17, 30, tzinfo=dt.UTC)
    with pytest.raises(ExportError, match="not a date"):
        parse_when("15th March")


def test_export_command_with_passphrase_file(
    set_up_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    store_signature(rt, "Zoë", "O'Brien", "zoe@example.org")
    rt.close()
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    out = tmp_path / "exports"
    args = ["--data-dir", str(set_up_data_dir), "export", "--out", str(out), "--passphrase-file", str(secret)]
    assert main([*args, "--format", "xlsx"]) == 0
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "1 signatures, 0 pledges" in printed
    (folder,) = [p for p in out.iterdir() if (p / "signatures.csv").exists()]
    assert [r["first_name"] for r in read_csv(folder / "signatures.csv")] == ["Zoë"]
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    assert main([*args[:-1], str(wrong)]) == 2
    assert "passphrase is not right" in capsys.readouterr().err
    assert len(list(out.iterdir())) == 2


def xlsx_decode(text: str) -> str:
    """What Excel and LibreOffice show for a cell: OOXML ``_xHHHH_`` escapes decoded."""
    import re

    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@given(st.text())
@settings(max_examples=300)
def test_xlsx_text_holds_any_text_exactly(text: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    escaped = exports.xlsx_text(text)
    assert not ILLEGAL_CHARACTERS_RE.search(escaped)
    assert xlsx_decode(escaped) == text


def test_xlsx_keeps_control_characters_that_xml_cannot_hold(runtime: KioskRuntime, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    first = "Nul\x00l\x01a_x0041_"
    record_id = store_signature(runtime, first, "Tab\x1fs", "ctrl@example.org")
    result = export_records(runtime, tmp_path / "xlsx", fmt="xlsx")
    sheet = load_workbook(result.folder / "export.xlsx")["signatures"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = [dict(zip(header, (c.value or "" for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    (row,) = [r for r in rows if r["record_id"] == record_id]
    assert xlsx_decode(row["first_name"]) == first and xlsx_decode(row["last_name"]) == "Tab\x1fs"
