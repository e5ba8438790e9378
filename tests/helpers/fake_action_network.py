"""A loopback HTTP server that behaves like Action Network's API v2 (OSDI) for the parts the kiosk uses.

Behaviour copied from actionnetwork.org/docs/v2 (people, person signup helper, record signature helper,
signatures, OData filters):
- ``OSDI-API-Token`` header required, else 401 ``{"error": ...}``.
- People are matched by email address, then by phone number.
- Person signup helper (``POST people/``): a new person's email is subscribed unless a status is given (then that
  status); a new mobile number is unsubscribed unless ``subscribed`` is given. An existing person's statuses change
  only when a status is passed.
- Record signature helper (``POST petitions/<id>/signatures/``): same matching; a new person is subscribed to
  email; ``subscribed`` is the only status accepted (anything else: 400). Signatures are deduplicated by person:
  signing again updates the earlier signature (its identifiers are merged), so it never counts twice.
- Collections are HAL+JSON with ``_embedded["osdi:people"]`` / ``_embedded["osdi:signatures"]``; filters
  ``email_address eq '...'``, ``phone_number eq '...'`` and ``identifier eq '...'``.

Faults can be queued for matching requests: connection reset, 500, 503/429 with Retry-After, a slow answer (the
server stores, then answers after the client has timed out), a response lost after storing, malformed JSON after
storing, 400, 401.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-token-0123456789abcdef"
PETITION_ID = "4f1e2d3c-0000-4000-8000-000000000001"


@dataclass
class Fault:
    """One injected misbehaviour for the next ``times`` requests matching ``method`` and ``path`` (a regex)."""

    kind: str  # reset | 500 | 503 | 429 | slow | lost | malformed | 400 | 401
    method: str = "POST"
    path: str = ""
    times: int = 1
    retry_after: str | None = None
    delay_s: float = 0.0
    reason: str = ""


@dataclass
class Logged:
    at: float
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 0
    fault: str = ""


@dataclass
class Person:
    id: str
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    email_status: str = ""
    phone: str = ""
    phone_status: str = ""
    postal_code: str = ""
    country: str = ""
    tags: set[str] = field(default_factory=set)
    custom_fields: dict[str, str] = field(default_factory=dict)

    def hal(self, base: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "identifiers": [f"action_network:{self.id}"],
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email_addresses": [{"primary": True, "address": self.email, "status": self.email_status}]
            if self.email
            else [],
            "phone_numbers": [
                {"primary": True, "number": self.phone, "number_type": "Mobile", "status": self.phone_status}
            ]
            if self.phone
            else [],
            "postal_addresses": [{"primary": True, "postal_code": self.postal_code, "country": self.country}],
            "custom_fields": dict(self.custom_fields),
            "_links": {"self": {"href": f"{base}people/{self.id}"}},
        }
        return body


@dataclass
class StoredSignature:
    id: str
    petition_id: str
    person_id: str
    identifiers: list[str]
    source: str = ""
    tags: list[str] = field(default_factory=list)

    def hal(self, base: str) -> dict[str, Any]:
        return {
            "identifiers": [f"action_network:{self.id}", *self.identifiers],
            "action_network:person_id": self.person_id,
            "action_network:petition_id": self.petition_id,
            "action_network:referrer_data": {"source": self.source},
            "_links": {
                "self": {"href": f"{base}petitions/{self.petition_id}/signatures/{self.id}"},
                "osdi:person": {"href": f"{base}people/{self.person_id}"},
            },
        }


class FaultyServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a fault queue and a request log. Subclasses answer requests."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.lock = threading.RLock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms per answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                owner._handle(self, "GET")

            def do_POST(self) -> None:
                owner._handle(self, "POST")

            def do_HEAD(self) -> None:
                owner._handle(self, "HEAD")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="fake-server", daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultyServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FaultyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject(self, kind: str, **kwargs: Any) -> Fault:
        fault = Fault(kind, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def requests(self, method: str | None = None, path: str = "") -> list[Logged]:
        with self.lock:
            return [r for r in self.log if (method is None or r.method == method) and re.search(path, r.path)]

    # --- plumbing ------------------------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and re.search(fault.path, path) and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        at = time.monotonic()
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        entry = Logged(at, method, parts.path, parse_qs(parts.query), body)
        with self.lock:
            self.log.append(entry)
        fault = self._take_fault(method, parts.path)
        entry.fault = fault.kind if fault else ""
        if fault is not None and fault.kind == "reset":
            return _reset(handler)
        if fault is not None and fault.kind in ("500", "503", "429", "400", "401"):
            status = int(fault.kind)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            entry.status = status
            return _send(handler, status, {"error": fault.reason or f"injected {status}"}, headers)
        status, answer, headers = self.respond(handler, method, parts.path, parse_qs(parts.query), body, raw)
        entry.status = status
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_s)  # stored already; the answer comes after the client has given up
        if fault is not None and fault.kind == "lost":
            return _reset(handler)
        if fault is not None and fault.kind == "malformed":
            return _send_raw(handler, 200, b'{"identifiers": ["action_network:', "application/hal+json")
        _send(handler, status, answer, headers)

    def respond(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        raw: bytes,
    ) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError


def _send(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    _send_raw(handler, status, json.dumps(body).encode(), "application/hal+json", headers)


def _send_raw(
    handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)
    except OSError:
        handler.close_connection = True  # the client gave up (timeout) before we answered


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close with RST, as a crashed proxy or a dropped connection would."""
    handler.close_connection = True
    sock = handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


