"""The organiser dashboard through the real QML: counts, bars by hour, funnel, pledge totals, sync and vault state,
updated live, with no personal data on screen; and figures that come from indexed aggregate queries only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import event

from kiosk.bridge.dashboard import HourlyBarsModel
from kiosk.dashboard import MIN_CHART_HOURS, HourBar, collect_stats, today_hours
from kiosk.vault import utc_today_start
from local_db import repositories as repo
from local_db.models import utcnow
from tests.helpers.kiosk import KioskHarness, open_organiser, unlock_vault
from tests.helpers.organiser_records import open_test_runtime, store_pledge, store_signature


def figure(k: KioskHarness, name: str) -> str:
    return str(k.find(name).property("value"))


def visible_texts(k: KioskHarness) -> list[str]:
    from PySide6.QtQuick import QQuickItem

    panel = k.find("dashboardScreen")
    return [
        str(item.property("text"))
        for item in panel.findChildren(QQuickItem)
        if item.isVisible() and isinstance(item.property("text"), str)
    ]


def wait_for_figures(k: KioskHarness) -> Any:
    vm = k.controller.feature("dashboard")
    k.qtbot.waitUntil(lambda: bool(vm.property("loaded")) and not vm.refreshing, timeout=10_000)
    return vm


def test_hourly_bars_model_passes_qtmodeltester(qtmodeltester: Any) -> None:
    model = HourlyBarsModel()
    start = dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC)
    model.set_bars([HourBar(start + dt.timedelta(hours=i), i, i % 2) for i in range(8)])
    qtmodeltester.check(model)
    assert model.rowCount() == 8 and model.tallest == 8
    index = model.index(7)
    assert model.data(index, HourlyBarsModel.Role.Share) == 1.0
    assert model.data(index, HourlyBarsModel.Role.Signatures) == 7
    assert model.data(model.index(2), HourlyBarsModel.Role.Share) == pytest.approx(2 / 8)
    # The clock moves on: a new hour at the end, same figures kept.
    model.set_bars([HourBar(start + dt.timedelta(hours=i), i, 0) for i in range(1, 10)])
    qtmodeltester.check(model)
    assert model.rowCount() == 9
    assert {bytes(name.data()) for name in model.roleNames().values()} == {
        b"label",
        b"signatures",
        b"pledges",
        b"total",
        b"share",
    }


def test_dashboard_shows_counts_bars_funnel_totals_and_state(kiosk: KioskHarness) -> None:
    k = kiosk
    runtime = k.runtime
    now = utcnow()
    yesterday = now - dt.timedelta(days=1)
    store_signature(runtime, "Zoë", "Uniquename", "zoe@example.org")
    store_signature(runtime, email="b@example.org", when=now - dt.timedelta(hours=1))
    store_signature(runtime, email="c@example.org", when=yesterday)
    store_signature(runtime, email="d@example.org", event="Another fair")
    store_pledge(runtime, amount_pence=1250)
    store_pledge(runtime, amount_pence=500, frequency="monthly", gift_aid=False)
    with runtime.db.begin() as session:
        for _ in range(9):
            repo.bump_funnel(session, "attract", "started", runtime.event_id)
        for _ in range(6):
            repo.bump_funnel(session, "sign", "started", runtime.event_id)
        repo.bump_funnel(session, "sign", "abandoned", runtime.event_id)
    open_organiser(k)
    k.find("dashboardScreen")
    wait_for_figures(k)

    today_start = utc_today_start(now)
    today_here = sum(1 for when in (now, now - dt.timedelta(hours=1), yesterday) if when >= today_start)
    assert figure(k, "signaturesToday") == str(today_here)
    assert (figure(k, "signaturesEvent"), figure(k, "signaturesAll")) == ("3", "4")
    assert (figure(k, "pledgesToday"), figure(k, "pledgesEvent"), figure(k, "pledgesAll")) == ("2", "2", "2")
    assert figure(k, "oneOffTotal") == "£12.50" and figure(k, "monthlyTotal") == "£5/month"
    assert figure(k, "giftAidCount") == "1"
    assert (figure(k, "syncPending"), figure(k, "syncSynced"), figure(k, "syncRejected")) == ("6", "0", "0")
    assert figure(k, "vaultStateText") == "Locked" and figure(k, "freeDisk").endswith(("GB", "MB", "TB", "KB"))
    counts = {
        step: k.find(f"funnelCount_{step}").property("text")
        for step in ("attract", "started", "completed", "abandoned")
    }
    # Completed counts every save (4 signatures here, 2 pledges) at this event; attract/started/abandoned as bumped.
    assert counts == {"attract": "9", "started": "6", "completed": "5", "abandoned": "1"}

    # Today's hours so far, at least MIN_CHART_HOURS of them once the day is that old (just after midnight: fewer).
    shown_hours = min(MIN_CHART_HOURS, len(today_hours(now)))
    bars = [k.find_any(f"hourBar_{i}") for i in range(shown_hours)]
    assert all(bar is not None for bar in bars)
    assert k.find_any(f"hourBar_{shown_hours}") is None or shown_hours == MIN_CHART_HOURS
    current = bars[-1]
    from PySide6.QtQuick import QQuickItem

    signature_bar = next(c for c in current.findChildren(QQuickItem, "signatureBar"))
    pledge_bar = next(c for c in current.findChildren(QQuickItem, "pledgeBar"))
    assert signature_bar.height() > 0 and pledge_bar.height() > 0
    # This hour: 1 signature at this event and 2 pledges; all bars share one unit.
    assert pledge_bar.height() == pytest.approx(2 * signature_bar.height())
    if now - dt.timedelta(hours=1) >= today_start:
        previous = next(c for c in bars[-2].findChildren(QQuickItem, "signatureBar"))
        assert previous.height() == pytest.approx(signature_bar.height())

    shown = " ".join(visible_texts(k))
    assert "Uniquename" not in shown and "zoe@example.org" not in shown and "Zoë" not in shown


def test_dashboard_updates_live_after_a_save_and_an_unlock(kiosk: KioskHarness) -> None:
    k = kiosk
    open_organiser(k)
    k.find("dashboardScreen")
    vm = wait_for_figures(k)
    assert figure(k, "signaturesToday") == "0"
    store_signature(k.runtime)
    k.controller.refreshTally()  # what the signing view model does after every save
    k.qtbot.waitUntil(lambda: figure(k, "signaturesToday") == "1", timeout=10_000)
    unlock_vault(k)
    k.click("dashboardTab")
    k.qtbot.waitUntil(lambda: figure(k, "vaultStateText") == "Unlocked", timeout=10_000)
    assert vm.property("live")
    k.click("closeOrganiserButton")
    k.wait_screen("attract")
    assert not vm.property("live"), "leaving organiser mode stops the refresh timer"
    k.qtbot.waitUntil(lambda: not vm.refreshing, timeout=10_000)


def test_every_figure_comes_from_the_running_totals(set_up_data_dir: Any) -> None:
    """No query behind the dashboard reads the record tables or the outbox row by row: the counts come from the
    running totals (migration 0004), so 100,000 records cost what 100 do (bench/bench_dashboard.py prints the time).
    Only in a time zone whose midnight is not a whole UTC hour are today's rows counted, by an index search."""
    runtime = open_test_runtime(set_up_data_dir)
    try:
        store_signature(runtime)
        store_pledge(runtime)
        statements: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append((statement, parameters))

        event.listen(runtime.db.engine, "before_cursor_execute", capture)
        stats = collect_stats(runtime)
        event.remove(runtime.db.engine, "before_cursor_execute", capture)
        assert stats.signatures_all == 1 and stats.pledges_all == 1 and stats.pledges.count == 1
        assert stats.signatures_today == 1 and stats.sync_states["pending"] == 2
        assert any("FROM record_totals" in s for s, _ in statements)
        assert any("FROM outbox_totals" in s for s, _ in statements)
        whole_hour_midnight = utc_today_start().timestamp() % 3600 == 0
        with runtime.db.engine.connect() as conn:
            for statement, parameters in statements:
                plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
                for table in ("signatures", "pledges", "outbox", "consent_events"):
                    assert not any(step.split()[:2] == ["SCAN", table] for step in plan), f"{statement!r}: {plan}"
                    if whole_hour_midnight:
                        assert not re.search(rf"\b{table}\b", statement), f"{statement!r} counts rows"
                assert "ORDER BY" not in statement.upper(), "figures are aggregates, not rows to sort"
    finally:
        runtime.close()
