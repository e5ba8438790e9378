"""Indexes for the public tally and the dashboard: counts stay fast with 100,000 records.

"Signed at this event today" searched ix_signatures_event_id and then read every row for its time (90 ms at
100,000 records); "on this kiosk" scanned the table. Composite (event_id, created_at) and kiosk_id indexes let
SQLite count from the index alone.

Revision ID: 0003_tally_indexes
Revises: 0002_sync
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003_tally_indexes"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_signatures_event_id_created_at", "signatures", ["event_id", "created_at"])
    op.create_index("ix_signatures_kiosk_id", "signatures", ["kiosk_id"])
    op.create_index("ix_pledges_event_id_created_at", "pledges", ["event_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_pledges_event_id_created_at", table_name="pledges")
    op.drop_index("ix_signatures_kiosk_id", table_name="signatures")
    op.drop_index("ix_signatures_event_id_created_at", table_name="signatures")
