"""The timeline's list cells (envoys, counterparts, sources) as the database builds
them: every value escaped as ``tracker.cells`` escapes it, in the order the record
lists them, on SQLite and PostgreSQL; on SQLite read from the indexes that hold that
order."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tracker.backend import reader
from tracker.cells import escape_item, join_list, split_list
from tracker.dates import parse_when
from tracker.models import Meeting, MeetingSource, Participant, Person, Source
from tracker.names import name_key
from tracker.query import Filters, timeline_records, timeline_rows
from tracker.query.display import source_name
from tracker.write import cells

VALUE = st.text(
    alphabet=st.sampled_from(";\\ a") | st.characters(blacklist_categories=("Cs",)),
    max_size=20,
).map(lambda text: text.replace("\x00", ""))  # PostgreSQL text holds no NUL


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=VALUE)
def test_the_database_escapes_a_list_value_as_cells_does(session: Session, value: str) -> None:
    read = reader(session)
    escaped = read.sql.escaped("CAST(:value AS TEXT)")
    assert read.scalar(f"SELECT {escaped}", {"value": value}) == escape_item(value)


HOSTILE = ["Smith; Jones", "back\\slash", "a\\;b", "trailing\\", "Łukasz;\\;x", "Zed"]


def _hostile_meeting(session: Session) -> Meeting:
    """A meeting whose people and sources hold the separator and backslashes, listed
    in an order that is not the order they were made in, with an envoy, hosts, and a
    participant with no role."""
    people = [Person(name=name, key=name_key(name) or name, country="US") for name in HOSTILE]
    sources = [
        Source(uid="src-url", url="https://example.org/a;b\\c"),
        Source(uid="src-publisher", url="", publisher="Reuters; https://example.org/x"),
        Source(uid="src-bare;\\"),
    ]
    session.add_all([*people, *sources])
    session.flush()
    when = parse_when("2025-12-02")
    meeting = Meeting(
        uid="m-hostile",
        kind="talks",
        title="Talks",
        edtf=when.edtf,
        earliest=when.earliest,
        latest=when.latest,
        outcome="unknown",
        status="held",
    )
    roles = ["host", None, "envoy", "adviser", "envoy", "host"]
    meeting.participants = [
        Participant(person=person, role=role, side=None, position=position)
        for position, (person, role) in enumerate(zip(reversed(people), roles, strict=True))
    ]
    meeting.source_links = [
        MeetingSource(source=source, position=position)
        for position, source in enumerate(reversed(sources))
    ]
    session.add(meeting)
    session.flush()
    return meeting


def test_list_cells_escape_every_value_and_keep_the_record_order(session: Session) -> None:
    _hostile_meeting(session)
    listed = list(reversed(HOSTILE))
    envoys = [listed[2], listed[4]]
    counterparts = [listed[0], listed[1], listed[3], listed[5]]
    [row] = timeline_rows(reader(session), Filters())
    assert row["envoys"] == join_list(envoys)
    assert row["counterparts"] == join_list(counterparts)
    assert split_list(row["counterparts"]) == counterparts
    [record] = timeline_records(reader(session), Filters())
    assert [person.name for person in record.envoys] == envoys
    names = [source_name(source) for source in record.sources]
    assert names == ["src-bare;\\", "Reuters; https://example.org/x", "https://example.org/a;b\\c"]
    assert row["sources"] == join_list(names)
    assert split_list(row["sources"]) == names


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_builds_list_cells_from_their_indexes(session: Session) -> None:
    # In the order of the index, with no sort: group_concat joins rows in the order
    # they are read.
    read = reader(session)
    statement = cells.refresh_sql(read.sql, "id = 1")
    plan = " ".join(str(step[-1]) for step in read.all(f"EXPLAIN QUERY PLAN {statement}"))
    assert f"COVERING INDEX {cells.PARTICIPANTS_IN_ORDER}" in plan
    assert f"COVERING INDEX {cells.SOURCES_IN_ORDER}" in plan
    assert "TEMP B-TREE" not in plan
