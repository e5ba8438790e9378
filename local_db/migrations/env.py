"""Alembic environment: always called from code (local_db.session.upgrade_to_head) with a live connection."""

from alembic import context

from local_db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
