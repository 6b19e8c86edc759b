"""Writing a planned import: new rows in batches of multi-row INSERTs, ids handed to
the references the plan kept, secondary indexes rebuilt once for big tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from tracker.backend import backend
from tracker.cells import SEPARATOR, escape_item
from tracker.importers.existing import chunks
from tracker.importers.plan import (
    MEETING_COLUMNS,
    MEETING_SOURCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    PERSON_COLUMNS,
    PLACE_COLUMNS,
    SOURCE_COLUMNS,
    TRAVELLER_COLUMNS,
    VISIT_COLUMNS,
    VISIT_SOURCE_COLUMNS,
    Id,
    Plan,
    Progress,
    Ref,
    ref_id,
)
from tracker.importers.touched import stored_in
from tracker.models import (
    Meeting,
    MeetingSource,
    Participant,
    Person,
    Place,
    Source,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.query.display import source_name
from tracker.query.sides import envoy_role
from tracker.search import restored_after
from tracker.vocab import ParticipantRole
from tracker.write.cells import CELLS, refresh
from tracker.write.roles import hold_roles

BATCH = 5_000
"""Rows per bulk insert, and rows between two progress reports."""

SQLITE_CACHE_KIB = -32 * 1024
"""SQLite's page cache while an import writes (negative: KiB), 32 MiB at most: enough
for the unique indexes a big import inserts into (its other indexes are built after
it), while the pages it has written and no longer needs go to the write-ahead log
before the commit instead of staying in memory, where they made the writing the peak
of a big import's memory (100,000 rows: 502 MiB with 256 MiB, 453 MiB with 32)."""

SQLITE_ROWS_PER_INSERT = 500
"""Rows per multi-row INSERT statement on SQLite (fewer when the columns times the
rows would pass the driver's limit on parameters)."""

SQLITE_MAX_VARIABLES = 999
"""Parameters per SQLite statement when the driver cannot say (its oldest limit)."""

SQLITE_REINDEX_FROM = 10_000
SQLITE_REINDEX_SHARE = 4
"""On SQLite, a table's secondary indexes are dropped before an insert of at least
``SQLITE_REINDEX_FROM`` rows that adds at least a ``1/SQLITE_REINDEX_SHARE`` of the rows
it holds, and created again after it: building an index from sorted entries is several
times faster than as many inserts at scattered places (``meeting_participant`` by
person, say)."""


