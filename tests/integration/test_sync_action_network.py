"""The real sync engine against a loopback server that behaves like Action Network, with injected faults.

Every test ends by checking what an organiser would care about: each record is on the petition exactly once or
rejected with the server's reason, none is lost, nobody who did not opt in is subscribed, and no existing
supporter is unsubscribed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import PassResult, SyncEngine
from kiosk.sync.settings import parse_sync_settings
from local_db.models import OutboxEntry
from tests.helpers.fake_action_network import FakeActionNetwork, max_in_window
from tests.helpers.kiosk import PASSPHRASE
from tests.helpers.sync_records import FakeNow, open_sync_runtime, pledge, sign, sync_options, withdraw

FAST = Backoff(base_s=0.001, cap_s=0.01)


@pytest.fixture
def now() -> FakeNow:
    return FakeNow()


def make(data_dir: Path, server: FakeActionNetwork, now: FakeNow, **sync: Any) -> tuple[KioskRuntime, SyncEngine]:
    config = server.sync_config(**{"rate_limit_per_s": 0, "timeout_s": 0.5, **sync})
    runtime = open_sync_runtime(data_dir, config)
    engine = SyncEngine(runtime, parse_sync_settings(config), backoff=FAST, now=now)
    return runtime, engine


def entries(runtime: KioskRuntime) -> list[OutboxEntry]:
    with runtime.db.begin() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def drain(engine: SyncEngine, now: FakeNow, passes: int = 20) -> PassResult:
    """Run passes (time moving on between them) until nothing is pending."""
    result = engine.run_pass()
    for _ in range(passes):
        if result.counts.waiting == 0:
            break
        now.advance(3600)
        result = engine.run_pass()
    return result


def assert_each_once(server: FakeActionNetwork, runtime: KioskRuntime, record_ids: list[str]) -> None:
    for record_id in record_ids:
        found = server.signatures_with(f"campaign_kiosk:{record_id}")
        assert len(found) == 1, f"{record_id} is on the petition {len(found)} times"
    by_record = {e.record_id: e for e in entries(runtime) if e.consent_event_id is None}
    for record_id in record_ids:
        entry = by_record[record_id]
        assert entry.state == "synced"
        (stored,) = server.signatures_with(f"campaign_kiosk:{record_id}")
        assert entry.remote_id == f"action_network:{stored.id}"
        assert entry.synced_at is not None


def test_signatures_arrive_once_and_only_opt_ins_are_subscribed(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow
) -> None:
    runtime, engine = make(data_dir, an, now)
    yes = sign(runtime, email="yes@example.org", optin_email=True)
    no = sign(runtime, email="no@example.org")
    texts = sign(runtime, email="texts@example.org", phone="07911 123123", optin_sms=True)
    quiet_phone = sign(runtime, email="quiet@example.org", phone="07911 123456")

    result = engine.run_pass()

    assert (result.status, result.synced, result.counts.waiting) == ("done", 4, 0)
    assert_each_once(an, runtime, [yes, no, texts, quiet_phone])
    assert an.person_by_email("yes@example.org").email_status == "subscribed"
    assert an.person_by_email("no@example.org").email_status == "unsubscribed"
    texter = an.person_by_email("texts@example.org")
    assert (texter.email_status, texter.phone_status) == ("unsubscribed", "subscribed")
    quiet = an.person_by_email("quiet@example.org")
    assert (quiet.email_status, quiet.phone_status) == ("unsubscribed", "unsubscribed")
    assert an.status_violations == []
    # The signature itself never carries a status other than "subscribed", and carries the source and tags.
    for request in an.requests("POST", "/signatures"):
        assert "unsubscribed" not in str(request.body)
        assert request.body["action_network:referrer_data"] == {"source": "kiosk"}
        assert request.body["add_tags"] == ["kiosk"]
    runtime.close()


def test_new_signer_without_opt_in_is_created_unsubscribed_before_the_signature(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow
) -> None:
    runtime, engine = make(data_dir, an, now)
    sign(runtime, email="new@example.org", first="Nia", last="Newcomer")
    engine.run_pass()
    assert [r.method for r in an.log] == ["GET", "POST", "POST"]
    lookup, signup, signature = an.log
    assert lookup.query["filter"] == ["email_address eq 'new@example.org'"]
    assert signup.path.endswith("/people/")
    assert signup.body["person"]["email_addresses"] == [{"address": "new@example.org", "status": "unsubscribed"}]
    assert signature.path.endswith("/signatures/")
    assert signature.body["person"]["email_addresses"] == [{"address": "new@example.org"}]
    assert signature.body["person"]["given_name"] == "Nia"
    assert signature.body["person"]["postal_addresses"] == [{"postal_code": "SW1A 1AA", "country": "GB"}]
    runtime.close()


def test_existing_supporters_are_never_unsubscribed(data_dir: Path, an: FakeActionNetwork, now: FakeNow) -> None:
    by_email = an.add_person("fan@example.org", email_status="subscribed")
    by_phone = an.add_person("", phone="+447911123777", phone_status="subscribed")
    runtime, engine = make(data_dir, an, now)
    sign(runtime, email="FAN@example.org")  # no opt-in this time
    sign(runtime, email="other@example.org", phone="07911 123777")  # known mobile, new email, no opt-ins

    assert engine.run_pass().synced == 2

    assert by_email.email_status == "subscribed"
    assert by_phone.phone_status == "subscribed"
    assert an.status_changes == []
    for request in an.requests("POST"):
        text = str(request.body)
        if "fan@example.org" in text or "+447911123777" in text:
            assert "unsubscribed" not in text
    # The new email is kept off the list: created on its own, unsubscribed, without the known phone.
    assert an.person_by_email("other@example.org").email_status == "unsubscribed"
    runtime.close()


FAULTS = [
    pytest.param({"kind": "reset"}, id="connection-reset"),
    pytest.param({"kind": "500"}, id="500"),
    pytest.param({"kind": "503", "retry_after": "7"}, id="503-retry-after"),
    pytest.param({"kind": "429", "retry_after": "30"}, id="429-retry-after"),
    pytest.param({"kind": "slow", "delay_s": 1.0}, id="timeout-after-storing"),
    pytest.param({"kind": "lost"}, id="response-lost-after-storing"),
    pytest.param({"kind": "malformed"}, id="malformed-json-after-storing"),
]


@pytest.mark.parametrize("fault", FAULTS)
def test_faults_end_with_every_record_on_the_petition_exactly_once(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow, fault: dict[str, Any]
) -> None:
    runtime, engine = make(data_dir, an, now)
    ids = [sign(runtime, n, optin_email=n % 2 == 0) for n in range(4)]
    an.inject(path="/signatures", times=2, **fault)

    result = drain(engine, now)

    assert result.counts == type(result.counts)(synced=4)
    assert_each_once(an, runtime, ids)
    assert len(an.signatures) == 4
    for n, record_id in enumerate(ids):
        person = an.people[an.signatures_with(f"campaign_kiosk:{record_id}")[0].person_id]
        assert person.email_status == ("subscribed" if n % 2 == 0 else "unsubscribed")
    # Whatever reached the server was looked up by identifier before being sent again.
    retried = [e for e in entries(runtime) if e.attempts > 1]
    assert retried
    for entry in retried:
        identifier = f"campaign_kiosk:{entry.record_id}"
        checks = [
            r for r in an.requests("GET", "/signatures") if r.query["filter"] == [f"identifier eq '{identifier}'"]
        ]
        assert len(checks) >= 1
    stored_then_lost = fault["kind"] in ("slow", "lost", "malformed")
    posts = an.requests("POST", "/signatures")
    if stored_then_lost:
        # The faulted posts reached the server; the identifier check found them, so no second post was made.
        assert len(posts) == 4
    runtime.close()


def test_server_reason_is_kept_for_a_400_and_others_still_sync(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow
) -> None:
    runtime, engine = make(data_dir, an, now)
    bad = sign(runtime, email="bad@example.org", optin_email=True)
    good = sign(runtime, email="good@example.org", optin_email=True)
    an.inject("400", path="/signatures", reason="Postal code bad@example.org is not valid")

    result = engine.run_pass()

    assert (result.synced, result.rejected) == (1, 1)
    rejected = next(e for e in entries(runtime) if e.record_id == bad)
    assert rejected.state == "rejected"
    assert "HTTP 400" in rejected.last_error and "is not valid" in rejected.last_error
    assert "bad@example.org" not in rejected.last_error  # personal data echoed by a server is not kept in clear
    assert_each_once(an, runtime, [good])
    runtime.close()


def test_a_refused_token_rejects_stops_and_recovers_after_the_fix(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow
) -> None:
    runtime, engine = make(data_dir, an, now, action_network={"token": "wrong-token"})
    ids = [sign(runtime, n) for n in range(3)]

    result = engine.run_pass()

    assert result.status == "auth"
    assert (result.rejected, result.counts.pending) == (1, 2)
    rejected = [e for e in entries(runtime) if e.state == "rejected"]
    assert "401" in rejected[0].last_error and "API Key invalid" in rejected[0].last_error
    assert "wrong-token" not in rejected[0].last_error
    runtime.close()

    runtime, engine = make(data_dir, an, now)  # the organiser fixed the token
    assert engine.retry_rejected() == 1
    assert engine.run_pass().synced == 3
    assert_each_once(an, runtime, ids)
    runtime.close()


def test_rate_limit_is_never_exceeded(data_dir: Path, an: FakeActionNetwork, now: FakeNow) -> None:
    runtime, engine = make(data_dir, an, now, rate_limit_per_s=20)
    for n in range(16):
        sign(runtime, n, optin_email=True)  # two requests each: look-up and signature
    assert engine.run_pass().synced == 16
    times = [r.at for r in an.log]
    assert len(times) == 32
    assert max_in_window(times, 1.0) <= 20
    runtime.close()


def test_backoff_timers_and_retry_after_are_honoured(data_dir: Path, an: FakeActionNetwork, now: FakeNow) -> None:
    runtime, engine = make(data_dir, an, now)
    record = sign(runtime, optin_email=True)
    an.inject("500", path="/signatures")
    first = engine.run_pass()
    assert first.retried == 1
    (entry,) = entries(runtime)
    assert entry.state == "pending" and entry.next_attempt_at is not None
    assert now() <= entry.next_attempt_at <= now() + dt.timedelta(seconds=FAST.ceiling(1))
    sent = len(an.log)
    now.advance(-1)  # before the timer: an automatic pass leaves it alone
    assert engine.run_pass().total == 0 and len(an.log) == sent
    now.advance(1)

    an.inject("429", path="/signatures", retry_after="120")
    assert engine.run_pass(manual=True).status == "throttled"
    (entry,) = entries(runtime)
    assert entry.retry_after_until is not None
    assert (entry.retry_after_until - now()).total_seconds() == pytest.approx(120, abs=1)
    sent = len(an.log)
    now.advance(60)
    held = engine.run_pass(manual=True)  # "Sync now" skips backoff timers, never Retry-After
    assert held.status == "throttled" and len(an.log) == sent
    now.advance(61)
    assert engine.run_pass(manual=True).synced == 1
    assert_each_once(an, runtime, [record])
    runtime.close()


def test_retry_after_as_an_http_date(data_dir: Path, an: FakeActionNetwork, now: FakeNow) -> None:
    from email.utils import format_datetime

    runtime, engine = make(data_dir, an, now)
    sign(runtime, optin_email=True)
    later = now() + dt.timedelta(seconds=90)
    an.inject("503", path="/signatures", retry_after=format_datetime(later, usegmt=True))
    assert engine.run_pass().status == "throttled"
    (entry,) = entries(runtime)
    assert (entry.retry_after_until - now()).total_seconds() == pytest.approx(90, abs=1)
    runtime.close()


def test_crash_mid_send_is_checked_on_the_server_before_sending_again(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow
) -> None:
    runtime, engine = make(data_dir, an, now)
    record = sign(runtime, optin_email=True)
    # The post reached the server and stored the signature, then the kiosk died before recording the answer.
    an.inject("lost", path="/signatures")
    engine.run_pass()
    with runtime.db.begin() as session:
        entry = session.scalars(select(OutboxEntry)).one()
        entry.state = "sending"
    engine.close()  # the process dies: its sync lock goes with it
    runtime.close()

    runtime = open_runtime(sync_options(data_dir, an.sync_config(rate_limit_per_s=0)))
    (entry,) = entries(runtime)
    assert entry.state == "sending"  # opening storage alone leaves it: only the process that syncs recovers
    engine = SyncEngine(runtime, parse_sync_settings(an.sync_config(rate_limit_per_s=0)), backoff=FAST, now=now)
    (entry,) = entries(runtime)
    assert entry.state == "pending"
    now.advance(3600)
    assert engine.run_pass().synced == 1
    assert len(an.requests("POST", "/signatures")) == 1
    assert_each_once(an, runtime, [record])
    runtime.close()


def test_later_opt_in_and_withdrawal_are_delivered_as_consented(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow
) -> None:
    runtime, engine = make(data_dir, an, now)
    first = sign(runtime, email="twice@example.org")
    assert engine.run_pass().synced == 1
    assert an.person_by_email("twice@example.org").email_status == "unsubscribed"
    # Same person signs again and ticks email updates: a consent change entry subscribes them.
    again = sign(runtime, email="twice@example.org", optin_email=True)
    assert again == first
    assert engine.run_pass().synced == 1
    assert an.person_by_email("twice@example.org").email_status == "subscribed"
    # Later they withdraw: that is their own request, so they are unsubscribed.
    withdraw(runtime, first, "email_updates")
    assert engine.run_pass().synced == 1
    assert an.person_by_email("twice@example.org").email_status == "unsubscribed"
    assert len(an.signatures) == 1
    runtime.close()


def test_pledges_go_to_action_network_as_tagged_people(data_dir: Path, an: FakeActionNetwork, now: FakeNow) -> None:
    runtime, engine = make(data_dir, an, now, action_network={"pledge_tags": ["pledged"]})
    pledge(runtime, email="giver@example.org", amount_pence=2500)
    assert engine.run_pass().synced == 1
    giver = an.person_by_email("giver@example.org")
    assert giver.email_status == "unsubscribed"  # pledged, did not ask for email updates
    assert giver.tags == {"pledged"}
    assert giver.custom_fields["kiosk_pledge_amount"] == "25.00 GBP"
    assert an.signatures == {}
    runtime.close()


def test_locked_vault_pauses_sync_and_loses_nothing(data_dir: Path, an: FakeActionNetwork, now: FakeNow) -> None:
    runtime, engine = make(data_dir, an, now)
    sign(runtime)
    runtime.vault.lock()
    result = engine.run_pass()
    assert (result.status, result.counts.pending) == ("locked", 1)
    assert an.log == []
    runtime.close()


def test_no_personal_data_or_token_in_logs(
    data_dir: Path, an: FakeActionNetwork, now: FakeNow, caplog: pytest.LogCaptureFixture
) -> None:
    runtime, engine = make(data_dir, an, now)
    sign(runtime, email="private.person@example.org", first="Zebedee", phone="07911 123321")
    an.inject("500", path="/signatures")
    with caplog.at_level(logging.DEBUG):
        engine.run_pass()
        now.advance(3600)
        engine.run_pass()
    text = caplog.text
    assert "sync pass" in text
    for secret in ("private.person", "Zebedee", "123321", an.token):
        assert secret not in text
    runtime.close()


def write_config(path: Path, server: FakeActionNetwork, origin: str | None = None) -> Path:
    sync = server.sync_config(rate_limit_per_s=50, timeout_s=2)
    lines = ["[sync]", 'adapter = "action_network"', "rate_limit_per_s = 50", "timeout_s = 2", "[sync.action_network]"]
    for key, value in sync["action_network"].items():
        if origin and isinstance(value, str):
            value = value.replace(server.origin, origin)
        lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def dead_origin() -> str:
    """An address on this machine where nothing listens (the kiosk is "offline")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def cli_sync(data_dir: Path, config: Path, passphrase_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--data-dir",
            str(data_dir),
            "--config",
            str(config),
            "sync",
            "--once",
            "--unlock-passphrase-file",
            str(passphrase_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_once_exit_codes_and_summary(data_dir: Path, an: FakeActionNetwork, now: FakeNow, tmp_path: Path) -> None:
    config = write_config(tmp_path / "kiosk.toml", an)
    passphrase = tmp_path / "pass"
    passphrase.write_text(PASSPHRASE + "\n")
    runtime, engine = make(data_dir, an, now)
    ids = [sign(runtime, n, optin_email=True) for n in range(3)]
    engine.close()  # the CLI syncs in its own process: this one must not hold the sync lock meanwhile
    runtime.close()
    an.inject("400", path="/signatures", reason="Invalid petition data")

    rejected = cli_sync(data_dir, config, passphrase)
    assert rejected.returncode == 4, rejected.stdout + rejected.stderr
    assert rejected.stdout.strip().splitlines()[-1].startswith("synced 2 · pending 0 · rejected 1")

    # The organiser retries the rejected one while the network is down, and someone else signs meanwhile.
    runtime, engine = make(data_dir, an, now)
    assert engine.retry_rejected() == 1
    ids.append(sign(runtime, 9, optin_email=True))
    engine.close()
    runtime.close()
    offline = cli_sync(data_dir, write_config(tmp_path / "offline.toml", an, dead_origin()), passphrase)
    assert offline.returncode == 3, offline.stdout + offline.stderr
    assert "pending 2 · rejected 0" in offline.stdout and "stopped early" in offline.stderr
    assert "Traceback" not in offline.stderr
    assert an.token not in offline.stdout + offline.stderr

    done = cli_sync(data_dir, config, passphrase)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("synced 2 · pending 0 · rejected 0")
    assert {len(an.signatures_with(f"campaign_kiosk:{i}")) for i in ids} == {1}
