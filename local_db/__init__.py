"""Storage for the kiosk: SQLAlchemy models, the engine/session, repositories and Alembic migrations.

No Qt here: the CLI, the tests and the sync worker use it directly.
"""
