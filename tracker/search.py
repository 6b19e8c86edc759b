"""Full-text search over meetings: titles, outcome summaries, notes and statement texts.

One filter, ``--search`` (``tracker.query.where``), two engines behind it (their SQL is
in ``db/dialects.py``, asked for as ``reader.sql.meetings_matching``):

- SQLite: FTS5 tables ``meeting_fts`` (rowid = meeting id; title, outcome summary,
  notes) and ``statement_fts`` (rowid = statement id; text), external-content tables
  kept in sync with their rows by triggers (migration 0002); a bulk insert of meetings
  drops the insert trigger and indexes the new rows in one statement.
- PostgreSQL: GIN expression indexes on ``to_tsvector('simple', ...)`` of the same
  texts (migration 0002); the queries below repeat the indexed expressions exactly,
  so the planner can use them.

Both match a meeting when every word of the query occurs in the meeting's own texts,
or every word occurs in one of its statements; words are compared case-insensitively,
without stemming (FTS5 ``unicode61``, PostgreSQL's ``simple`` configuration).

A later migration that rebuilds the ``meeting`` or ``statement`` table on SQLite
(Alembic batch mode) drops that table's triggers: it must create them again (copy them
from 0002) and run the FTS5 ``rebuild`` command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from tracker.errors import InvalidInput

MEETING_FTS = "meeting_fts"
STATEMENT_FTS = "statement_fts"
FTS_TABLES = (MEETING_FTS, STATEMENT_FTS)
FTS5_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
PG_INDEXES = ("ix_meeting_fulltext", "ix_statement_fulltext")
MEETING_FTS_COLUMNS = ("title", "outcome_summary", "notes")
MEETING_INSERT_TRIGGER = "meeting_fts_ai"
BULK_FROM = 1_000
"""Meetings from which a bulk insert on SQLite indexes them in one statement."""

# The indexed expressions on PostgreSQL (migration 0002 creates indexes on exactly these).
PG_MEETING_DOCUMENT = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(outcome_summary, '')"
    " || ' ' || coalesce(notes, ''))"
)
PG_STATEMENT_DOCUMENT = "to_tsvector('simple', coalesce(text, ''))"


def is_search_object(name: str | None) -> bool:
    """Whether ``name`` is a table or index of the full-text search structures (which
    live outside the ORM metadata; Alembic's autogenerate must not see them)."""
    if name is None:
        return False
    if name in PG_INDEXES:
        return True
    return any(name == table or name.startswith(table + "_") for table in FTS_TABLES)


@contextmanager
def restored_after(restore: Callable[[], None]) -> Iterator[None]:
    """Call ``restore`` after the block, also when the block fails: what a bulk insert
    took apart (a trigger, indexes) is whole again even if a caller went on to commit
    what was inserted. When both fail, the block's error is the one raised."""
    try:
        yield
    except BaseException:
        with suppress(Exception):
            restore()
        raise
    restore()


def search_words(query: str) -> list[str]:
    """The words of a search query: runs of letters and digits (what both engines index)."""
    words = "".join(ch if ch.isalnum() else " " for ch in query).split()
    if not words:
        raise InvalidInput("--search", "text with at least one letter or digit", query)
    return words
