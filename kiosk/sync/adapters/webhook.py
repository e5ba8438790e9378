"""Webhook adapter: batches of up to 100 records POSTed as JSON to any CRM or automation tool.

Contract (docs/webhook.schema.json, versioned by ``schema_version``; prose in docs/sync.md):
- ``Idempotency-Key``: the batch id, the same for every retry of the same set of records.
- ``X-Kiosk-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes with the shared secret>``.
- The receiver answers 2xx with ``{"accepted": [ids], "rejected": [{"id", "reason"}]}``. A record it does not
  mention is not confirmed and is sent again later; record ids are stable, so receivers can drop repeats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from typing import Any

from kiosk.sync.adapters import (
    DeliveryItem,
    Http,
    Outcome,
    PermanentError,
    ProbeResult,
    TransientError,
    read_json,
    redact,
)
from kiosk.sync.settings import WebhookSettings

NAME = "webhook"
SCHEMA_VERSION = 1
MAX_BATCH = 100
SIGNATURE_HEADER = "X-Kiosk-Signature"
_BATCH_NAMESPACE = uuid.UUID("6f1d3c2e-8a54-4d0e-9a7b-3c1f0e2d5b71")


def _iso(when: dt.datetime) -> str:
    if when.tzinfo is dt.UTC:  # what the database gives back: skip the conversion (a batch has hundreds)
        return when.replace(tzinfo=None).isoformat() + "Z"
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def batch_id(items: Sequence[DeliveryItem]) -> str:
    """Deterministic for a set of deliveries, so a retry of the same batch repeats its Idempotency-Key."""
    return str(uuid.uuid5(_BATCH_NAMESPACE, "\n".join(sorted(item.delivery_id for item in items))))


def record_payload(item: DeliveryItem) -> dict[str, Any]:
    """One record of a batch: exactly what was consented, with the proof of each consent."""
    record: dict[str, Any] = {
        "id": item.delivery_id,
        "type": "consent_change" if item.consent_change is not None else item.kind,
        "record_id": item.record_id,
        "record_kind": item.kind,
        "campaign_id": item.campaign_id,
        "event_id": item.event_id,
        "kiosk_id": item.kiosk_id,
        "created_at": _iso(item.created_at),
        "language": item.language,
        "source": item.source,
        "person": {key: value for key, value in sorted(item.personal.items()) if isinstance(value, str) and value},
        "consents": {
            purpose: {
                "granted": state.granted,
                "text_version": state.text_version,
                "text_sha256": state.text_sha256,
                "at": _iso(state.at),
            }
            for purpose, state in sorted(item.consents.items())
        },
    }
    if item.kind == "signature" and "petition_id" in item.details:
        record["petition_id"] = item.details["petition_id"]
    if item.kind == "pledge":
        record["pledge"] = {
            key: item.details[key]
            for key in ("amount_pence", "currency", "frequency", "gift_aid")
            if key in item.details
        }
    change = item.consent_change
    if change is not None:
        record["consent_change"] = {
            "event_id": change.event_id,
            "purpose": change.purpose,
            "granted": change.granted,
            "text_version": change.text_version,
            "text_sha256": change.text_sha256,
            "at": _iso(change.at),
        }
    return record


def batch_payload(items: Sequence[DeliveryItem], sent_at: dt.datetime) -> dict[str, Any]:
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} records, got {len(items)}")
    return {
        "schema_version": SCHEMA_VERSION,
        "batch_id": batch_id(items),
        "sent_at": _iso(sent_at),
        "records": [record_payload(item) for item in items],
    }


def encode_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign_body(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def parse_answer(body: Any, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``{delivery id: ("accepted"|"rejected", reason)}`` for the ids the receiver answered about.

    Raises:
        TransientError: the answer does not have the agreed shape (nothing in it can be trusted).
    """
    if not isinstance(body, dict):
        raise TransientError("the receiver's answer is not a JSON object")
    accepted, rejected = body.get("accepted", []), body.get("rejected", [])
    if not isinstance(accepted, list) or not isinstance(rejected, list):
        raise TransientError("the receiver's answer lacks 'accepted'/'rejected' lists")
    wanted = set(ids)
    result: dict[str, tuple[str, str]] = {}
    for entry in rejected:
        if isinstance(entry, dict) and entry.get("id") in wanted:
            reason = entry.get("reason")
            result[str(entry["id"])] = ("rejected", str(reason) if reason else "rejected by the receiver")
    for delivery_id in accepted:
        if isinstance(delivery_id, str) and delivery_id in wanted and delivery_id not in result:
            result[delivery_id] = ("accepted", "")
    return result


class WebhookAdapter:
    name = NAME

    def __init__(self, settings: WebhookSettings, http: Http, *, now: Any = None) -> None:
        self.settings = settings
        self.http = http
        self.batch_size = min(MAX_BATCH, settings.batch_size)
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    def close(self) -> None:
        self.http.close()

    def probe(self) -> ProbeResult:
        return self.http.probe(self.settings.url)

    def deliver(self, items: Sequence[DeliveryItem]) -> list[Outcome]:
        payload = batch_payload(items, self._now())
        body = encode_body(payload)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": payload["batch_id"],
            SIGNATURE_HEADER: sign_body(self.settings.secret.reveal(), body),
        }
        personal = [value for item in items for value in item.personal.values()]
        try:
            response = self.http.request("POST", self.settings.url, content=body, headers=headers)
            answers = parse_answer(read_json(response), [item.delivery_id for item in items])
        except TransientError as exc:
            reason = redact(exc.reason, personal)
            return [Outcome.retry(reason, retry_after_s=exc.retry_after_s, stop=exc.stop) for _ in items]
        except PermanentError as exc:
            outcome = exc.outcome()
            return [Outcome.rejected(redact(outcome.reason, personal), stop=outcome.stop) for _ in items]
        outcomes = []
        for item in items:
            verdict = answers.get(item.delivery_id)
            if verdict is None:
                outcomes.append(Outcome.retry("the receiver did not confirm this record"))
            elif verdict[0] == "accepted":
                outcomes.append(Outcome.synced(f"batch:{payload['batch_id']}"))
            else:
                outcomes.append(Outcome.rejected(redact(verdict[1], item.personal.values())))
        return outcomes
