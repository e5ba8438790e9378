"""Benchmark: submit -> durable -> thank-you latency, sealing cost, and decrypting 100,000 sealed records.

1. Submit: the real signing view model's ``submit()`` on the real kiosk window (offscreen), after its
   ``checkDetails()`` (the details step's Next button, untimed, as an attendee goes through the form), timed in
   two parts:
   submit -> durable (validation, sealing, the synchronous=FULL commit of the signature, its consent events,
   outbox entry and funnel count: until the commit returns) and durable -> thank-you (wiping the form, the tally
   refresh and building the thank-you screen: until ``submit()`` returns with it current), and their total.
   Floor: a bare sqlite3 INSERT + COMMIT of one row of the same size with journal_mode=WAL and synchronous=FULL in
   the same folder, one beside each submit; it is compared with submit -> durable, the part that does the
   same job (issue 10 asks for p50/p99 within 2x). Issue 3 asks for the total's p99 under 50 ms.
2. Sealing: ``Vault.seal`` per record (JSON + AES-256-GCM with the record binding) vs AES-GCM of the same bytes.
   Issue 4 asks for under 1 ms per record.
3. Decrypting 100,000 sealed records with ``Vault.open_blob`` vs AES-GCM decryption of the same blobs alone.
   Issue 4 asks for under 5 s.

Run: ``.venv/bin/python bench/bench_submit.py [--submits N] [--records N]``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")

RATIO_TARGET = 2.0
P99_TARGET_S = 0.050


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class BareCommits:
    """The floor: one-row INSERT + COMMIT transactions on a bare sqlite3 database (WAL, synchronous=FULL)."""

    def __init__(self, folder: Path, row_bytes: int) -> None:
        self.row_bytes = row_bytes
        self.conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, created TEXT, sealed BLOB)")

    def commit_one(self) -> float:
        row = (str(uuid.uuid4()), os.urandom(self.row_bytes))
        started = time.perf_counter()
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO t VALUES (?, datetime('now'), ?)", row)
        self.conn.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


def kiosk_submits(
    folder: Path, count: int, bare: BareCommits
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Seconds per submit: (submit -> durable, durable -> thank-you, total), and the floor's commits.

    One floor commit runs beside each submit, so the two meet the same disk and machine load (an fsync here takes
    0.2 ms one minute and 4 ms the next, when other jobs write): before it on even rounds, after it on odd ones, so
    neither is always the first write after a pause.
    """
    from kiosk import signing as signing_service
    from kiosk.app import KioskWindow, create_application, wait
    from tests.helpers.kiosk import make_options, set_up_database
    from tests.reliability.records import draft

    set_up_database(folder)
    create_application()
    kiosk = KioskWindow(make_options(folder))
    kiosk.window.resize(1280, 800)
    kiosk.start_storage_now()
    kiosk.window.show()
    wait(300)
    controller = kiosk.controller
    signing = controller.feature("signing")
    # The view model imports save_signature from kiosk.signing when it submits: time the moment it returns, which
    # is when the commit has returned (durable).
    save_signature = signing_service.save_signature
    durable_at: list[float] = []

    def timed_save(*args: Any, **kwargs: Any) -> Any:
        result = save_signature(*args, **kwargs)
        durable_at.append(time.perf_counter())
        return result

    signing_service.save_signature = timed_save
    to_durable, to_thank_you, total, floor = [], [], [], []
    for n in range(count + 20):
        controller.show("sign")
        wait(350)  # a person reads and types for far longer; let the screen transition finish
        d = draft(n, tag="-bench")
        for prop, value in (
            ("firstName", d.first_name),
            ("lastName", d.last_name),
            ("email", d.email),
            ("postcode", d.postcode),
        ):
            signing.setProperty(prop, value)
        # The details step's Next button, as in the real flow (ui/screens/SignScreen.qml), then the consent step:
        # reading it and ticking the box take a person far longer than this. Neither is timed.
        if not signing.checkDetails():
            raise RuntimeError(f"details refused: {signing.property('errors')}")
        wait(350)
        signing.setProperty("consentSign", True)
        bare_took = bare.commit_one() if n % 2 == 0 else 0.0
        durable_at.clear()
        started = time.perf_counter()
        ok = signing.submit()
        ended = time.perf_counter()
        bare_took = bare_took or bare.commit_one()
        if not ok or controller.property("currentScreen") != "thankYou" or len(durable_at) != 1:
            raise RuntimeError(f"submit failed: {signing.property('failure')} {signing.property('errors')}")
        if n >= 20:  # the first few warm SQLAlchemy's statement caches
            to_durable.append(durable_at[0] - started)
            to_thank_you.append(ended - durable_at[0])
            total.append(ended - started)
            floor.append(bare_took)
        controller.show("attract")
        wait(350)
    signing_service.save_signature = save_signature
    kiosk.close()
    return to_durable, to_thank_you, total, floor


