"""A meeting's list cells, stored with it: its envoys, its counterparts and its sources,
each as the timeline table shows it (a ``tracker.cells`` list cell: the values escaped
and joined, in the record's order), kept right by every write.

The cells are what every timeline row, listing and export shows, and building them
for each row read cost a whole export more than everything else together (a
participant's name looked up and escaped, per participant, per read). So a write builds
them once, and a read takes them as they are:

- every flush of a session builds them again for the meetings it touched
  (:func:`_after_flush`): a meeting added, a participant or source of a meeting added,
  changed or removed, a person renamed, a source whose name in a list changed;
- a write that goes around the session (the bulk import's batched inserts) builds
  them for the meetings it wrote itself (:func:`refresh`).

They are built by one statement for every database, from the fragments that differ
(``db/dialects.py``): each value escaped as ``tracker.cells.escape_item`` escapes it,
joined in the order of ``position`` (on SQLite read through the index that holds that
order). The meetings' other columns (``updated_at`` too) are left as they are: the
cells are what the record gives, never a change of their own. :func:`stale_meetings`
lists the meetings whose stored cells differ from what the record gives: the test
suite checks after every test that there is none.

The bulk import has every new meeting's participants and sources at hand before it
writes the meeting, so it builds their cells in Python instead, by the same rules
(``tracker.importers.bulk``: ``tracker.cells.join_list``,
``tracker.query.sides.envoy_role``, ``tracker.query.display.source_name``), and inserts
them with the meeting rather than update every meeting it has just written; the stored
meetings it adds to still go through :func:`refresh`. The check after every test holds
the two forms to each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from sqlalchemy import Connection, event, inspect, select, text
from sqlalchemy.orm import Session, UOWTransaction

from tracker.backend import backend
from tracker.models import Meeting, MeetingSource, Participant, Person, Source
from tracker.query.sides import is_envoy
from tracker.sql import Dialect

CELLS = ("envoys_cell", "counterparts_cell", "sources_cell")
"""The columns of ``meeting`` that hold its list cells."""

PARTICIPANTS_IN_ORDER = "ix_meeting_participant_meeting_position"
SOURCES_IN_ORDER = "ix_meeting_source_meeting_position"
"""The indexes that hold a meeting's participants and its sources in their order."""

SOURCE_NAME = "coalesce(nullif(s.url, ''), nullif(s.publisher, ''), nullif(s.title, ''), s.uid)"
"""How a list names a source (``tracker.query.display.source_name``) in SQL: its URL,
else its publisher, else its title, else its uid."""

NAMING_A_SOURCE = ("url", "publisher", "title", "uid")
"""The columns of a source that ``SOURCE_NAME`` reads."""

CHUNK = 1_000
"""Meetings refreshed per statement when they are told one by one."""

RUN_FROM = 100
"""Meetings with consecutive ids, from this many on, are refreshed by one range."""


def cell_queries(sql: Dialect, meeting: str) -> tuple[str, str]:
    """The cells of the meeting whose id is the SQL expression ``meeting``, as two
    subqueries: one row of its envoys and counterparts cells (its participants read
    once for both), and one of its sources cell."""
    name = sql.escaped("person.name")
    envoy = is_envoy("p")
    envoys = sql.list_cell(f"CASE WHEN {envoy} THEN {name} END", "p.position")
    counterparts = sql.list_cell(f"CASE WHEN {envoy} THEN NULL ELSE {name} END", "p.position")
    sides = (
        f"(SELECT {envoys}, {counterparts}"
        f" FROM meeting_participant AS p{sql.indexed_by(PARTICIPANTS_IN_ORDER)}"
        f" JOIN person ON person.id = p.person_id WHERE p.meeting_id = {meeting})"
    )
    sources = (
        f"(SELECT {sql.list_cell(sql.escaped(SOURCE_NAME), 'ms.position')}"
        f" FROM meeting_source AS ms{sql.indexed_by(SOURCES_IN_ORDER)}"
        f" JOIN source AS s ON s.id = ms.source_id WHERE ms.meeting_id = {meeting})"
    )
    return sides, sources


