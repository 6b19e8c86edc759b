"""accounts: competing accounts of one fact of a meeting or a visit

- ``account``: one account of a fact (date, venue, destination, duration,
  participants, outcome, outcome summary, status) of a meeting or a visit: its value,
  an optional quote with its speaker and language, a note, and whether it is the
  preferred one (the record's value);
- ``account_source``: the sources of each account;
- ``account_person``: the participants one account of a meeting's participants gives.

Existing records get no account: a fact without accounts keeps its value as it is.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = (
    "date",
    "venue",
    "destination",
    "duration",
    "participants",
    "outcome",
    "outcome_summary",
    "status",
)
ROLES = ("envoy", "host", "principal", "delegate", "adviser", "interpreter", "observer")


def _one_of(column: str, values: Sequence[str], table: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("value_key", sa.Text(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(meeting_id IS NULL) <> (visit_id IS NULL)", name=op.f("ck_account_record")
        ),
        _one_of("field", FIELDS, "account"),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_account_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_account_visit_id_visit"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_account_place_id_place"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["person.id"],
            name=op.f("fk_account_speaker_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_meeting_field", ["meeting_id", "field", "position"], unique=False
        )
        batch_op.create_index(
            "ix_account_visit_field", ["visit_id", "field", "position"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_place_id"), ["place_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "account_source",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_source_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_account_source_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "source_id", name=op.f("pk_account_source")),
    )
    with op.batch_alter_table("account_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_source_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "account_person",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        _one_of("role", ROLES, "account_person"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_person_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_account_person_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("account_id", "person_id", name=op.f("pk_account_person")),
    )
    with op.batch_alter_table("account_person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_person_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("account_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_person_person_id"))
    op.drop_table("account_person")
    with op.batch_alter_table("account_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_source_source_id"))
    op.drop_table("account_source")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_account_place_id"))
        batch_op.drop_index("ix_account_visit_field")
        batch_op.drop_index("ix_account_meeting_field")
    op.drop_table("account")
