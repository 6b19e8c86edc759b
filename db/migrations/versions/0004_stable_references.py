"""stable references, seed baselines, and envoys as participants

- **Ids are never reused.** On SQLite the record tables (person, place, source, visit,
  meeting, statement) get ``AUTOINCREMENT``, so the id of a deleted row is never handed
  out again (PostgreSQL's sequences never reuse one). The tables are not rebuilt: an
  ``INTEGER PRIMARY KEY`` is stored the same way with or without ``AUTOINCREMENT``, so
  only the table's definition changes (SQLite's documented procedure for changes that
  leave the stored rows alone), and ``sqlite_sequence`` starts at each table's largest
  id. A rebuild would have to drop the tables that others refer to, which with foreign
  keys on deletes the rows that refer to them.
- ``tombstone``: the kind, id, uid and a label of every deleted meeting, visit and
  statement, so that a reference to one says it was deleted.
- ``seed_record``: the canonical form in which ``seed`` last wrote each record, so a
  later ``seed`` can tell the user's changes from its own.
- **A meeting's envoys are its participants in the role ``envoy``.** A meeting on a
  visit used to show the visit's travellers as its envoys. So that nothing shown as an
  envoy is lost: a traveller who took part in the meeting (in another role) becomes an
  envoy participant; a meeting left with no envoy participant at all gets every
  traveller of its visit as one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.sqlite_definitions import rewrite_tables

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_TABLES = ("person", "place", "source", "visit", "meeting", "statement")


def upgrade() -> None:
    op.create_table(
        "tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=600), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstone")),
    )
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.create_index("ix_tombstone_kind_record_id", ["kind", "record_id"], unique=False)
        batch_op.create_index("ix_tombstone_uid", ["uid"], unique=False)
    op.create_table(
        "seed_record",
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("section", "uid", name=op.f("pk_seed_record")),
    )
    _envoys_as_participants()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_autoincrement(True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_autoincrement(False)
    op.drop_table("seed_record")
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.drop_index("ix_tombstone_uid")
        batch_op.drop_index("ix_tombstone_kind_record_id")
    op.drop_table("tombstone")


def _envoys_as_participants() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE meeting_participant SET role = 'envoy'"
            " WHERE (role IS NULL OR role <> 'envoy') AND EXISTS ("
            " SELECT 1 FROM meeting AS m JOIN visit_traveller AS t ON t.visit_id = m.visit_id"
            " WHERE m.id = meeting_participant.meeting_id"
            " AND t.person_id = meeting_participant.person_id)"
        )
    )
    meetings = [
        row[0]
        for row in bind.execute(
            sa.text(
                "SELECT m.id FROM meeting AS m WHERE m.visit_id IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM meeting_participant AS p"
                " WHERE p.meeting_id = m.id AND p.role = 'envoy')"
                " AND EXISTS (SELECT 1 FROM visit_traveller AS t WHERE t.visit_id = m.visit_id)"
                " ORDER BY m.id"
            )
        )
    ]
    for meeting in meetings:
        travellers = bind.execute(
            sa.text(
                "SELECT t.person_id, p.country FROM visit_traveller AS t"
                " JOIN person AS p ON p.id = t.person_id"
                " JOIN meeting AS m ON m.visit_id = t.visit_id"
                " WHERE m.id = :meeting ORDER BY t.position, t.person_id"
            ),
            {"meeting": meeting},
        ).all()
        present = {
            row[0]
            for row in bind.execute(
                sa.text("SELECT person_id FROM meeting_participant WHERE meeting_id = :meeting"),
                {"meeting": meeting},
            )
        }
        last = bind.execute(
            sa.text(
                "SELECT coalesce(max(position), -1) FROM meeting_participant"
                " WHERE meeting_id = :meeting"
            ),
            {"meeting": meeting},
        ).scalar_one()
        for person, country in travellers:
            if person in present:
                bind.execute(
                    sa.text(
                        "UPDATE meeting_participant SET role = 'envoy'"
                        " WHERE meeting_id = :meeting AND person_id = :person"
                    ),
                    {"meeting": meeting, "person": person},
                )
                continue
            last += 1
            bind.execute(
                sa.text(
                    "INSERT INTO meeting_participant (meeting_id, person_id, side, role, position)"
                    " VALUES (:meeting, :person, :side, 'envoy', :position)"
                ),
                {"meeting": meeting, "person": person, "side": country, "position": last},
            )


_PLAIN_KEY = "id INTEGER NOT NULL, "
_TABLE_KEY = re.compile(r",\s*CONSTRAINT (pk_\w+) PRIMARY KEY \(id\)")


def _sqlite_autoincrement(on: bool) -> None:
    """Add (or remove) AUTOINCREMENT on the record tables by rewriting their stored
    definitions, then bump the schema version so every connection reads them again."""
    bind = op.get_bind()
    if on:
        # sqlite_sequence exists once any AUTOINCREMENT table has been created.
        bind.exec_driver_sql(
            "CREATE TABLE _tracker_sequence (id INTEGER PRIMARY KEY AUTOINCREMENT)"
        )
        bind.exec_driver_sql("DROP TABLE _tracker_sequence")

    def rewrite(table: str, sql: str) -> str:
        return _with_autoincrement(sql, table) if on else _without_autoincrement(sql)

    rewrite_tables(bind, RECORD_TABLES, rewrite)
    if on:
        for table in RECORD_TABLES:
            bind.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq)"
                f" SELECT '{table}', coalesce(max(id), 0) FROM {table}"
            )
    else:
        bind.exec_driver_sql(
            "DELETE FROM sqlite_sequence WHERE name IN ("
            + ", ".join(f"'{t}'" for t in RECORD_TABLES)
            + ")"
        )


def _with_autoincrement(sql: str, table: str) -> str:
    if "AUTOINCREMENT" in sql:
        return sql
    match = _TABLE_KEY.search(sql)
    name = match.group(1) if match else f"pk_{table}"
    sql = _TABLE_KEY.sub("", sql)
    return sql.replace(
        _PLAIN_KEY, f"id INTEGER NOT NULL CONSTRAINT {name} PRIMARY KEY AUTOINCREMENT, ", 1
    )


def _without_autoincrement(sql: str) -> str:
    match = re.search(r"id INTEGER NOT NULL CONSTRAINT (pk_\w+) PRIMARY KEY AUTOINCREMENT, ", sql)
    if match is None:
        return sql
    sql = sql.replace(match.group(0), _PLAIN_KEY, 1)
    closing = sql.rstrip().rfind(")")
    return sql[:closing].rstrip() + f", \n\tCONSTRAINT {match.group(1)} PRIMARY KEY (id)\n)"
