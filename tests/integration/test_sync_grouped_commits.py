"""Grouped commits and the sync lock, against the loopback servers.

The engine keeps outcomes in memory and commits them together. These tests kill a real syncing process (SIGKILL)
after the server has acknowledged records but before their outcomes were committed, then restart: every record
must end synced, on the server exactly once, and nothing may be marked synced that the server lacks. They also
check that only the process holding the data folder's sync lock returns "sending" entries to "pending", so a
command run beside a live kiosk never takes back entries it is sending.

``python -m tests.integration.test_sync_grouped_commits DATA_DIR SYNC_JSON KILL_AFTER`` is the child: it syncs
with the real engine and kills itself once KILL_AFTER records have been delivered and acknowledged.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.runtime import open_runtime
from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import Progress, SyncEngine
from kiosk.sync.lock import SyncLock
from kiosk.sync.settings import parse_sync_settings
from tests.helpers.fake_action_network import FakeActionNetwork
from tests.helpers.fake_webhook import FakeWebhook
from tests.helpers.sync_records import open_sync_runtime, sign, sync_options

REPO = Path(__file__).resolve().parents[2]
FAST = Backoff(base_s=0.001, cap_s=0.01)


def states(data_dir: Path) -> dict[str, str]:
    """record id -> outbox state, read with bare sqlite3 (as an outsider would)."""
    conn = sqlite3.connect(f"file:{data_dir / 'kiosk.db'}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT record_id, state FROM outbox WHERE consent_event_id IS NULL").fetchall()
    finally:
        conn.close()
    return {str(record_id): str(state) for record_id, state in rows}


def make_records(data_dir: Path, sync: dict[str, Any], count: int) -> list[str]:
    runtime = open_sync_runtime(data_dir, sync)
    try:
        return [sign(runtime, n, optin_email=n % 2 == 0) for n in range(count)]
    finally:
        runtime.close()


def sync_and_die(data_dir: Path, sync: dict[str, Any], kill_after: int) -> None:
    """Run the child; it must die by SIGKILL (it never reaches the end of its pass)."""
    table = data_dir.parent / "sync.json"
    table.write_text(json.dumps(sync), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_DATA_DIR")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.test_sync_grouped_commits",
            str(data_dir),
            str(table),
            str(kill_after),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr


def restart_and_sync(data_dir: Path, sync: dict[str, Any]) -> None:
    runtime = open_runtime(sync_options(data_dir, sync))
    engine = SyncEngine(runtime, parse_sync_settings(sync), backoff=FAST)
    try:
        result = engine.run_pass(manual=True)
    finally:
        engine.close()
        runtime.close()
    assert result.status == "done" and result.counts.waiting == 0 and result.counts.rejected == 0, result


def test_action_network_kill_after_the_server_acknowledged_ends_synced_once(
    data_dir: Path, an: FakeActionNetwork
) -> None:
    sync = an.sync_config(rate_limit_per_s=0, timeout_s=5)
    records = make_records(data_dir, sync, 30)
    sync_and_die(data_dir, sync, kill_after=7)

    acknowledged = [r for r in records if an.signatures_with(f"campaign_kiosk:{r}")]
    assert len(acknowledged) >= 7
    after_kill = states(data_dir)
    # The server holds them, but their outcomes never reached the disk: never "synced", still "sending".
    assert any(after_kill[r] == "sending" for r in acknowledged), after_kill
    assert all(after_kill[r] != "synced" for r in records if r not in acknowledged)
    # Opening storage (as any command does) leaves them alone.
    open_runtime(sync_options(data_dir, sync)).close()
    assert states(data_dir) == after_kill

    restart_and_sync(data_dir, sync)
    assert set(states(data_dir).values()) == {"synced"}
    for record_id in records:
        identifier = f"campaign_kiosk:{record_id}"
        assert len(an.signatures_with(identifier)) == 1, record_id
        posts = [r for r in an.requests("POST", "/signatures") if r.body["identifiers"] == [identifier]]
        # An acknowledged record was found by its identifier after the restart, not posted again.
        assert len(posts) == 1, f"{record_id} was posted {len(posts)} times"
    assert len(an.signatures) == len(records)
    assert an.status_violations == [] and an.status_changes == []


def test_webhook_kill_after_the_receiver_acknowledged_ends_synced_once(data_dir: Path, hook: FakeWebhook) -> None:
    sync = hook.sync_config(rate_limit_per_s=0, timeout_s=5, webhook={"batch_size": 5})
    records = make_records(data_dir, sync, 40)
    sync_and_die(data_dir, sync, kill_after=10)

    received = set(hook.records)
    assert len(received) >= 10
    after_kill = states(data_dir)
    assert any(after_kill[r] == "sending" for r in received), after_kill
    assert all(after_kill[r] != "synced" for r in records if r not in received)

    restart_and_sync(data_dir, sync)
    assert set(states(data_dir).values()) == {"synced"}
    # Records whose answer was lost with the process went again under the same ids; the receiver keeps each once.
    assert set(hook.records) == set(records) and len(hook.records) == len(records)
    assert any(hook.deliveries[r] == 2 for r in received)
    assert hook.schema_errors == []


def test_only_the_lock_holder_recovers_and_sends(data_dir: Path, an: FakeActionNetwork, tmp_path: Path) -> None:
    sync = an.sync_config(rate_limit_per_s=0, timeout_s=5)
    (record,) = make_records(data_dir, sync, 1)
    runtime = open_runtime(sync_options(data_dir, sync))
    live = SyncEngine(runtime, parse_sync_settings(sync), backoff=FAST)  # the live kiosk: it holds the lock
    conn = sqlite3.connect(data_dir / "kiosk.db")
    with conn:
        conn.execute("UPDATE outbox SET state = 'sending', attempts = 1")  # as if it were sending it right now
    conn.close()

    # A command run beside it (here: printing the event summary) opens the same storage and must not take it back.
    out = tmp_path / "summary.pdf"
    printed = subprocess.run(
        [
            *(sys.executable, "-m", "kiosk", "--data-dir", str(data_dir)),
            *("--config", str(tmp_path / "no-config.toml"), "print", "summary", "--out", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)},
        cwd=REPO,
        check=False,
    )
    assert printed.returncode == 0, printed.stdout + printed.stderr
    assert states(data_dir) == {record: "sending"}

    # A second sync engine (another process, or another runtime here) finds the lock held: it neither recovers nor
    # sends, and says why.
    other_runtime = open_runtime(sync_options(data_dir, sync))
    other = SyncEngine(other_runtime, parse_sync_settings(sync), backoff=FAST)
    busy = other.run_pass(manual=True)
    assert busy.status == "busy" and "another process" in busy.detail
    assert busy.hold_until is not None
    assert states(data_dir) == {record: "sending"}
    assert an.requests() == []

    # The live kiosk goes away (its lock with it): the other takes over, recovers the entry and delivers it.
    live.close()
    runtime.close()
    done = other.run_pass(manual=True)
    assert done.status == "done" and done.synced == 1
    assert states(data_dir) == {record: "synced"}
    assert len(an.signatures_with(f"campaign_kiosk:{record}")) == 1
    other.close()
    other_runtime.close()


def test_the_sync_lock_is_exclusive_and_dropped_on_release(tmp_path: Path) -> None:
    first, second = SyncLock(tmp_path), SyncLock(tmp_path)
    assert first.acquire() and first.held
    assert not second.acquire() and not second.held
    first.release()
    assert second.acquire()
    second.release()


def test_a_stopped_pass_puts_unsent_claims_back_without_counting_an_attempt(
    data_dir: Path, an: FakeActionNetwork
) -> None:
    sync = an.sync_config(rate_limit_per_s=0, timeout_s=5)
    records = make_records(data_dir, sync, 12)
    runtime = open_runtime(sync_options(data_dir, sync))
    engine = SyncEngine(runtime, parse_sync_settings(sync), backoff=FAST)
    delivered: list[int] = []

    def progress(p: Progress) -> None:
        delivered.append(p.done)

    result = engine.run_pass(manual=True, progress=progress, should_stop=lambda: len(delivered) >= 4)
    assert result.status == "stopped" and result.synced == 4
    conn = sqlite3.connect(f"file:{data_dir / 'kiosk.db'}?mode=ro", uri=True)
    rows = dict(conn.execute("SELECT state, sum(attempts) FROM outbox GROUP BY state").fetchall())
    conn.close()
    # The 8 claimed but never sent are pending again with no attempt counted (so no needless look-up later).
    assert rows == {"synced": 4, "pending": 0}
    assert engine.run_pass(manual=True).synced == len(records) - 4
    assert len(an.requests("GET", "/signatures")) == 0  # no entry needed a "did it arrive?" check
    engine.close()
    runtime.close()


def _child(data_dir: Path, sync_json: Path, kill_after: int) -> int:
    sync = json.loads(sync_json.read_text(encoding="utf-8"))
    runtime = open_runtime(sync_options(data_dir, sync))
    engine = SyncEngine(runtime, parse_sync_settings(sync), backoff=FAST)

    def progress(p: Progress) -> None:
        if p.done >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)  # after the server's answer, before the outcome's commit

    engine.run_pass(manual=True, progress=progress)
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
