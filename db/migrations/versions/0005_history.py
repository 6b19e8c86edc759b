"""history: a change set per write, and the records each one touched

- ``change_set``: when (UTC), who, the database role (PostgreSQL), the command line
  (credentials masked), the change set an undo reverts, and for ``db prune-history``
  the time before which it removed the history.
- ``change``: per record a change set touched, its section, uid, what happened to it,
  and its canonical form (tracker/1, as JSON) before and after.

A database from before has no history of its earlier writes: the upgrade records one
empty change set, the point its history starts from (``--as-of`` reaches back to it
and no further).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STARTED_BY = "tracker"
STARTED_COMMAND = "tracker db upgrade (history starts)"


def upgrade() -> None:
    change_set = op.create_table(
        "change_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("undoes", sa.Integer(), nullable=True),
        sa.Column("pruned_before", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set")),
    )
    with op.batch_alter_table("change_set", schema=None) as batch_op:
        batch_op.create_index("ix_change_set_at", ["at"], unique=False)
    op.create_table(
        "change",
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.CheckConstraint("op IN ('added', 'updated', 'deleted')", name=op.f("ck_change_op")),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_change_change_set_id_change_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("change_set_id", "position", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_uid", ["uid"], unique=False)
    op.bulk_insert(
        change_set,
        [{"at": datetime.now(UTC), "who": STARTED_BY, "command": STARTED_COMMAND}],
    )


def downgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_uid")
    op.drop_table("change")
    with op.batch_alter_table("change_set", schema=None) as batch_op:
        batch_op.drop_index("ix_change_set_at")
    op.drop_table("change_set")
