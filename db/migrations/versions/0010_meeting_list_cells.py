"""store a meeting's list cells, and reindex its text only when its text changes

- ``meeting.envoys_cell``, ``meeting.counterparts_cell``, ``meeting.sources_cell``: the
  meeting's envoys, counterparts and sources as the timeline shows them (list cells),
  built by every write that touches the meeting (``tracker/write/cells.py``) and read
  as they are. They are filled here for every meeting, by the same statement a write
  runs: they are what the record gives, never a value of their own.
- SQLite: the trigger that keeps ``meeting_fts`` right on an update fires only when the
  title, outcome summary or notes change (it fired on every update: a meeting's
  duration or cells changed, and its text was taken out of the index and put back).

The columns are added, and dropped on a downgrade, in place (``ALTER TABLE ... ADD/DROP
COLUMN``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("envoys_cell", "counterparts_cell", "sources_cell")
TEXTS = "title, outcome_summary, notes"
UPDATE_TRIGGER = "meeting_fts_au"


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("meeting", sa.Column(column, sa.Text(), server_default="", nullable=False))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _update_trigger(" AFTER UPDATE ON meeting ", f" AFTER UPDATE OF {TEXTS} ON meeting ")
    from tracker.write.cells import refresh

    refresh(bind, bind.execute(sa.text("SELECT id FROM meeting")).scalars())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _update_trigger(f" AFTER UPDATE OF {TEXTS} ON meeting ", " AFTER UPDATE ON meeting ")
    for column in COLUMNS:
        op.drop_column("meeting", column)


def _update_trigger(old: str, new: str) -> None:
    bind = op.get_bind()
    stored = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": UPDATE_TRIGGER},
    ).scalar()
    if stored is None or old not in stored:
        return
    op.execute(f"DROP TRIGGER {UPDATE_TRIGGER}")
    op.execute(stored.replace(old, new))
