"""Full-text search after a bulk CSV import equals search after row-by-row inserts.

A large import on SQLite indexes its meetings with one INSERT ... SELECT instead of the
per-row trigger (tracker.search.bulk_meeting_insert); PostgreSQL's GIN indexes need
nothing. The same rows are imported twice into one database, under two uid prefixes
and two sets of envoys: once in bulk, once with bulk mode off; every search must find
the same meetings in both halves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

import tracker.search
from db.engine import Database
from tracker.backend import reader
from tracker.importers import bulk
from tracker.importers.tabular import import_csv
from tracker.models import Meeting
from tracker.query.where import Filters, meeting_where
from tracker.search import BULK_FROM

ROWS = BULK_FROM + 200
WORDS = ("ceasefire", "grain", "energy", "prisoners", "Zürich", "talks")
QUERIES = ("ceasefire", "grain corridor", "ENERGY", "Zürich", "prisoners number", "talks")


def _csv(prefix: str) -> bytes:
    rows = []
    for number in range(ROWS):
        word = WORDS[number % len(WORDS)]
        day = f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
        rows.append(
            [
                day,
                "talks",
                f"Talks on {word} number {number}",
                f"{prefix} Envoy {number % 5}",
                f"{prefix} Host {number % 11}",
                "Geneva",
                "CH",
                "The grain corridor stays open." if number % 3 == 0 else "",
                f"{prefix}-{number:05d}",
            ]
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "edtf",
            "kind",
            "title",
            "envoys",
            "counterparts",
            "city",
            "country",
            "outcome_summary",
            "uid",
        ]
    )
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _matching(session: Session, query: str) -> list[str]:
    """The uids of the meetings ``--search query`` finds, by the one filter code."""
    read = reader(session)
    where = meeting_where(read, Filters(search=query))
    return [
        uid for (uid,) in read.all("SELECT m.uid FROM meeting AS m" + where.sql(), where.params)
    ]


def _found(session: Session, query: str, prefix: str) -> set[str]:
    uids = _matching(session, query)
    return {uid.split("-", 1)[1] for uid in uids if uid.startswith(prefix + "-")}


def _import_both(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with database.writing() as session:
        import_csv(session, _csv("bulk"), create=True, origin="bulk.csv")
    monkeypatch.setattr(tracker.search, "BULK_FROM", 10**9)
    with database.writing() as session:
        import_csv(session, _csv("rows"), create=True, origin="rows.csv")
    monkeypatch.undo()


def test_search_after_a_bulk_import_equals_search_after_row_inserts(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import_both(database, monkeypatch)
    with database.reading() as session:
        for query in QUERIES:
            bulk = _found(session, query, "bulk")
            rows = _found(session, query, "rows")
            assert bulk, query
            assert bulk == rows, query
        assert len(_found(session, "talks", "bulk")) == ROWS
        if database.backend == "sqlite":
            session.execute(text("INSERT INTO meeting_fts(meeting_fts) VALUES ('integrity-check')"))
            triggers = session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            ).all()
            assert "meeting_fts_ai" in triggers


def test_the_index_follows_edits_after_a_bulk_import(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import_both(database, monkeypatch)
    with database.writing() as session:
        session.execute(
            update(Meeting).where(Meeting.uid == "bulk-00000").values(title="Talks on quinoa")
        )
    with database.writing() as session:
        import_csv(
            session,
            b"edtf,title,envoys,city,country,uid\n2025-01-02,Walk by the lake,X Y,Geneva,CH,late\n",
            create=True,
            origin="one.csv",
        )
    with database.reading() as session:
        assert _found(session, "quinoa", "bulk") == {"00000"}
        assert "00000" not in _found(session, "ceasefire", "bulk")
        assert _matching(session, "lake") == ["late"]


def test_a_failed_bulk_import_leaves_search_as_it_was(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_records = bulk.Writer.insert_records

    def fail_after_meetings(writer: Any, table: Any, items: Any) -> None:
        insert_records(writer, table, items)
        if table.name == "meeting":
            raise RuntimeError("disk full")

    monkeypatch.setattr(bulk.Writer, "insert_records", fail_after_meetings)
    with pytest.raises(RuntimeError, match="disk full"), database.writing() as session:
        import_csv(session, _csv("bulk"), create=True, origin="bulk.csv")
    monkeypatch.undo()
    with database.reading() as session:
        assert session.scalar(select(Meeting.id).limit(1)) is None
        if database.backend == "sqlite":
            session.execute(text("INSERT INTO meeting_fts(meeting_fts) VALUES ('integrity-check')"))
            triggers = session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            assert "meeting_fts_ai" in triggers
    # Rows inserted one by one afterwards are still indexed by the trigger.
    monkeypatch.setattr(tracker.search, "BULK_FROM", 10**9)
    with database.writing() as session:
        import_csv(session, _csv("rows"), create=True, origin="rows.csv")
    with database.reading() as session:
        expected = len([n for n in range(ROWS) if n % len(WORDS) == 0])
        assert len(_found(session, "ceasefire", "rows")) == expected


def _schema(session: Session) -> list[tuple[str, str]]:
    return [
        (row[0], row[1])
        for row in session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        )
    ]


def test_indexes_deferred_for_a_big_import_are_all_back(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import on SQLite drops a table's secondary indexes and builds them again
    after (tracker.importers.bulk._indexes_deferred): the schema ends as it began and
    the indexes hold every row."""
    if database.backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's indexes are left alone")
    with database.reading() as session:
        before = _schema(session)
    monkeypatch.setattr(bulk, "SQLITE_REINDEX_FROM", 1)
    _import_both(database, monkeypatch)
    with database.reading() as session:
        assert _schema(session) == before
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        by_index = session.scalar(
            text("SELECT count(*) FROM meeting INDEXED BY ix_meeting_visit_id WHERE visit_id > 0")
        )
        assert by_index == 2 * ROWS


def test_a_failed_import_with_deferred_indexes_leaves_the_schema(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's indexes are left alone")
    with database.reading() as session:
        before = _schema(session)
    deferred = bulk._indexes_deferred

    @contextmanager
    def failing(connection: Any, table: str, count: int) -> Iterator[None]:
        with deferred(connection, table, count):
            yield
            if table == "meeting_participant":  # inserted, its index not yet rebuilt
                raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "SQLITE_REINDEX_FROM", 1)
    monkeypatch.setattr(bulk, "_indexes_deferred", failing)
    with pytest.raises(RuntimeError, match="disk full"), database.writing() as session:
        import_csv(session, _csv("bulk"), create=True, origin="bulk.csv")
    with database.reading() as session:
        assert _schema(session) == before
        assert session.scalar(select(Meeting.id).limit(1)) is None
