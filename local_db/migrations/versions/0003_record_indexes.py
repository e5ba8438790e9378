"""Indexes for the dashboard: counts by event and time without scanning every record.

Revision ID: 0003_record_indexes
Revises: 0002_sync
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003_record_indexes"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_signatures_event_created", "signatures", ["event_id", "created_at"])
    op.create_index("ix_pledges_event_created", "pledges", ["event_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_pledges_event_created", table_name="pledges")
    op.drop_index("ix_signatures_event_created", table_name="signatures")
