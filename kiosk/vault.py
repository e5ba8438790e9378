"""The vault: organiser keys, per-run data keys, sealing on write and unsealing when unlocked.

The kiosk holds the organiser's public key only. Each run makes a fresh random data key and stores it wrapped to
that public key, so the kiosk can seal new records without the passphrase. Reading needs the passphrase, which
unlocks the private key into this process's memory until :meth:`Vault.lock`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk import crypto
from kiosk.errors import DecryptionError, VaultError, VaultLockedError
from local_db import repositories as repo
from local_db.models import OrganiserVault, Pledge, Signature
from local_db.session import Database

PASSPHRASE_MIN = 10
# Lockout after this many wrong PINs; each lockout doubles the wait.
PIN_ATTEMPTS = 5
PIN_LOCK_SECONDS = 60

_COMMON = {
    "password",
    "passphrase",
    "qwertyuiop",
    "1234567890",
    "0123456789",
    "letmein",
    "iloveyou",
    "welcome",
    "admin",
    "administrator",
    "changeme",
    "football",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "trustno1",
    "baseball",
    "superman",
    "starwars",
    "whatever",
    "qwerty",
    "abc123",
    "abcdefghij",
    "asdfghjkl",
    "zxcvbnm",
    "master",
    "freedom",
    "freetibet",
    "hikvision",
    "campaign",
    "kiosk",
    "organiser",
    "organizer",
    "secret",
}


def passphrase_problem(passphrase: str) -> str | None:
    """Why a passphrase is too weak to protect signers' data, or None when it will do."""
    if len(passphrase) < PASSPHRASE_MIN:
        return f"Use at least {PASSPHRASE_MIN} characters - a few unrelated words work well."
    folded = re.sub(r"[\W_]+", "", passphrase.lower())
    stripped = re.sub(r"\d+$", "", folded)
    if (
        folded in _COMMON
        or stripped in _COMMON
        or any(folded.startswith(w) and len(folded) - len(w) < 5 for w in _COMMON if len(w) >= 6)
    ):
        return "That passphrase is too common. Choose a few unrelated words."
    if len(set(passphrase)) < 5:
        return "That passphrase repeats too few characters. Choose a few unrelated words."
    if passphrase.isdigit():
        return "Digits alone are easy to guess. Choose a few unrelated words."
    if _is_sequence(folded):
        return "Keyboard or alphabet sequences are easy to guess. Choose a few unrelated words."
    return None


