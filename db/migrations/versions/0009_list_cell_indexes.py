"""index a meeting's participants and sources in the order they are listed

The timeline's envoys, counterparts and sources cells list a meeting's participants and
sources in their order (``position``). Each partition of the timeline reads them for a
batch of meetings; with only the primary keys (``meeting_id, person_id`` and
``meeting_id, source_id``) every row needed a lookup in the table for its position and
role, and a sort. These indexes hold what the cells need, in that order, so the
database reads them straight from the index:

- ``ix_meeting_participant_meeting_position``: ``(meeting_id, position, role,
  person_id)``;
- ``ix_meeting_source_meeting_position``: ``(meeting_id, position, source_id)``.

On SQLite the timeline names the index it reads (``INDEXED BY``): its ``group_concat``
then joins the names in this order (``db/dialects.py``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_meeting_participant_meeting_position": (
        "meeting_participant",
        ["meeting_id", "position", "role", "person_id"],
    ),
    "ix_meeting_source_meeting_position": (
        "meeting_source",
        ["meeting_id", "position", "source_id"],
    ),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
