"""Benchmark: the organiser dashboard and the attract-screen tally with 100,000 stored records.

Issue 10 asks that both still update in under 20 ms at 100,000 records. The records are realistic: sealed by the
real vault and stored with their consent events and outbox entry (tests/reliability/bulk.py), one every 30 s over
the last five weeks at this kiosk's event, as the soak test has them.

Figures, each the median and p99 of repeated runs:

- dashboard, first load: ``collect_stats`` on a newly opened database (new connection, SQLite's cache empty);
- dashboard, refresh: ``collect_stats`` again, and after a change (a new signature and a sync pass between
  refreshes; only the refresh is timed);
- dashboard, as the kiosk runs it: on the thread pool and back to the UI thread (``run_in_background``, what
  ``DashboardViewModel.refresh`` does), so the handover between threads is included;
- tally: ``signature_tally`` (the attract screen's two counts, on the UI thread);
- before: the same figures counted from the rows (``kiosk.dashboard.recount``, what the dashboard did until the
  running totals of migration 0004);
- the price of the totals: what the triggers add to inserting one record (signature + outbox entry).

Floor: a bare sqlite3 ``SELECT count(*) FROM signatures`` on the same file, SQLite's fastest count of the
records (it counts b-tree cells without reading rows); the ratio is the figure over it.

Run: ``.venv/bin/python bench/bench_dashboard.py [--records N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.dashboard import collect_stats, recount
from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.tally import signature_tally
from tests.helpers.kiosk import make_options
from tests.helpers.organiser_records import open_test_runtime, store_signature
from tests.reliability.bulk import fill_signatures

TARGET_S = 0.020


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# One timed run: (wall seconds, CPU seconds of this process, all threads). Wall minus CPU is time spent waiting: for
# the disk, or for a core while other processes on the machine run.
Run = tuple[float, float]


def timed(action: Callable[[], Any]) -> Run:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def timings(action: Callable[[], Any], repeat: int) -> list[Run]:
    return [timed(action) for _ in range(repeat)]


def walls(runs: list[Run]) -> list[float]:
    return [wall for wall, _ in runs]


def ms(runs: list[Run]) -> str:
    wall = walls(runs)
    cpu = [c for _, c in runs]
    return (
        f"median {statistics.median(wall) * 1000:.2f} ms, p99 {percentile(wall, 0.99) * 1000:.2f} ms "
        f"(CPU p99 {percentile(cpu, 0.99) * 1000:.2f} ms)"
    )


def first_loads(data: Path, times: int) -> list[Run]:
    """collect_stats right after opening the database afresh (opening it is not timed)."""
    found = []
    for _ in range(times):
        runtime = open_runtime(make_options(data), start_run=False)
        try:
            found.append(timed(lambda: collect_stats(runtime)))  # noqa: B023 - called at once
        finally:
            runtime.close()
    return found


def refreshes_after_changes(runtime: KioskRuntime, times: int) -> list[Run]:
    """A signature saved and the outbox entries of the last one marked synced between refreshes."""
    found = []
    for n in range(times):
        record_id = store_signature(runtime, email=f"bench-{n}-{uuid.uuid4().hex[:6]}@example.org")
        with runtime.db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE outbox SET state = 'synced' WHERE record_id = ?", (record_id,))
        found.append(timed(lambda: collect_stats(runtime)))
    return found


def through_the_pool(runtime: KioskRuntime, times: int) -> list[Run]:
    """collect_stats on the thread pool, its result delivered on this (the UI) thread, as the dashboard does."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from kiosk.bridge.background import run_in_background

    app = QCoreApplication.instance() or QCoreApplication([])
    loop = QEventLoop(app)

    def refresh() -> None:
        run_in_background(lambda: collect_stats(runtime), lambda _stats: loop.quit(), lambda _exc: loop.quit())
        loop.exec()

    # A running kiosk refreshes every 3 s while the dashboard shows, so its pool threads (and their database
    # connections) exist already; the first runs here would time starting them.
    for _ in range(5):
        refresh()
    return timings(refresh, times)


def dashboard_statements(runtime: KioskRuntime) -> list[tuple[str, Any]]:
    """The SQL one refresh sends, with its parameters."""
    from sqlalchemy import event

    found: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            found.append((statement, parameters))

    event.listen(runtime.db.engine, "before_cursor_execute", capture)
    try:
        collect_stats(runtime)
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", capture)
    return found


def bare_statements(path: Path, statements: list[tuple[str, Any]], times: int) -> list[Run]:
    """The same SQL run by bare sqlite3 in one read transaction: the least those queries cost, without the ORM."""
    conn = sqlite3.connect(path)

    def run() -> None:
        conn.execute("BEGIN")
        for statement, parameters in statements:
            conn.execute(statement, parameters).fetchall()
        conn.execute("COMMIT")

    try:
        run()
        return timings(run, times)
    finally:
        conn.close()


def bare_counts(path: Path, times: int) -> list[Run]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT count(*) FROM signatures").fetchone()
        return timings(lambda: conn.execute("SELECT count(*) FROM signatures").fetchone(), times)
    finally:
        conn.close()


