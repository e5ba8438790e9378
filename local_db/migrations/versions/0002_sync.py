"""Sync: remember a server's Retry-After on the outbox entry, so even a manual sync in another process honours it.

Revision ID: 0002_sync
Revises: 0001_initial
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_after_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("retry_after_until")