def sealing(count: int) -> tuple[float, float, int]:
    """Seconds per record for Vault.seal and for bare AES-GCM of the same plaintext; plaintext size."""
    import json

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from kiosk.runtime import open_runtime
    from tests.helpers.kiosk import make_options, set_up_database
    from tests.reliability.records import expected_fields

    with tempfile.TemporaryDirectory() as tmp:
        set_up_database(Path(tmp))
        runtime = open_runtime(make_options(Path(tmp)))
        vault = runtime.vault
        assert vault is not None
        people = [(str(uuid.uuid4()), expected_fields(n)) for n in range(count)]
        started = time.perf_counter()
        for record_id, fields in people:
            vault.seal(record_id, fields)
        ours = (time.perf_counter() - started) / count
        runtime.close()
    aes, key = AESGCM(os.urandom(32)), None
    del key
    plain = [json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode() for _, f in people]
    started = time.perf_counter()
    for (record_id, _), data in zip(people, plain, strict=True):
        aes.encrypt(os.urandom(12), data, record_id.encode())
    floor = (time.perf_counter() - started) / count
    return ours, floor, len(plain[0])


def decrypting(count: int) -> tuple[float, float]:
    """Seconds to open ``count`` sealed records with the vault, and for bare AES-GCM decryption of the same."""
    from sqlalchemy import select

    from kiosk.crypto import NONCE_LEN, record_aad
    from kiosk.runtime import open_runtime
    from local_db.models import Signature
    from tests.helpers.kiosk import PASSPHRASE, make_options, set_up_database
    from tests.reliability.bulk import fill_signatures

    with tempfile.TemporaryDirectory() as tmp:
        set_up_database(Path(tmp))
        runtime = open_runtime(make_options(Path(tmp)))
        vault = runtime.vault
        assert vault is not None
        fill_signatures(runtime, count)
        vault.unlock(PASSPHRASE)
        with runtime.db.begin() as session:
            rows = [(r.id, r.data_key_id, r.sealed) for r in session.scalars(select(Signature))]
        started = time.perf_counter()
        for record_id, key_id, sealed in rows:
            vault.open_blob(record_id, key_id, sealed)
        ours = time.perf_counter() - started
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        aes = AESGCM(vault._data_key_for(rows[0][1]))
        started = time.perf_counter()
        for record_id, key_id, sealed in rows:
            aes.decrypt(sealed[1 : 1 + NONCE_LEN], sealed[1 + NONCE_LEN :], record_aad(record_id, key_id))
        floor = time.perf_counter() - started
        runtime.close()
    return ours, floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--submits", type=int, default=100)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        kiosk_dir, bare_dir = Path(tmp) / "kiosk", Path(tmp) / "bare"
        kiosk_dir.mkdir()
        bare_dir.mkdir()
        bare = BareCommits(bare_dir, row_bytes=250)
        to_durable, to_thank_you, total, floor = kiosk_submits(kiosk_dir, args.submits, bare)
        bare.close()

    def p50_p99(values: list[float]) -> str:
        return f"p50 {percentile(values, 0.50) * 1000:.2f} ms, p99 {percentile(values, 0.99) * 1000:.2f} ms"

    print(f"submit -> durable (commit returned), {args.submits} signatures: {p50_p99(to_durable)}")
    print(f"durable -> thank-you (form wiped, tally refreshed, thank-you screen built): {p50_p99(to_thank_you)}")
    print(f"total submit -> durable -> thank-you: {p50_p99(total)}")
    print(
        "floor (bare sqlite3 INSERT+COMMIT, WAL, synchronous=FULL, same disk, one beside each submit): "
        f"{p50_p99(floor)}"
    )
    ratio50 = percentile(to_durable, 0.50) / percentile(floor, 0.50)
    ratio99 = percentile(to_durable, 0.99) / percentile(floor, 0.99)
    print(
        f"ratio (submit -> durable vs floor): p50 {ratio50:.1f}x, p99 {ratio99:.1f}x; target at most "
        f"{RATIO_TARGET:.0f}x: {'met' if max(ratio50, ratio99) <= RATIO_TARGET else 'MISSED'}"
    )
    total50 = percentile(total, 0.50) / percentile(floor, 0.50)
    total99 = percentile(total, 0.99) / percentile(floor, 0.99)
    print(f"ratio (total vs floor, for the record): p50 {total50:.1f}x, p99 {total99:.1f}x")
    p99 = percentile(total, 0.99)
    print(f"issue 3 target total p99 under {P99_TARGET_S * 1000:.0f} ms: {'met' if p99 < P99_TARGET_S else 'MISSED'}")
    failed += p99 >= P99_TARGET_S

    seal, seal_floor, size = sealing(5000)
    print(
        f"sealing one record ({size} bytes of JSON): {seal * 1e6:.0f} us; floor (AES-GCM of the same bytes): "
        f"{seal_floor * 1e6:.0f} us; ratio {seal / seal_floor:.1f}x; "
        f"target under 1 ms: {'met' if seal < 0.001 else 'MISSED'}"
    )
    failed += seal >= 0.001

    ours_s, floor_s = decrypting(args.records)
    print(
        f"decrypting {args.records:,} sealed records (Vault.open_blob, JSON): {ours_s:.2f} s; floor (AES-GCM "
        f"decrypt of the same blobs): {floor_s:.2f} s; ratio {ours_s / floor_s:.1f}x; target under 5 s: "
        f"{'met' if ours_s < 5 else 'MISSED'}"
    )
    failed += ours_s >= 5
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
