"""The saves' bare-connection writes (``Database.write`` and ``local_db.repositories``) store exactly what the ORM
would, and keep the transaction and audit rules every session has."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kiosk.runtime import open_runtime
from local_db import repositories as repo
from local_db.models import AuditEvent, FunnelCount, Signature
from local_db.session import open_database
from tests.helpers.kiosk import make_options

TIMES = st.datetimes(
    min_value=dt.datetime(1, 1, 2),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [dt.UTC, ZoneInfo("Europe/London"), ZoneInfo("Asia/Kolkata"), ZoneInfo("America/St_Johns")]
    ),
)


@settings(max_examples=60, deadline=None)
@given(when=TIMES)
def test_times_are_stored_as_the_orm_stores_them_and_read_back_equal(
    tmp_path_factory: pytest.TempPathFactory, when: dt.datetime
) -> None:
    db = open_database(tmp_path_factory.mktemp("db") / "kiosk.db")
    try:
        with db.begin() as session:
            session.add(AuditEvent(action="orm", details="{}", created_at=when))
        with db.write() as conn:
            repo.append_audit(conn, "bare", {}, when)
        raw = dict(sqlite3.connect(db.path).execute("SELECT action, created_at FROM audit_events").fetchall())
        assert raw["bare"] == raw["orm"]
        with db.begin() as session:
            read = {a.action: a.created_at for a in session.scalars(select(AuditEvent))}
        assert read["bare"] == read["orm"] == when.astimezone(dt.UTC)
    finally:
        db.close()


def test_a_naive_time_or_an_unknown_column_is_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kiosk.db")
    with db.write() as conn:
        with pytest.raises(ValueError, match="naive"):
            repo.append_audit(conn, "x", {}, dt.datetime(2026, 1, 1))
        with pytest.raises(ValueError, match="no column"):
            repo.insert_record(conn, Signature, {"id": "a", "name": "someone"})
    db.close()


def test_a_write_that_fails_part_way_stores_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kiosk.db")
    when = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)
    with pytest.raises(sqlite3.IntegrityError), db.write() as conn:
        repo.bump_funnel(conn, "sign", "completed", "ev", when)
        repo.insert_consent_events(conn, [{"record_id": "r", "purpose": "sign"}])  # NOT NULL columns missing
    with db.write() as conn:
        repo.bump_funnel(conn, "sign", "completed", "ev", when)
        repo.bump_funnel(conn, "sign", "started", "ev", when)
    with db.begin() as session:
        rows = [(f.hour, f.started, f.completed, f.abandoned) for f in session.scalars(select(FunnelCount))]
    assert rows == [(when.replace(minute=0), 1, 1, 0)]
    db.close()


def test_pending_audit_events_ride_along_only_with_a_write_that_commits(set_up_data_dir: Path) -> None:
    runtime = open_runtime(make_options(set_up_data_dir))
    runtime.audit_later("save_failed", kind="signature", reason="database is locked")
    with pytest.raises(RuntimeError), runtime.write():
        raise RuntimeError("the save failed")
    assert len(runtime.pending_audit) == 1
    with runtime.write() as conn:
        repo.bump_funnel(conn, "sign", "started", runtime.event_id)
    assert runtime.pending_audit == []
    with runtime.db.begin() as session:
        failed = [a.details for a in session.scalars(select(AuditEvent).where(AuditEvent.action == "save_failed"))]
    assert failed == ['{"kind": "signature", "reason": "database is locked"}']
    runtime.close()


def test_commit_hooks_run_in_the_transaction_and_after_its_commit_only(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kiosk.db")
    when = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)
    seen: list[str] = []

    def before(conn: sqlite3.Connection) -> None:
        seen.append(f"before, in a transaction: {conn.in_transaction}")
        repo.bump_funnel(conn, "sign", "started", "ev", when)

    def failing(conn: sqlite3.Connection) -> None:
        repo.bump_funnel(conn, "sign", "abandoned", "ev", when)
        raise sqlite3.OperationalError("database or disk is full")

    with db.write(before, lambda: seen.append("after")) as conn:
        repo.bump_funnel(conn, "sign", "completed", "ev", when)
    assert seen == ["before, in a transaction: True", "after"]
    with pytest.raises(RuntimeError), db.write(before, lambda: seen.append("after")):
        raise RuntimeError("the save failed")
    with pytest.raises(sqlite3.OperationalError), db.write(failing, lambda: seen.append("after")) as conn:
        repo.bump_funnel(conn, "sign", "completed", "ev", when)
    assert seen == ["before, in a transaction: True", "after"]  # neither ran again: nothing committed
    with db.write() as conn:  # and the writer is free again, with nothing of either failed write stored
        assert not conn.execute("SELECT 1 FROM funnel_counts WHERE abandoned > 0 OR completed > 1").fetchall()
    with db.begin() as session:
        rows = [(f.started, f.completed, f.abandoned) for f in session.scalars(select(FunnelCount))]
    assert rows == [(1, 1, 0)]
    db.close()


def test_a_checkpoint_copies_committed_pages_into_the_database_file(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kiosk.db")
    when = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)

    def counted_in_file() -> int:
        conn = sqlite3.connect(f"file:{db.path}?immutable=1", uri=True)  # the file alone, not its WAL
        try:
            return int(conn.execute("SELECT count(*) FROM funnel_counts").fetchone()[0])
        finally:
            conn.close()

    db.checkpoint()  # the schema, which the migrations committed to the WAL
    with db.write() as conn:
        repo.bump_funnel(conn, "sign", "completed", "ev", when)
    assert counted_in_file() == 0
    busy, frames, copied = db.checkpoint()
    assert busy == 0 and frames > 0 and copied == frames
    assert counted_in_file() == 1
    db.close()
