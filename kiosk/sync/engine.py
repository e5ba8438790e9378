"""The sync engine: one pass over the outbox, without Qt, so the app's worker thread and the CLI share it.

Only the process holding the data folder's sync lock (:mod:`kiosk.sync.lock`) sends. On taking the lock, and at
the start of each pass, it returns entries left in "sending" (by a crash) to "pending".

A pass picks the due entries and works through them in groups. One commit claims a group (pending -> sending,
attempts + 1) before any of its requests go out, and reads its rows; the records are opened through the vault and
handed to the adapter in batches. While a group goes out, a helper thread claims and opens the next one, so the
kiosk's own work (that commit, decrypting) overlaps the wait for the server instead of adding to it; requests still
go out one batch at a time from the calling thread. Outcomes are kept in memory and committed together: with the
next group's claim, at least every FLUSH_EVERY_S, and whenever the pass ends or stops. Each is stored as
synced (with the remote id and time), back to pending with the next attempt time (backoff with full jitter, never
before the server's Retry-After), or rejected with the server's reason. Claimed entries that were not sent (the
pass stopped) go back to pending without counting the attempt.

Why grouping is safe: a crash before an outcome's commit leaves its entry in "sending", never "synced", so nothing
is marked synced that the server lacks; recovery returns it to pending with ``attempts > 0``, so the Action Network
adapter first asks the server for the record's identifier and marks it synced without posting again, and the
webhook sends it again under its stable record id, which receivers store once (docs/sync.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import Connection, Row, and_, bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from kiosk.errors import DecryptionError, StorageError, VaultLockedError
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
from kiosk.sync.lock import SyncLock
from kiosk.sync.ratelimit import RateLimiter
from kiosk.sync.settings import SyncSettings
from local_db import repositories as repo
from local_db.models import ConsentEvent, OutboxEntry, Pledge, Signature, UTCDateTime, utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

# After this many transient failures in a row the target is struggling: stop and let backoff space things out.
MAX_CONSECUTIVE_FAILURES = 5
# Entries claimed by one commit when requests are not rate limited. After a crash each of them costs one look-up on
# the server before it is sent (Action Network), so the group stays modest.
CLAIM_GROUP = 50
# Outcomes wait in memory at most this long (or until the group ends) before their commit.
FLUSH_EVERY_S = 1.0
# Another process holds the sync lock: look again after this long.
BUSY_RETRY_S = 15.0
BUSY_DETAIL = "another process is sending this kiosk's records (the kiosk window or campaign-kiosk sync)"
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
    """How a pass ended. ``status``: done, off, locked, busy, offline, throttled, auth, failing or stopped."""

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
        self._clock = clock
        self.limiter = RateLimiter(settings.rate_limit_per_s, clock=clock, sleep=sleep)
        self.adapter = (
            adapter if adapter is not None else build_adapter(settings, self.limiter, transport=transport, now=now)
        )
        self.last_success: dt.datetime | None = None
        self.last_error = ""
        self._lock = SyncLock(runtime.options.data_dir)
        if self.adapter is not None:
            # Take the lock now, so the queue shown from the start has crash leftovers back in "pending"; a pass
            # tries again while another process holds it.
            try:
                self._take_lock()
            except StorageError as exc:
                log.warning("sync lock: %s", exc)

    @property
    def adapter_name(self) -> str:
        return self.settings.adapter

    def close(self) -> None:
        if self.adapter is not None:
            self.adapter.close()
        self._lock.release()

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
        if not self._take_lock():
            wait = dt.timedelta(seconds=BUSY_RETRY_S)
            return PassResult("busy", detail=BUSY_DETAIL, hold_until=self._now() + wait, counts=self.counts())
        now = self._now()
        with self.runtime.db.begin() as session:
            self._recover(session)
            self._retarget(session)
            hold = self.hold_until(session, now)
            if hold is not None:
                return PassResult("throttled", detail="the server asked us to wait", hold_until=hold)
            due = select(OutboxEntry.id).where(OutboxEntry.state == "pending", OutboxEntry.adapter == self.adapter_name)
            if not manual:
                due = due.where((OutboxEntry.next_attempt_at.is_(None)) | (OutboxEntry.next_attempt_at <= now))
            ids = list(session.scalars(due.order_by(OutboxEntry.created_at, OutboxEntry.id)))
        result = PassResult("done", total=len(ids))
        batch_size = max(1, self.adapter.batch_size)
        group_size = self._group_size(batch_size)
        # Delivered entries whose outcome is not committed yet, and claimed entries not delivered yet.
        settled: list[tuple[_Claim, Outcome]] = []
        queue: list[tuple[_Claim, DeliveryItem | Outcome]] = []
        # The next group, claimed and opened on a helper thread while this thread delivers the current group (the
        # helper alone touches the database meanwhile), with the outcomes its claim commit records.
        claiming: _Claiming | None = None
        position = done = failures_in_row = 0
        last_commit = self._clock()
        helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-claim")

        def claim_next() -> _Claiming:
            nonlocal position, settled
            wanted = ids[position : position + group_size]
            position += len(wanted)
            # One commit records the outcomes so far and claims the next group, before any of its requests.
            started = (helper.submit(self._claim_group, settled, wanted), settled)
            settled = []
            return started

        try:
            while True:
                if should_stop is not None and should_stop():
                    result.status, result.detail = "stopped", "stopped"
                    break
                if not self._unlocked():
                    result.status, result.detail = "locked", "locked - sync paused"
                    break
                if not queue:
                    if claiming is None:
                        if position >= len(ids):
                            break
                        claiming = claim_next()
                    (answer, recorded), claiming = claiming, None
                    try:
                        queue, gone, locked = answer.result()
                    except BaseException:
                        settled = [*recorded, *settled]  # that commit did not happen: record them below
                        raise
                    last_commit = self._clock()
                    done += gone
                    if locked:
                        result.status, result.detail = "locked", "locked - sync paused"
                        break
                    continue
                if claiming is None and position < len(ids):
                    claiming = claim_next()  # while this group goes out
                batch, queue = queue[:batch_size], queue[batch_size:]
                outcomes = self._deliver(batch)
                settled.extend(zip((claim for claim, _ in batch), outcomes, strict=True))
                done += len(batch)
                self._count(outcomes, result)
                if progress is not None:
                    progress(Progress(done, len(ids), result.synced, result.retried, result.rejected))
                failures_in_row = failures_in_row + 1 if all(o.state == "retry" for o in outcomes) else 0
                stop = next(((o.stop, o.reason) for o in outcomes if o.stop is not None), None)
                if stop is not None:
                    result.status, result.detail = stop
                    break
                if failures_in_row >= MAX_CONSECUTIVE_FAILURES:
                    result.status, result.detail = "failing", self.last_error or "the target keeps failing"
                    break
                idle = claiming is None or claiming[0].done()
                if idle and settled and self._clock() - last_commit >= FLUSH_EVERY_S:
                    self._commit(settled, [])
                    settled, last_commit = [], self._clock()
        except BaseException:
            # Keep what was delivered and free what was not; should this fail too, the entries stay in "sending"
            # and the next pass (this process holds the sync lock) returns them to "pending".
            try:
                settled, unsent = _landed(claiming, settled)
                self._commit(settled, [claim for claim, _ in [*queue, *unsent]])
            except Exception:
                log.exception("could not record the outcomes of an interrupted sync pass")
            raise
        finally:
            helper.shutdown(wait=True)
        settled, unsent = _landed(claiming, settled)
        queue.extend(unsent)
        self._commit(settled, [claim for claim, _ in queue])
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

    def _unlocked(self) -> bool:
        vault = self.runtime.vault
        return vault is not None and vault.unlocked

    def _group_size(self, batch_size: int) -> int:
        """Entries claimed by one commit: up to CLAIM_GROUP, or about a second's worth under a rate limit."""
        if self.limiter.enabled:
            return max(batch_size, min(CLAIM_GROUP, int(self.limiter.per_second)))
        return max(batch_size, CLAIM_GROUP)

    def _claim_group(
        self, settled: Sequence[tuple[_Claim, Outcome]], wanted: Sequence[int]
    ) -> tuple[list[tuple[_Claim, DeliveryItem | Outcome]], int, bool]:
        """One commit records the outcomes so far and claims ``wanted``; then the claimed entries are opened.

        Returns the group's queue, how many of ``wanted`` were no longer pending, and whether the vault was locked
        (the queue then holds the claims unopened, to be put back unsent)."""
        loaded = self._commit(settled, [], claim=wanted)
        claims = loaded.claims if loaded is not None else []
        try:
            queue = self._open(loaded) if loaded is not None else []
        except VaultLockedError:
            return [(claim, Outcome.retry("locked")) for claim in claims], len(wanted) - len(claims), True
        return queue, len(wanted) - len(claims), False

    def _take_lock(self) -> bool:
        """Hold this data folder's sync lock; on first taking it, return entries a crash left in "sending"."""
        if self._lock.held:
            return True
        if not self._lock.acquire():
            return False
        with self.runtime.db.begin() as session:
            self._recover(session)
        return True

    def _recover(self, session: Session) -> None:
        """With the sync lock held, no other process is sending: any "sending" entry was left by a crash (or an
        interrupted pass) and goes back to "pending"; its attempt count makes the adapter check the server first."""
        stuck = repo.reset_stuck_outbox(session)
        if stuck:
            repo.add_audit(session, "outbox_recovered", entries=stuck)
            log.info("returned %d outbox entries left in 'sending' to 'pending'", stuck)

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

    def _commit(
        self,
        settled: Sequence[tuple[_Claim, Outcome]],
        release: Sequence[_Claim],
        *,
        claim: Sequence[int] = (),
    ) -> _Loaded | None:
        """One durable commit: store delivered entries' outcomes (synced with the remote id and time, back to
        pending with the next attempt time, or rejected with the reason), put claimed but unsent entries back
        without counting the attempt, and claim the next ids (pending -> sending, attempts + 1), reading what
        is needed to open them. Returns the claimed group (None when nothing was to be claimed)."""
        if not settled and not release and not claim:
            return None
        now = self._now()
        synced: dict[str | None, list[int]] = {}  # entry ids by remote id (a webhook batch shares one)
        others: list[dict[str, Any]] = []
        with self.runtime.db.begin() as session:
            conn = session.connection()
            for entry, outcome in settled:
                if outcome.state == "synced":
                    synced.setdefault(outcome.remote_id, []).append(entry.entry_id)
                    continue
                if outcome.state == "rejected":
                    state, next_at, until = "rejected", None, None
                    repo.add_audit(
                        session,
                        "sync_rejected",
                        entry_id=entry.entry_id,
                        record_id=entry.record_id,
                        reason=outcome.reason,
                    )
                else:
                    wait = self.backoff.delay(entry.attempts_before + 1, outcome.retry_after_s)
                    state, next_at = "pending", now + dt.timedelta(seconds=wait)
                    until = now + dt.timedelta(seconds=outcome.retry_after_s) if outcome.retry_after_s else None
                others.append(
                    {
                        "e_id": entry.entry_id,
                        "e_state": state,
                        "e_error": outcome.reason,
                        "e_next": next_at,
                        "e_until": until,
                        "e_now": now,
                    }
                )
            singles = [
                {"e_id": ids[0], "e_remote": remote, "e_now": now} for remote, ids in synced.items() if len(ids) == 1
            ]
            if singles:
                conn.execute(_SETTLE_SYNCED, singles)
            for remote, ids in synced.items():
                if len(ids) > 1:
                    conn.execute(_SETTLE_SYNCED_SHARED, {"e_ids": ids, "e_remote": remote, "e_now": now})
            if others:
                conn.execute(_SETTLE_OTHER, others)
            if release:
                conn.execute(_RELEASE, [{"e_id": e.entry_id, "e_attempts": e.attempts_before} for e in release])
            return self._claim(conn, claim, now) if claim else None

    def _claim(self, conn: Connection, ids: Sequence[int], now: dt.datetime) -> _Loaded:
        """pending -> sending for these ids (in the caller's transaction, committed before any request), with
        the rows needed to open them."""
        rows = conn.execute(_CLAIM, {"e_ids": list(ids), "e_now": now}).all()
        order = {entry_id: i for i, entry_id in enumerate(ids)}
        claims = sorted(
            (_Claim(int(row[0]), int(row[1]) - 1, str(row[2]), str(row[3]), row[4]) for row in rows),
            key=lambda claim: order[claim.entry_id],
        )
        loaded = _Loaded(claims)
        signature_ids = [c.record_id for c in claims if c.record_kind != "pledge"]
        pledge_ids = [c.record_id for c in claims if c.record_kind == "pledge"]
        if signature_ids:
            loaded.signatures = {row.id: row for row in conn.execute(_SIGNATURE_ROWS, {"r_ids": signature_ids}).all()}
        if pledge_ids:
            loaded.pledges = {row.id: row for row in conn.execute(_PLEDGE_ROWS, {"r_ids": pledge_ids}).all()}
        event_ids = [c.consent_event_id for c in claims if c.consent_event_id is not None]
        record_ids = signature_ids + pledge_ids
        events = (
            conn.execute(_EVENTS_AND_CHANGES, {"r_ids": record_ids, "c_ids": event_ids})
            if event_ids
            else conn.execute(_EVENTS, {"r_ids": record_ids})
        ).all()
        latest: dict[str, dict[str, Any]] = {}
        for event in events:
            latest.setdefault(event[1], {})[event[2]] = event  # by record, then purpose: the latest event wins
        if event_ids:
            loaded.events = {event[0]: event for event in events}
        loaded.consents = {
            record_id: {purpose: ConsentState(e[3], e[4], e[5], e[6]) for purpose, e in by_purpose.items()}
            for record_id, by_purpose in latest.items()
        }
        return loaded

    def _open(self, loaded: _Loaded) -> list[tuple[_Claim, DeliveryItem | Outcome]]:
        """The delivery item of each claimed entry; an entry that cannot be opened gets a rejection outcome."""
        vault = self.runtime.vault
        if vault is None or not vault.unlocked:
            raise VaultLockedError("locked")
        opened: list[tuple[_Claim, DeliveryItem | Outcome]] = []
        for claim in loaded.claims:
            pledge = claim.record_kind == "pledge"
            record = (loaded.pledges if pledge else loaded.signatures).get(claim.record_id)
            if record is None:
                opened.append((claim, Outcome.rejected(f"the {claim.record_kind} is no longer on this kiosk")))
                continue
            try:
                fields = {} if record.sealed is None else vault.open_blob(record.id, record.data_key_id, record.sealed)
            except DecryptionError as exc:
                vault.report_decryption_failure(exc)
                opened.append((claim, Outcome.rejected("the sealed personal data cannot be decrypted (damaged)")))
                continue
            event = loaded.events.get(claim.consent_event_id) if claim.consent_event_id is not None else None
            item = DeliveryItem(
                entry_id=claim.entry_id,
                record_id=record.id,
                kind=claim.record_kind,
                created_at=record.created_at,
                language=record.language,
                source=record.source,
                campaign_id=record.campaign_id,
                event_id=record.event_id,
                kiosk_id=record.kiosk_id,
                personal={key: str(value) for key, value in fields.items() if value is not None},
                consents=dict(loaded.consents.get(record.id, {})),
                details=_details(record, pledge=pledge),
                consent_change=None
                if event is None
                else ConsentChange(
                    event.id, event.purpose, event.granted, event.text_version, event.text_sha256, event.created_at
                ),
                maybe_delivered=claim.attempts_before > 0,
            )
            opened.append((claim, item))
        return opened

    def _deliver(self, batch: Sequence[tuple[_Claim, DeliveryItem | Outcome]]) -> list[Outcome]:
        """One outcome per entry of the batch, in order: the adapter's, or the rejection of an unopened entry."""
        assert self.adapter is not None
        items = [item for _, item in batch if isinstance(item, DeliveryItem)]
        delivered = iter(self.adapter.deliver(items) if items else [])
        return [next(delivered) if isinstance(item, DeliveryItem) else item for _, item in batch]

    def _count(self, outcomes: Sequence[Outcome], result: PassResult) -> None:
        now = self._now()
        for outcome in outcomes:
            if outcome.state == "synced":
                result.synced += 1
                self.last_success = now
            elif outcome.state == "rejected":
                result.rejected += 1
                self.last_error = outcome.reason
            else:
                result.retried += 1
                self.last_error = outcome.reason


