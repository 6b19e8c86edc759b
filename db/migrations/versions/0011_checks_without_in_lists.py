"""CHECK constraints on a column's values written as comparisons, not as an IN list

``kind IN ('talks', 'meeting', ...)`` becomes ``kind = 'talks' OR kind = 'meeting' OR
...``: the same rule (a NULL passes both), checked far faster by SQLite, which builds
the lookup table of an IN list again for every row it checks, inserts of many rows in
one statement included. An import of 100,000 meetings spent about 0.3 s of CPU on the
four lists of ``meeting`` and as much on ``meeting_participant.role``; the comparisons
cost next to nothing.

On SQLite only the stored table definitions change (``db/sqlite_definitions.py``):
every stored row satisfies the new constraints, which are the old ones. On PostgreSQL
each constraint is dropped and added again, so that both backends hold what
``tracker/models.py`` declares.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alembic import op

from db.sqlite_definitions import rewrite_tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("envoy", "host", "principal", "delegate", "adviser", "interpreter", "observer")
CHECKS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("place", "ck_place_kind", "kind", ("country", "region", "city", "venue")),
    ("meeting", "ck_meeting_duration_qualifier", "duration_qualifier",
     ("exact", "about", "at-least", "at-most")),
    ("meeting", "ck_meeting_kind", "kind",
     ("talks", "meeting", "summit", "call", "working-meal", "walk", "press-event", "other")),
    ("meeting", "ck_meeting_outcome", "outcome",
     ("agreement", "partial-agreement", "no-agreement", "postponed", "unknown")),
    ("meeting", "ck_meeting_status", "status", ("announced", "held", "cancelled", "postponed")),
    ("meeting_participant", "ck_meeting_participant_role", "role", ROLES),
    ("statement", "ck_statement_kind", "kind", ("quote", "readout", "assessment", "reaction")),
    ("change", "ck_change_op", "op", ("added", "updated", "deleted")),
    ("account", "ck_account_field", "field",
     ("date", "venue", "destination", "duration", "participants", "outcome",
      "outcome_summary", "status")),
    ("account_person", "ck_account_person_role", "role", ROLES),
)  # fmt: skip
"""Each constraint: its table, name, column and the values it admits (as of 0010)."""

Form = Callable[[str, tuple[str, ...]], str]


def in_list(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


def compared(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{value}'" for value in values)


def upgrade() -> None:
    _rewrite(in_list, compared)


def downgrade() -> None:
    _rewrite(compared, in_list)


def _rewrite(old: Form, new: Form) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for table, name, column, values in CHECKS:
            bind.exec_driver_sql(
                f"ALTER TABLE {table} DROP CONSTRAINT {name},"
                f" ADD CONSTRAINT {name} CHECK ({new(column, values)})"
            )
        return

    def rewrite(table: str, sql: str) -> str:
        for on, name, column, values in CHECKS:
            if on != table:
                continue
            before = f"CONSTRAINT {name} CHECK ({old(column, values)})"
            if before not in sql:
                raise RuntimeError(f"the definition of {table} has no {before}")
            sql = sql.replace(before, f"CONSTRAINT {name} CHECK ({new(column, values)})", 1)
        return sql

    rewrite_tables(bind, dict.fromkeys(table for table, *_rest in CHECKS), rewrite)
