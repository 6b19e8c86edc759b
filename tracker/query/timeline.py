"""The timeline: one row per meeting, in order (earliest day, latest day, id), streamed
in partitions with a constant number of statements each; the loaded meetings the views
and exporters that need them read; envoy lanes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    select,
)
from sqlalchemy.orm import Session, selectinload

from tracker.backend import Backend, backend
from tracker.cells import SEPARATOR, escape_item, join_list
from tracker.errors import InvalidInput
from tracker.formats import Table
from tracker.models import (
    Meeting,
    MeetingSource,
    Participant,
    Person,
    Source,
    Visit,
    VisitTraveller,
)
from tracker.query.display import (
    Precision,
    Row,
    dated,
    precision,
    shown_edtf,
    sources_cell,
    when_of,
)
from tracker.query.envoys import taking_part
from tracker.query.filters import DateRange, Filters, meeting_conditions
from tracker.query.places import PlaceIndex
from tracker.query.sides import sides
from tracker.vocab import MeetingStatus

BATCH = 200
"""Meetings loaded (with their participants, sources, visit and travellers) per batch."""


ROWS_BATCH = 5_000
"""Meetings read per partition by ``timeline_batches`` (plain rows, no ORM objects): a
batch costs a few megabytes, and larger ones are barely faster."""


TIMELINE_KEYS = (
    "date",
    "edtf",
    "earliest",
    "latest",
    "kind",
    "title",
    "envoys",
    "counterparts",
    "venue",
    "city",
    "country",
    "duration_minutes",
    "duration_qualifier",
    "status",
    "outcome",
    "outcome_summary",
    "sources",
    "uid",
)


TIMELINE_TABLE = Table(TIMELINE_KEYS, right=frozenset({"duration_minutes"}), plain=True)
"""The timeline table in the table formats: every cell is text, a number or empty."""


@dataclass
class TimelineEntry:
    """One meeting of the timeline: its row and what the views need beside it."""

    row: Row
    envoys: list[str] = field(default_factory=list)
    precision: Precision = "day"
    earliest: date = date.min
    meeting: Meeting | None = None
    """The meeting itself, loaded with its participants, sources and visit."""
    people: tuple[list[Person], list[Person]] = field(default_factory=lambda: ([], []))
    """Its envoys and its counterparts (``sides``), as people."""


def timeline_entries(session: Session, filters: Filters) -> Iterator[TimelineEntry]:
    """The meetings ``filters`` select, in order (earliest, latest, id), with their rows.

    Issues a constant number of statements: one for the ids, one for the places, and
    per batch of ``BATCH`` meetings one for the meetings and one for each related
    collection.
    """
    ids = list(
        session.scalars(
            select(Meeting.id)
            .where(*meeting_conditions(session, filters))
            .order_by(Meeting.earliest, Meeting.latest, Meeting.id)
        )
    )
    if not ids:
        return
    places = PlaceIndex(session)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        loaded = session.scalars(
            select(Meeting)
            .where(Meeting.id.in_(chunk))
            .options(
                selectinload(Meeting.participants).selectinload(Participant.person),
                selectinload(Meeting.sources),
                selectinload(Meeting.visit)
                .selectinload(Visit.travellers)
                .selectinload(VisitTraveller.person),
            )
        )
        by_id = {meeting.id: meeting for meeting in loaded}
        envoys: set[tuple[int, int]] = set()
        taking = taking_part()
        for meeting_id, person_id in session.execute(
            select(taking.c.meeting_id, taking.c.person_id).where(
                taking.c.meeting_id.in_(chunk), taking.c.envoy
            )
        ):
            envoys.add((meeting_id, person_id))
        for meeting_id in chunk:
            yield _timeline_entry(by_id[meeting_id], places, envoys)


TimelineTuple = tuple[Any, ...]
"""One row of the timeline table as a tuple: the values of ``TIMELINE_KEYS``, in order."""


def timeline_rows(
    session: Session,
    filters: Filters,
    conditions: list[ColumnElement[bool]] | None = None,
) -> Iterator[Row]:
    """The timeline table: one plain dict per meeting (keys: ``TIMELINE_KEYS``), the same
    rows as ``timeline_entries`` gives, read with Core queries and no ORM objects.

    The dicts of ``timeline_batches`` (which see). The filters are checked when this is
    called, not at the first row: a bad one raises before a caller has written a header.
    """
    if conditions is None:
        conditions = meeting_conditions(session, filters)
    keys = TIMELINE_KEYS
    return (
        dict(zip(keys, values, strict=True))
        for batch in timeline_batches(session, filters, conditions)
        for values in batch
    )


def timeline_batches(
    session: Session,
    filters: Filters,
    conditions: list[ColumnElement[bool]] | None = None,
) -> Iterator[list[TimelineTuple]]:
    """The timeline table in lists of tuples (values in ``TIMELINE_KEYS`` order): the
    export path.

    It streams: the meetings come in partitions of ``ROWS_BATCH`` (memory stays flat),
    and each partition costs three more statements (the travellers of its visits, its
    participants, its sources) and one for the names of people not seen before, whatever
    its size. On SQLite the rows are read from the DBAPI cursor as stored (dates are ISO
    text there); per row, only the cells that differ from one meeting to the next are
    built, the rest (the date as shown, the place) is looked up once per distinct value.
    """
    connection = session.connection()  # Core rows: no ORM loading on this path
    places = PlaceIndex(session)
    # Core columns (the tables', not the mapped classes'): nothing here needs the ORM,
    # and an export without filters then never sets it up.
    m, visit = Meeting.__table__.c, Visit.__table__
    query = (
        select(
            m.id,
            m.uid,
            m.edtf,
            m.earliest,
            m.latest,
            m.kind,
            m.title,
            m.venue_id,
            visit.c.destination_id,
            m.duration_minutes,
            m.duration_qualifier,
            m.status,
            m.outcome,
            m.outcome_summary,
        )
        .select_from(Meeting.__table__.outerjoin(visit, visit.c.id == m.visit_id))
        .where(*(meeting_conditions(session, filters) if conditions is None else conditions))
        .order_by(m.earliest, m.latest, m.id)
    )
    related = _related(backend(connection))
    names: dict[int, str] = {}  # person names, read as first needed
    shown_dates: dict[str, str] = {}
    at_venue: dict[int, tuple[str | None, str | None, str | None]] = {}
    at_destination: dict[int | None, tuple[str | None, str | None, str | None]] = {}
    for partition in related.backend.partitions(connection, query, ROWS_BATCH):
        meeting_ids = list(map(_first, partition))
        participants = related.rows(connection, related.participants, meeting_ids)
        needed = set(map(_second, participants))
        if len(names) > NAMES_KEPT:
            names.clear()
        needed.difference_update(names)
        if needed:
            names.update(related.rows(connection, related.names, list(needed)))
        taking: dict[int, list[tuple[int, bool]]] = {}
        for meeting_id, person_id, envoy in participants:
            taking.setdefault(meeting_id, []).append((person_id, envoy))
        sources: dict[int, str] = {}
        for meeting_id, url, publisher, title, uid in related.rows(
            connection, related.sources, meeting_ids
        ):
            text = escape_item(url or publisher or title or uid)
            sources[meeting_id] = (
                sources[meeting_id] + SEPARATOR + text if meeting_id in sources else text
            )
        rows: list[TimelineTuple] = []
        for (
            meeting_id,
            uid,
            edtf,
            earliest,
            latest,
            kind,
            title,
            venue_id,
            destination_id,
            minutes,
            qualifier,
            status,
            outcome,
            summary,
        ) in partition:
            envoy_ids, counterpart_ids = sides(taking.get(meeting_id, ()))
            envoys = join_list(names[person] for person in envoy_ids)
            counterparts = join_list(names[person] for person in counterpart_ids)
            if venue_id is not None:
                place = at_venue.get(venue_id)
                if place is None:
                    place = at_venue[venue_id] = places.cells(venue_id, venue_id)
            else:
                place = at_destination.get(destination_id)
                if place is None:
                    place = at_destination[destination_id] = places.cells(None, destination_id)
            venue, city, country = place
            shown = shown_dates.get(edtf)
            if shown is None:
                if len(shown_dates) > NAMES_KEPT:
                    shown_dates.clear()
                shown = shown_dates[edtf] = shown_edtf(edtf)
            rows.append(
                (
                    shown,
                    edtf,
                    earliest,
                    latest,
                    kind,
                    title,
                    envoys,
                    counterparts,
                    venue,
                    city,
                    country,
                    minutes,
                    qualifier,
                    status,
                    outcome,
                    summary,
                    sources.get(meeting_id, ""),
                    uid,
                )
            )
        yield rows


_first, _second = itemgetter(0), itemgetter(1)


NAMES_KEPT = 100_000
"""Names of people (and dates as shown) that ``timeline_batches`` keeps between
partitions; past that many, it starts over (memory stays flat)."""


@dataclass(frozen=True)
class _Related:
    """What ``timeline_batches`` reads per partition: each statement takes the ids of
    the partition's meetings (or visits, or people) as one parameter, ``ids``."""

    backend: Backend
    participants: Executable
    sources: Executable
    names: Executable

    def rows(self, connection: Connection, statement: Executable, ids: list[int]) -> list[Any]:
        """The rows of ``statement`` for ``ids`` as the DBAPI gives them (tuples; no
        result processing: the columns read this way are integers, text and booleans)."""
        result = connection.execute(statement, {"ids": self.backend.ids(ids)})
        try:
            return list(result.cursor.fetchall())
        finally:
            result.close()


