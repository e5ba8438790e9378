"""Delivering stored records to the campaign's systems when a connection is there (no Qt here).

- settings.py: the ``[sync]`` config section, checked and typed.
- engine.py: one pass over the outbox (the app's worker thread and ``campaign-kiosk sync`` both use it).
- backoff.py, ratelimit.py, connectivity.py: when to try again, how fast, and whether the target is reachable.
- adapters/: Action Network (OSDI) and webhook, with their payload builders as pure functions.
"""
