"""Action Network (OSDI v2) adapter: signatures through the record signature helper, with consent kept exact.

Action Network facts this follows (actionnetwork.org/docs/v2):
- People are matched by email address and by phone number.
- A NEW person posted through the record signature helper is subscribed to the email list, and ``subscribed`` is
  the only status that helper accepts. So a signer who did not opt in is looked up first and, when new, created
  through the person signup helper (``POST people/``) with status ``unsubscribed``; the signature then carries no
  status, which leaves the status of an existing person unchanged.
- ``unsubscribed`` is never sent for a person who already exists (it would unsubscribe a supporter), except to
  carry out that person's own later withdrawal recorded on the kiosk.
- ``subscribed`` is sent only with an explicit opt-in. New mobile numbers are unsubscribed by default.
- There is no idempotency key: a record whose earlier attempt may have reached the server is first looked up by
  its identifier (``GET {petition}/signatures?filter=identifier eq '<prefix>:<uuid>'``).
- Only authenticated requests (``OSDI-API-Token``): unauthenticated "blind" posts and ``background_request``
  answer ``200 {}`` even on error, so nothing could be confirmed.

Pledges go to Action Network as a person signup with ``pledge_tags`` (the amount travels in custom fields);
the webhook adapter carries the full pledge. See docs/sync.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from kiosk.sync.settings import ActionNetworkSettings
from kiosk.validation import is_mobile

NAME = "action_network"
TOKEN_HEADER = "OSDI-API-Token"  # noqa: S105 - a header name, not a secret
AN_PREFIX = "action_network:"


# --- pure payload builders (property-tested in tests/unit/test_payloads.py) -----------------------------------


@dataclass(frozen=True)
class SignupPlan:
    """Whether to create the person first (and with which statuses) before posting the signature."""

    create_first: bool
    email_status: str | None  # "subscribed" | "unsubscribed" | None (leave as it is)
    phone_status: str | None
    include_email: bool = True
    include_phone: bool = True


def plan_signup(
    *,
    has_email: bool,
    has_phone: bool,
    email_known: bool,
    phone_known: bool,
    optin_email: bool,
    optin_sms: bool,
) -> SignupPlan:
    """Decide how to bring a signer into Action Network without subscribing anyone who did not opt in and
    without unsubscribing anyone who exists.

    - Entirely new (neither email nor phone found) and some channel not opted in: create them first with an
      explicit status for every channel they gave, then post the signature without statuses.
    - Email new but the phone belongs to a known person, and no email opt-in: create the email alone as a new,
      unsubscribed person (the signature helper would otherwise subscribe the new email by default).
    - Otherwise the signature helper alone is safe: it does not change an existing person's statuses, and it
      subscribes only where we pass ``subscribed``.
    """
    known = (has_email and email_known) or (has_phone and phone_known)
    if not known:
        needs_guard = (has_email and not optin_email) or (has_phone and not optin_sms)
        if needs_guard:
            return SignupPlan(
                create_first=True,
                email_status=("subscribed" if optin_email else "unsubscribed") if has_email else None,
                phone_status=("subscribed" if optin_sms else "unsubscribed") if has_phone else None,
            )
        return SignupPlan(create_first=False, email_status=None, phone_status=None)
    if has_email and not email_known and not optin_email:
        return SignupPlan(
            create_first=True, email_status="unsubscribed", phone_status=None, include_email=True, include_phone=False
        )
    return SignupPlan(create_first=False, email_status=None, phone_status=None)


def person_fields(
    personal: dict[str, str],
    *,
    email_status: str | None = None,
    phone_status: str | None = None,
    include_email: bool = True,
    include_phone: bool = True,
) -> dict[str, Any]:
    """An OSDI person hash. A status appears only when given; phones are sent only when they are mobiles."""
    person: dict[str, Any] = {}
    if personal.get("first_name"):
        person["given_name"] = personal["first_name"]
    if personal.get("last_name"):
        person["family_name"] = personal["last_name"]
    email = personal.get("email", "")
    if include_email and email:
        address: dict[str, Any] = {"address": email}
        if email_status:
            address["status"] = email_status
        person["email_addresses"] = [address]
    phone = personal.get("phone", "")
    if include_phone and phone and is_mobile(phone):
        number: dict[str, Any] = {"number": phone, "number_type": "Mobile"}
        if phone_status:
            number["status"] = phone_status
        person["phone_numbers"] = [number]
    postal: dict[str, Any] = {}
    if personal.get("postcode"):
        postal["postal_code"] = personal["postcode"]
    if personal.get("country"):
        postal["country"] = personal["country"]
    if postal:
        person["postal_addresses"] = [postal]
    return person


def identifier_for(item: DeliveryItem, settings: ActionNetworkSettings) -> str:
    return f"{settings.identifier_prefix}:{item.record_id}"


def signature_payload(item: DeliveryItem, settings: ActionNetworkSettings) -> dict[str, Any]:
    """The record signature helper body. Status ``subscribed`` only with the opt-in; never any other status."""
    person = person_fields(
        item.personal,
        email_status="subscribed" if item.granted("email_updates") else None,
        phone_status="subscribed" if item.granted("sms_updates") else None,
    )
    body: dict[str, Any] = {
        "identifiers": [identifier_for(item, settings)],
        "person": person,
        "action_network:referrer_data": {"source": settings.source},
    }
    if settings.tags:
        body["add_tags"] = list(settings.tags)
    return body


def person_signup_payload(
    item: DeliveryItem, plan: SignupPlan, tags: Sequence[str] = (), custom_fields: dict[str, str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": person_fields(
            item.personal,
            email_status=plan.email_status,
            phone_status=plan.phone_status,
            include_email=plan.include_email,
            include_phone=plan.include_phone,
        )
    }
    if custom_fields:
        body["person"]["custom_fields"] = dict(custom_fields)
    if tags:
        body["add_tags"] = list(tags)
    return body


def consent_change_payload(item: DeliveryItem, *, person_exists: bool) -> dict[str, Any] | None:
    """A later opt-in subscribes; a later withdrawal unsubscribes only a person who exists (it is their own
    request). None when there is nothing to tell Action Network."""
    change = item.consent_change
    if change is None:
        return None
    status = "subscribed" if change.granted else "unsubscribed"
    if not change.granted and not person_exists:
        return None
    if change.purpose == "email_updates" and item.personal.get("email"):
        plan = SignupPlan(False, email_status=status, phone_status=None, include_phone=False)
    elif change.purpose == "sms_updates" and item.personal.get("phone") and is_mobile(item.personal["phone"]):
        plan = SignupPlan(False, email_status=None, phone_status=status, include_email=False)
    else:
        return None
    return person_signup_payload(item, plan)


def remote_id_of(body: Any) -> str | None:
    """The ``action_network:<uuid>`` identifier of a HAL resource; None when the answer does not confirm one."""
    if not isinstance(body, dict):
        return None
    for identifier in body.get("identifiers") or []:
        if isinstance(identifier, str) and identifier.startswith(AN_PREFIX) and len(identifier) > len(AN_PREFIX):
            return identifier
    return None


def embedded(body: Any, rel: str) -> list[dict[str, Any]]:
    """Resources of a HAL collection (``_embedded["osdi:<rel>"]``)."""
    if not isinstance(body, dict):
        raise TransientError("collection answer is not a JSON object")
    items = (body.get("_embedded") or {}).get(f"osdi:{rel}", [])
    if not isinstance(items, list):
        raise TransientError(f"collection answer has no osdi:{rel} list")
    return [item for item in items if isinstance(item, dict)]


def odata_quote(value: str) -> str:
    """A string literal for an OData filter (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def pledge_custom_fields(item: DeliveryItem) -> dict[str, str]:
    details = item.details
    fields: dict[str, str] = {}
    amount = details.get("amount_pence")
    if isinstance(amount, int):
        fields["kiosk_pledge_amount"] = f"{amount / 100:.2f} {details.get('currency', '')}".strip()
    if details.get("frequency"):
        fields["kiosk_pledge_frequency"] = str(details["frequency"])
    return fields


# --- the adapter ----------------------------------------------------------------------------------------------


class ActionNetworkAdapter:
    """Delivers one record at a time (each may take up to four requests, all inside the rate limit)."""

    name = NAME
    batch_size = 1

    def __init__(self, settings: ActionNetworkSettings, http: Http) -> None:
        self.settings = settings
        self.http = http
        self._auth = {TOKEN_HEADER: settings.token.reveal()}

    def close(self) -> None:
        self.http.close()

    def probe(self) -> ProbeResult:
        return self.http.probe(self.settings.api_url)

    def deliver(self, items: Sequence[DeliveryItem]) -> list[Outcome]:
        return [self._deliver_one(item) for item in items]

    def _deliver_one(self, item: DeliveryItem) -> Outcome:
        personal_values = list(item.personal.values())
        try:
            if not item.personal:
                return Outcome.rejected(
                    "personal data was purged from the kiosk before this could be sent; enter it by hand if needed"
                )
            if item.consent_change is not None:
                return self._consent_change(item)
            if item.kind == "pledge":
                return self._pledge(item)
            return self._signature(item)
        except TransientError as exc:
            outcome = exc.outcome()
            return Outcome.retry(
                redact(outcome.reason, personal_values), retry_after_s=outcome.retry_after_s, stop=outcome.stop
            )
        except PermanentError as exc:
            outcome = exc.outcome()
            return Outcome.rejected(redact(outcome.reason, personal_values), stop=outcome.stop)

    # --- requests ------------------------------------------------------------------------------------------

    def _get(self, url: str, filter_text: str) -> Any:
        return read_json(self.http.request("GET", url, params={"filter": filter_text}, headers=self._auth))

    def _post(self, url: str, body: dict[str, Any]) -> Any:
        return read_json(self.http.request("POST", url, json_body=body, headers=self._auth))

    def find_signature(self, identifier: str) -> str | None:
        found = embedded(
            self._get(self.settings.signatures_url.rstrip("/"), f"identifier eq {odata_quote(identifier)}"),
            "signatures",
        )
        for signature in found:
            if identifier in (signature.get("identifiers") or []):
                return remote_id_of(signature) or identifier
        return None

    def person_exists(self, field_name: str, value: str) -> bool:
        if not value:
            return False
        people = embedded(
            self._get(self.settings.people_url.rstrip("/"), f"{field_name} eq {odata_quote(value)}"), "people"
        )
        return bool(people)

    # --- record kinds --------------------------------------------------------------------------------------

    def _signature(self, item: DeliveryItem) -> Outcome:
        identifier = identifier_for(item, self.settings)
        if item.maybe_delivered:
            existing = self.find_signature(identifier)
            if existing:
                return Outcome.synced(existing)
        plan = self._plan(item)
        if plan.create_first:
            created = self._post(self.settings.people_url, person_signup_payload(item, plan, self.settings.tags))
            if remote_id_of(created) is None:
                raise TransientError("Action Network did not confirm the new person (no identifiers in its answer)")
        body = self._post(self.settings.signatures_url, signature_payload(item, self.settings))
        remote = remote_id_of(body)
        if remote is None:
            raise TransientError("Action Network did not confirm the signature (no identifiers in its answer)")
        return Outcome.synced(remote)

    def _plan(self, item: DeliveryItem) -> SignupPlan:
        email = item.personal.get("email", "")
        phone = item.personal.get("phone", "")
        phone = phone if phone and is_mobile(phone) else ""
        optin_email, optin_sms = item.granted("email_updates"), item.granted("sms_updates")
        # Look-ups cost requests (rate limit); skip those that cannot change the plan.
        email_known = bool(email) and self.person_exists("email_address", email)
        phone_known = False
        if phone and not email_known:
            phone_known = self.person_exists("phone_number", phone)
        return plan_signup(
            has_email=bool(email),
            has_phone=bool(phone),
            email_known=email_known,
            phone_known=phone_known,
            optin_email=optin_email,
            optin_sms=optin_sms,
        )

    def _consent_change(self, item: DeliveryItem) -> Outcome:
        change = item.consent_change
        assert change is not None
        if change.purpose == "sign" and not change.granted:
            return Outcome.rejected(
                "signature withdrawn on the kiosk: remove it in Action Network by hand (the API cannot delete it)"
            )
        exists = True
        if not change.granted:
            email, phone = item.personal.get("email", ""), item.personal.get("phone", "")
            exists = self.person_exists("email_address", email) or self.person_exists("phone_number", phone)
        body = consent_change_payload(item, person_exists=exists)
        if body is None:
            # Nothing Action Network holds is affected (a purpose it has no field for, or an unknown person).
            return Outcome.synced("none")
        created = self._post(self.settings.people_url, body)
        remote = remote_id_of(created)
        if remote is None:
            raise TransientError("Action Network did not confirm the consent change (no identifiers in its answer)")
        return Outcome.synced(remote)

    def _pledge(self, item: DeliveryItem) -> Outcome:
        email = item.personal.get("email", "")
        phone = item.personal.get("phone", "")
        phone = phone if phone and is_mobile(phone) else ""
        if not email and not phone:
            return Outcome.rejected("Action Network needs an email address or a mobile number for a pledge")
        email_known = bool(email) and self.person_exists("email_address", email)
        phone_known = bool(phone) and not email_known and self.person_exists("phone_number", phone)
        plan = plan_signup(
            has_email=bool(email),
            has_phone=bool(phone),
            email_known=email_known,
            phone_known=phone_known,
            optin_email=item.granted("email_updates"),
            optin_sms=item.granted("sms_updates"),
        )
        if not plan.create_first:
            # Existing person, or new with every channel opted in: send only the opt-ins, never "unsubscribed".
            plan = SignupPlan(
                False,
                email_status="subscribed" if item.granted("email_updates") else None,
                phone_status="subscribed" if item.granted("sms_updates") else None,
            )
        tags = self.settings.pledge_tags or self.settings.tags
        created = self._post(
            self.settings.people_url, person_signup_payload(item, plan, tags, pledge_custom_fields(item))
        )
        remote = remote_id_of(created)
        if remote is None:
            raise TransientError("Action Network did not confirm the pledge's person (no identifiers in its answer)")
        return Outcome.synced(remote)