@cache
def _related(backend: Backend) -> _Related:
    """The statements of ``_Related`` on a database: a list of ids is one parameter
    (``Backend.among``), whatever its length."""
    among = backend.among
    sides = taking_part()
    link, source = MeetingSource.__table__.c, Source.__table__.c
    person = Person.__table__.c
    return _Related(
        backend=backend,
        participants=select(sides.c.meeting_id, sides.c.person_id, sides.c.envoy)
        .where(among(sides.c.meeting_id))
        .order_by(sides.c.meeting_id, sides.c.position),
        sources=select(link.meeting_id, source.url, source.publisher, source.title, source.uid)
        .select_from(MeetingSource.__table__.join(Source.__table__, source.id == link.source_id))
        .where(among(link.meeting_id))
        .order_by(link.meeting_id, link.position),
        names=select(person.id, person.name).where(among(person.id)),
    )


def _timeline_entry(
    meeting: Meeting, places: PlaceIndex, envoys: set[tuple[int, int]]
) -> TimelineEntry:
    """The entry of a loaded meeting; ``envoys`` holds the (meeting id, person id) of
    its envoys, as ``taking_part`` says."""
    envoy_people, counterparts = sides(
        (p.person, (meeting.id, p.person_id) in envoys) for p in meeting.participants
    )
    where = meeting.venue_id
    if where is None and meeting.visit is not None:
        where = meeting.visit.destination_id
    row: Row = {
        **dated(meeting.edtf, meeting.earliest, meeting.latest),
        "kind": meeting.kind,
        "title": meeting.title,
        "envoys": join_list(person.name for person in envoy_people),
        "counterparts": join_list(person.name for person in counterparts),
        "venue": places.name(meeting.venue_id),
        "city": places.city(where),
        "country": places.country(where),
        "duration_minutes": meeting.duration_minutes,
        "duration_qualifier": meeting.duration_qualifier,
        "status": meeting.status,
        "outcome": meeting.outcome,
        "outcome_summary": meeting.outcome_summary,
        "sources": sources_cell(meeting.sources),
        "uid": meeting.uid,
    }
    when = when_of(meeting.edtf, meeting.earliest, meeting.latest)
    return TimelineEntry(
        row=row,
        envoys=[person.name for person in envoy_people],
        precision=precision(when),
        earliest=meeting.earliest,
        meeting=meeting,
        people=(envoy_people, counterparts),
    )


