"""Drop indexes nothing needs any more: each was one more B-tree page written by every save.

A save commits while the attendee waits for the thank-you, and in WAL mode every B-tree it touches is one more
4 KiB page in that commit. Four of the indexes a save updated serve no query:

- ``ix_signatures_event_id`` and ``ix_pledges_event_id``: ``(event_id, created_at)`` (0003) answers every
  lookup by event on its own.
- ``ix_signatures_kiosk_id``: made for the "on this kiosk" tally, which reads ``record_totals`` since 0004.
- ``ix_outbox_record_id``: the unique ``(record_id, adapter, consent_event_id)`` index starts with the record id.

And ``ix_signatures_dedupe_tag`` now holds tagged rows only: a signature saved while the vault is locked (the
usual case at a stall) has no tag, so its save writes nothing there. Lookups by tag (``dedupe_tag = ?``) still
use it.

Revision ID: 0005_lean_indexes
Revises: 0004_dashboard_totals
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_lean_indexes"
down_revision = "0004_dashboard_totals"
branch_labels = None
depends_on = None

_DROPPED = (
    ("ix_signatures_event_id", "signatures", ["event_id"]),
    ("ix_pledges_event_id", "pledges", ["event_id"]),
    ("ix_signatures_kiosk_id", "signatures", ["kiosk_id"]),
    ("ix_outbox_record_id", "outbox", ["record_id"]),
)


def upgrade() -> None:
    for name, table, _ in _DROPPED:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_signatures_dedupe_tag", table_name="signatures")
    op.create_index(
        "ix_signatures_dedupe_tag", "signatures", ["dedupe_tag"], sqlite_where=sa.text("dedupe_tag IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_signatures_dedupe_tag", table_name="signatures")
    op.create_index("ix_signatures_dedupe_tag", "signatures", ["dedupe_tag"])
    for name, table, columns in _DROPPED:
        op.create_index(name, table, columns)
