"""index the span (latest - earliest) of meetings and visits

A ``--from``/``--to`` filter asks for records that overlap a range: ``latest >= start
AND earliest <= end``. On the ``(earliest, latest)`` index that reads every record that
began before the end, so a question about one month read the whole table. With the
longest span stored (one lookup on these indexes) the query also bounds ``earliest``
from below (``earliest >= start - longest span``), and reads a range that does not grow
with the table. ``tracker.models.span_days`` renders the same expression in queries.

Expression indexes: SQLite's reflection cannot read them back, so autogenerate skips
them (``db/migrations/env.py``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("meeting", "visit")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    span = "julianday(latest) - julianday(earliest)" if sqlite else "(latest - earliest)"
    for table in TABLES:
        op.execute(f"CREATE INDEX ix_{table}_span ON {table} ({span})")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP INDEX ix_{table}_span")
