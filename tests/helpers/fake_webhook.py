"""A loopback webhook receiver that follows docs/webhook.schema.json: it checks the HMAC signature, validates the
body against the schema, keeps each record once (by id), and answers ``{"accepted": [...], "rejected": [...]}``.

Records whose person email starts with ``reject.`` are rejected with a reason; faults as in
fake_action_network (reset, 500, 503/429 + Retry-After, slow, lost, malformed, 400, 401).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jsonschema

from tests.helpers.fake_action_network import FaultyServer

SECRET = "webhook-secret-0123456789"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "webhook.schema.json"


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class FakeWebhook(FaultyServer):
    def __init__(self, secret: str = SECRET) -> None:
        super().__init__()
        self.secret = secret
        self.schema = load_schema()
        self.records: dict[str, dict[str, Any]] = {}
        self.deliveries: dict[str, int] = {}  # record id -> times received
        self.idempotency_keys: list[str] = []
        self.schema_errors: list[str] = []

    @property
    def url(self) -> str:
        return f"{self.origin}/hooks/kiosk"

    def sync_config(self, **overrides: Any) -> dict[str, Any]:
        hook = {"url": self.url, "secret": self.secret}
        hook.update(overrides.pop("webhook", {}))
        return {"adapter": "webhook", "webhook": hook, **overrides}

    def respond(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        raw: bytes,
    ) -> tuple[int, Any, dict[str, str]]:
        if path == "/hooks/stats" and method == "GET":
            with self.lock:
                return 200, {"records": len(self.records), "batches": len(self.idempotency_keys)}, {}
        if path != "/hooks/kiosk":
            return 404, {"error": "not found"}, {}
        if method in ("GET", "HEAD"):
            return 405, {"error": "POST record batches here"}, {}
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(handler.headers.get("X-Kiosk-Signature", ""), expected):
            return 401, {"error": "bad signature"}, {}
        key = handler.headers.get("Idempotency-Key", "")
        if not key:
            return 400, {"error": "Idempotency-Key missing"}, {}
        try:
            jsonschema.validate(body, self.schema)
        except jsonschema.ValidationError as exc:
            with self.lock:
                self.schema_errors.append(exc.message)
            return 400, {"error": f"schema: {exc.message}"}, {}
        accepted, rejected = [], []
        with self.lock:
            self.idempotency_keys.append(key)
            for record in body["records"]:
                email = record.get("person", {}).get("email", "")
                if email.startswith("reject."):
                    rejected.append({"id": record["id"], "reason": "unknown campaign for this address"})
                    continue
                self.deliveries[record["id"]] = self.deliveries.get(record["id"], 0) + 1
                self.records[record["id"]] = record
                accepted.append(record["id"])
        return 200, {"accepted": accepted, "rejected": rejected}, {}


class ExternalWebhook:
    """A FakeWebhook in its own process, so that timing tests measure the kiosk process alone (a real receiver is
    on another machine; in-process it would compete for the GIL)."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.fake_webhook", secret],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/hooks/kiosk"

    def sync_config(self, **overrides: Any) -> dict[str, Any]:
        hook = {"url": self.url, "secret": self.secret}
        return {"adapter": "webhook", "webhook": hook, **overrides}

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/hooks/stats", timeout=10) as answer:
            result: dict[str, int] = json.loads(answer.read())
        return result

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


if __name__ == "__main__":
    server = FakeWebhook(sys.argv[1] if len(sys.argv) > 1 else SECRET)
    server.start()
    print(server.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
