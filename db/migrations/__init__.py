"""Alembic migrations of the tracker schema (``script_location = db:migrations``)."""
