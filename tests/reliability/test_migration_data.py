"""Migrations with data: rows written at the first revision survive the upgrade to head
unchanged (and are found by the search that a later revision adds), and a downgrade to
the first revision followed by an upgrade loses nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, MetaData, inspect, select, text
from sqlalchemy.orm import Session

from db.engine import Database, open_database
from db.schema import HEAD, alembic_config, stored_revision
from tracker.backend import reader
from tracker.query.where import Filters, meeting_where
from tracker.search import is_search_object

FIRST = "0001"
CREATED = datetime(2025, 12, 2, 17, 30, tzinfo=UTC)

# One sourced Kremlin meeting as the founding report tells it, every table of 0001
# holding at least one row, written with plain INSERTs into the 0001 schema.
ROWS: dict[str, list[dict[str, Any]]] = {
    "person": [
        {
            "id": 1,
            "uid": "person-steve-witkoff",
            "name": "Steve Witkoff",
            "key": "steve witkoff",
            "country": "US",
            "wikidata": None,
            "notes": "Also 'Witkoffowi' in Polish.",
        },
        {
            "id": 2,
            "uid": "person-vladimir-putin",
            "name": "Vladimir Putin",
            "key": "vladimir putin",
            "country": "RU",
            "wikidata": "Q7747",
            "notes": None,
        },
        {
            "id": 3,
            "uid": "person-yuri-ushakov",
            "name": "Yuri Ushakov",
            "key": "yuri ushakov",
            "country": "RU",
            "wikidata": None,
            "notes": None,
        },
    ],
    "person_alias": [
        {"id": 1, "person_id": 2, "name": "Władimir Putin", "key": "wladimir putin", "lang": "pl"},
        {"id": 2, "person_id": 2, "name": "Владимир Путин", "key": "vladimir putin", "lang": "ru"},
        {"id": 3, "person_id": 3, "name": "Jurij Uszakow", "key": "jurij uszakow", "lang": "pl"},
    ],
    "person_role": [
        {
            "id": 1,
            "person_id": 2,
            "title": "President of Russia",
            "organisation": "Russian Federation",
            "start_edtf": "2012-05-07",
            "end_edtf": None,
        },
    ],
    "place": [
        {
            "id": 1,
            "uid": "place-russia",
            "name": "Russia",
            "key": "russia",
            "kind": "country",
            "country": "RU",
            "parent_id": None,
            "lat": None,
            "lon": None,
            "notes": None,
        },
        {
            "id": 2,
            "uid": "place-moscow",
            "name": "Moscow",
            "key": "moscow",
            "kind": "city",
            "country": "RU",
            "parent_id": 1,
            "lat": 55.7558,
            "lon": 37.6173,
            "notes": None,
        },
        {
            "id": 3,
            "uid": "place-kremlin",
            "name": "Kremlin",
            "key": "kremlin",
            "kind": "venue",
            "country": "RU",
            "parent_id": 2,
            "lat": None,
            "lon": None,
            "notes": None,
        },
    ],
    "place_alias": [
        {"id": 1, "place_id": 2, "name": "Moskwa", "key": "moskwa", "lang": "pl"},
        {"id": 2, "place_id": 3, "name": "Kreml", "key": "kreml", "lang": "pl"},
    ],
    "source": [
        {
            "id": 1,
            "uid": "src-pap-2025-12-02",
            "url": "https://example.org/pap/witkoff-putin",
            "publisher": "PAP",
            "title": "Witkoff i Kushner na Kremlu",
            "published": "2025-12-02",
            "language": "pl",
            "notes": None,
        },
        {
            "id": 2,
            "uid": "src-x-isw",
            "url": None,
            "publisher": "ISW analyst on X",
            "title": None,
            "published": "2025-12-03",
            "language": "en",
            "notes": "No URL.",
        },
    ],
    "visit": [
        {
            "id": 1,
            "uid": "visit-2025-12-witkoff-moscow",
            "destination_id": 2,
            "edtf": "2025-12-02",
            "earliest": date(2025, 12, 2),
            "latest": date(2025, 12, 2),
            "purpose": "Peace plan talks",
            "notes": None,
        },
    ],
    "visit_traveller": [
        {"visit_id": 1, "person_id": 1, "role": "envoy", "position": 0},
    ],
    "visit_source": [{"visit_id": 1, "source_id": 1, "position": 0}],
    "meeting": [
        {
            "id": 1,
            "uid": "meeting-2025-12-02-witkoff-putin",
            "visit_id": 1,
            "kind": "talks",
            "title": "Witkoff and Kushner meet Putin in the Kremlin",
            "edtf": "2025-12-02",
            "earliest": date(2025, 12, 2),
            "latest": date(2025, 12, 2),
            "venue_id": 3,
            "duration_minutes": 300,
            "duration_qualifier": "at-least",
            "outcome": "no-agreement",
            "outcome_summary": "No compromise reached; talks constructive.",
            "status": "held",
            "notes": "Walk through Red Square with city-hall officials first.",
        },
        {
            "id": 2,
            "uid": "meeting-2025-12-02-walk",
            "visit_id": 1,
            "kind": "walk",
            "title": "Walk through Red Square",
            "edtf": "2025-12",
            "earliest": date(2025, 12, 1),
            "latest": date(2025, 12, 31),
            "venue_id": 2,
            "duration_minutes": None,
            "duration_qualifier": None,
            "outcome": "unknown",
            "outcome_summary": None,
            "status": "held",
            "notes": None,
        },
    ],
    "meeting_participant": [
        {"meeting_id": 1, "person_id": 1, "side": "US", "role": "envoy", "position": 0},
        {"meeting_id": 1, "person_id": 2, "side": "RU", "role": "host", "position": 1},
        {"meeting_id": 1, "person_id": 3, "side": "RU", "role": "adviser", "position": 2},
    ],
    "meeting_source": [
        {"meeting_id": 1, "source_id": 1, "position": 0},
        {"meeting_id": 2, "source_id": 1, "position": 0},
    ],
    "meeting_topic": [
        {"meeting_id": 1, "topic": "peace plan", "key": "peace plan", "position": 0},
        {"meeting_id": 1, "topic": "territory", "key": "territory", "position": 1},
    ],
    "statement": [
        {
            "id": 1,
            "uid": "statement-ushakov-not-closer",
            "meeting_id": 1,
            "speaker_id": 3,
            "kind": "readout",
            "edtf": "2025-12-03",
            "earliest": date(2025, 12, 3),
            "latest": date(2025, 12, 3),
            "language": "ru",
            "text": "Not closer to peace, but not further either.",
            "notes": None,
        },
    ],
    "statement_source": [
        {"statement_id": 1, "source_id": 1, "position": 0},
        {"statement_id": 1, "source_id": 2, "position": 1},
    ],
}
STAMPED = {"person", "place", "source", "visit", "meeting", "statement"}


@pytest.fixture
def blank(db_url: str) -> Iterator[Database]:
    database = open_database(db_url, upgrade=False)
    try:
        yield database
    finally:
        database.dispose()


def _migrate(database: Database, direction: str, revision: str) -> None:
    with database.engine.connect() as connection:
        config = alembic_config(connection)
        getattr(command, direction)(config, revision)
        connection.commit()


def _insert_at_first_revision(database: Database) -> None:
    with database.engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection)
        for name, rows in ROWS.items():
            stamp = {"created_at": CREATED, "updated_at": CREATED} if name in STAMPED else {}
            connection.execute(tables.tables[name].insert(), [{**row, **stamp} for row in rows])
        if connection.dialect.name == "postgresql":
            # Explicit ids do not move the sequences: set them as a restore would.
            for name, rows in ROWS.items():
                if "id" in rows[0]:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                            f" (SELECT max(id) FROM {name}))"
                        )
                    )


def _contents(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the event model, in a stable order."""
    tables = MetaData()
    tables.reflect(connection)
    contents = {}
    for name in ROWS:
        table = tables.tables[name]
        ordered = select(table).order_by(*table.primary_key.columns)
        contents[name] = [tuple(row) for row in connection.execute(ordered)]
    return contents


