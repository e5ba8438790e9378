"""Consent as proof: each purpose's decision stored with the exact text's version and SHA-256, language, time,
kiosk and event (UK GDPR / PECR). Withdrawals and later opt-ins are new events, never edits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from kiosk.campaign import CampaignPack
from local_db import repositories as repo
from local_db.models import ConsentEvent


def record_consents(
    session: Session,
    *,
    record_id: str,
    record_kind: str,
    decisions: Mapping[str, bool],
    pack: CampaignPack,
    language: str,
    kiosk_id: str,
    event_id: str,
    when: dt.datetime,
) -> list[ConsentEvent]:
    """Store one consent event per purpose shown, granted or not, with proof of the words shown."""
    events = []
    for purpose, granted in decisions.items():
        text = pack.consent(purpose)
        repo.ensure_consent_text(session, text.sha256, purpose, text.version, language, text.text)
        event = ConsentEvent(
            record_id=record_id,
            record_kind=record_kind,
            purpose=purpose,
            granted=bool(granted),
            text_version=text.version,
            text_sha256=text.sha256,
            language=language,
            created_at=when,
            kiosk_id=kiosk_id,
            event_id=event_id,
        )
        session.add(event)
        events.append(event)
    session.flush()
    return events
