"""Alembic migrations. HEAD_REVISION lets start-up skip importing Alembic when the schema is current
(tests/db/test_migrations.py checks it matches the scripts)."""

KNOWN_REVISIONS = (
    "0001_initial",
    "0002_sync",
    "0003_tally_indexes",
    "0004_dashboard_totals",
    "0005_lean_indexes",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]