def _snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.engine.connect() as connection:
        return _contents(connection)


def _found(database: Database, words: str) -> list[int]:
    with Session(database.engine) as session:
        read = reader(session)
        where = meeting_where(read, Filters(search=words))
        return sorted(
            id_ for (id_,) in read.all("SELECT m.id FROM meeting AS m" + where.sql(), where.params)
        )


SOURCE_URL = "https://example.org/pap/witkoff-putin"
CELLS = {
    1: ("Steve Witkoff", "Vladimir Putin; Yuri Ushakov", SOURCE_URL),
    2: ("Steve Witkoff", "", SOURCE_URL),
}
"""The list cells of the two meetings, as the migration that stores them builds them
(meeting 2's envoy is the participant an earlier revision gave it)."""


def _later_columns(
    at_first: dict[str, list[tuple[Any, ...]]],
) -> dict[str, list[tuple[Any, ...]]]:
    """The places and meetings of ``at_first`` with the columns later revisions add."""
    return {
        "place": [(*row, None) for row in at_first["place"]],
        "meeting": [(*row, *CELLS[row[0]]) for row in at_first["meeting"]],
    }


def _revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return stored_revision(connection)


def test_data_written_at_the_first_revision_survives_every_migration(blank: Database) -> None:
    _migrate(blank, "upgrade", FIRST)
    assert _revision(blank) == FIRST
    _insert_at_first_revision(blank)
    at_first = _snapshot(blank)
    assert {name: len(rows) for name, rows in at_first.items()} == {
        name: len(rows) for name, rows in ROWS.items()
    }

    _migrate(blank, "upgrade", "head")
    assert _revision(blank) == HEAD
    # The walk (meeting 2) names no envoy among its participants: its visit's
    # traveller, shown as its envoy before, becomes its envoy participant.
    backfilled = {**at_first}
    backfilled["meeting_participant"] = sorted(
        [*at_first["meeting_participant"], (2, 1, "US", "envoy", 0)]
    )
    # A later revision's new columns are empty (a place's Wikidata id) or what the
    # record gives (a meeting's envoys, counterparts and sources cells).
    assert _snapshot(blank) == {**backfilled, **_later_columns(at_first)}
    at_first = backfilled
    assert any(is_search_object(name) for name in _schema_objects(blank))
    # What a later revision adds covers the rows that were there before it.
    assert _found(blank, "Kremlin") == [1]
    assert _found(blank, "further peace") == [1]
    assert _found(blank, "red square") == [1, 2]

    _migrate(blank, "downgrade", FIRST)
    assert _revision(blank) == FIRST
    assert _snapshot(blank) == at_first
    assert [name for name in _schema_objects(blank) if is_search_object(name)] == []

    _migrate(blank, "upgrade", "head")
    assert _snapshot(blank) == {**at_first, **_later_columns(at_first)}
    assert _found(blank, "Ushakov") == []  # names are not searched, texts are
    assert _found(blank, "constructive") == [1]

    # And the upgraded database takes new records through the application.
    database = open_database(blank.url)
    try:
        from tracker.records import LogRequest, log_meeting

        with database.writing() as session:
            meeting = log_meeting(
                session,
                LogRequest(
                    envoys=["Witkoffowi"],
                    date="2025-12-02",
                    title="Follow-up call",
                    place="Kreml",
                    counterparts=[],
                    sources=["https://example.org/pap/witkoff-putin"],
                ),
            )
            assert meeting.id == 3
            assert [p.person.uid for p in meeting.participants] == ["person-steve-witkoff"]
            assert meeting.visit is not None
            assert meeting.visit.uid == "visit-2025-12-witkoff-moscow"
    finally:
        database.dispose()


