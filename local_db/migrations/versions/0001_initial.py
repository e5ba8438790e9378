"""Initial schema: vault, data keys, sealed signatures and pledges, consents, outbox, audit, funnel.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_created_at'), ['created_at'], unique=False)

    op.create_table('consent_texts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_consent_texts'))
    )
    op.create_table('data_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys'))
    )
    op.create_table('funnel_counts',
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('flow', sa.String(length=10), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'event_id', 'flow', name=op.f('pk_funnel_counts'))
    )
    op.create_table('organiser_vault',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=36), nullable=False),
    sa.Column('kiosk_name', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('encrypted_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('passphrase_kdf', sa.String(length=300), nullable=False),
    sa.Column('pin_hash', sa.String(length=300), nullable=False),
    sa.Column('dedupe_key_wrapped', sa.LargeBinary(), nullable=False),
    sa.Column('pin_failures', sa.Integer(), nullable=False),
    sa.Column('pin_lockouts', sa.Integer(), nullable=False),
    sa.Column('pin_locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organiser_vault'))
    )
    op.create_table('consent_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('record_kind', sa.String(length=10), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('text_version', sa.String(length=100), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['text_sha256'], ['consent_texts.sha256'], name=op.f('fk_consent_events_text_sha256_consent_texts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_events'))
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_events_record_id'), ['record_id'], unique=False)

    op.create_table('pledges',
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('gift_aid', sa.Boolean(), nullable=False),
    sa.Column('follow_up_email', sa.Boolean(), nullable=False),
    sa.Column('follow_up_phone', sa.Boolean(), nullable=False),
    sa.Column('optin_email', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('kiosk_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('data_key_id', sa.String(length=32), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_pledges_data_key_id_data_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledges_event_id'), ['event_id'], unique=False)

    op.create_table('signatures',
    sa.Column('petition_id', sa.String(length=100), nullable=False),
    sa.Column('optin_email', sa.Boolean(), nullable=False),
    sa.Column('optin_sms', sa.Boolean(), nullable=False),
    sa.Column('dedupe_tag', sa.String(length=64), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('kiosk_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('data_key_id', sa.String(length=32), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_signatures_data_key_id_data_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_dedupe_tag'), ['dedupe_tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_event_id'), ['event_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('record_kind', sa.String(length=10), nullable=False),
    sa.Column('consent_event_id', sa.Integer(), nullable=True),
    sa.Column('adapter', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('remote_id', sa.String(length=200), nullable=True),
    sa.Column('synced_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consent_event_id'], ['consent_events.id'], name=op.f('fk_outbox_consent_event_id_consent_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('record_id', 'adapter', 'consent_event_id', name='uq_outbox_delivery')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_record_id'), ['record_id'], unique=False)
        batch_op.create_index('ix_outbox_state_next', ['state', 'next_attempt_at'], unique=False)

    # The audit log is append-only: the database itself refuses edits and deletions.
    op.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_events_no_update")
    op.execute("DROP TRIGGER audit_events_no_delete")
    op.drop_table('outbox')
    op.drop_table('signatures')
    op.drop_table('pledges')
    op.drop_table('consent_events')
    op.drop_table('organiser_vault')
    op.drop_table('funnel_counts')
    op.drop_table('data_keys')
    op.drop_table('consent_texts')
    op.drop_table('audit_events')