MAX_LANE_MONTHS = 240


def lanes(entries: Iterable[TimelineEntry], bounds: DateRange) -> tuple[list[str], list[Row]]:
    """Envoy lanes: the months (``YYYY-MM``) from the range asked for (else from the
    first to the last meeting) and a row per envoy and status (``LANE_ORDER``; the
    envoys in the order of their first meeting) with the number of meetings in each
    month. A meeting dated only to the year counts under ``year_only``, never in a month
    it was not given.
    """
    counts: dict[tuple[str, str], Counter[str]] = {}
    first: date | None = bounds.earliest
    last: date | None = bounds.latest
    seen_first: date | None = None
    seen_last: date | None = None
    for entry in entries:
        key = "year_only" if entry.precision == "year" else entry.earliest.strftime("%Y-%m")
        seen_first = entry.earliest if seen_first is None else min(seen_first, entry.earliest)
        seen_last = entry.earliest if seen_last is None else max(seen_last, entry.earliest)
        for envoy in entry.envoys:
            counts.setdefault((envoy, entry.row["status"]), Counter())[key] += 1
    first = first or seen_first
    last = last or seen_last
    months: list[str] = []
    if first is not None and last is not None:
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            months.append(f"{year:04d}-{month:02d}")
            if len(months) > MAX_LANE_MONTHS:
                raise InvalidInput(
                    "--view lanes",
                    f"a range of at most {MAX_LANE_MONTHS} months (narrow it with --from/--to)",
                )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    keys = months + (["year_only"] if any(c["year_only"] for c in counts.values()) else [])
    envoys = {envoy: index for index, (envoy, _status) in reversed(list(enumerate(counts)))}
    statuses = {status.value: index for index, status in enumerate(LANE_ORDER)}
    lanes_in_order = sorted(counts, key=lambda lane: (envoys[lane[0]], statuses[lane[1]]))
    rows: list[Row] = [
        {"envoy": envoy, "status": status, **{key: counts[envoy, status][key] for key in keys}}
        for envoy, status in lanes_in_order
    ]
    return keys, rows


LANE_ORDER = (
    MeetingStatus.HELD,
    MeetingStatus.ANNOUNCED,
    MeetingStatus.POSTPONED,
    MeetingStatus.CANCELLED,
)
"""An envoy's lanes: the meetings held, then those announced, postponed, cancelled."""
