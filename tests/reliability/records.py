"""Records for reliability tests: signatures saved through the real save path, and reading everything back.

Every check here goes through the product's own code (validation, sealing, the durable commit, the vault), and
the reading side uses only the organiser passphrase, the way an organiser would get the data back after a fault.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.services import KioskOptions
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from local_db.models import OutboxEntry, Signature
from tests.helpers.kiosk import PASSPHRASE, make_options

FIRST = ("Siobhán", "Zoë", "Łukasz", "Nguyễn", "Oluwaseun", "Αλέξανδρος", "Андрій", "Mary-Jane", "D'Arcy", "李")
LAST = ("O'Brien", "Smith-Jones", "Ní Bhriain", "Müller", "Okafor", "García", "Шевченко", "Dvořák", "Lee", "王")
POSTCODES = ("SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "EH1 1YZ")


def draft(n: int, tag: str = "") -> SignatureDraft:
    """The n-th test signer: varied names and postcodes, a unique email, every third one opting in to email."""
    return SignatureDraft(
        first_name=FIRST[n % len(FIRST)],
        last_name=LAST[(n // len(FIRST)) % len(LAST)],
        email=f"signer{n}{tag}@example.org",
        postcode=POSTCODES[n % len(POSTCODES)].lower(),
        consent_sign=True,
        optin_email=n % 3 == 0,
    )


def expected_fields(n: int, tag: str = "") -> dict[str, str]:
    """What the vault must give back for :func:`draft` ``(n, tag)``: the normalised values."""
    d = draft(n, tag)
    return {
        "first_name": d.first_name,
        "last_name": d.last_name,
        "email": d.email,
        "postcode": d.postcode.upper(),
        "country": "GB",
        "phone": "",
    }


def save(runtime: KioskRuntime, n: int, tag: str = "") -> str:
    """Validate and save signer ``n`` through the real save path; returns the record id."""
    valid, errors = validate_signature(draft(n, tag), runtime.options.campaign)
    assert valid is not None, errors
    return save_signature(runtime, valid).record_id


def save_many(options: KioskOptions, numbers: range, tag: str = "") -> dict[str, dict[str, str]]:
    """Open the kiosk's storage, save these signers, close. Returns {record id: expected fields}."""
    runtime = open_runtime(options)
    try:
        return {save(runtime, n, tag): expected_fields(n, tag) for n in numbers}
    finally:
        runtime.close()


def read_back(data_dir: Path, options: KioskOptions | None = None) -> dict[str, dict[str, Any]]:
    """Every signature on the kiosk, decrypted with the organiser passphrase ({record id: fields}).

    Raises whatever the product raises when a record cannot be opened: a test that reads back must see it.
    """
    base = options or make_options(data_dir)
    unlocked = KioskOptions(
        data_dir=base.data_dir, config=base.config, campaign=base.campaign, unlock_passphrase=PASSPHRASE
    )
    runtime = open_runtime(unlocked, start_run=False)
    try:
        assert runtime.vault is not None
        with runtime.db.begin() as session:
            records = list(session.scalars(select(Signature)))
        return {record.id: runtime.vault.open_record(record) for record in records}
    finally:
        runtime.close()


def outbox_states(db_path: Path) -> dict[str, str]:
    """{record id: state} of each record's own outbox entry, read with bare sqlite3 (no recovery on open)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            f"SELECT record_id, state FROM {OutboxEntry.__tablename__} WHERE consent_event_id IS NULL"
        ).fetchall()
    finally:
        conn.close()
    return {str(record_id): str(state) for record_id, state in rows}


def integrity(db_path: Path) -> str:
    """SQLite's own ``PRAGMA integrity_check`` answer ("ok" when the file is sound)."""
    conn = sqlite3.connect(db_path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