def trigger_cost(path: Path, rows: int = 2000) -> tuple[float, float]:
    """Seconds per inserted signature and outbox entry with the totals' triggers, and with them dropped (both in a
    transaction rolled back afterwards, so the stored records and the schema stay as they were)."""
    conn = sqlite3.connect(path, isolation_level=None)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    key = conn.execute("SELECT id FROM data_keys LIMIT 1").fetchone()[0]

    def insert_all() -> float:
        started = time.perf_counter()
        for _ in range(rows):
            record_id = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO signatures (id, campaign_id, kiosk_id, event_id, created_at, language, source, "
                "data_key_id, sealed, petition_id, optin_email, optin_sms) "
                "VALUES (?, 'c', 'k', 'e', ?, 'en', 'kiosk', ?, x'00', 'p', 0, 0)",
                (record_id, now, key),
            )
            conn.execute(
                "INSERT INTO outbox (record_id, record_kind, adapter, state, attempts, created_at, updated_at) "
                "VALUES (?, 'signature', 'none', 'pending', 0, ?, ?)",
                (record_id, now, now),
            )
        return (time.perf_counter() - started) / rows

    triggers = [
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%totals%'")
    ]
    with_triggers, without = [], []
    try:
        for _ in range(3):  # alternating, best of three each, so neither side gets the warmer cache
            conn.execute("BEGIN")
            with_triggers.append(insert_all())
            conn.execute("ROLLBACK")
            conn.execute("BEGIN")
            for name in triggers:
                conn.execute(f"DROP TRIGGER {name}")
            without.append(insert_all())
            conn.execute("ROLLBACK")
    finally:
        conn.close()
    return min(with_triggers), min(without)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200, help="refreshes timed for each figure (default 200)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        runtime = open_test_runtime(data)
        try:
            started = time.perf_counter()
            fill_signatures(runtime, args.records, spacing=dt.timedelta(seconds=30))
            print(f"made {args.records:,} sealed signatures in {time.perf_counter() - started:.1f} s")
            stats = collect_stats(runtime)
            counted = collect_stats(runtime, stats.taken_at, read=recount)
            assert stats.signatures_all == args.records, stats
            # Honest figures first: the running totals say exactly what counting the rows says.
            assert dataclasses.replace(stats, free_disk_bytes=0) == dataclasses.replace(counted, free_disk_bytes=0)
            first = first_loads(data, 5)
            refresh = timings(lambda: collect_stats(runtime), args.repeat)
            pooled = through_the_pool(runtime, args.repeat)
            tally = timings(lambda: signature_tally(runtime), args.repeat)
            before = timings(lambda: collect_stats(runtime, read=recount), 9)
            changed = refreshes_after_changes(runtime, min(args.repeat, 50))
            statements = dashboard_statements(runtime)
        finally:
            runtime.close()
        floor = bare_counts(data / "kiosk.db", args.repeat)
        bare_sql = bare_statements(data / "kiosk.db", statements, args.repeat)
        with_triggers, without = trigger_cost(data / "kiosk.db")

    floor_ms = statistics.median(walls(floor))
    print(f"dashboard with {args.records:,} records ({args.repeat} runs each; figures from the running totals):")
    print(f"  first load after opening the database: {ms(first)} (5 opens)")
    print(f"  refresh:                               {ms(refresh)}")
    print(f"  refresh after a save and a sync:       {ms(changed)} ({len(changed)} changes)")
    print(f"  as the kiosk runs it (thread pool and back to the UI thread): {ms(pooled)}")
    print(f"attract tally (on the UI thread):        {ms(tally)}")
    print(f"before (the same figures counted from the rows, kiosk.dashboard.recount): {ms(before)} (9 runs)")
    print(f"floor (bare sqlite3 SELECT count(*) FROM signatures, same file): {ms(floor)}")
    print(f"  and the dashboard's own {len(statements)} SELECTs run by bare sqlite3 (no ORM): {ms(bare_sql)}")
    print(
        "ratio (median over the floor's median): "
        + ", ".join(
            f"{name} {statistics.median(walls(runs)) / floor_ms:.1f}x"
            for name, runs in (("dashboard refresh", refresh), ("as run", pooled), ("tally", tally), ("before", before))
        )
    )
    print(
        f"price of the totals per insert (signature + outbox entry, no commit): {with_triggers * 1e6:.0f} us with the "
        f"triggers, {without * 1e6:.0f} us without"
    )
    figures = (first, refresh, changed, pooled, tally)
    median = max(statistics.median(walls(runs)) for runs in figures)
    p99 = max(percentile(walls(runs), 0.99) for runs in figures)
    cpu99 = max(percentile([cpu for _, cpu in runs], 0.99) for runs in figures)
    met = median < TARGET_S
    print(
        "issue 10 target, dashboard and tally update under 20 ms, judged on the median as the soak test does: "
        f"worst median {median * 1000:.1f} ms: {'met' if met else 'MISSED'}"
    )
    print(
        f"  and at p99: worst {p99 * 1000:.1f} ms: {'met' if p99 < TARGET_S else 'MISSED'}; CPU time at p99 "
        f"{cpu99 * 1000:.1f} ms (the rest is waiting for a core; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