class Writer:
    """Bulk inserts, in batches.

    New ids: on PostgreSQL the sequences hand them out (``INSERT ... RETURNING id``
    through SQLAlchemy Core, batched, in parameter order). On SQLite, where ordered
    RETURNING falls back to one statement per row, they are counted on from the
    largest id the table ever handed out (``AUTOINCREMENT``'s ``sqlite_sequence``, or
    ``max(id)``): safe because the import runs in a write transaction (``BEGIN
    IMMEDIATE``), so no other writer can take them in between, and never an id of a
    deleted row.

    On SQLite the rows go to the driver as multi-row ``INSERT ... VALUES (...), (...)``
    statements of a few hundred rows: one statement per row (``executemany``) costs about
    twice the CPU (320,000 participants: 0.61 s against 0.33 s, constraints aside). Each
    value is first converted by its column type's bind processor for the dialect, as a
    Core insert would (once per distinct value: dates and timestamps repeat).
    """

    def __init__(self, session: Session, now: datetime, progress: Progress | None) -> None:
        self.session = session
        self.now = now
        self.progress = progress
        self.done = 0
        self.total = 0
        self.shown = 0
        self.count_ids = backend(session).ids_count_up

    def insert_records(self, table: Table, items: _Records) -> None:
        """Insert rows of a table with an id, uid and timestamps; fill in their refs."""
        if not items.rows:
            return
        connection = self.session.connection()
        columns = items.columns
        if self.count_ids:
            first = _next_id(connection, table)
            numbers = range(first, first + len(items.refs))
            for ref, new_id in zip(items.refs, numbers, strict=True):
                ref.id = new_id
            now = self.now
            rows = [
                (new_id, *row, now, now) for new_id, row in zip(numbers, items.rows, strict=True)
            ]
            self.insert_rows(table, ("id", *columns, "created_at", "updated_at"), rows)
            return
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        stamps = {"created_at": self.now, "updated_at": self.now}
        for start in range(0, len(items.rows), BATCH):
            chunk = items.rows[start : start + BATCH]
            ids = connection.execute(
                statement, [{**dict(zip(columns, row, strict=True)), **stamps} for row in chunk]
            ).scalars()
            for ref, new_id in zip(items.refs[start : start + BATCH], ids, strict=True):
                ref.id = new_id
            self._advance(len(chunk))

    def insert_rows(
        self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Insert ``rows``, tuples of values for ``columns`` (resolved: no refs)."""
        if not rows:
            return
        if self.count_ids and self._insert_sqlite(table, columns, rows):
            return
        connection = self.session.connection()
        statement = insert(table)
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])
            self._advance(len(chunk))

    def insert_from(
        self, table: Table, columns: Sequence[str], queries: Sequence[Select[Any]], count: int
    ) -> None:
        """Insert the ``count`` rows ``queries`` select into ``columns``, in the database
        (an ``INSERT ... SELECT`` each); on SQLite with the table's secondary indexes
        built once after them all, as for any big insert."""
        connection = self.session.connection()
        statements = [insert(table).from_select(list(columns), query) for query in queries]
        with _indexes_deferred(connection, table.name, count) if self.count_ids else nullcontext():
            for statement in statements:
                connection.execute(statement)

    def _insert_sqlite(
        self, table: Table, keys: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> bool:
        """SQLite: the rows as multi-row INSERTs through the driver (see the class).
        ``False`` (nothing done) when a column left out has a Python-side default: the
        Core insert then fills it in."""
        if any(c.default is not None for c in table.columns if c.key not in keys):
            return False
        connection = self.session.connection()
        dialect = connection.dialect
        columns = [table.columns[key] for key in keys]
        converters = [
            _Converter(position, processor)
            for position, c in enumerate(columns)
            if (processor := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        width = len(columns)
        driver = connection.connection.driver_connection
        limit = SQLITE_MAX_VARIABLES
        with suppress(AttributeError, sqlite3.Error):
            limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
        per = max(1, min(SQLITE_ROWS_PER_INSERT, limit // width))
        quote = dialect.identifier_preparer.quote
        head = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) VALUES "
        )
        one = "(" + ", ".join("?" * width) + ")"
        full = head + ", ".join([one] * per)
        cursor = driver.cursor()  # type: ignore[union-attr]
        flat = chain.from_iterable
        try:
            with _indexes_deferred(connection, table.name, len(rows)):
                for start in range(0, len(rows), per):
                    chunk = rows[start : start + per]
                    if converters:  # a statement's rows at a time: no copy of them all
                        values = list(zip(*chunk, strict=True))
                        for converter in converters:
                            converter.convert(values)
                        chunk = list(zip(*values, strict=True))
                    sql = full if len(chunk) == per else head + ", ".join([one] * len(chunk))
                    cursor.execute(sql, list(flat(chunk)))
                    self._advance(len(chunk))
        finally:
            cursor.close()
        return True

    def update_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        statement = update(table).where(table.c.id == bindparam("b_id"))
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            self.session.connection().execute(statement, chunk)
            self._advance(len(chunk))

    def _new_cells(self, plan: Plan, people: Mapping[Id, str]) -> _Cells:
        """The list cells of the meetings ``plan`` adds (``_list_cells``), naming the
        people by ``people`` (the import's registry of names: the stored people and
        those it creates; any other is read) and the sources by their planned values,
        or, stored, as read for just those cited."""
        connection = self.session.connection()

        def stored_name(person: Id) -> str:
            return str(connection.scalar(select(Person.name).where(Person.id == person)))

        named = _Escaped(stored_name)
        named.update((person, escape_item(name)) for person, name in people.items())
        named.update((ref, escape_item(values[_PERSON_NAME])) for ref, values in plan.people)
        cited: dict[Id, str] = {
            ref: escape_item(source_name(dict(zip(SOURCE_COLUMNS, values, strict=True))))
            for ref, values in plan.sources
        }
        naming = (Source.id, Source.url, Source.publisher, Source.title, Source.uid)
        for chunk in chunks(sorted(stored_in(plan.meeting_sources, 1))):
            for row in connection.execute(select(*naming).where(Source.id.in_(chunk))):
                cited[row.id] = escape_item(source_name(row._mapping))
        return _list_cells(plan, named, cited)

    def _advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None and self.done - self.shown >= BATCH:
            self.shown = self.done
            self.progress("writing", min(self.done, self.total), self.total)

    def write(
        self, plan: Plan, stored_meetings: Iterable[int], people: Mapping[Id, str] | None = None
    ) -> None:
        """Write ``plan``; ``stored_meetings`` are the stored meetings it adds to
        (``touched.stored_touched``), whose list cells are built again once it is
        written; ``people`` the names of stored people the import has loaded, by id (the
        list cells of the meetings it adds name them; any other is read)."""
        if not self.count_ids:
            self._write(plan, stored_meetings, people or {})
            return
        # SQLite: a page cache large enough for the indexes a big import touches (the
        # default 2 MiB makes every index insert a read), for this import only.
        connection = self.session.connection()
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
        try:
            self._write(plan, stored_meetings, people or {})
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")

    def _write(self, plan: Plan, stored_meetings: Iterable[int], people: Mapping[Id, str]) -> None:
        self.total = sum(
            len(items)
            for items in (
                plan.people,
                plan.places,
                plan.sources,
                plan.visits,
                plan.travellers,
                plan.visit_sources,
                plan.meetings,
                plan.participants,
                plan.meeting_sources,
                plan.meeting_updates,
                plan.meeting_merges,
                plan.visit_updates,
            )
        )
        self.insert_records(
            Person.__table__,  # type: ignore[arg-type]
            _Records(PERSON_COLUMNS, [p[0] for p in plan.people], [p[1] for p in plan.people]),
        )
        # Places: parents before children (a parent is always planned before its child).
        pending = list(plan.places)
        while pending:
            ready = [p for p in pending if p[2] is None or ref_id(p[2]) is not None]
            self.insert_records(
                Place.__table__,  # type: ignore[arg-type]
                _Records(
                    PLACE_COLUMNS,
                    [ref for ref, _values, _parent in ready],
                    [(*values, ref_id(parent)) for _ref, values, parent in ready],
                ),
            )
            pending = [p for p in pending if p[0].id is None]
        self.insert_records(
            Source.__table__,  # type: ignore[arg-type]
            _Records(SOURCE_COLUMNS, [s[0] for s in plan.sources], [s[1] for s in plan.sources]),
        )
        self.insert_records(
            Visit.__table__,  # type: ignore[arg-type]
            _Records(
                VISIT_COLUMNS,
                [v[0] for v in plan.visits],
                [(*values, d.id if d.__class__ is Ref else d) for _ref, values, d in plan.visits],
            ),
        )
        self.insert_rows(
            VisitTraveller.__table__,  # type: ignore[arg-type]
            TRAVELLER_COLUMNS,
            [
                (v.id if v.__class__ is Ref else v, p.id if p.__class__ is Ref else p, role, pos)
                for v, p, role, pos in plan.travellers
            ],
        )
        self.insert_rows(
            VisitSource.__table__,  # type: ignore[arg-type]
            VISIT_SOURCE_COLUMNS,
            [
                (v.id if v.__class__ is Ref else v, s.id if s.__class__ is Ref else s, pos)
                for v, s, pos in plan.visit_sources
            ],
        )
        connection = self.session.connection()
        # A new meeting goes in with its list cells: they are built here, from the plan.
        sides, cells = self._new_cells(plan, people)
        join = SEPARATOR.join
        nobody: tuple[list[str], list[str]] = ([], [])
        meetings = _Records(
            (*MEETING_COLUMNS, *CELLS),
            [m[0] for m in plan.meetings],
            [
                (
                    *values,
                    visit.id if visit.__class__ is Ref else visit,
                    venue.id if venue.__class__ is Ref else venue,
                    *map(join, sides.get(ref, nobody)),
                    join(cells.get(ref, ())),
                )
                for ref, values, visit, venue in plan.meetings
            ],
        )
        del sides, cells  # the rows hold the cells themselves
        with backend(connection).bulk_meeting_insert(connection, len(plan.meetings)):
            self.insert_records(Meeting.__table__, meetings)  # type: ignore[arg-type]
        del meetings
        self.insert_rows(
            Participant.__table__,  # type: ignore[arg-type]
            PARTICIPANT_COLUMNS,
            [
                (
                    m.id if m.__class__ is Ref else m,
                    p.id if p.__class__ is Ref else p,
                    side,
                    role,
                    position,
                )
                for m, p, side, role, position in plan.participants
            ],
        )
        self.insert_rows(
            MeetingSource.__table__,  # type: ignore[arg-type]
            MEETING_SOURCE_COLUMNS,
            [
                (m.id if m.__class__ is Ref else m, s.id if s.__class__ is Ref else s, position)
                for m, s, position in plan.meeting_sources
            ],
        )
        self.update_rows(Meeting.__table__, plan.meeting_updates)  # type: ignore[arg-type]
        merges: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for meeting, change in plan.meeting_merges:
            values = {"b_id": meeting, **change, "updated_at": self.now}
            merges.setdefault(tuple(sorted(values)), []).append(values)
        for rows in merges.values():
            self.update_rows(Meeting.__table__, rows)  # type: ignore[arg-type]
        self.update_rows(Visit.__table__, plan.visit_updates)  # type: ignore[arg-type]
        # Written around the session: the list cells of the stored meetings it added to
        # are built again here.
        refresh(connection, stored_meetings)
        hold_roles(
            self.session,
            [
                (_known_id(person), title, span)
                for (person, _key), (title, span) in plan.roles.items()
            ],
        )


@contextmanager
def _indexes_deferred(connection: Connection, table: str, count: int) -> Iterator[None]:
    """SQLite: around an insert of ``count`` rows into ``table``, its secondary indexes
    (not the unique ones, which check the rows as they come) dropped, and created again
    after from the text SQLite stored for them, when the insert is large enough (see
    ``SQLITE_REINDEX_SHARE``). All in the caller's transaction: a rollback restores them
    with everything else, and no other connection ever sees the table without them."""
    if count < SQLITE_REINDEX_FROM:
        yield
        return
    quote = connection.dialect.identifier_preparer.quote
    stored = connection.exec_driver_sql(f"SELECT count(*) FROM {quote(table)}").scalar() or 0
    if count * SQLITE_REINDEX_SHARE < stored:
        yield
        return
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).all()
    indexes = [
        (name, sql) for name, sql in found if not sql.lstrip().upper().startswith("CREATE UNIQUE")
    ]
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")

    def restore() -> None:
        for _name, sql in indexes:
            connection.exec_driver_sql(sql)

    with restored_after(restore):
        yield


_PERSON_NAME = PERSON_COLUMNS.index("name")


_Cells = tuple[dict[Id, tuple[list[str], list[str]]], dict[Id, list[str]]]
"""The list cells of new meetings, each a list of its values (escaped, to be joined):
by meeting, its envoys and its counterparts, and its sources (a meeting with no
participant or no source is in neither)."""


class _Escaped(dict[Id, str]):
    """Names by id, escaped as a list cell's values are (``escape_item``); one not
    given is read when first asked for (``read``)."""

    def __init__(self, read: Callable[[Id], str]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, key: Id) -> str:
        value = self[key] = escape_item(self.read(key))
        return value


_ENVOY_BY_ROLE = {role: envoy_role(role) for role in (None, *ParticipantRole)}


def _list_cells(plan: Plan, people: Mapping[Id, str], sources: Mapping[Id, str]) -> _Cells:
    """The list cells of the meetings ``plan`` adds, as
    ``tracker.write.cells.cell_queries`` builds them in SQL: a meeting's participants in
    the order of their position, those who are envoys by ``envoy_role`` in one cell and
    every other in the next, and its sources in the order of theirs; each cell is the
    ``join_list`` of its values. ``people`` and ``sources`` name them, escaped.

    One pass over the plan's links: the planner plans a meeting's participants and
    sources in the order of their positions (a row that adds to a meeting planned
    earlier gives the next positions), so a meeting's values are in order as they come.
    A link out of order (a plan made otherwise) puts its meeting's values in order
    again."""
    envoy = _ENVOY_BY_ROLE
    sides: dict[Id, tuple[list[str], list[str]]] = {}
    reordered: set[Id] = set()
    last: dict[Id, int] = {}
    for meeting, person, _side, role, position in plan.participants:
        if meeting.__class__ is not Ref:
            continue
        found = sides.get(meeting)
        if found is None:
            found = sides[meeting] = ([], [])
        elif position < last[meeting]:
            reordered.add(meeting)
        last[meeting] = position
        found[0 if envoy.get(role, False) else 1].append(people[person])
    for meeting, taking in _in_order(plan.participants, reordered).items():
        sides[meeting] = (
            [people[link[1]] for link in taking if envoy.get(link[3], False)],
            [people[link[1]] for link in taking if not envoy.get(link[3], False)],
        )
    cited: dict[Id, list[str]] = {}
    reordered.clear()
    last.clear()
    for meeting, source, position in plan.meeting_sources:
        if meeting.__class__ is not Ref:
            continue
        names = cited.get(meeting)
        if names is None:
            names = cited[meeting] = []
        elif position < last[meeting]:
            reordered.add(meeting)
        last[meeting] = position
        names.append(sources[source])
    for meeting, citing in _in_order(plan.meeting_sources, reordered).items():
        cited[meeting] = [sources[link[1]] for link in citing]
    return sides, cited


def _in_order(links: Sequence[tuple[Any, ...]], meetings: set[Id]) -> dict[Id, list[Any]]:
    """The ``links`` of each of ``meetings``, in the order of their positions: gathered
    in one scan of the plan however many meetings were planned out of order (and
    none when none was: the planner's plans)."""
    if not meetings:
        return {}
    gathered: dict[Id, list[Any]] = {meeting: [] for meeting in meetings}
    for link in links:
        found = gathered.get(link[0])
        if found is not None:
            found.append(link)
    for found in gathered.values():
        found.sort(key=_POSITION)
    return gathered


_POSITION = itemgetter(-1)
"""A participant's or a source's position, the last value of its planned link."""


def _next_id(connection: Connection, table: Table) -> int:
    """SQLite: the id after the largest the table ever had (deleted ones included)."""
    largest = connection.execute(select(func.max(table.c.id))).scalar() or 0
    handed = connection.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
    ).scalar()
    return max(int(largest), int(handed or 0)) + 1


class _Converter:
    """A column's values as its type's bind processor converts them for the dialect, as
    a Core insert would: once per distinct value (dates and timestamps repeat)."""

    def __init__(self, position: int, processor: Callable[[Any], Any]) -> None:
        self.position = position
        self.processor = processor
        self.converted: dict[Any, Any] = {None: None}

    def convert(self, columns: list[tuple[Any, ...]]) -> None:
        """Convert the column's values in ``columns`` (a chunk of rows, transposed)."""
        column = columns[self.position]
        converted = self.converted
        for value in set(column).difference(converted):
            converted[value] = self.processor(value)
        columns[self.position] = tuple(map(converted.__getitem__, column))


@dataclass
class _Records:
    """New records of one table for ``_Writer.insert_records``: the columns their
    values fill, their refs (to receive their ids) and their values (refs resolved)."""

    columns: tuple[str, ...]
    refs: list[Ref]
    rows: list[tuple[Any, ...]]


def _known_id(value: Id) -> int:
    """The id of a record that is written by now."""
    found = ref_id(value)
    assert found is not None, "written before its roles"
    return found