SIDES = "(envoys_cell, counterparts_cell)"


def refresh_sql(sql: Dialect, where: str) -> str:
    """The statement that builds the cells of the meetings ``where`` selects again."""
    sides, sources = cell_queries(sql, "meeting.id")
    return f"UPDATE meeting SET {SIDES} = {sides}, sources_cell = {sources} WHERE {where}"


def refresh(connection: Connection, ids: Iterable[int]) -> None:
    """Build the cells of the meetings ``ids`` again, in ``connection``'s transaction
    (an id with no meeting is passed over): consecutive ids by ranges, the others a
    chunk at a time."""
    sql = backend(connection).sql
    runs, single = _runs(sorted(set(ids)))
    if runs:
        between = text(refresh_sql(sql, "id BETWEEN :first AND :last"))
        for first, last in runs:
            connection.execute(between, {"first": first, "last": last})
    if single:
        among = text(refresh_sql(sql, sql.among("id", "ids")))
        for start in range(0, len(single), CHUNK):
            connection.execute(among, {"ids": sql.ids(single[start : start + CHUNK])})


def _runs(ids: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
    """``ids`` (sorted, distinct) as runs of ``RUN_FROM`` consecutive ids or more, and
    the ids in no such run."""
    runs: list[tuple[int, int]] = []
    single: list[int] = []
    start = 0
    for end in range(1, len(ids) + 1):
        if end == len(ids) or ids[end] != ids[end - 1] + 1:
            if end - start >= RUN_FROM:
                runs.append((ids[start], ids[end - 1]))
            else:
                single += ids[start:end]
            start = end
    return runs, single


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """The cells of the meetings this flush touched, built again in its transaction."""
    meetings: set[int] = set()
    people: set[int] = set()
    sources: set[int] = set()
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Participant | MeetingSource):
            meetings.update(_values(record, "meeting_id"))
        elif isinstance(record, Meeting) and record in session.new:
            meetings.add(record.id)
        elif record in session.new:
            continue
        elif isinstance(record, Person) and _changed(record, ("name",)):
            people.add(record.id)
        elif isinstance(record, Source) and _changed(record, NAMING_A_SOURCE):
            sources.add(record.id)
    if not (meetings or people or sources):
        return
    connection = session.connection()
    meetings.update(_meetings_of(connection, people, sources))
    refresh(connection, meetings)


def _values(record: Any, attribute: str) -> Iterator[int]:
    """The value of ``attribute`` of ``record`` now and, if the flush changed it, before."""
    history = inspect(record).attrs[attribute].history
    for value in chain(history.added, history.unchanged, history.deleted):
        if value is not None:
            yield value


def _changed(record: Any, attributes: Iterable[str]) -> bool:
    state = inspect(record)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _meetings_of(connection: Connection, people: set[int], sources: set[int]) -> Iterator[int]:
    """The meetings the people ``people`` take part in and the sources ``sources`` are
    cited by."""
    for chunk in _chunks(people):
        yield from connection.scalars(
            select(Participant.meeting_id).where(Participant.person_id.in_(chunk))
        )
    for chunk in _chunks(sources):
        yield from connection.scalars(
            select(MeetingSource.meeting_id).where(MeetingSource.source_id.in_(chunk))
        )


def _chunks(values: set[int]) -> Iterator[list[int]]:
    listed = sorted(values)
    for start in range(0, len(listed), CHUNK):
        yield listed[start : start + CHUNK]


def stale_meetings(connection: Connection) -> list[int]:
    """The meetings whose stored cells differ from what their record gives (none,
    whatever wrote them, through the session or around it)."""
    sides, sources = cell_queries(backend(connection).sql, "m.id")
    differs = f"(m.envoys_cell, m.counterparts_cell) <> {sides} OR m.sources_cell <> {sources}"
    query = f"SELECT m.id FROM meeting AS m WHERE {differs} ORDER BY m.id"
    return list(connection.scalars(text(query)))
