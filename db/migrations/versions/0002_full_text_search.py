"""full-text search over meetings and statements

SQLite: FTS5 external-content tables ``meeting_fts`` (title, outcome_summary, notes;
rowid = meeting.id) and ``statement_fts`` (text; rowid = statement.id), kept in sync by
triggers on ``meeting`` and ``statement``. PostgreSQL: GIN expression indexes on
``to_tsvector('simple', ...)`` of the same texts (``tracker/search.py`` queries with the
same expressions).

These objects are outside the ORM metadata; ``db/migrations/env.py`` hides them from
autogenerate. A later migration that rebuilds ``meeting`` or ``statement`` on SQLite
(batch mode) drops that table's triggers and must create them again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"
M_COLS = "title, outcome_summary, notes"
M_OLD = "old.title, old.outcome_summary, old.notes"
M_NEW = "new.title, new.outcome_summary, new.notes"

SQLITE_UPGRADE = [
    f"CREATE VIRTUAL TABLE meeting_fts USING fts5({M_COLS}, content = 'meeting',"
    f" content_rowid = 'id', {TOKENIZE})",
    f"CREATE VIRTUAL TABLE statement_fts USING fts5(text, content = 'statement',"
    f" content_rowid = 'id', {TOKENIZE})",
    "CREATE TRIGGER meeting_fts_ai AFTER INSERT ON meeting BEGIN"
    f" INSERT INTO meeting_fts(rowid, {M_COLS}) VALUES (new.id, {M_NEW}); END",
    "CREATE TRIGGER meeting_fts_ad AFTER DELETE ON meeting BEGIN"
    f" INSERT INTO meeting_fts(meeting_fts, rowid, {M_COLS})"
    f" VALUES ('delete', old.id, {M_OLD}); END",
    "CREATE TRIGGER meeting_fts_au AFTER UPDATE ON meeting BEGIN"
    f" INSERT INTO meeting_fts(meeting_fts, rowid, {M_COLS}) VALUES ('delete', old.id, {M_OLD});"
    f" INSERT INTO meeting_fts(rowid, {M_COLS}) VALUES (new.id, {M_NEW}); END",
    "CREATE TRIGGER statement_fts_ai AFTER INSERT ON statement BEGIN"
    " INSERT INTO statement_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER statement_fts_ad AFTER DELETE ON statement BEGIN"
    " INSERT INTO statement_fts(statement_fts, rowid, text)"
    " VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER statement_fts_au AFTER UPDATE ON statement BEGIN"
    " INSERT INTO statement_fts(statement_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO statement_fts(rowid, text) VALUES (new.id, new.text); END",
    # Index the rows that exist already.
    "INSERT INTO meeting_fts(meeting_fts) VALUES ('rebuild')",
    "INSERT INTO statement_fts(statement_fts) VALUES ('rebuild')",
]

SQLITE_DOWNGRADE = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_fts_{event}"
        for table in ("statement", "meeting")
        for event in ("au", "ad", "ai")
    ),
    "DROP TABLE IF EXISTS statement_fts",
    "DROP TABLE IF EXISTS meeting_fts",
]

POSTGRESQL_UPGRADE = [
    "CREATE INDEX ix_meeting_fulltext ON meeting USING gin ("
    "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(outcome_summary, '')"
    " || ' ' || coalesce(notes, ''))))",
    "CREATE INDEX ix_statement_fulltext ON statement USING gin ("
    "(to_tsvector('simple', coalesce(text, ''))))",
]

POSTGRESQL_DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_statement_fulltext",
    "DROP INDEX IF EXISTS ix_meeting_fulltext",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = SQLITE_UPGRADE if dialect == "sqlite" else POSTGRESQL_UPGRADE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = SQLITE_DOWNGRADE if dialect == "sqlite" else POSTGRESQL_DOWNGRADE
    for statement in statements:
        op.execute(statement)
