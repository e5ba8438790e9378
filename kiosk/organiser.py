"""Organiser access: the PIN (with lockout that survives restarts) and the audit trail of every attempt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk import crypto
from kiosk.vault import PIN_ATTEMPTS, PIN_LOCK_SECONDS
from local_db import repositories as repo
from local_db.models import utcnow

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


@dataclass(frozen=True)
class PinResult:
    ok: bool
    message: str = ""
    locked_for_s: int = 0


def locked_for(runtime: KioskRuntime, now: dt.datetime | None = None) -> int:
    """Seconds until the PIN pad accepts attempts again (0 when open)."""
    now = now or utcnow()
    with runtime.db.begin() as session:
        row = repo.get_vault(session)
        until = None if row is None else row.pin_locked_until
    return max(0, int((until - now).total_seconds() + 0.999)) if until and until > now else 0


def check_pin(runtime: KioskRuntime, pin: str, now: dt.datetime | None = None) -> PinResult:
    """Verify the organiser PIN. Five wrong PINs lock the pad for 60 s, doubling on each further lockout.

    Every failure and every lockout is audited (without the PIN typed).
    """
    now = now or utcnow()
    wait = locked_for(runtime, now)
    if wait:
        return PinResult(False, f"Too many wrong PINs. Try again in {wait} seconds.", wait)
    with runtime.db.begin() as session:
        row = repo.get_vault(session)
        if row is None:
            return PinResult(False, "This kiosk is not set up.")
        stored = row.pin_hash
    ok = pin.isdigit() and 4 <= len(pin) <= 8 and crypto.verify_pin(pin, stored)
    with runtime.db.begin() as session:
        row = repo.get_vault(session)
        assert row is not None
        if ok:
            row.pin_failures = 0
            row.pin_lockouts = 0
            row.pin_locked_until = None
            repo.add_audit(session, "organiser_opened")
            return PinResult(True)
        row.pin_failures += 1
        repo.add_audit(session, "pin_failed", failures=row.pin_failures)
        if row.pin_failures >= PIN_ATTEMPTS:
            seconds = PIN_LOCK_SECONDS * 2**row.pin_lockouts
            row.pin_lockouts += 1
            row.pin_failures = 0
            row.pin_locked_until = now + dt.timedelta(seconds=seconds)
            repo.add_audit(session, "pin_locked", seconds=seconds)
            return PinResult(False, f"Too many wrong PINs. Try again in {seconds} seconds.", seconds)
        left = PIN_ATTEMPTS - row.pin_failures
        return PinResult(False, f"That PIN is not right. {left} tries left before the pad locks.")