def _is_sequence(text: str) -> bool:
    rows = ("abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "01234567890")
    return any(text in row or text in row[::-1] for row in rows)


def pin_problem(pin: str) -> str | None:
    if not re.fullmatch(r"\d{4,8}", pin):
        return "The PIN must be 4 to 8 digits."
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return "That PIN is too easy to guess."
    return None


@dataclass(frozen=True)
class OpenedRecord:
    record_id: str
    fields: dict[str, Any]


def setup_vault(db: Database, passphrase: str, pin: str, kiosk_name: str, event_id: str) -> str:
    """First-run setup: create the organiser keys and PIN hash. Returns the new kiosk id.

    Raises:
        VaultError: setup was done before, or the passphrase/PIN is too weak.
    """
    problem = passphrase_problem(passphrase) or pin_problem(pin)
    if problem:
        raise VaultError(problem)
    kiosk_name, event_id = kiosk_name.strip(), event_id.strip()
    if not kiosk_name or not event_id:
        raise VaultError("Give the kiosk a name and the event or stall a name.")
    material = crypto.create_organiser_keys(passphrase)
    kiosk_id = str(uuid.uuid4())
    with db.begin() as session:
        if repo.get_vault(session) is not None:
            raise VaultError("This kiosk is already set up; its keys protect stored records and are never replaced.")
        session.add(
            OrganiserVault(
                id=1,
                kiosk_id=kiosk_id,
                kiosk_name=kiosk_name[:100],
                event_id=event_id[:100],
                public_key=material.public_key,
                encrypted_private_key=material.encrypted_private_key,
                passphrase_kdf=material.passphrase_kdf,
                pin_hash=crypto.hash_pin(pin),
                dedupe_key_wrapped=crypto.wrap_key(material.public_key, os.urandom(32), b"dedupe-key"),
                pin_failures=0,
                pin_lockouts=0,
            )
        )
        repo.add_audit(session, "setup", kiosk_id=kiosk_id, kiosk_name=kiosk_name, event_id=event_id)
    return kiosk_id


def is_set_up(db: Database) -> bool:
    with db.begin() as session:
        return repo.get_vault(session) is not None


class Vault:
    """Sealing for one running kiosk process, and unsealing while unlocked."""

    def __init__(self, db: Database) -> None:
        self._db = db
        with db.begin() as session:
            row = repo.get_vault(session)
            if row is None:
                raise VaultError("This kiosk has not been set up yet: run `campaign-kiosk setup` or the setup screen.")
            self.kiosk_id = row.kiosk_id
            self.kiosk_name = row.kiosk_name
            self.event_id = row.event_id
            self._public_key = row.public_key
            self._material = crypto.OrganiserKeyMaterial(row.public_key, row.encrypted_private_key, row.passphrase_kdf)
            self._dedupe_wrapped = row.dedupe_key_wrapped
        self._data_key_id: str | None = None
        self._data_key: AESGCM | None = None  # this run's data key, as the cipher every save seals with
        self._private: X25519PrivateKey | None = None
        self._dedupe_key: bytes | None = None
        self._unwrapped: dict[str, bytes] = {}

    # --- writing (no passphrase needed) -------------------------------------------------------------------------

    def _ensure_run_key(self) -> tuple[str, AESGCM]:
        """The data key of this run, made and stored (wrapped) on first use."""
        if self._data_key is None or self._data_key_id is None:
            key_id, key = uuid.uuid4().hex, os.urandom(32)
            with self._db.begin() as session:
                repo.add_data_key(session, key_id, crypto.wrap_key(self._public_key, key, key_id.encode()))
            self._data_key_id, self._data_key = key_id, AESGCM(key)
        return self._data_key_id, self._data_key

    def start_run(self) -> str:
        """Make this run's data key now (the kiosk calls it at start-up). Returns its id."""
        return self._ensure_run_key()[0]

    def seal(self, record_id: str, fields: dict[str, Any]) -> tuple[str, bytes]:
        """Encrypt a record's personal fields; returns (data key id, sealed blob)."""
        key_id, key = self._ensure_run_key()
        plaintext = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return key_id, crypto.seal_with(key, record_id, key_id, plaintext)

    # --- unlocking -----------------------------------------------------------------------------------------------

    @property
    def unlocked(self) -> bool:
        return self._private is not None

    def unlock(self, passphrase: str) -> None:
        """Load the private key into memory. Wrong passphrase: :class:`VaultError`, nothing changes but the audit."""
        try:
            private = crypto.load_private_key(self._material, passphrase)
            dedupe_key = crypto.unwrap_key(private, self._dedupe_wrapped, b"dedupe-key")
        except crypto.CryptoError:
            with self._db.begin() as session:
                repo.add_audit(session, "unlock_failed")
            raise VaultError("That passphrase is not right. Nothing was changed.") from None
        self._private, self._dedupe_key = private, dedupe_key
        with self._db.begin() as session:
            repo.add_audit(session, "unlock")

    def lock(self) -> None:
        was_unlocked = self.unlocked
        self._private, self._dedupe_key = None, None
        self._unwrapped.clear()
        if was_unlocked:
            with self._db.begin() as session:
                repo.add_audit(session, "lock")

    def dedupe_tag(self, petition_id: str, normalised_email: str) -> str | None:
        """Keyed tag for duplicate detection; None while locked (the record gets a tag when next unlocked)."""
        if self._dedupe_key is None or not normalised_email:
            return None
        return crypto.keyed_tag(self._dedupe_key, petition_id, normalised_email.casefold())

    # --- reading (needs unlock) ----------------------------------------------------------------------------------

    def _data_key_for(self, key_id: str) -> bytes:
        if self._private is None:
            raise VaultLockedError("Unlock with the organiser passphrase to read personal data.")
        if key_id not in self._unwrapped:
            with self._db.begin() as session:
                row = repo.get_data_key(session, key_id)
                wrapped = None if row is None else row.wrapped
            if wrapped is None:
                raise crypto.CryptoError(f"data key {key_id} is missing")
            self._unwrapped[key_id] = crypto.unwrap_key(self._private, wrapped, key_id.encode())
        return self._unwrapped[key_id]

    def open_blob(self, record_id: str, key_id: str, sealed: bytes) -> dict[str, Any]:
        """Decrypt one record's personal fields.

        Raises:
            VaultLockedError: the vault is locked.
            DecryptionError: the ciphertext, its key or its binding to the record was tampered with.
        """
        try:
            plaintext = crypto.open_sealed(self._data_key_for(key_id), record_id, key_id, sealed)
            fields = json.loads(plaintext.decode("utf-8"))
        except (crypto.CryptoError, ValueError) as exc:
            raise DecryptionError(record_id, str(exc)) from None
        if not isinstance(fields, dict):
            raise DecryptionError(record_id, "sealed data is not an object")
        return fields

    def open_blobs(self, sealed: Sequence[tuple[str, str, bytes]]) -> list[dict[str, Any] | DecryptionError]:
        """Decrypt many records' personal fields at once: for each (record id, data key id, sealed blob), in order,
        the fields as :meth:`open_blob` gives them, or the :class:`DecryptionError` it would raise (returned, not
        raised, so one tampered record does not stop the others).

        The same checks as :meth:`open_blob`, record by record (format, AES-GCM tag bound to the record and key id,
        a JSON object), with less work per record: one cipher object per data key, and the plaintexts of a batch
        parsed as one JSON array when each is a whole object. A batch that does not parse that way is parsed record
        by record, so a bad record is reported on its own.

        Raises:
            VaultLockedError: the vault is locked.
        """
        if self._private is None:
            raise VaultLockedError("Unlock with the organiser passphrase to read personal data.")
        ciphers: dict[str, AESGCM | str] = {}  # data key id -> its cipher, or why it cannot be had
        results: list[dict[str, Any] | DecryptionError] = []
        plaintexts: list[bytes] = []
        opened: list[int] = []  # index in results of each plaintext
        head, tag_len, record_aad = 1 + crypto.NONCE_LEN, 16, crypto.record_aad
        for record_id, key_id, blob in sealed:
            cipher = ciphers.get(key_id)
            if cipher is None:
                try:
                    cipher = ciphers[key_id] = AESGCM(self._data_key_for(key_id))
                except crypto.CryptoError as exc:
                    cipher = ciphers[key_id] = str(exc)
            if isinstance(cipher, str):
                results.append(DecryptionError(record_id, cipher))
                continue
            if blob[:1] != crypto.SEAL_VERSION or len(blob) < head + tag_len:
                results.append(DecryptionError(record_id, "unknown sealed-data format"))
                continue
            try:
                plaintexts.append(cipher.decrypt(blob[1:head], blob[head:], record_aad(record_id, key_id)))
            except InvalidTag:
                results.append(DecryptionError(record_id, "sealed data failed to authenticate"))
                continue
            opened.append(len(results))
            results.append({})
        for index, fields in zip(opened, self._parse_all(plaintexts), strict=True):
            results[index] = fields if isinstance(fields, dict) else DecryptionError(sealed[index][0], fields)
        return results

    @staticmethod
    def _parse_all(plaintexts: list[bytes]) -> list[dict[str, Any] | str]:
        """Each plaintext's JSON object, or why it is not one (what :meth:`open_blob` would say)."""
        if all(p[:1] == b"{" and p[-1:] == b"}" for p in plaintexts):
            try:
                parsed = json.loads(b"[" + b",".join(plaintexts) + b"]")
            except ValueError:
                parsed = None
            # Whole objects joined by commas parse as exactly those objects; anything else is parsed one by one.
            if len(parsed or ()) == len(plaintexts) and all(type(fields) is dict for fields in parsed):
                return list(parsed)
        results: list[dict[str, Any] | str] = []
        for plaintext in plaintexts:
            try:
                fields = json.loads(plaintext.decode("utf-8"))
            except ValueError as exc:
                results.append(str(exc))
                continue
            results.append(fields if isinstance(fields, dict) else "sealed data is not an object")
        return results

    def open_record(self, record: Signature | Pledge) -> dict[str, Any]:
        if record.sealed is None:
            return {}
        return self.open_blob(record.id, record.data_key_id, record.sealed)

    def report_decryption_failure(self, error: DecryptionError) -> None:
        with self._db.begin() as session:
            repo.add_audit(session, "decryption_failed", record_id=error.record_id, reason=str(error))


def utc_today_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight at the start of the kiosk's local day, in UTC (for 'today' tallies)."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
