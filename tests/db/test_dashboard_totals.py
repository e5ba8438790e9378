"""The running totals behind the dashboard and the public tally (migration 0004_dashboard_totals) always equal a
full recount of the rows: after any sequence of signatures, duplicates, pledges, sync passes with every outcome,
crashed passes, retries, purges, exports and edits that no kiosk code makes today; in time zones whose midnight is
not a whole UTC hour; and after upgrading a database that already holds records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from kiosk.dashboard import DashboardStats, collect_stats, recount
from kiosk.exports import export_records
from kiosk.retention import purge_personal_data
from kiosk.runtime import KioskRuntime
from kiosk.sync.adapters import DeliveryItem, Outcome, ProbeResult
from kiosk.sync.engine import SyncEngine
from kiosk.sync.settings import SyncSettings
from kiosk.tally import signature_tally
from kiosk.vault import utc_today_start
from local_db import reports
from local_db import repositories as repo
from local_db.models import OutboxEntry, Signature, utcnow
from local_db.session import make_engine, open_database
from tests.helpers.organiser_records import open_test_runtime, store_pledge, store_signature

MIGRATIONS = Path(__file__).parents[2] / "local_db" / "migrations"


class ScriptedAdapter:
    """An in-process sync target that answers each item with the next outcome of a script (then 'synced')."""

    name = "scripted"
    batch_size = 3

    def __init__(self, script: Sequence[str]) -> None:
        self.script = list(script)

    def deliver(self, items: Sequence[DeliveryItem]) -> list[Outcome]:
        outcomes = []
        for item in items:
            answer = self.script.pop(0) if self.script else "synced"
            if answer == "synced":
                outcomes.append(Outcome.synced(f"remote-{item.entry_id}"))
            elif answer == "rejected":
                outcomes.append(Outcome.rejected("HTTP 422: refused by the test"))
            else:
                outcomes.append(Outcome.retry("HTTP 503: try later"))
        return outcomes

    def probe(self) -> ProbeResult:
        return ProbeResult(True)

    def close(self) -> None:
        pass


def comparable(stats: DashboardStats) -> DashboardStats:
    return dataclasses.replace(stats, free_disk_bytes=0)


def assert_totals_match_recount(runtime: KioskRuntime) -> None:
    now = utcnow()
    from_totals = collect_stats(runtime, now)
    recounted = collect_stats(runtime, now, read=recount)
    assert comparable(from_totals) == comparable(recounted)
    with runtime.db.begin() as session:
        today = repo.count_signatures(session, since=utc_today_start(), event_id=runtime.event_id)
        total = repo.count_signatures(session, kiosk_id=runtime.kiosk_id)
        outbox = reports.outbox_state_counts(session)
        assert reports.outbox_totals(session) == outbox
    assert signature_tally(runtime) == (today, total)


@pytest.fixture
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run with the kiosk's local time zone set to ``request.param``."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


# --- any sequence of actions ----------------------------------------------------------------------------------------

EVENTS = (None, "Another fair")

sign_op = st.tuples(
    st.just("sign"), st.integers(0, 40), st.integers(0, 4), st.sampled_from(EVENTS), st.booleans(), st.booleans()
)
pledge_op = st.tuples(
    st.just("pledge"),
    st.integers(0, 40),
    st.integers(1, 500_000),
    st.sampled_from(("one_off", "monthly")),
    st.booleans(),
    st.sampled_from(EVENTS),
)
sync_op = st.tuples(st.just("sync"), st.lists(st.sampled_from(("synced", "rejected", "retry")), max_size=8))
other_op = st.sampled_from(
    [
        ("crash_mid_sync",),
        ("restart",),
        ("retry_rejected",),
        ("purge",),
        ("export",),
        ("move_signature",),
        ("edit_pledge",),
        ("drop_outbox_entry",),
    ]
)
operations = st.lists(st.one_of(sign_op, pledge_op, sync_op, other_op), min_size=1, max_size=12)


def apply(runtime: KioskRuntime, op: tuple[Any, ...], exports: Path) -> None:
    now = utcnow()
    kind = op[0]
    if kind == "sign":
        _, hours_ago, person, event, optin_email, optin_sms = op
        # A few people only: signing again is a duplicate, and a new opt-in adds a consent-change outbox entry.
        store_signature(
            runtime,
            email=f"person{person}@example.org",
            phone="+447700900123" if optin_sms else "",
            optin_email=optin_email,
            optin_sms=optin_sms,
            when=now - dt.timedelta(hours=hours_ago, minutes=hours_ago),
            event=event,
        )
    elif kind == "pledge":
        _, hours_ago, pence, frequency, gift_aid, event = op
        store_pledge(
            runtime,
            amount_pence=pence,
            frequency=frequency,
            gift_aid=gift_aid,
            when=now - dt.timedelta(hours=hours_ago),
            event=event,
        )
    elif kind == "sync":
        engine = SyncEngine(runtime, SyncSettings(adapter="scripted"), adapter=ScriptedAdapter(op[1]))
        engine.run_pass(manual=True)
    elif kind == "crash_mid_sync":
        # A pass killed after claiming its batch leaves entries 'sending' until the next start.
        with runtime.db.begin() as session:
            ids = list(session.scalars(select(OutboxEntry.id).where(OutboxEntry.state == "pending").limit(2)))
            session.execute(update(OutboxEntry).where(OutboxEntry.id.in_(ids)).values(state="sending"))
    elif kind == "restart":
        with runtime.db.begin() as session:
            repo.reset_stuck_outbox(session)
    elif kind == "retry_rejected":
        SyncEngine(runtime, SyncSettings(adapter="scripted"), adapter=ScriptedAdapter([])).retry_rejected()
    elif kind == "purge":
        purge_personal_data(runtime, older_than=None, reason="test")
    elif kind == "export":
        export_records(runtime, exports)
    else:
        # Edits no kiosk code makes today; the triggers must follow them all the same.
        with runtime.db.engine.begin() as conn:
            if kind == "move_signature":
                conn.exec_driver_sql(
                    "UPDATE signatures SET event_id = 'moved', created_at = '2020-01-01 10:00:00.000000' "
                    "WHERE rowid = (SELECT min(rowid) FROM signatures)"
                )
            elif kind == "edit_pledge":
                conn.exec_driver_sql(
                    "UPDATE pledges SET amount_pence = amount_pence + 7, gift_aid = NOT gift_aid, "
                    "frequency = CASE frequency WHEN 'monthly' THEN 'one_off' ELSE 'monthly' END "
                    "WHERE rowid = (SELECT max(rowid) FROM pledges)"
                )
            else:
                conn.exec_driver_sql("DELETE FROM outbox WHERE id = (SELECT max(id) FROM outbox)")


# Every kind of action at least once, whatever hypothesis draws.
EVERY_ACTION = [
    ("sign", 0, 1, None, False, False),
    ("sign", 3, 1, None, True, True),  # the same person again, now opting in: a duplicate with consent changes
    ("sign", 30, 2, "Another fair", False, False),
    ("pledge", 1, 1250, "one_off", True, None),
    ("pledge", 26, 500, "monthly", False, "Another fair"),
    ("sync", ["synced", "rejected", "retry"]),
    ("crash_mid_sync",),
    ("restart",),
    ("retry_rejected",),
    ("sync", []),
    ("export",),
    ("purge",),
    ("move_signature",),
    ("edit_pledge",),
    ("drop_outbox_entry",),
    ("sign", 0, 3, None, False, False),
]


def test_totals_equal_a_full_recount_after_any_sequence(tmp_path: Path) -> None:
    # One kiosk for every example (setting one up costs a scrypt): each sequence starts where the last ended, so
    # later examples run from ever richer states.
    runtime = open_test_runtime(tmp_path / "data")
    seen: set[str] = set()
    states_seen: set[str] = set()
    sequences: list[int] = []

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @example(EVERY_ACTION)
    @given(operations)
    def sequence(ops: list[tuple[Any, ...]]) -> None:
        sequences.append(len(ops))
        for op in ops:
            apply(runtime, op, tmp_path / "exports")
            seen.add(op[0])
            assert_totals_match_recount(runtime)
            with runtime.db.begin() as session:
                states_seen.update(reports.outbox_totals(session))

    try:
        assert_totals_match_recount(runtime)
        sequence()
        with runtime.db.begin() as session:
            events = reports.totals_by_event(session)
    finally:
        runtime.close()
    assert len(sequences) > 20 and seen == {op[0] for op in EVERY_ACTION}
    # The figures followed real changes: entries in every state, a signature moved to another event.
    assert states_seen == {"pending", "sending", "synced", "rejected"}
    assert ("signature", "moved") in events and ("pledge", "Another fair") in events


# --- time zones whose midnight falls inside a UTC hour -------------------------------------------------------------


@pytest.mark.parametrize("local_zone", ["UTC", "Europe/London", "Asia/Kolkata", "America/St_Johns"], indirect=True)
def test_today_and_bars_match_a_recount_in_any_time_zone(tmp_path: Path, local_zone: str) -> None:
    runtime = open_test_runtime(tmp_path / "data")
    try:
        midnight = utc_today_start()
        # Around local midnight (one minute either side, 20 minutes after) and within today's first UTC hour.
        for n, offset in enumerate((-1, 1, 20, 45, 61, 90)):
            when = midnight + dt.timedelta(minutes=offset)
            if when <= utcnow():
                store_signature(runtime, email=f"tz{n}@example.org", when=when)
                store_pledge(runtime, when=when, amount_pence=100 + n)
        assert_totals_match_recount(runtime)
        stats = collect_stats(runtime)
        expected = [o for o in (1, 20, 45, 61, 90) if midnight + dt.timedelta(minutes=o) <= utcnow()]
        assert stats.signatures_today == len(expected) and stats.pledges_today == len(expected)
        # The bars are the local day's hours (00:00-01:00 local holds minutes 1, 20 and 45), whatever the zone.
        bars = {bar.start.astimezone(dt.UTC): bar.signatures for bar in stats.hours}
        assert bars.get(midnight, 0) == sum(1 for o in expected if o < 60)
        assert sum(bars.values()) == len(expected)
    finally:
        runtime.close()


def test_totals_by_hour_splits_an_hour_only_by_counting_rows(tmp_path: Path) -> None:
    """A range that starts inside a UTC hour is counted from the rows, in hours from its start; whole hours come
    from the totals."""
    runtime = open_test_runtime(tmp_path / "data")
    try:
        hour = dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC)
        for minute in (0, 10, 29, 30, 59):
            store_signature(runtime, email=f"m{minute}@example.org", when=hour + dt.timedelta(minutes=minute))
        with runtime.db.begin() as session:
            whole = reports.totals_by_hour(session, hour, hour + dt.timedelta(hours=1))
            half = reports.totals_by_hour(session, hour + dt.timedelta(minutes=30), hour + dt.timedelta(hours=1))
            open_ended = reports.totals_by_hour(session, hour - dt.timedelta(hours=3))
    finally:
        runtime.close()
    assert whole == {("signature", hour): 5}
    assert half == {("signature", hour + dt.timedelta(minutes=30)): 2}  # an hour counted from where it starts
    assert open_ended == {("signature", hour): 5}


# --- the migration ---------------------------------------------------------------------------------------------------


def alembic_config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(path: Path, revision: str, *, down: bool = False) -> None:
    engine = make_engine(path)
    try:
        with engine.begin() as connection:
            config = alembic_config(connection)
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def totals_tables(path: Path) -> set[str]:
    raw = sqlite3.connect(path)
    try:
        return {
            name
            for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            if "totals" in name
        }
    finally:
        raw.close()


def test_upgrade_counts_the_records_already_stored_and_downgrade_removes_the_totals(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    migrate(path, "0003_tally_indexes")
    assert totals_tables(path) == set()
    raw = sqlite3.connect(path)
    base = dt.datetime(2026, 3, 15, 9, 30)
    with raw:
        raw.execute("INSERT INTO data_keys (id, wrapped, created_at) VALUES ('k', x'00', '2026-03-15 09:00:00')")
        for n in range(40):
            common = (
                str(uuid.uuid4()),
                "camp",
                f"kiosk-{n % 2}",
                f"event-{n % 3}",
                str(base + dt.timedelta(minutes=17 * n)),
            )
            raw.execute(
                "INSERT INTO signatures (id, campaign_id, kiosk_id, event_id, created_at, language, source, "
                "data_key_id, sealed, petition_id, optin_email, optin_sms) "
                "VALUES (?, ?, ?, ?, ?, 'en', 'kiosk', 'k', x'00', 'p', 0, 0)",
                common,
            )
            raw.execute(
                "INSERT INTO outbox (record_id, record_kind, adapter, state, attempts, created_at, updated_at) "
                "VALUES (?, 'signature', 'none', ?, 0, ?, ?)",
                (common[0], ("pending", "synced", "rejected", "sending")[n % 4], common[4], common[4]),
            )
            if n % 4 == 0:
                raw.execute(
                    "INSERT INTO pledges (id, campaign_id, kiosk_id, event_id, created_at, language, source, "
                    "data_key_id, sealed, amount_pence, currency, frequency, gift_aid, follow_up_email, "
                    "follow_up_phone, optin_email) "
                    "VALUES (?, ?, ?, ?, ?, 'en', 'kiosk', 'k', x'00', ?, ?, ?, ?, 0, 0, 0)",
                    (*common, 100 * n + 1, ("GBP", "EUR")[n % 8 // 4], ("one_off", "monthly")[n % 3 % 2], n % 3 == 0),
                )
    raw.close()

    db = open_database(path)  # what start-up does: migrate to head, filling the totals from the rows
    try:
        with db.begin() as session:
            rt = reports.RECORD_TOTALS.c
            by_event = reports.totals_by_event(session)
            assert by_event == {
                (kind, f"event-{e}"): count
                for kind, counts in (("signature", [14, 13, 13]), ("pledge", [4, 3, 3]))
                for e, count in enumerate(counts)
            }
            assert reports.outbox_totals(session) == reports.outbox_state_counts(session)
            assert reports.outbox_totals(session) == {"pending": 10, "synced": 10, "rejected": 10, "sending": 10}
            for currency in ("GBP", "EUR"):
                for event in (None, "event-0", "event-1"):
                    sums = reports.pledge_sums(session, currency, event_id=event)
                    expected = raw_pledge_sums(path, currency, event)
                    assert {f: (s.count, s.pence, s.gift_aid) for f, s in sums.items()} == expected
            for kiosk in ("kiosk-0", "kiosk-1"):
                assert reports.kiosk_total(session, Signature, kiosk) == 20
            hours = reports.totals_by_hour(session, dt.datetime(2026, 3, 15, tzinfo=dt.UTC), event_id="event-1")
            recounted = reports.counts_by_hour(
                session,
                Signature,
                dt.datetime(2026, 3, 15, tzinfo=dt.UTC),
                dt.datetime(2026, 3, 17, tzinfo=dt.UTC),
                "event-1",
            )
            assert {h: n for (kind, h), n in hours.items() if kind == "signature"} == recounted
            assert session.execute(select(rt.hour).where(rt.hour < 0)).first() is None
    finally:
        db.close()
    assert len(totals_tables(path)) == 11  # two tables and nine triggers

    migrate(path, "0003_tally_indexes", down=True)
    assert totals_tables(path) == set()
    open_database(path).close()  # and up again
    assert len(totals_tables(path)) == 11


def raw_pledge_sums(path: Path, currency: str, event: str | None) -> dict[str, tuple[int, int, int]]:
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute(
            "SELECT frequency, count(*), sum(amount_pence), sum(gift_aid) FROM pledges "
            "WHERE currency = ? AND (? IS NULL OR event_id = ?) GROUP BY frequency",
            (currency, event, event),
        ).fetchall()
    finally:
        raw.close()
    return {str(f): (int(c), int(p), int(g)) for f, c, p, g in rows}


def test_a_save_with_an_unreadable_time_still_counts(tmp_path: Path) -> None:
    """A timestamp SQLite cannot read lands in hour -1: counted in every total, never in a day, never refused."""
    runtime = open_test_runtime(tmp_path / "data")
    try:
        store_signature(runtime)
        with runtime.db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE signatures SET created_at = 'not a time'")
        with runtime.db.begin() as session:
            assert reports.totals_by_event(session) == {("signature", runtime.event_id): 1}
            assert reports.totals_by_hour(session, utc_today_start()) == {}
            assert reports.kiosk_total(session, Signature, runtime.kiosk_id) == 1
    finally:
        runtime.close()