def _schema_objects(database: Database) -> list[str]:
    """The names of all tables, and of the indexes on meeting and statement."""
    with database.engine.connect() as connection:
        inspector = inspect(connection)
        names = list(inspector.get_table_names())
        for table in ("meeting", "statement"):
            names.extend(str(index["name"]) for index in inspector.get_indexes(table))
    return names


def test_a_merge_made_before_its_kept_uid_was_stored_gets_it_from_its_label(
    blank: Database,
) -> None:
    """Merges recorded before tombstones kept the uid of the record a merged person or
    place went into: the upgrade reads it from the label the merge wrote, so that
    documents naming the merged uid follow it; a deleted meeting's tombstone has none."""
    _migrate(blank, "upgrade", "0007")
    labels = [
        (1, "person", 7, "person-stub", "Witkoff, merged into Steve Witkoff (uid p-witkoff)"),
        (2, "place", 8, "place-stub", "Moskva, merged into Moscow, (uid x) (uid place-moscow)"),
        (3, "meeting", 9, "m-gone", "'Talks, merged into (uid m-1)', 2 Dec 2025"),
        (4, "person", 10, "person-odd", "Odd, merged into Someone"),
    ]
    with blank.engine.begin() as connection:
        for row in labels:
            connection.execute(
                text(
                    "INSERT INTO tombstone (id, kind, record_id, uid, label, deleted_at)"
                    " VALUES (:id, :kind, :record, :uid, :label, :at)"
                ),
                dict(zip(("id", "kind", "record", "uid", "label"), row, strict=True), at=CREATED),
            )
    _migrate(blank, "upgrade", "head")
    with blank.engine.connect() as connection:
        found = connection.execute(text("SELECT id, merged_into FROM tombstone ORDER BY id"))
        assert found.all() == [(1, "p-witkoff"), (2, "place-moscow"), (3, None), (4, None)]
    _migrate(blank, "downgrade", "0007")
    with blank.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("tombstone")}
        assert "merged_into" not in columns
        assert "wikidata" not in {c["name"] for c in inspect(connection).get_columns("place")}
        assert connection.execute(text("SELECT count(*) FROM tombstone")).scalar_one() == 4
