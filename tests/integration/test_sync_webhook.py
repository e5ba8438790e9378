"""The real sync engine against a loopback webhook receiver that checks the HMAC and validates every batch against
docs/webhook.schema.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.runtime import KioskRuntime
from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import SyncEngine
from kiosk.sync.settings import parse_sync_settings
from local_db.models import OutboxEntry
from tests.helpers.fake_webhook import FakeWebhook
from tests.helpers.sync_records import FakeNow, open_sync_runtime, pledge, sign, withdraw

FAST = Backoff(base_s=0.001, cap_s=0.01)


@pytest.fixture
def now() -> FakeNow:
    return FakeNow()


def make(data_dir: Path, hook: FakeWebhook, now: FakeNow, **sync: Any) -> tuple[KioskRuntime, SyncEngine]:
    config = hook.sync_config(**{"rate_limit_per_s": 0, "timeout_s": 0.5, **sync})
    runtime = open_sync_runtime(data_dir, config)
    return runtime, SyncEngine(runtime, parse_sync_settings(config), backoff=FAST, now=now)


def entries(runtime: KioskRuntime) -> list[OutboxEntry]:
    with runtime.db.begin() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def test_records_go_in_signed_batches_of_at_most_100(data_dir: Path, hook: FakeWebhook, now: FakeNow) -> None:
    runtime, engine = make(data_dir, hook, now)
    ids = [sign(runtime, n, optin_email=n % 3 == 0) for n in range(130)]

    result = engine.run_pass()

    assert (result.synced, result.counts.waiting) == (130, 0)
    batches = hook.requests("POST")
    assert [len(b.body["records"]) for b in batches] == [100, 30]
    assert hook.schema_errors == []
    assert hook.idempotency_keys == [b.body["batch_id"] for b in batches]
    assert set(hook.records) == set(ids)
    record = hook.records[ids[0]]
    assert record["type"] == "signature" and record["petition_id"] == "hikvision-out"
    assert record["person"]["first_name"] == "Ann"
    assert record["consents"]["email_updates"]["granted"] is True
    assert hook.records[ids[1]]["consents"]["email_updates"]["granted"] is False
    assert len(record["consents"]["sign"]["text_sha256"]) == 64
    assert all(e.remote_id == f"batch:{batches[0].body['batch_id']}" for e in entries(runtime)[:100])
    runtime.close()


def test_receiver_rejections_keep_their_reason(data_dir: Path, hook: FakeWebhook, now: FakeNow) -> None:
    runtime, engine = make(data_dir, hook, now)
    good = sign(runtime, 1)
    bad = sign(runtime, 2, email="reject.someone@example.org")
    result = engine.run_pass()
    assert (result.synced, result.rejected) == (1, 1)
    states = {e.record_id: (e.state, e.last_error) for e in entries(runtime)}
    assert states[good] == ("synced", None)
    assert states[bad] == ("rejected", "unknown campaign for this address")
    runtime.close()


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "reset"},
        {"kind": "500"},
        {"kind": "429", "retry_after": "5"},
        {"kind": "slow", "delay_s": 1.0},
        {"kind": "lost"},
        {"kind": "malformed"},
    ],
    ids=lambda f: f["kind"],
)
def test_faults_lose_nothing_and_retries_repeat_the_idempotency_key(
    data_dir: Path, hook: FakeWebhook, now: FakeNow, fault: dict[str, Any]
) -> None:
    runtime, engine = make(data_dir, hook, now)
    ids = [sign(runtime, n) for n in range(5)]
    hook.inject(path="/hooks", **fault)
    result = engine.run_pass()
    for _ in range(5):
        if result.counts.waiting == 0:
            break
        now.advance(3600)
        result = engine.run_pass()
    assert result.counts.synced == 5 and result.counts.waiting == 0
    assert set(hook.records) == set(ids)
    keys = [r.body["batch_id"] for r in hook.requests("POST")]
    assert len(keys) == 2 and keys[0] == keys[1]  # the same set of records is the same batch
    runtime.close()


def test_wrong_secret_is_rejected_and_stops(data_dir: Path, hook: FakeWebhook, now: FakeNow) -> None:
    runtime, engine = make(data_dir, hook, now, webhook={"secret": "not-the-shared-secret"}, **{})
    for n in range(3):
        sign(runtime, n)
    result = engine.run_pass()
    assert result.status == "auth"
    assert {e.state for e in entries(runtime)} == {"rejected"}
    assert "401" in entries(runtime)[0].last_error and "bad signature" in entries(runtime)[0].last_error
    assert hook.records == {}
    runtime.close()


def test_pledges_and_consent_changes_are_carried(data_dir: Path, hook: FakeWebhook, now: FakeNow) -> None:
    runtime, engine = make(data_dir, hook, now)
    pledged = pledge(runtime, email="giver@example.org", amount_pence=1500, frequency="one_off")
    signed = sign(runtime, email="changer@example.org", optin_email=True)
    event_id = withdraw(runtime, signed, "email_updates")
    assert engine.run_pass().synced == 3
    assert hook.schema_errors == []
    record = hook.records[pledged]
    assert record["type"] == "pledge"
    assert record["pledge"] == {"amount_pence": 1500, "currency": "GBP", "frequency": "one_off", "gift_aid": False}
    change = hook.records[f"{signed}/consent/{event_id}"]
    assert change["type"] == "consent_change"
    assert change["consent_change"]["purpose"] == "email_updates" and change["consent_change"]["granted"] is False
    # The record itself carries the latest state: the withdrawal came before it was sent.
    assert hook.records[signed]["consents"]["email_updates"]["granted"] is False
    runtime.close()


def test_records_made_while_sync_was_off_are_sent_once_it_is_on(
    data_dir: Path, hook: FakeWebhook, now: FakeNow
) -> None:
    runtime = open_sync_runtime(data_dir, {"adapter": "none"})
    ids = [sign(runtime, n) for n in range(3)]
    assert {e.adapter for e in entries(runtime)} == {"none"}
    runtime.close()
    runtime, engine = make(data_dir, hook, now)
    assert engine.run_pass().synced == 3
    assert set(hook.records) == set(ids)
    assert {e.adapter for e in entries(runtime)} == {"webhook"}
    runtime.close()