_FILTER = re.compile(r"^\s*(identifier|email_address|phone_number)\s+eq\s+'((?:[^']|'')*)'\s*$")


class FakeActionNetwork(FaultyServer):
    """See the module docstring. ``people`` and ``signatures`` are the server's records, for assertions."""

    def __init__(self, token: str = TOKEN, petition_id: str = PETITION_ID) -> None:
        super().__init__()
        self.token = token
        self.petition_id = petition_id
        self.people: dict[str, Person] = {}
        self.signatures: dict[str, StoredSignature] = {}
        self.status_violations: list[str] = []
        # Every status change made to a person that already existed: (person id, channel, old, new).
        self.status_changes: list[tuple[str, str, str, str]] = []

    @property
    def api_url(self) -> str:
        return f"{self.origin}/api/v2/"

    @property
    def petition_url(self) -> str:
        return f"{self.api_url}petitions/{self.petition_id}"

    def sync_config(self, **overrides: Any) -> dict[str, Any]:
        """A ``[sync]`` table for this server."""
        an = {"api_url": self.api_url, "petition_url": self.petition_url, "token": self.token, "tags": ["kiosk"]}
        an.update(overrides.pop("action_network", {}))
        return {"adapter": "action_network", "action_network": an, **overrides}

    def add_person(self, email: str = "", phone: str = "", *, email_status: str = "subscribed", **kw: Any) -> Person:
        """An existing supporter, already on the list before the kiosk syncs."""
        person = Person(
            id=str(uuid.uuid4()),
            email=email.lower(),
            email_status=email_status if email else "",
            phone=phone,
            phone_status=kw.pop("phone_status", "subscribed" if phone else ""),
            **kw,
        )
        with self.lock:
            self.people[person.id] = person
        return person

    def person_by_email(self, email: str) -> Person | None:
        with self.lock:
            return next((p for p in self.people.values() if p.email and p.email == email.lower()), None)

    def signatures_with(self, identifier: str) -> list[StoredSignature]:
        with self.lock:
            return [s for s in self.signatures.values() if identifier in s.identifiers]

    # --- request handling ----------------------------------------------------------------------------------

    def respond(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        raw: bytes,
    ) -> tuple[int, Any, dict[str, str]]:
        if handler.headers.get("OSDI-API-Token") != self.token:
            return 401, {"error": "API Key invalid or not present"}, {}
        base = self.api_url
        rest = path[len("/api/v2") :] if path.startswith("/api/v2") else None
        if rest is None:
            return 404, {"error": "not found"}, {}
        rest = rest.rstrip("/")
        with self.lock:
            if rest == "" and method in ("GET", "HEAD"):
                return 200, {"motd": "Welcome", "_links": {"osdi:people": {"href": f"{base}people"}}}, {}
            if rest == "/people" and method == "GET":
                return self._filter_people(query)
            if rest == "/people" and method == "POST":
                return self._person_signup(body)
            match = re.fullmatch(r"/petitions/([^/]+)/signatures", rest)
            if match and match.group(1) != self.petition_id:
                return 404, {"error": "petition not found"}, {}
            if match and method == "GET":
                return self._filter_signatures(query)
            if match and method == "POST":
                return self._record_signature(body)
        return 404, {"error": "not found"}, {}

    def _filter(self, query: dict[str, list[str]]) -> tuple[str, str] | None:
        text = (query.get("filter") or [""])[0]
        match = _FILTER.match(text)
        if not match:
            return None
        return match.group(1), match.group(2).replace("''", "'")

    def _filter_people(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        parsed = self._filter(query)
        if parsed is None:
            return 400, {"error": "unsupported filter"}, {}
        field_name, value = parsed
        if field_name == "email_address":
            found = [p for p in self.people.values() if p.email and p.email == value.lower()]
        elif field_name == "phone_number":
            found = [p for p in self.people.values() if p.phone and p.phone == value]
        else:
            found = [p for p in self.people.values() if f"action_network:{p.id}" == value]
        return 200, self._collection("people", [p.hal(self.api_url) for p in found]), {}

    def _filter_signatures(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        parsed = self._filter(query)
        if parsed is None or parsed[0] != "identifier":
            return 400, {"error": "unsupported filter"}, {}
        value = parsed[1]
        found = [
            s.hal(self.api_url)
            for s in self.signatures.values()
            if value in s.identifiers or value == f"action_network:{s.id}"
        ]
        return 200, self._collection("signatures", found), {}

    def _collection(self, rel: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "per_page": 25,
            "page": 1,
            "_links": {f"osdi:{rel}": [i["_links"]["self"] for i in items], "self": {"href": f"{self.api_url}{rel}"}},
            "_embedded": {f"osdi:{rel}": items},
        }

    def _match(self, email: str, phone: str) -> Person | None:
        if email:
            found = next((p for p in self.people.values() if p.email == email.lower()), None)
            if found:
                return found
        if phone:
            return next((p for p in self.people.values() if p.phone == phone), None)
        return None

    def _upsert(self, person_body: Any, *, helper: str, tags: list[str]) -> tuple[Person | None, str]:
        if not isinstance(person_body, dict):
            return None, "person is required"
        emails = person_body.get("email_addresses") or []
        phones = person_body.get("phone_numbers") or []
        email_entry = emails[0] if emails else {}
        phone_entry = phones[0] if phones else {}
        email = str(email_entry.get("address", "")).lower()
        phone = str(phone_entry.get("number", ""))
        if not email and not phone:
            return None, "People are required to have either an email address or a phone number"
        email_status = email_entry.get("status")
        phone_status = phone_entry.get("status")
        for status in (email_status, phone_status):
            if status is None:
                continue
            allowed = ("subscribed",) if helper == "signature" else ("subscribed", "unsubscribed")
            if status not in allowed:
                self.status_violations.append(f"{helper}: status {status!r}")
                return None, f"status {status!r} is not valid at this endpoint"
        person = self._match(email, phone)
        if person is None:
            person = Person(
                id=str(uuid.uuid4()),
                email=email,
                # New people are subscribed to email by default; new mobile numbers are unsubscribed by default.
                email_status=(email_status or "subscribed") if email else "",
                phone=phone,
                phone_status=(phone_status or "unsubscribed") if phone else "",
            )
            self.people[person.id] = person
        else:
            if email and not person.email:
                person.email, person.email_status = email, email_status or "subscribed"
            elif email_status and email_status != person.email_status:
                self.status_changes.append((person.id, "email", person.email_status, email_status))
                person.email_status = email_status
            if phone and not person.phone:
                person.phone, person.phone_status = phone, phone_status or "unsubscribed"
            elif phone_status and phone_status != person.phone_status:
                self.status_changes.append((person.id, "phone", person.phone_status, phone_status))
                person.phone_status = phone_status
        person.given_name = person_body.get("given_name", person.given_name)
        person.family_name = person_body.get("family_name", person.family_name)
        for postal in person_body.get("postal_addresses") or []:
            person.postal_code = postal.get("postal_code", person.postal_code)
            person.country = postal.get("country", person.country)
        person.custom_fields.update(person_body.get("custom_fields") or {})
        person.tags.update(tags)
        return person, ""

    def _person_signup(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict):
            return 400, {"error": "JSON object expected"}, {}
        person, error = self._upsert(body.get("person"), helper="person", tags=list(body.get("add_tags") or []))
        if person is None:
            return 400, {"error": error}, {}
        return 200, person.hal(self.api_url), {}

    def _record_signature(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict):
            return 400, {"error": "JSON object expected"}, {}
        person, error = self._upsert(body.get("person"), helper="signature", tags=list(body.get("add_tags") or []))
        if person is None:
            return 400, {"error": error}, {}
        identifiers = [i for i in body.get("identifiers") or [] if isinstance(i, str)]
        source = (body.get("action_network:referrer_data") or {}).get("source", "")
        existing = next(
            (s for s in self.signatures.values() if s.person_id == person.id and s.petition_id == self.petition_id),
            None,
        )
        if existing is not None:
            existing.identifiers.extend(i for i in identifiers if i not in existing.identifiers)
            return 200, existing.hal(self.api_url), {}
        signature = StoredSignature(
            id=str(uuid.uuid4()),
            petition_id=self.petition_id,
            person_id=person.id,
            identifiers=identifiers,
            source=source,
            tags=list(body.get("add_tags") or []),
        )
        self.signatures[signature.id] = signature
        return 200, signature.hal(self.api_url), {}


def max_in_window(times: list[float], window_s: float = 1.0) -> int:
    """The most requests that arrived within any ``window_s`` (for rate-limit assertions)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best
