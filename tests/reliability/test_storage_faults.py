"""Storage and setup faults: each gives one clear message, on screen and in the log, and loses nothing stored.

Every fault is real: another process holds the database lock, the folder is read-only, the filesystem is full,
the file is damaged, the campaign pack or the config file is broken. The command line must answer with exit
code 2 and one message line (no traceback); the kiosk window must say it on the attract screen
(``storageMessage``) with the same words in the log. Afterwards, with the fault removed, every record saved
before it is still there and decrypts to exactly what was saved.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from kiosk.config import KioskConfig
from kiosk.errors import StorageError
from kiosk.runtime import open_runtime
from tests.helpers.kiosk import PASSPHRASE, KioskHarness, make_options, set_up_database
from tests.reliability.faults import fill_up, locked, read_only, small_filesystem
from tests.reliability.records import read_back, save, save_many

REPO = Path(__file__).resolve().parents[2]
STORED = range(3)


@pytest.fixture
def stored(set_up_data_dir: Path) -> dict[str, dict[str, str]]:
    """Three signatures saved through the real save path before any fault."""
    return save_many(make_options(set_up_data_dir), STORED)


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def cli(data_dir: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``campaign-kiosk`` in a fresh process, offscreen, with an explicit config (never the developer's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_DATA_DIR")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    config = config or data_dir.parent / "no-such-config.toml"
    command = [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "--config", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=REPO, check=False)


def export(data_dir: Path, passphrase_file: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    out = data_dir.parent / "exports"
    return cli(data_dir, "export", "--out", str(out), "--passphrase-file", str(passphrase_file), config=config)


def assert_one_clear_message(done: subprocess.CompletedProcess[str], command: str, *fragments: str) -> str:
    """Exit code 2, no traceback, exactly one message line naming the problem; returns the message."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    messages = [line for line in lines if line.startswith(f"campaign-kiosk {command}: ")]
    # The only other line allowed: the log file itself cannot be written (a read-only or full data folder).
    others = [line for line in lines if line not in messages and "cannot write the log file" not in line]
    assert len(messages) == 1 and others == [], done.stderr
    message = messages[0].removeprefix(f"campaign-kiosk {command}: ")
    for fragment in fragments:
        assert fragment in message, message
    return message


