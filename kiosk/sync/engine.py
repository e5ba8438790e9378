"""The sync engine: one pass over the outbox, without Qt, so the app's worker thread and the CLI share it.

A pass picks the due entries, claims each batch (pending -> sending, attempts + 1) in its own commit, opens the
records through the vault, hands them to the adapter, and records each outcome: synced (with the remote id and
time), back to pending with the next attempt time (backoff with full jitter, never before the server's
Retry-After), or rejected with the server's reason. A crash between claim and outcome leaves entries in
"sending"; start-up returns them to pending, and ``attempts > 0`` makes the adapter check the server before
sending again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased

from kiosk.errors import DecryptionError, VaultLockedError
from kiosk.sync.adapters import (
    Adapter,
    ConsentChange,
    ConsentState,
    DeliveryItem,
    Http,
    Outcome,
    ProbeResult,
)
from kiosk.sync.backoff import Backoff
from kiosk.sync.ratelimit import RateLimiter
from kiosk.sync.settings import SyncSettings
from local_db import repositories as repo
from local_db.models import ConsentEvent, OutboxEntry, Pledge, Signature, utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

# After this many transient failures in a row the target is struggling: stop and let backoff space things out.
MAX_CONSECUTIVE_FAILURES = 5
STATES = ("pending", "sending", "synced", "rejected")


@dataclass(frozen=True)
class QueueCounts:
    pending: int = 0
    sending: int = 0
    synced: int = 0
    rejected: int = 0

    @property
    def waiting(self) -> int:
        return self.pending + self.sending


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    synced: int
    retried: int
    rejected: int


@dataclass
class PassResult:
    """How a pass ended. ``status``: done, off, locked, offline, throttled, auth, failing or stopped."""

    status: str
    total: int = 0
    synced: int = 0
    retried: int = 0
    rejected: int = 0
    detail: str = ""
    hold_until: dt.datetime | None = None
    counts: QueueCounts = field(default_factory=QueueCounts)


def build_adapter(
    settings: SyncSettings,
    limiter: RateLimiter,
    *,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], dt.datetime] = utcnow,
) -> Adapter | None:
    """The configured adapter, or None when sync is off."""
    if settings.action_network is not None:
        from kiosk.sync.adapters.osdi import ActionNetworkAdapter

        http = Http(limiter, timeout_s=settings.timeout_s, transport=transport, now=now)
        return ActionNetworkAdapter(settings.action_network, http)
    if settings.webhook is not None:
        from kiosk.sync.adapters.webhook import WebhookAdapter

        http = Http(limiter, timeout_s=settings.timeout_s, transport=transport, now=now)
        return WebhookAdapter(settings.webhook, http, now=now)
    return None


class SyncEngine:
    """Delivers outbox entries for one runtime with one adapter. Use it from one thread at a time."""

    def __init__(
        self,
        runtime: KioskRuntime,
        settings: SyncSettings,
        *,
        adapter: Adapter | None = None,
        backoff: Backoff | None = None,
        now: Callable[[], dt.datetime] = utcnow,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.backoff = backoff or Backoff()
        self._now = now
        self.limiter = RateLimiter(settings.rate_limit_per_s, clock=clock, sleep=sleep)
        self.adapter = (
            adapter if adapter is not None else build_adapter(settings, self.limiter, transport=transport, now=now)
        )
        self.last_success: dt.datetime | None = None
        self.last_error = ""

    @property
    def adapter_name(self) -> str:
        return self.settings.adapter

    def close(self) -> None:
        if self.adapter is not None:
            self.adapter.close()

    # --- queries ---------------------------------------------------------------------------------------------

    def counts(self) -> QueueCounts:
        with self.runtime.db.begin() as session:
            rows = session.execute(
                select(OutboxEntry.state, func.count()).where(self._mine()).group_by(OutboxEntry.state)
            ).all()
        found = {str(state): int(count) for state, count in rows}
        return QueueCounts(**{state: found.get(state, 0) for state in STATES})

    def _mine(self) -> Any:
        """Entries this adapter answers for: its own, plus pending ones made for another (or none) not yet sent."""
        if not self.settings.enabled:
            return OutboxEntry.id.is_not(None)
        return (OutboxEntry.adapter == self.adapter_name) | (OutboxEntry.state == "pending")

    def next_due(self) -> dt.datetime | None:
        """When the next pending entry falls due (backoff and Retry-After); None when nothing is pending."""
        with self.runtime.db.begin() as session:
            pending = OutboxEntry.state == "pending"
            if session.scalar(select(func.count()).where(pending, OutboxEntry.next_attempt_at.is_(None))):
                return self._now()
            return session.scalar(select(func.min(OutboxEntry.next_attempt_at)).where(pending))

    def hold_until(self, session: Session, now: dt.datetime) -> dt.datetime | None:
        """The latest Retry-After a server gave that is still running (it applies to the whole target)."""
        until = session.scalar(
            select(func.max(OutboxEntry.retry_after_until)).where(OutboxEntry.adapter == self.adapter_name)
        )
        return until if until is not None and until > now else None

    def latest_error(self) -> str:
        """The most recent problem: from this run, else the newest entry still carrying one (after a restart)."""
        if self.last_error:
            return self.last_error
        with self.runtime.db.begin() as session:
            found = session.scalar(
                select(OutboxEntry.last_error)
                .where(OutboxEntry.last_error.is_not(None), OutboxEntry.state != "synced")
                .order_by(OutboxEntry.updated_at.desc())
                .limit(1)
            )
        return found or ""

    def last_synced_at(self) -> dt.datetime | None:
        with self.runtime.db.begin() as session:
            return session.scalar(select(func.max(OutboxEntry.synced_at)))

    def rejected_entries(self, limit: int = 200) -> list[OutboxEntry]:
        with self.runtime.db.begin() as session:
            return list(
                session.scalars(
                    select(OutboxEntry)
                    .where(OutboxEntry.state == "rejected", self._mine())
                    .order_by(OutboxEntry.updated_at.desc())
                    .limit(limit)
                )
            )

    def probe(self) -> ProbeResult:
        if self.adapter is None:
            return ProbeResult(False, "sync is off")
        return self.adapter.probe()

    # --- organiser actions -----------------------------------------------------------------------------------

    def retry_rejected(self, entry_ids: Sequence[int] | None = None) -> int:
        """Put rejected entries back in the queue (after the cause was fixed). Returns how many."""
        with self.runtime.db.begin() as session:
            stmt = update(OutboxEntry).where(OutboxEntry.state == "rejected")
            if entry_ids is not None:
                stmt = stmt.where(OutboxEntry.id.in_(list(entry_ids)))
            result = session.execute(
                stmt.values(state="pending", next_attempt_at=None, retry_after_until=None, updated_at=self._now())
            )
            count = int(result.rowcount or 0)  # type: ignore[attr-defined]
            if count:
                repo.add_audit(session, "sync_retry_rejected", entries=count)
        return count

    # --- one pass --------------------------------------------------------------------------------------------

    def run_pass(
        self,
        *,
        manual: bool = False,
        progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> PassResult:
        """Deliver every due entry (all pending ones when ``manual``), in batches, until done or told to stop.

        A manual pass ignores backoff timers but still honours Retry-After and the rate limit.
        """
        if self.adapter is None:
            return PassResult("off", detail="sync is off", counts=self.counts())
        vault = self.runtime.vault
        if vault is None or not vault.unlocked:
            return PassResult("locked", detail="locked - sync paused", counts=self.counts())
        now = self._now()
        with self.runtime.db.begin() as session:
            self._retarget(session)
            hold = self.hold_until(session, now)
            if hold is not None:
                return PassResult("throttled", detail="the server asked us to wait", hold_until=hold)
            due = select(OutboxEntry.id).where(OutboxEntry.state == "pending", OutboxEntry.adapter == self.adapter_name)
            if not manual:
                due = due.where((OutboxEntry.next_attempt_at.is_(None)) | (OutboxEntry.next_attempt_at <= now))
            ids = list(session.scalars(due.order_by(OutboxEntry.created_at, OutboxEntry.id)))
        result = PassResult("done", total=len(ids))
        failures_in_row = 0
        batch_size = max(1, self.adapter.batch_size)
        done = 0
        for start in range(0, len(ids), batch_size):
            if should_stop is not None and should_stop():
                result.status, result.detail = "stopped", "stopped"
                break
            claimed = self._claim(ids[start : start + batch_size])
            done += len(ids[start : start + batch_size]) - len(claimed)
            if not claimed:
                continue
            try:
                items, unopened = self._open(claimed)
            except VaultLockedError:
                self._release(claimed)
                result.status, result.detail = "locked", "locked - sync paused"
                break
            outcomes: dict[int, Outcome] = dict(unopened)
            if items:
                delivered = self.adapter.deliver(items)
                outcomes.update({item.entry_id: outcome for item, outcome in zip(items, delivered, strict=True)})
            stop = self._apply(claimed, outcomes, result)
            done += len(claimed)
            if progress is not None:
                progress(Progress(done, len(ids), result.synced, result.retried, result.rejected))
            if all(outcome.state == "retry" for outcome in outcomes.values()):
                failures_in_row += 1
            else:
                failures_in_row = 0
            if stop is not None:
                result.status, result.detail = stop
                break
            if failures_in_row >= MAX_CONSECUTIVE_FAILURES:
                result.status, result.detail = "failing", self.last_error or "the target keeps failing"
                break
        if result.status == "throttled":
            with self.runtime.db.begin() as session:
                result.hold_until = self.hold_until(session, self._now())
        result.counts = self.counts()
        log.info(
            "sync pass %s: %d due, %d synced, %d to retry, %d rejected",
            result.status,
            result.total,
            result.synced,
            result.retried,
            result.rejected,
        )
        return result

    def _retarget(self, session: Session) -> None:
        """Pending entries made while another adapter (or none) was configured now go to this one."""
        same = aliased(OutboxEntry)
        clash = (
            select(same.id)
            .where(
                same.record_id == OutboxEntry.record_id,
                same.adapter == self.adapter_name,
                (same.consent_event_id == OutboxEntry.consent_event_id)
                | and_(same.consent_event_id.is_(None), OutboxEntry.consent_event_id.is_(None)),
            )
            .exists()
        )
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.state == "pending", OutboxEntry.adapter != self.adapter_name, ~clash)
            .values(adapter=self.adapter_name)
        )

    def _claim(self, ids: Sequence[int]) -> list[tuple[int, int]]:
        """pending -> sending for these ids, committed before any request. Returns (id, attempts before)."""
        with self.runtime.db.begin() as session:
            rows = session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id.in_(list(ids)), OutboxEntry.state == "pending")
                .values(state="sending", attempts=OutboxEntry.attempts + 1, updated_at=self._now())
                .returning(OutboxEntry.id, OutboxEntry.attempts)
            ).all()
        order = {entry_id: i for i, entry_id in enumerate(ids)}
        return sorted(((int(i), int(a) - 1) for i, a in rows), key=lambda row: order[row[0]])

    def _release(self, claimed: Sequence[tuple[int, int]]) -> None:
        """Back to pending without counting the attempt (nothing was sent)."""
        with self.runtime.db.begin() as session:
            for entry_id, attempts_before in claimed:
                session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id == entry_id)
                    .values(state="pending", attempts=attempts_before)
                )

    def _open(self, claimed: Sequence[tuple[int, int]]) -> tuple[list[DeliveryItem], dict[int, Outcome]]:
        """The delivery items of claimed entries; entries that cannot be opened get a rejection outcome."""
        vault = self.runtime.vault
        if vault is None or not vault.unlocked:
            raise VaultLockedError("locked")
        items: list[DeliveryItem] = []
        unopened: dict[int, Outcome] = {}
        with self.runtime.db.begin() as session:
            for entry_id, attempts_before in claimed:
                entry = session.get(OutboxEntry, entry_id)
                assert entry is not None
                record: Signature | Pledge | None = (
                    session.get(Pledge, entry.record_id)
                    if entry.record_kind == "pledge"
                    else session.get(Signature, entry.record_id)
                )
                if record is None:
                    unopened[entry_id] = Outcome.rejected(f"the {entry.record_kind} is no longer on this kiosk")
                    continue
                try:
                    personal = {k: str(v) for k, v in vault.open_record(record).items() if v is not None}
                except DecryptionError as exc:
                    vault.report_decryption_failure(exc)
                    unopened[entry_id] = Outcome.rejected("the sealed personal data cannot be decrypted (damaged)")
                    continue
                items.append(
                    DeliveryItem(
                        entry_id=entry_id,
                        record_id=record.id,
                        kind=entry.record_kind,
                        created_at=record.created_at,
                        language=record.language,
                        source=record.source,
                        campaign_id=record.campaign_id,
                        event_id=record.event_id,
                        kiosk_id=record.kiosk_id,
                        personal=personal,
                        consents=_latest_consents(session, record.id),
                        details=_details(record),
                        consent_change=_consent_change(session, entry.consent_event_id),
                        maybe_delivered=attempts_before > 0,
                    )
                )
        return items, unopened

    def _apply(
        self, claimed: Sequence[tuple[int, int]], outcomes: dict[int, Outcome], result: PassResult
    ) -> tuple[str, str] | None:
        """Store each outcome; returns (status, detail) when the pass should stop."""
        now = self._now()
        stop: tuple[str, str] | None = None
        with self.runtime.db.begin() as session:
            for entry_id, attempts_before in claimed:
                outcome = outcomes[entry_id]
                entry = session.get(OutboxEntry, entry_id)
                assert entry is not None
                entry.updated_at = now
                if outcome.state == "synced":
                    entry.state, entry.remote_id, entry.synced_at = "synced", outcome.remote_id, now
                    entry.last_error, entry.next_attempt_at, entry.retry_after_until = None, None, None
                    result.synced += 1
                    self.last_success = now
                elif outcome.state == "rejected":
                    entry.state, entry.last_error = "rejected", outcome.reason
                    entry.next_attempt_at, entry.retry_after_until = None, None
                    result.rejected += 1
                    self.last_error = outcome.reason
                    repo.add_audit(
                        session, "sync_rejected", entry_id=entry_id, record_id=entry.record_id, reason=outcome.reason
                    )
                else:
                    wait = self.backoff.delay(attempts_before + 1, outcome.retry_after_s)
                    entry.state, entry.last_error = "pending", outcome.reason
                    entry.next_attempt_at = now + dt.timedelta(seconds=wait)
                    entry.retry_after_until = (
                        now + dt.timedelta(seconds=outcome.retry_after_s) if outcome.retry_after_s else None
                    )
                    result.retried += 1
                    self.last_error = outcome.reason
                if outcome.stop is not None and stop is None:
                    stop = (outcome.stop, outcome.reason)
        return stop


def _latest_consents(session: Session, record_id: str) -> dict[str, ConsentState]:
    latest: dict[str, ConsentState] = {}
    for event in repo.consent_events_for(session, record_id):
        latest[event.purpose] = ConsentState(event.granted, event.text_version, event.text_sha256, event.created_at)
    return latest


def _consent_change(session: Session, event_id: int | None) -> ConsentChange | None:
    if event_id is None:
        return None
    event = session.get(ConsentEvent, event_id)
    if event is None:
        return None
    return ConsentChange(
        event.id, event.purpose, event.granted, event.text_version, event.text_sha256, event.created_at
    )


def _details(record: Signature | Pledge) -> dict[str, Any]:
    if isinstance(record, Pledge):
        return {
            "amount_pence": record.amount_pence,
            "currency": record.currency,
            "frequency": record.frequency,
            "gift_aid": record.gift_aid,
        }
    return {"petition_id": record.petition_id}


def summary_line(result: PassResult) -> str:
    """One line for people: what this run did and what is left."""
    counts = result.counts
    return (
        f"synced {result.synced} · pending {counts.pending + counts.sending} · rejected {counts.rejected}"
        f" ({counts.synced} synced in total)"
    )
