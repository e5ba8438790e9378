"""What the petition form holds while an attendee fills it in. Kept apart from kiosk.signing, which needs the
database, so the sign screen's view model exists before storage opens (issue 2: first frame before SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SignatureDraft:
    """What the attendee typed and ticked, exactly as typed."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    postcode: str = ""
    outside_uk: bool = False
    country: str = ""
    phone: str = ""
    consent_sign: bool = False
    optin_email: bool = False
    optin_sms: bool = False
    language: str = "en"
