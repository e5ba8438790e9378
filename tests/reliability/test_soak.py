"""Soak: a long day at the stall through the real window (``make test-all``; marked slow).

- 2,000 complete signing flows, typed with key events through the real QML: memory (RSS) may not grow by more
  than 30 MB after a warm-up of 50 flows, and no Qt/QML warning may appear (pytest-qt fails the test on one).
- 100,000 stored records: the attract screen's tally and the organiser dashboard still update in under 20 ms.
  This is the one timing the issue asks a test to hold; the margin is generous for a shared 2-core machine
  (measured figures are in docs/reliability.md), and bench/ reports the detailed numbers.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

import pytest

from tests.helpers.kiosk import KioskHarness
from tests.reliability.bulk import fill_signatures
from tests.reliability.records import draft

FLOWS = int(os.environ.get("SOAK_FLOWS", "2000"))
WARM_UP = 50
RSS_GROWTH_LIMIT = 30 * 1024 * 1024
RECORDS = 100_000
UPDATE_LIMIT_S = 0.020


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def one_flow(k: KioskHarness, n: int) -> None:
    """Sign as signer ``n`` the way a person does: tap, type, tick, submit, and the thank-you returns home."""
    d = draft(n, tag="-soak")
    k.click("signPetitionButton")
    k.wait_screen("sign")
    k.click("nextButton")
    for field, text in (
        ("firstNameField", d.first_name),
        ("lastNameField", d.last_name),
        ("emailField", d.email),
        ("postcodeField", d.postcode),
    ):
        k.type_text(field, text)
    k.click("nextButton")
    k.click(k.find("consentSignCheck"))
    if d.optin_email:
        k.click("optinEmailCheck")
    k.click("submitSignatureButton")
    vm = k.controller.feature("signing")
    try:
        k.qtbot.waitUntil(lambda: k.screen() in ("thankYou", "attract") and not vm.property("firstName"), timeout=5000)
    except Exception as exc:
        raise AssertionError(
            f"flow {n} stuck on {k.screen()!r}: errors {vm.property('errors')}, failure {vm.property('failure')!r}"
        ) from exc
    k.wait_screen("attract", timeout=5000)


@pytest.mark.slow
def test_2000_signing_flows_without_growing_or_warnings(kiosk: KioskHarness) -> None:
    k = kiosk
    k.controller.setProperty("thankYouMs", 50)
    for n in range(WARM_UP):
        one_flow(k, n)
    baseline = rss_bytes()
    samples = []
    for n in range(WARM_UP, FLOWS):
        one_flow(k, n)
        if n % 250 == 0:
            samples.append(rss_bytes())
    growth = rss_bytes() - baseline
    print(
        f"{FLOWS} flows: RSS {baseline / 2**20:.1f} MB after {WARM_UP}, {rss_bytes() / 2**20:.1f} MB at the end"
        f" (growth {growth / 2**20:.1f} MB; samples {[round(s / 2**20, 1) for s in samples]})"
    )
    assert growth < RSS_GROWTH_LIMIT
    assert k.controller.property("tallyTotal") == FLOWS


def median_seconds(action, runs: int = 9) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fill_a_month(k: KioskHarness) -> None:
    """100,000 signatures over the last 35 days (one every 30 s), all at this kiosk's event."""
    fill_signatures(k.runtime, RECORDS, spacing=dt.timedelta(seconds=30))


@pytest.mark.slow
def test_attract_tally_with_100000_records(kiosk: KioskHarness) -> None:
    k = kiosk
    fill_a_month(k)
    controller = k.controller

    def tally() -> None:
        controller._tally_total = -1  # force a change so the update reaches QML each time
        controller.refreshTally()
        assert controller.property("tallyTotal") == RECORDS

    tally()
    tally_s = median_seconds(tally)
    print(f"100,000 records: attract tally update {tally_s * 1000:.1f} ms (median of 9)")
    assert str(RECORDS) in k.text_of("tallyText").replace(",", "")
    assert tally_s < UPDATE_LIMIT_S


@pytest.mark.slow
def test_dashboard_refresh_with_100000_records(kiosk: KioskHarness) -> None:
    k = kiosk
    fill_a_month(k)
    dashboard = k.controller.feature("dashboard")

    def dashboard_refresh() -> None:
        with k.qtbot.waitSignal(dashboard.statsChanged, timeout=5000):
            dashboard.refresh()

    dashboard_refresh()  # warm caches the way a running kiosk has them
    dashboard_s = median_seconds(dashboard_refresh)
    print(f"100,000 records: dashboard refresh {dashboard_s * 1000:.1f} ms (median of 9)")
    assert dashboard.property("loaded")
    assert dashboard_s < UPDATE_LIMIT_S
