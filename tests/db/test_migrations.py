"""The schema comes only from Alembic; a newer schema is refused, never downgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from kiosk.errors import StorageError
from local_db.migrations import HEAD_REVISION, KNOWN_REVISIONS
from local_db.session import open_database


def test_head_constant_matches_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parents[2] / "local_db" / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert script.get_current_head() == HEAD_REVISION
    assert {rev.revision for rev in script.walk_revisions()} == set(KNOWN_REVISIONS)


def test_empty_database_migrates_to_head_with_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.db")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    db.close()
    raw = sqlite3.connect(tmp_path / "k.db")
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"signatures", "pledges", "consent_events", "outbox", "audit_events", "data_keys"} <= tables
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    open_database(tmp_path / "k.db").close()
    raw = sqlite3.connect(tmp_path / "k.db")
    raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    raw.commit()
    raw.close()
    with pytest.raises(StorageError, match="newer version"):
        open_database(tmp_path / "k.db")
    raw = sqlite3.connect(tmp_path / "k.db")
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999_future",)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "k.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a readable kiosk database"):
        open_database(tmp_path / "k.db")


def test_audit_log_is_append_only(tmp_path: Path) -> None:
    from local_db.repositories import add_audit

    db = open_database(tmp_path / "k.db")
    with db.begin() as session:
        add_audit(session, "test", n=1)
    raw = sqlite3.connect(tmp_path / "k.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM audit_events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE audit_events SET action='x'")
    db.close()


def test_the_migrated_schema_is_the_models_schema(tmp_path: Path) -> None:
    """Tables, columns and indexes made by the migrations are exactly those the models declare (the totals tables
    and their triggers are the migrations' own)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from local_db.models import Base

    db = open_database(tmp_path / "k.db")
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.close()
    own = {"record_totals", "outbox_totals", "alembic_version"}
    differences = [d for d in differences if not (d[0] == "remove_table" and d[1].name in own)]
    assert differences == []
