"""a place's Wikidata id, and the record a merged person or place went into

- ``place.wikidata``: a place's Wikidata id (``Q649``), as a person has one.
- ``tombstone.merged_into``: for a person or place merged into another, the uid of the
  record it went into, so that a document (or ``seed``) naming the merged uid follows
  it to the kept record. Tombstones of merges made before this revision get it from
  their label (``NAME, merged into KEPT (uid UID)``); a deleted meeting, visit or
  statement has none.

Both columns are added, and dropped on a downgrade, in place: on SQLite by ``ALTER
TABLE ... ADD/DROP COLUMN`` (no table is rebuilt: a rebuild of ``place`` would have to
drop a table that others refer to).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The label a merge wrote before this revision: "NAME, merged into KEPT (uid UID)".
_MERGED_LABEL = re.compile(r", merged into .* \(uid ([A-Za-z0-9][A-Za-z0-9._:-]{0,63})\)$")


def upgrade() -> None:
    op.add_column("place", sa.Column("wikidata", sa.String(length=20), nullable=True))
    op.add_column("tombstone", sa.Column("merged_into", sa.String(length=64), nullable=True))
    _merged_into_from_labels()


def downgrade() -> None:
    op.drop_column("tombstone", "merged_into")
    op.drop_column("place", "wikidata")


def _merged_into_from_labels() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, label FROM tombstone WHERE kind IN ('person', 'place')"
            " AND label LIKE '%, merged into % (uid %)' ORDER BY id"
        )
    ).all()
    for tombstone, label in rows:
        found = _MERGED_LABEL.search(label)
        if found is not None:
            bind.execute(
                sa.text("UPDATE tombstone SET merged_into = :uid WHERE id = :id"),
                {"uid": found.group(1), "id": tombstone},
            )