def assert_logged(data_dir: Path, message: str) -> None:
    log_text = (data_dir / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert message in log_text


def app_storage_message(qtbot, options, caplog: pytest.LogCaptureFixture) -> str:  # type: ignore[no-untyped-def]
    """Start the real kiosk window; returns the attract screen's storage message after checking that nothing
    can be started and that the log holds the same words."""
    caplog.clear()
    harness = KioskHarness.start(qtbot, options)
    try:
        assert harness.screen() == "attract"
        text = str(harness.find("storageMessage").property("text"))
        error = str(harness.controller.property("storageError"))
        assert error and error in text and "ask a volunteer" in text
        assert harness.controller.property("storageReady") is False
        assert not harness.find("signPetitionButton").isEnabled()
        logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert f"storage unavailable: {error}" in logged
        return error
    finally:
        harness.close()


# --- the database file --------------------------------------------------------------------------------------


def test_database_locked_by_another_process(
    qtbot, qapp, set_up_data_dir: Path, stored, passphrase_file: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    db = set_up_data_dir / "kiosk.db"
    with locked(db):
        message = assert_one_clear_message(export(set_up_data_dir, passphrase_file), "export", "database is locked")
        assert_logged(set_up_data_dir, message)
        error = app_storage_message(qtbot, make_options(set_up_data_dir), caplog)
        assert "database is locked" in error
    assert read_back(set_up_data_dir) == stored


def test_read_only_data_folder(qtbot, qapp, set_up_data_dir: Path, stored, passphrase_file: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    with read_only(set_up_data_dir):
        assert_one_clear_message(export(set_up_data_dir, passphrase_file), "export", "read-only", str(set_up_data_dir))
        error = app_storage_message(qtbot, make_options(set_up_data_dir), caplog)
        assert "read-only" in error
    assert read_back(set_up_data_dir) == stored


@pytest.mark.parametrize("damage", ["garbage header", "truncated"])
def test_damaged_database_file_is_reported_and_left_untouched(
    qtbot, qapp, set_up_data_dir: Path, stored, passphrase_file: Path, caplog, damage: str
) -> None:  # type: ignore[no-untyped-def]
    db = set_up_data_dir / "kiosk.db"
    good = db.read_bytes()
    bad = b"this is not sqlite" + good[18:] if damage == "garbage header" else good[: len(good) // 3]
    db.write_bytes(bad)
    message = assert_one_clear_message(export(set_up_data_dir, passphrase_file), "export", str(db))
    assert "not a readable kiosk database" in message or "cannot open the database" in message
    assert_logged(set_up_data_dir, message)
    error = app_storage_message(qtbot, make_options(set_up_data_dir), caplog)
    assert str(db) in error
    # The kiosk never "repairs" a damaged file by writing over it: an expert can still rescue what is in it.
    assert db.read_bytes() == bad
    db.write_bytes(good)
    assert read_back(set_up_data_dir) == stored


# --- a full disk -------------------------------------------------------------------------------------------


def test_full_disk_while_signing_keeps_the_attendee_and_everything_stored(kiosk: KioskHarness) -> None:
    """SQLite's max_page_count caps the real file at its current size: the next commit finds the "disk" full."""
    from tests.ui.test_signing_flow import sign
    from tests.ui.test_signing_flow import stored as stored_records

    k = kiosk
    before = {save(k.runtime, n) for n in STORED}
    engine = k.runtime.db.engine
    with engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    event.listen(engine, "connect", cap)
    engine.dispose()  # every connection from now on is capped
    try:
        # The day goes on until the file can grow no more: those records are stored, the next one is refused.
        for n in range(100, 400):
            try:
                before.add(save(k.runtime, n))
            except StorageError as exc:
                assert "full" in str(exc)
                break
        else:
            pytest.fail("the capped database never filled up")
        sign(k, first="Full", last="Disk", email="full.disk@example.org")
        k.qtbot.waitUntil(lambda: "ask a volunteer" in k.text_of("saveErrorText"), timeout=10000)
        assert k.screen() == "sign"
        assert k.controller.feature("signing").property("email") == "full.disk@example.org"
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()
    # Space again: the same attendee's submit goes through, and nothing stored earlier was touched.
    k.click("submitSignatureButton")
    k.wait_screen("thankYou")
    assert len(stored_records(k)) == len(before) + 1
    k.runtime.vault.unlock(PASSPHRASE)
    opened = {r.id: k.runtime.vault.open_record(r) for r in stored_records(k)}
    assert before < set(opened)
    (new,) = set(opened) - before
    assert opened[new]["email"] == "full.disk@example.org"


def test_full_filesystem_at_start(qtbot, qapp, tmp_path: Path, passphrase_file: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    with small_filesystem(tmp_path / "small") as small:
        data_dir = small / "data"
        data_dir.mkdir()
        set_up_database(data_dir)
        stored = save_many(make_options(data_dir), STORED)
        filler = fill_up(small)
        message = assert_one_clear_message(export(data_dir, passphrase_file), "export", "full")
        assert "Traceback" not in message
        error = app_storage_message(qtbot, make_options(data_dir), caplog)
        assert "full" in error
        filler.unlink()
        assert read_back(data_dir) == stored


# --- campaign pack and config ------------------------------------------------------------------------------


def _pack_copy(tmp_path: Path) -> Path:
    from kiosk.resources import campaigns_dir

    pack = tmp_path / "pack"
    shutil.copytree(campaigns_dir() / "hikvision", pack)
    return pack


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


PACK_BREAKAGES = {
    "missing folder": (None, "no such campaign pack folder"),
    "invalid TOML": ("campaign.toml", "not valid TOML"),
    "missing field": ("campaign.toml", "petition.title: is missing"),
    "bad wins card": ("wins.toml", "kind"),
}


def _break_pack(pack: Path, how: str) -> None:
    if how == "missing folder":
        shutil.rmtree(pack)
    elif how == "invalid TOML":
        (pack / "campaign.toml").write_text('id = "unclosed\n', encoding="utf-8")
    elif how == "missing field":
        text = (pack / "campaign.toml").read_text(encoding="utf-8")
        head, petition = text.split("[petition]\n", 1)
        title = next(line for line in petition.splitlines() if line.startswith("title ="))
        (pack / "campaign.toml").write_text(
            f"{head}[petition]\n{petition.replace(title + chr(10), '', 1)}", encoding="utf-8"
        )
    elif how == "bad wins card":
        text = (pack / "wins.toml").read_text(encoding="utf-8")
        (pack / "wins.toml").write_text(text.replace('kind = "', 'kind = "not-a-kind-', 1), encoding="utf-8")


@pytest.mark.parametrize("how", list(PACK_BREAKAGES))
def test_broken_campaign_pack(set_up_data_dir: Path, stored, tmp_path: Path, passphrase_file: Path, how: str) -> None:  # type: ignore[no-untyped-def]
    pack = _pack_copy(tmp_path)
    _break_pack(pack, how)
    file, fragment = PACK_BREAKAGES[how]
    config = _config(tmp_path, f'[kiosk]\ncampaign = "{pack}"\n')
    db_before = (set_up_data_dir / "kiosk.db").read_bytes()
    for command, done in (
        ("run", cli(set_up_data_dir, "run", config=config)),
        ("export", export(set_up_data_dir, passphrase_file, config)),
    ):
        message = assert_one_clear_message(done, command, fragment)
        assert str(pack / file) in message if file else str(pack) in message
        assert_logged(set_up_data_dir, message)
    assert (set_up_data_dir / "kiosk.db").read_bytes() == db_before
    assert read_back(set_up_data_dir) == stored


CONFIG_BREAKAGES = {
    "invalid TOML": ("[kiosk\nname = 1\n", "not valid TOML"),
    "wrong type": ('[kiosk]\nidle_timeout_s = "soon"\n', "idle_timeout_s: must be int"),
    "unknown key": ("[kiosk]\nidle_timeout = 30\n", "idle_timeout: unknown key"),
    "out of range": ("[kiosk]\nidle_timeout_s = 2\n", "at least 15 seconds"),
    "not UTF-8": (b'[kiosk]\nname = "\xff\xfe"\n', "not valid TOML"),
}


@pytest.mark.parametrize("how", list(CONFIG_BREAKAGES))
def test_broken_config_file(set_up_data_dir: Path, stored, tmp_path: Path, passphrase_file: Path, how: str) -> None:  # type: ignore[no-untyped-def]
    content, fragment = CONFIG_BREAKAGES[how]
    config = tmp_path / "kiosk.toml"
    if isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content, encoding="utf-8")
    for command, done in (
        ("run", cli(set_up_data_dir, "run", config=config)),
        ("export", export(set_up_data_dir, passphrase_file, config)),
    ):
        message = assert_one_clear_message(done, command, fragment)
        assert str(config) in message
        assert_logged(set_up_data_dir, message)
    assert read_back(set_up_data_dir, make_options(set_up_data_dir, KioskConfig())) == stored


def test_runtime_opened_after_a_fault_resumes_saving(set_up_data_dir: Path, stored) -> None:  # type: ignore[no-untyped-def]
    """After a lock is released the same process can open storage and save again (no stuck state)."""
    db = set_up_data_dir / "kiosk.db"
    with locked(db), pytest.raises(StorageError, match="locked"):
        open_runtime(make_options(set_up_data_dir))
    runtime = open_runtime(make_options(set_up_data_dir))
    try:
        new = save(runtime, 42)
    finally:
        runtime.close()
    assert set(read_back(set_up_data_dir)) == {*stored, new}
