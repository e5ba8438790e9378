"""Tables of the kiosk database. Personal fields exist only inside ``sealed`` blobs (see kiosk.vault)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; SQLite itself keeps naive ISO text."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrganiserVault(Base):
    """The one row of organiser key material: public key in clear, private key only passphrase-encrypted."""

    __tablename__ = "organiser_vault"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    kiosk_id: Mapped[str] = mapped_column(String(36))
    kiosk_name: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # PKCS#8 PEM encrypted with the scrypt-stretched passphrase; passphrase_kdf holds scrypt's salt and cost.
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    passphrase_kdf: Mapped[str] = mapped_column(String(300))
    pin_hash: Mapped[str] = mapped_column(String(300))
    # Key for duplicate detection tags (HMAC), stored only wrapped to the public key.
    dedupe_key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    pin_lockouts: Mapped[int] = mapped_column(Integer, default=0)
    pin_locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataKey(Base):
    """A per-run random data key, stored only wrapped to the organiser public key."""

    __tablename__ = "data_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class _RecordColumns:
    """Columns shared by signatures and pledges; everything here is in clear on purpose (no personal data)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(100))
    kiosk_id: Mapped[str] = mapped_column(String(36))
    # Looked up by event through (event_id, created_at) below; no index of its own (0005_lean_indexes).
    event_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    language: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="kiosk")  # kiosk | paper
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    # AES-256-GCM nonce + ciphertext of the personal fields as JSON; NULL once purged.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Signature(_RecordColumns, Base):
    __tablename__ = "signatures"
    # Every save writes each index: keep only those a query uses (0005_lean_indexes).
    __table_args__ = (
        Index("ix_signatures_event_id_created_at", "event_id", "created_at"),
        # Only tagged rows: a save while locked (the usual case) then writes no page of this index.
        Index("ix_signatures_dedupe_tag", "dedupe_tag", sqlite_where=text("dedupe_tag IS NOT NULL")),
    )

    petition_id: Mapped[str] = mapped_column(String(100))
    optin_email: Mapped[bool] = mapped_column(Boolean, default=False)
    optin_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    # HMAC-SHA256 of the normalised email under a key only the unlocked vault holds; NULL when signed while locked.
    dedupe_tag: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Pledge(_RecordColumns, Base):
    __tablename__ = "pledges"
    __table_args__ = (Index("ix_pledges_event_id_created_at", "event_id", "created_at"),)

    amount_pence: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    frequency: Mapped[str] = mapped_column(String(10))  # one_off | monthly
    gift_aid: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_email: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    optin_email: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsentText(Base):
    """Every consent wording ever shown, by hash, so each consent event can be proven later."""

    __tablename__ = "consent_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class ConsentEvent(Base):
    """One grant or refusal of one purpose. Withdrawals are new events, never edits."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    record_kind: Mapped[str] = mapped_column(String(10))  # signature | pledge
    purpose: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean)
    text_version: Mapped[str] = mapped_column(String(100))
    text_sha256: Mapped[str] = mapped_column(ForeignKey("consent_texts.sha256"))
    language: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kiosk_id: Mapped[str] = mapped_column(String(36))
    event_id: Mapped[str] = mapped_column(String(100))


class OutboxEntry(Base):
    """One thing to deliver to the sync target, written in the same transaction as the record."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
        UniqueConstraint("record_id", "adapter", "consent_event_id", name="uq_outbox_delivery"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Looked up through uq_outbox_delivery, which starts with it.
    record_id: Mapped[str] = mapped_column(String(36))
    record_kind: Mapped[str] = mapped_column(String(10))  # signature | pledge
    # NULL for the record itself; set when the entry delivers a later consent change.
    consent_event_id: Mapped[int | None] = mapped_column(ForeignKey("consent_events.id"), nullable=True)
    adapter: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sending|synced|rejected
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    remote_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    synced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The server's Retry-After, kept apart from the backoff timer: a manual sync skips the timer, never this.
    retry_after_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """Append-only log of organiser actions and security events. Never holds personal data."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(50))
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON object


class FunnelCount(Base):
    """Per-hour counts of flows for the dashboard funnel: no personal data, only numbers."""

    __tablename__ = "funnel_counts"

    hour: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    flow: Mapped[str] = mapped_column(String(10), primary_key=True)  # sign | pledge | attract
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
