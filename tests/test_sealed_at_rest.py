"""Nothing personal on disk: after real signings, the DB, WAL and logs hold none of the signers' details; sealed
records open only with the right passphrase; a flipped byte is detected and isolated."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.errors import DecryptionError, VaultError
from kiosk.logs import configure_logging
from kiosk.runtime import open_runtime
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from local_db.models import Signature
from tests.helpers.kiosk import PASSPHRASE, make_options

PEOPLE = [
    ("Dolkar", "Tsering-Wangmo", "dolkar.tw@example.org", "EH1 1YZ", "07911 123456"),
    ("Алия", "Нурланова", "aliya.n@example.org", "M1 1AE", "07700 123456"),
    ("محمد", "الشامي", "m.alshami@example.org", "CR2 6XH", "+44 20 7946 0958"),
]


def _save_people(data_dir: Path) -> None:
    runtime = open_runtime(make_options(data_dir))
    for first, last, email, postcode, phone in PEOPLE:
        valid, errors = validate_signature(
            SignatureDraft(first, last, email, postcode, phone=phone, consent_sign=True, optin_sms=False),
            runtime.options.campaign,
        )
        assert valid is not None, errors
        save_signature(runtime, valid)
    logging.getLogger("kiosk").info("saved %d signatures", len(PEOPLE))
    runtime.close()


def _needles() -> list[bytes]:
    out = []
    for first, last, email, postcode, phone in PEOPLE:
        for value in (first, last, email, postcode, postcode.replace(" ", ""), phone.replace(" ", "")):
            out.append(value.encode("utf-8"))
            out.append(value.encode("utf-16-le"))
    return out


def test_no_personal_data_in_db_wal_or_logs(set_up_data_dir: Path) -> None:
    configure_logging(set_up_data_dir, verbose=True)
    _save_people(set_up_data_dir)
    files = [p for p in set_up_data_dir.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "kiosk.db" in names and "kiosk.log" in names
    for path in files:
        blob = path.read_bytes()
        for needle in _needles():
            assert needle not in blob, f"{needle!r} found in {path.name}"


def test_wal_checked_before_checkpoint(set_up_data_dir: Path) -> None:
    """The -wal file exists while a runtime is open; check it too before SQLite folds it into the DB."""
    runtime = open_runtime(make_options(set_up_data_dir))
    valid, _ = validate_signature(SignatureDraft(*PEOPLE[0][:4], consent_sign=True), runtime.options.campaign)
    assert valid is not None
    save_signature(runtime, valid)
    wal = set_up_data_dir / "kiosk.db-wal"
    assert wal.exists() and wal.stat().st_size > 0
    blob = wal.read_bytes()
    for needle in _needles()[:10]:
        assert needle not in blob
    runtime.close()


def test_right_passphrase_opens_exactly_wrong_one_fails(set_up_data_dir: Path) -> None:
    _save_people(set_up_data_dir)
    runtime = open_runtime(make_options(set_up_data_dir))
    with pytest.raises(VaultError, match="not right"):
        runtime.vault.unlock("wrong passphrase, clearly")
    runtime.vault.unlock(PASSPHRASE)
    with runtime.db.begin() as session:
        records = list(session.scalars(select(Signature)))
        opened = sorted((runtime.vault.open_record(r)["email"]) for r in records)
    assert opened == sorted(p[2] for p in PEOPLE)
    runtime.close()


def test_flipped_byte_is_detected_and_isolated(set_up_data_dir: Path) -> None:
    _save_people(set_up_data_dir)
    runtime = open_runtime(make_options(set_up_data_dir))
    with runtime.db.begin() as session:
        records = list(session.scalars(select(Signature)))
        victim = records[1]
        sealed = bytearray(victim.sealed or b"")
        sealed[20] ^= 0x01
        victim.sealed = bytes(sealed)
    runtime.vault.unlock(PASSPHRASE)
    good, bad = [], []
    with runtime.db.begin() as session:
        for record in session.scalars(select(Signature)):
            try:
                good.append(runtime.vault.open_record(record)["email"])
            except DecryptionError as exc:
                bad.append(exc.record_id)
                runtime.vault.report_decryption_failure(exc)
    assert bad == [victim.id]
    assert len(good) == 2
    from local_db.repositories import recent_audit

    with runtime.db.begin() as session:
        failures = [e for e in recent_audit(session) if e.action == "decryption_failed"]
    assert failures and victim.id in failures[0].details
    runtime.close()


def test_moving_a_ciphertext_to_another_record_fails(set_up_data_dir: Path) -> None:
    _save_people(set_up_data_dir)
    runtime = open_runtime(make_options(set_up_data_dir))
    runtime.vault.unlock(PASSPHRASE)
    with runtime.db.begin() as session:
        a, b = list(session.scalars(select(Signature)))[:2]
        with pytest.raises(DecryptionError):
            runtime.vault.open_blob(a.id, b.data_key_id, b.sealed or b"")
    runtime.close()


def test_people_signed_through_the_screens_leave_no_trace_on_disk(kiosk) -> None:  # type: ignore[no-untyped-def]
    """The whole path a person takes: typing into the real QML, the view model, sealing, the commit, the log."""
    from tests.ui.test_signing_flow import sign

    configure_logging(kiosk.options.data_dir, verbose=True)
    people = [
        ("Tsering", "Dolma", "tsering.d@example.org", "EH1 1YZ"),
        ("Ольга", "Ким", "olga.k@example.org", "M1 1AE"),
    ]
    for first, last, email, postcode in people:
        sign(kiosk, first=first, last=last, email=email, postcode=postcode, optin_email=True)
        kiosk.wait_screen("thankYou")
        kiosk.click("doneButton")
        kiosk.wait_screen("attract")
    needles = [v.encode() for person in people for v in person] + [p[3].replace(" ", "").encode() for p in people]
    files = [p for p in kiosk.options.data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "kiosk.db-wal" for p in files) and any(p.name == "kiosk.log" for p in files)
    for path in files:
        blob = path.read_bytes()
        for needle in needles:
            assert needle not in blob, f"{needle!r} found in {path.name}"


def test_batch_opening_gives_what_opening_one_by_one_gives(set_up_data_dir: Path) -> None:
    """Vault.open_blobs (the export's path) against open_blob on the same records: good records open to the same
    fields, and each bad one (flipped byte, moved ciphertext, unknown format, missing data key, valid ciphertext of
    text that is not a JSON object) is reported on its own, by record id, with open_blob's reason."""
    from kiosk import crypto

    _save_people(set_up_data_dir)
    runtime = open_runtime(make_options(set_up_data_dir))
    runtime.vault.unlock(PASSPHRASE)
    with runtime.db.begin() as session:
        records = [(r.id, r.data_key_id, r.sealed or b"") for r in session.scalars(select(Signature))]
    (a, key_id, sealed_a), (b, _, sealed_b), (c, _, sealed_c) = records
    data_key = runtime.vault._data_key_for(key_id)
    flipped = bytearray(sealed_b)
    flipped[20] ^= 0x01
    batch = [
        (a, key_id, sealed_a),
        (b, key_id, bytes(flipped)),
        (c, key_id, sealed_c),
        (a, key_id, sealed_c),  # c's ciphertext moved to a
        ("d", key_id, b"\x02" + sealed_a[1:]),
        ("e", "no-such-key", sealed_a),
        ("f", key_id, crypto.seal(data_key, "f", key_id, b'["not", "an", "object"]')),
        ("g", key_id, crypto.seal(data_key, "g", key_id, b'{"first_name": "Zo\xc3\xab"} {"extra": 1}')),
        ("h", key_id, crypto.seal(data_key, "h", key_id, b'{"first_name": "Zo\xc3\xab", "x": [1, {"y": null}]}')),
    ]
    one_by_one: list[object] = []
    for record_id, kid, blob in batch:
        try:
            one_by_one.append(runtime.vault.open_blob(record_id, kid, blob))
        except DecryptionError as exc:
            one_by_one.append((exc.record_id, str(exc)))
    together = [(r.record_id, str(r)) if isinstance(r, DecryptionError) else r for r in runtime.vault.open_blobs(batch)]
    assert together == one_by_one
    opened = [r for r in together if isinstance(r, dict)]
    assert [r.get("email") for r in opened] == [PEOPLE[0][2], PEOPLE[2][2], None]
    assert opened[2] == {"first_name": "Zoë", "x": [1, {"y": None}]}
    assert [r[0] for r in together if isinstance(r, tuple)] == [b, a, "d", "e", "f", "g"]
    # Every record of a batch whose plaintexts are all whole objects, parsed together.
    good = [(a, key_id, sealed_a), (c, key_id, sealed_c), batch[-1]]
    assert runtime.vault.open_blobs(good) == [runtime.vault.open_blob(*record) for record in good]
    # One plaintext that only looks like a whole object: the batch is parsed record by record and only it fails.
    mixed = runtime.vault.open_blobs([good[0], batch[7], good[1]])
    assert mixed[0] == one_by_one[0] and mixed[2] == one_by_one[2]
    assert isinstance(mixed[1], DecryptionError) and mixed[1].record_id == "g"
    runtime.vault.lock()
    with pytest.raises(VaultError, match="Unlock"):
        runtime.vault.open_blobs(good)
    runtime.close()
