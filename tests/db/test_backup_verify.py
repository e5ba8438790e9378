"""Backup, verify and reconciliation on real SQLite files: a consistent online copy while the kiosk keeps saving,
every record decrypted, collected = synced + rejected + outstanding per event, and what is outstanding listed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from kiosk.backup import BackupError, backup_database, reconcile, verify
from kiosk.cli import main
from kiosk.errors import VaultLockedError
from kiosk.runtime import KioskRuntime
from local_db import repositories as repo
from local_db.models import OutboxEntry, Signature, utcnow
from tests.helpers.kiosk import PASSPHRASE
from tests.helpers.organiser_records import open_test_runtime, store_pledge, store_signature


@pytest.fixture
def runtime(set_up_data_dir: Path) -> Iterator[KioskRuntime]:
    rt = open_test_runtime(set_up_data_dir)
    yield rt
    rt.close()


def set_state(runtime: KioskRuntime, record_id: str, state: str, error: str | None = None) -> None:
    with runtime.db.begin() as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.record_id == record_id)
            .values(state=state, last_error=error, synced_at=utcnow() if state == "synced" else None, attempts=3)
        )


def test_online_backup_is_consistent_while_the_kiosk_keeps_saving(runtime: KioskRuntime, tmp_path: Path) -> None:
    for i in range(50):
        store_signature(runtime, "Zoë", "Secretname", f"person{i}@example.org")
    stop = threading.Event()
    saved: list[str] = []

    def keep_signing() -> None:
        i = 0
        while not stop.is_set():
            saved.append(store_signature(runtime, "Yusuf", "Writer", f"late{i}@example.org"))
            i += 1

    writer = threading.Thread(target=keep_signing)
    writer.start()
    try:
        results = [backup_database(runtime, tmp_path / f"copy{n}.db") for n in range(3)]
    finally:
        stop.set()
        writer.join()
    assert saved, "the kiosk kept saving during the backups"
    for result in results:
        assert result.integrity == "ok" and result.bytes == result.path.stat().st_size
        conn = sqlite3.connect(result.path)
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            ids = [r[0] for r in conn.execute("SELECT id FROM signatures")]
            # Every record in the copy is whole: its consent events and outbox entry were copied with it.
            incomplete = conn.execute(
                "SELECT count(*) FROM signatures s"
                " WHERE (SELECT count(*) FROM consent_events c WHERE c.record_id = s.id) != 3"
                " OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = s.id)"
            ).fetchone()[0]
        finally:
            conn.close()
        assert len(ids) >= 50 and incomplete == 0
        data = result.path.read_bytes()
        assert b"Secretname" not in data and b"person1@example.org" not in data, "personal data stays sealed"
        assert not result.path.with_name(result.path.name + "-wal").exists()
    with runtime.db.begin() as session:
        assert [a.action for a in repo.recent_audit(session)].count("backup") == 3


def test_backup_never_overwrites_and_never_targets_the_live_file(runtime: KioskRuntime, tmp_path: Path) -> None:
    existing = tmp_path / "old.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup_database(runtime, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(BackupError, match="already exists"):
        backup_database(runtime, runtime.db.path)
    assert not list(tmp_path.glob(".*.partial"))


def test_verify_counts_decrypts_and_reconciles_per_event(runtime: KioskRuntime) -> None:
    synced = store_signature(runtime, email="a@example.org", event="Brighton")
    rejected = store_signature(runtime, email="b@example.org", event="Brighton")
    pending = store_signature(runtime, email="c@example.org", event="Brighton")
    hove = store_signature(runtime, email="d@example.org", event="Hove")
    pledge = store_pledge(runtime, event="Hove")
    purged = store_signature(runtime, email="e@example.org", event="Hove")
    set_state(runtime, synced, "synced")
    set_state(runtime, rejected, "rejected", "422 invalid email")
    set_state(runtime, pledge, "synced")
    set_state(runtime, purged, "synced")
    with runtime.db.begin() as session:
        session.execute(update(Signature).where(Signature.id == purged).values(sealed=None, purged_at=utcnow()))

    report = verify(runtime, decrypt=True)
    assert report.integrity == "ok" and report.ok
    assert report.records["signature"] == {"total": 5, "sealed": 4, "purged": 1, "exported": 0, "paper": 0}
    assert report.records["pledge"]["total"] == 1 and report.records["pledge"]["sealed"] == 1
    assert report.decrypted == 5 and report.unreadable == []
    assert report.outbox == {"synced": 3, "rejected": 1, "pending": 2}
    events = {e.event_id: e for e in report.reconciliation.events}
    brighton, hove_row = events["Brighton"], events["Hove"]
    assert (brighton.collected, brighton.synced, brighton.rejected, brighton.outstanding) == (3, 1, 1, 1)
    assert (hove_row.signatures, hove_row.pledges, hove_row.synced, hove_row.outstanding) == (2, 1, 2, 1)
    assert all(e.balanced for e in report.reconciliation.events)
    outstanding = report.reconciliation.outstanding
    assert (outstanding[0].record_id, outstanding[0].state) == (rejected, "rejected")
    assert {o.record_id for o in outstanding} == {rejected, pending, hove}
    assert next(o for o in outstanding if o.record_id == rejected).last_error == "422 invalid email"
    text = "\n".join(report.lines())
    assert "Brighton: 3 collected (3 signatures, 0 pledges) = 1 synced + 1 rejected + 1 outstanding" in text
    assert "RESULT: ok" in text and "a@example.org" not in text


def test_verify_reports_a_tampered_record_by_id(runtime: KioskRuntime) -> None:
    good = store_signature(runtime)
    bad = store_signature(runtime, email="x@example.org")
    with runtime.db.begin() as session:
        record = session.get(Signature, bad)
        assert record is not None and record.sealed is not None
        record.sealed = record.sealed[:-1] + bytes([record.sealed[-1] ^ 1])
    report = verify(runtime, decrypt=True)
    assert report.unreadable == [bad] and report.decrypted == 1 and not report.ok
    assert f"UNREADABLE {bad}" in "\n".join(report.lines()) and good not in report.unreadable
    with runtime.db.begin() as session:
        assert "decryption_failed" in [a.action for a in repo.recent_audit(session)]


def test_verify_without_passphrase_counts_but_does_not_decrypt(set_up_data_dir: Path) -> None:
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    try:
        store_signature(rt)
        with pytest.raises(VaultLockedError):
            verify(rt, decrypt=True)
        report = verify(rt, decrypt=False)
        assert report.decrypted is None and report.ok
        assert "decryption: not checked" in "\n".join(report.lines())
    finally:
        rt.close()


def test_reconcile_limits_the_list_but_counts_everything(runtime: KioskRuntime) -> None:
    for i in range(5):
        store_signature(runtime, email=f"p{i}@example.org")
    result = reconcile(runtime, limit=2)
    assert len(result.outstanding) == 2 and result.outstanding_total == 5 and result.collected == 5


def test_backup_and_verify_commands(set_up_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    first = store_signature(rt, email="a@example.org")
    store_pledge(rt)
    rt.close()
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    data = ["--data-dir", str(set_up_data_dir)]
    copy = tmp_path / "backups" / "kiosk-copy.db"
    assert main([*data, "backup", str(copy)]) == 0
    assert "integrity ok" in capsys.readouterr().out
    assert main([*data, "backup", str(copy)]) == 2
    assert "already exists" in capsys.readouterr().err

    assert main([*data, "verify", "--passphrase-file", str(secret)]) == 0
    out = capsys.readouterr().out
    assert "integrity_check: ok" in out and "decryption: 2 record(s) decrypted, 0 unreadable" in out
    assert "test-event: 2 collected (1 signatures, 1 pledges) = 0 synced + 0 rejected + 2 outstanding" in out
    assert first in out and "RESULT: ok" in out

    assert main([*data, "verify", "--db", str(copy), "--passphrase-file", str(secret)]) == 0
    assert "decryption: 2 record(s) decrypted" in capsys.readouterr().out

    rt = open_test_runtime(set_up_data_dir, unlock=False)
    with rt.db.begin() as session:
        record = session.get(Signature, first)
        assert record is not None and record.sealed is not None
        record.sealed = b"\x01" + bytes(40)
    rt.close()
    assert main([*data, "verify", "--passphrase-file", str(secret)]) == 1
    assert f"UNREADABLE {first}" in capsys.readouterr().out
    # The backup taken before the damage still verifies: that is what it is for.
    assert main([*data, "verify", "--db", str(copy), "--passphrase-file", str(secret)]) == 0
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM signatures").fetchone()[0] == 1


def test_commands_beside_a_running_kiosk_leave_its_outbox_alone(
    set_up_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rt = open_test_runtime(set_up_data_dir, unlock=False)
    record = store_signature(rt)
    set_state(rt, record, "sending")  # the running kiosk is delivering it right now
    rt.close()
    with sqlite3.connect(set_up_data_dir / "kiosk.db") as conn:
        keys_before = conn.execute("SELECT count(*) FROM data_keys").fetchone()[0]
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    data = ["--data-dir", str(set_up_data_dir)]
    assert main([*data, "backup", str(tmp_path / "b.db")]) == 0
    assert main([*data, "verify", "--passphrase-file", str(secret)]) == 0
    assert main([*data, "export", "--out", str(tmp_path / "x"), "--passphrase-file", str(secret)]) == 0
    capsys.readouterr()
    with sqlite3.connect(set_up_data_dir / "kiosk.db") as conn:
        assert conn.execute("SELECT state FROM outbox").fetchall() == [("sending",)]
        assert conn.execute("SELECT count(*) FROM data_keys").fetchone()[0] == keys_before, "no run key made"


def test_commands_on_a_kiosk_that_was_never_set_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "empty")]
    assert main([*data, "verify"]) == 2
    assert "there is no kiosk database" in capsys.readouterr().err
    from local_db.session import open_database

    open_database(tmp_path / "empty" / "kiosk.db").close()
    assert main([*data, "backup", str(tmp_path / "b.db")]) == 2
    assert "no organiser keys yet" in capsys.readouterr().err