@dataclass(frozen=True)
class _Claim:
    """An entry this pass moved to "sending", with what is needed to open and settle it."""

    entry_id: int
    attempts_before: int
    record_id: str
    record_kind: str
    consent_event_id: int | None


@dataclass
class _Loaded:
    """A claimed group with its rows, read in the claim's transaction and decrypted after its commit."""

    claims: list[_Claim]
    signatures: dict[str, Any] = field(default_factory=dict)  # rows by record id
    pledges: dict[str, Any] = field(default_factory=dict)
    events: dict[int, Any] = field(default_factory=dict)  # consent event rows by id
    consents: dict[str, dict[str, ConsentState]] = field(default_factory=dict)


_Group = tuple[list[tuple[_Claim, DeliveryItem | Outcome]], int, bool]  # see SyncEngine._claim_group
# A group being claimed on the helper thread, and the outcomes its claim commit records.
_Claiming = tuple[Future[_Group], list[tuple[_Claim, Outcome]]]


def _landed(
    claiming: _Claiming | None, settled: list[tuple[_Claim, Outcome]]
) -> tuple[list[tuple[_Claim, Outcome]], list[tuple[_Claim, DeliveryItem | Outcome]]]:
    """When a pass ends with the next group still being claimed: once that is done, the outcomes still to record
    (with those its commit was to record, should it have failed) and the claimed entries, none of them sent."""
    if claiming is None:
        return settled, []
    answer, recorded = claiming
    try:
        unsent, _, _ = answer.result()
    except BaseException:
        log.exception("claiming the next group failed as the sync pass ended")
        return [*recorded, *settled], []
    return settled, unsent


