"""Records for organiser-tool tests (export, import, backup, dashboard), stored through the real save paths.

The values are given as already-validated records so tests can store what the screens would never let through
(newlines, quotes, formula-like text) and check the exports survive it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.services import KioskOptions
from kiosk.signing import ValidSignature, save_signature
from tests.helpers.kiosk import PASSPHRASE, make_options, set_up_database


def open_test_runtime(data_dir: Path, *, unlock: bool = True, set_up: bool = True) -> KioskRuntime:
    """A set-up kiosk's storage (set up on first use of ``data_dir``), unlocked unless ``unlock`` is False."""
    if set_up and not (data_dir / "kiosk.db").exists():
        set_up_database(data_dir)
    options = make_options(data_dir)
    if unlock:
        options = KioskOptions(
            data_dir=options.data_dir, config=options.config, campaign=options.campaign, unlock_passphrase=PASSPHRASE
        )
    return open_runtime(options)


def store_signature(
    runtime: KioskRuntime,
    first: str = "Ann",
    last: str = "Signer",
    email: str = "ann@example.org",
    *,
    postcode: str = "SW1A 1AA",
    country: str = "GB",
    phone: str = "",
    optin_email: bool = False,
    optin_sms: bool = False,
    when: dt.datetime | None = None,
    event: str | None = None,
    source: str = "kiosk",
) -> str:
    signature = ValidSignature(first, last, email, postcode, country, phone, optin_email, optin_sms, "en")
    return save_signature(runtime, signature, source=source, when=when, event_id=event).record_id


def store_pledge(
    runtime: KioskRuntime,
    first: str = "Bea",
    last: str = "Donor",
    email: str = "bea@example.org",
    *,
    amount_pence: int = 1250,
    frequency: str = "one_off",
    gift_aid: bool = True,
    address_line: str = "12 High Street",
    postcode: str = "BN1 1AA",
    phone: str = "",
    follow_up_email: bool = True,
    follow_up_phone: bool = False,
    optin_email: bool = False,
    when: dt.datetime | None = None,
    event: str | None = None,
) -> str:
    from kiosk.pledges import ValidPledge, save_pledge

    pledge = ValidPledge(
        amount_pence=amount_pence,
        currency="GBP",
        frequency=frequency,
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        address_line=address_line if gift_aid else "",
        postcode=postcode if gift_aid else "",
        gift_aid=gift_aid,
        gift_aid_enduring=False,
        follow_up_email=follow_up_email,
        follow_up_phone=follow_up_phone,
        optin_email=optin_email,
        language="en",
    )
    return save_pledge(runtime, pledge, when=when, event_id=event).record_id
