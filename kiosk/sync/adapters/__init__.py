"""What every sync adapter shares: the item handed to it, the outcome it gives back, and one HTTP client that
applies the rate limit and turns every way a request can fail into a transient or a permanent error.

An adapter's ``deliver(items)`` returns one :class:`Outcome` per item, in order. It never touches the database:
the engine decides states, times and retries from the outcomes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from kiosk.sync.backoff import parse_retry_after
from kiosk.sync.ratelimit import RateLimiter

# httpx logs every request URL at INFO; Action Network look-ups carry an email address in the query string, which
# must never reach the log file. Our own log lines name record ids only.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

USER_AGENT = "campaign-kiosk-sync/1"
REASON_MAX = 300
RETRYABLE_STATUS = frozenset({408, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class ConsentState:
    """The latest decision for one purpose, with the proof of the words shown."""

    granted: bool
    text_version: str
    text_sha256: str
    at: dt.datetime


@dataclass(frozen=True)
class ConsentChange:
    """A later grant or withdrawal delivered on its own (an outbox entry with ``consent_event_id``)."""

    event_id: int
    purpose: str
    granted: bool
    text_version: str
    text_sha256: str
    at: dt.datetime


@dataclass(frozen=True)
class DeliveryItem:
    """One outbox entry, opened: everything an adapter may send, and nothing it may not.

    ``personal`` is empty when the record's personal data was purged. ``maybe_delivered`` is true when an earlier
    attempt was made, so the server may hold the record already even though we never saw its answer.
    """

    entry_id: int
    record_id: str
    kind: str  # signature | pledge
    created_at: dt.datetime
    language: str
    source: str
    campaign_id: str
    event_id: str
    kiosk_id: str
    personal: dict[str, str]
    consents: dict[str, ConsentState]
    details: dict[str, Any] = field(default_factory=dict)  # petition_id, or the pledge amount etc.
    consent_change: ConsentChange | None = None
    maybe_delivered: bool = False

    @property
    def delivery_id(self) -> str:
        """Stable across retries; unique per delivery (a record, or one later consent change of it)."""
        if self.consent_change is None:
            return self.record_id
        return f"{self.record_id}/consent/{self.consent_change.event_id}"

    def granted(self, purpose: str) -> bool:
        state = self.consents.get(purpose)
        return bool(state and state.granted)


@dataclass(frozen=True)
class Outcome:
    """What happened to one item. ``stop`` asks the engine to end the pass: "offline", "throttled" or "auth"."""

    state: str  # synced | retry | rejected
    remote_id: str | None = None
    reason: str = ""
    retry_after_s: float | None = None
    stop: str | None = None

    @classmethod
    def synced(cls, remote_id: str) -> Outcome:
        return cls("synced", remote_id=remote_id)

    @classmethod
    def rejected(cls, reason: str, *, stop: str | None = None) -> Outcome:
        return cls("rejected", reason=reason, stop=stop)

    @classmethod
    def retry(cls, reason: str, *, retry_after_s: float | None = None, stop: str | None = None) -> Outcome:
        return cls("retry", reason=reason, retry_after_s=retry_after_s, stop=stop)


class TransientError(Exception):
    """Worth trying again later: network trouble, a timeout, 408, 429, 5xx, or an answer we could not read."""

    def __init__(self, reason: str, *, retry_after_s: float | None = None, stop: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after_s, self.stop = reason, retry_after_s, stop

    def outcome(self) -> Outcome:
        return Outcome.retry(self.reason, retry_after_s=self.retry_after_s, stop=self.stop)


class PermanentError(Exception):
    """The server refused the request (a 4xx other than 408/429): sending it again unchanged will not help."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status

    def outcome(self) -> Outcome:
        # A refused token or permission refuses every record: stop so organisers fix it first.
        return Outcome.rejected(self.reason, stop="auth" if self.status in (401, 403) else None)


class Adapter(Protocol):
    name: str
    batch_size: int

    def deliver(self, items: Sequence[DeliveryItem]) -> list[Outcome]: ...

    def probe(self) -> ProbeResult: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ProbeResult:
    online: bool
    detail: str = ""


def server_reason(response: httpx.Response) -> str:
    """The server's own words for a refusal: ``error``/``message``/``errors`` of a JSON body, else its text."""
    text = ""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "errors", "detail", "reason"):
            value = body.get(key)
            if value:
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                break
    if not text:
        text = " ".join(response.text.split())[:200]
    phrase = response.reason_phrase or ""
    return f"HTTP {response.status_code} {phrase}".strip() + (f": {text}" if text else "")


def redact(text: str, values: Iterable[str]) -> str:
    """Remove personal values from a server's message before it is stored in clear or shown while locked."""
    for value in sorted({v for v in values if v and len(v) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(value), "[redacted]", text, flags=re.IGNORECASE)
    return text[:REASON_MAX]


class Http:
    """One httpx client for one adapter: TLS verified, rate limited, failures classified.

    ``request`` returns only 2xx responses; anything else raises :class:`TransientError` or :class:`PermanentError`.
    """

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        timeout_s: float,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.limiter = limiter
        self._now = now
        self.requests_sent = 0
        self._client = httpx.Client(
            # verify=True is httpx's default (certifi's CA bundle); spelt out because turning it off is never right.
            verify=True,
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        self.limiter.acquire()
        self.requests_sent += 1
        try:
            response = self._client.request(
                method, url, json=json_body, content=content, params=params, headers=headers
            )
        except httpx.TimeoutException:
            raise TransientError("no answer in time (timeout)", stop="offline") from None
        except httpx.ConnectError as exc:
            raise TransientError(f"cannot connect ({_short(exc)})", stop="offline") from None
        except httpx.TransportError as exc:
            # Reset or closed mid-exchange: the server may or may not have acted on it.
            raise TransientError(f"connection broken ({_short(exc)})", stop="offline") from None
        status = response.status_code
        if 200 <= status < 300:
            return response
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self._now())
        if status in RETRYABLE_STATUS:
            stop = "throttled" if status == 429 or retry_after is not None else None
            raise TransientError(server_reason(response), retry_after_s=retry_after, stop=stop)
        raise PermanentError(server_reason(response), status)

    def probe(self, url: str) -> ProbeResult:
        """Can we reach the sync target? Any HTTP answer over verified TLS comes from the real host (a captive
        portal cannot forge its certificate); a loopback http target is this machine."""
        self.limiter.acquire()
        try:
            response = self._client.get(url)
        except httpx.TransportError as exc:
            return ProbeResult(False, f"cannot reach {_host(url)} ({_short(exc)})")
        if response.status_code in (401, 403):
            return ProbeResult(True, f"{_host(url)} answered, but refused the token or secret")
        return ProbeResult(True, f"{_host(url)} answered")


def read_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx answer; unreadable JSON is transient (the answer was cut or mangled on the way)."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise TransientError(f"HTTP {response.status_code} with a body that is not valid JSON") from None


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:120]


def _host(url: str) -> str:
    return httpx.URL(url).host