def _record_columns(model: type[Signature] | type[Pledge]) -> tuple[Any, ...]:
    return (
        model.id,
        model.created_at,
        model.language,
        model.source,
        model.campaign_id,
        model.event_id,
        model.kiosk_id,
        model.data_key_id,
        model.sealed,
    )


def _details(record: Row[Any], *, pledge: bool) -> dict[str, Any]:
    if pledge:
        return {
            "amount_pence": record.amount_pence,
            "currency": record.currency,
            "frequency": record.frequency,
            "gift_aid": record.gift_aid,
        }
    return {"petition_id": record.petition_id}


# Statements built once (a pass runs them for every group). ``state || ''`` keeps SQLite on the primary key: on the
# state index it would walk every pending entry for each group (quadratic over a large queue).
_NOW = bindparam("e_now", type_=UTCDateTime())
_CLAIM = (
    update(OutboxEntry)
    .where(OutboxEntry.id.in_(bindparam("e_ids", expanding=True)), OutboxEntry.state.concat("") == "pending")
    .values(state="sending", attempts=OutboxEntry.attempts + 1, updated_at=_NOW)
    .returning(
        OutboxEntry.id,
        OutboxEntry.attempts,
        OutboxEntry.record_id,
        OutboxEntry.record_kind,
        OutboxEntry.consent_event_id,
    )
)
_SIGNATURE_ROWS = select(*_record_columns(Signature), Signature.petition_id).where(
    Signature.id.in_(bindparam("r_ids", expanding=True))
)
_PLEDGE_ROWS = select(
    *_record_columns(Pledge), Pledge.amount_pence, Pledge.currency, Pledge.frequency, Pledge.gift_aid
).where(Pledge.id.in_(bindparam("r_ids", expanding=True)))
_EVENT_COLUMNS = (
    ConsentEvent.id,
    ConsentEvent.record_id,
    ConsentEvent.purpose,
    ConsentEvent.granted,
    ConsentEvent.text_version,
    ConsentEvent.text_sha256,
    ConsentEvent.created_at,
)
# Every consent event of the records (the latest per purpose wins), plus the events later changes deliver.
_EVENTS = (
    select(*_EVENT_COLUMNS)
    .where(ConsentEvent.record_id.in_(bindparam("r_ids", expanding=True)))
    .order_by(ConsentEvent.id)
)
_EVENTS_AND_CHANGES = (
    select(*_EVENT_COLUMNS)
    .where(
        ConsentEvent.record_id.in_(bindparam("r_ids", expanding=True))
        | ConsentEvent.id.in_(bindparam("c_ids", expanding=True))
    )
    .order_by(ConsentEvent.id)
)
# Outcomes, executed for many entries at once; each settles only an entry still in "sending".
_SYNCED_VALUES: dict[str, Any] = {
    "state": "synced",
    "remote_id": bindparam("e_remote"),
    "synced_at": _NOW,
    "last_error": None,
    "next_attempt_at": None,
    "retry_after_until": None,
    "updated_at": _NOW,
}
_SETTLE_SYNCED = (
    update(OutboxEntry)
    .where(OutboxEntry.id == bindparam("e_id"), OutboxEntry.state == "sending")
    .values(_SYNCED_VALUES)
)
_SETTLE_SYNCED_SHARED = (
    update(OutboxEntry)
    .where(OutboxEntry.id.in_(bindparam("e_ids", expanding=True)), OutboxEntry.state.concat("") == "sending")
    .values(_SYNCED_VALUES)
)
_SETTLE_OTHER = (
    update(OutboxEntry)
    .where(OutboxEntry.id == bindparam("e_id"), OutboxEntry.state == "sending")
    .values(
        state=bindparam("e_state"),
        last_error=bindparam("e_error"),
        next_attempt_at=bindparam("e_next", type_=UTCDateTime()),
        retry_after_until=bindparam("e_until", type_=UTCDateTime()),
        updated_at=_NOW,
    )
)
_RELEASE = (
    update(OutboxEntry)
    .where(OutboxEntry.id == bindparam("e_id"), OutboxEntry.state == "sending")
    .values(state="pending", attempts=bindparam("e_attempts"))
)


def summary_line(result: PassResult) -> str:
    """One line for people: what this run did and what is left."""
    counts = result.counts
    return (
        f"synced {result.synced} · pending {counts.pending + counts.sending} · rejected {counts.rejected}"
        f" ({counts.synced} synced in total)"
    )
