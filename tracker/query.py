"""The read side: envoys and their visits, the timeline, one record in full, the
registries and per-envoy statistics.

Services take a Session, never commit and never print. Rows are plain dicts with
snake_case keys (what ``--format json`` prints); dates appear as ``date`` (as shown),
``edtf``, ``earliest`` and ``latest`` (ISO). Lists meant for one table cell are joined
with ``"; "`` (``tracker.cells``: a value holding the separator keeps it, escaped).
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, Literal, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, selectinload

from tracker.backend import Backend, backend
from tracker.cells import SEPARATOR, escape_item, join_list
from tracker.dates import When, parse_when
from tracker.errors import Deleted, InvalidInput, NotFound
from tracker.formats import Table
from tracker.models import (
    Meeting,
    MeetingSource,
    MeetingTopic,
    Participant,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Source,
    Visit,
    VisitTraveller,
    span_days,
)
from tracker.names import find_people, find_places, name_key, resolve_person, resolve_place
from tracker.search import matching_meeting_ids
from tracker.vocab import DurationQualifier, MeetingKind, Outcome, PlaceKind, choose

Row = dict[str, Any]
Precision = Literal["day", "month", "year"]

BATCH = 200
"""Meetings loaded (with their participants, sources, visit and travellers) per batch."""
ROWS_BATCH = 5_000
"""Meetings read per partition by ``timeline_batches`` (plain rows, no ORM objects): a
batch costs a few megabytes, and larger ones are barely faster."""

MAIN_KINDS = (MeetingKind.TALKS.value, MeetingKind.SUMMIT.value, MeetingKind.MEETING.value)

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
    "outcome",
    "outcome_summary",
    "sources",
    "uid",
)
TIMELINE_TABLE = Table(TIMELINE_KEYS, right=frozenset({"duration_minutes"}), plain=True)
"""The timeline table in the table formats: every cell is text, a number or empty."""


# -- filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a listing is narrowed to, as the user typed it (resolved by the services).

    ``date_from``/``date_to`` are EDTF; a record matches when its dates overlap them.
    ``place`` matches the place and every place under it; ``country`` is an ISO code or
    a country's name or alias.
    """

    date_from: str | None = None
    date_to: str | None = None
    place: str | None = None
    country: str | None = None
    envoy: str | None = None
    with_person: str | None = None
    topic: str | None = None
    outcome: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class DateRange:
    earliest: date | None
    latest: date | None


def date_range(filters: Filters) -> DateRange:
    """The bounds of ``--from``/``--to`` (earliest day of one, latest day of the other)."""
    start = (
        parse_when(filters.date_from, field="--from").earliest
        if filters.date_from is not None
        else None
    )
    end = parse_when(filters.date_to, field="--to").latest if filters.date_to is not None else None
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            "--to", f"a date on or after --from ({filters.date_from})", filters.date_to
        )
    return DateRange(start, end)


def country_code(session: Session, value: str) -> str:
    """The ISO 3166-1 alpha-2 code ``value`` names: the code itself, or a country place's
    name or alias."""
    text = value.strip()
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper()
    found = [place for place in find_places(session, text) if place.kind == PlaceKind.COUNTRY]
    if len(found) == 1 and found[0].country:
        return found[0].country
    place = resolve_place(session, text)
    if place.kind != PlaceKind.COUNTRY or not place.country:
        raise InvalidInput("--country", "an ISO country code or a country's name", value)
    return place.country


def places_under(session: Session, name: str) -> set[int]:
    """The ids of the place ``name`` and of every place under it (via parents)."""
    root = resolve_place(session, name)
    children: dict[int, list[int]] = {}
    for place_id, parent_id in session.execute(select(Place.id, Place.parent_id)):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(place_id)
    found = {root.id}
    pending = [root.id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _overlap(
    session: Session, record: type[Meeting] | type[Visit], bounds: DateRange
) -> list[ColumnElement[bool]]:
    """The conditions for the records of ``record``'s table that overlap ``bounds``.

    Besides ``latest >= start``, ``earliest`` is bounded from below by the start minus
    the longest span stored (one lookup on ``ix_*_span``), so that the index on
    ``(earliest, latest)`` is read over a range that does not grow with the table.
    """
    conditions: list[ColumnElement[bool]] = []
    if bounds.earliest is not None:
        conditions.append(record.latest >= bounds.earliest)
        longest = session.scalar(select(func.max(span_days(record.earliest, record.latest))))
        if longest is not None:
            try:
                floor = bounds.earliest - timedelta(days=math.ceil(longest))
            except OverflowError:  # before year 1: no lower bound to add
                pass
            else:
                conditions.append(record.earliest >= floor)
    if bounds.latest is not None:
        conditions.append(record.earliest <= bounds.latest)
    return conditions


# -- places ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceInfo:
    id: int
    name: str
    kind: str
    country: str | None
    parent_id: int | None


class PlaceIndex:
    """Every place, loaded in one query, for walking parent chains without more."""

    def __init__(self, session: Session) -> None:
        place = Place.__table__.c  # Core columns: no ORM set-up to read a table
        rows = session.execute(
            select(place.id, place.name, place.kind, place.country, place.parent_id)
        )
        self.places = {row.id: PlaceInfo(*row) for row in rows}
        self._where: dict[int | None, tuple[str | None, str | None]] = {}

    def chain(self, place_id: int | None) -> list[PlaceInfo]:
        """The place and its parents, innermost first."""
        chain: list[PlaceInfo] = []
        seen: set[int] = set()
        while place_id is not None and place_id not in seen and place_id in self.places:
            seen.add(place_id)
            place = self.places[place_id]
            chain.append(place)
            place_id = place.parent_id
        return chain

    def city(self, place_id: int | None) -> str | None:
        return self._located(place_id)[0]

    def country(self, place_id: int | None) -> str | None:
        return self._located(place_id)[1]

    def _located(self, place_id: int | None) -> tuple[str | None, str | None]:
        """The city and country code up the chain of ``place_id`` (walked once each)."""
        if place_id not in self._where:
            chain = self.chain(place_id)
            city = next((p.name for p in chain if p.kind == PlaceKind.CITY), None)
            country = next((p.country for p in chain if p.country), None)
            self._where[place_id] = (city, country)
        return self._where[place_id]

    def name(self, place_id: int | None) -> str | None:
        if place_id is None or place_id not in self.places:
            return None
        return self.places[place_id].name

    def cells(
        self, venue_id: int | None, place_id: int | None
    ) -> tuple[str | None, str | None, str | None]:
        """The venue, city and country cells of a meeting at ``venue_id`` (if any) whose
        place is ``place_id`` (the venue, else its visit's destination)."""
        city, country = self._located(place_id)
        return self.name(venue_id), city, country


def place_chain(place: Place | None) -> list[str]:
    """``["Kremlin", "Moscow", "Russia"]``: the place and its parents by name."""
    names: list[str] = []
    seen: set[int] = set()
    while place is not None and place.id not in seen:
        seen.add(place.id)
        names.append(place.name)
        place = place.parent
    return names


# -- dates and durations --------------------------------------------------------------


def precision(when: When) -> Precision:
    """How precise a date is at its start: to the day, the month or only the year."""
    if when.start is not None:
        if when.start.day is not None:
            return "day"
        return "month" if when.start.month is not None else "year"
    first, last = when.earliest, when.latest
    if first.month == 1 and first.day == 1 and (last.month, last.day) == (12, 31):
        return "year"
    end_of_month = calendar.monthrange(last.year, last.month)[1]
    if first.day == 1 and last.day == end_of_month and first != last:
        return "month"
    return "day"


def day_count(when: When) -> int | None:
    """Days covered (latest - earliest + 1), only for dates given to the day."""
    if when.start is not None:
        if when.start.day is None or (when.end is not None and when.end.day is None):
            return None
    elif precision(when) != "day":
        return None
    return (when.latest - when.earliest).days + 1


def dated(edtf: str, earliest: date, latest: date) -> Row:
    """The four date keys of a row."""
    return {
        "date": shown(edtf, earliest, latest),
        "edtf": edtf,
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
    }


def shown(edtf: str, earliest: date, latest: date) -> str:
    """A stored date as people write it (the EDTF text itself if it no longer parses)."""
    return shown_edtf(edtf)


def _when(edtf: str, earliest: date, latest: date) -> When:
    try:
        return parse_when(edtf)
    except InvalidInput:
        return When(edtf, earliest, latest)


_QUALIFIER_WORDS = {
    DurationQualifier.EXACT.value: "",
    DurationQualifier.ABOUT.value: "about ",
    DurationQualifier.AT_LEAST.value: "at least ",
    DurationQualifier.AT_MOST.value: "at most ",
}


def format_minutes(minutes: int) -> str:
    """``330`` → ``5 h 30 min``; ``300`` → ``5 h``; ``45`` → ``45 min``."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def format_duration(minutes: int | None, qualifier: str | None) -> str | None:
    """``at least 5 h``, ``about 3 h 30 min``; ``None`` when no duration is known."""
    if minutes is None:
        return None
    return _QUALIFIER_WORDS.get(qualifier or "", "") + format_minutes(minutes)


def sources_cell(sources: Iterable[Source]) -> str:
    """Sources for one cell: URLs, or the publisher (else title) when there is no URL."""
    return join_list(s.url or s.publisher or s.title or s.uid for s in sources)


# -- the timeline ---------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One meeting of the timeline: its row and what the views need beside it."""

    row: Row
    envoys: list[str] = field(default_factory=list)
    precision: Precision = "day"
    earliest: date = date.min
    meeting: Meeting | None = None
    """The meeting itself, loaded with its participants, sources and visit."""


def meeting_conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``Meeting`` that ``filters`` ask for (resolving names)."""
    conditions = _overlap(session, Meeting, date_range(filters))
    destination = (
        select(Visit.destination_id)
        .where(Visit.id == Meeting.visit_id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    place_of_meeting = func.coalesce(Meeting.venue_id, destination)
    if filters.place is not None:
        conditions.append(place_of_meeting.in_(places_under(session, filters.place)))
    if filters.country is not None:
        code = country_code(session, filters.country)
        conditions.append(place_of_meeting.in_(select(Place.id).where(Place.country == code)))
    if filters.envoy is not None:
        envoy = resolve_person(session, filters.envoy, "--envoy")
        travelled = Meeting.visit_id.in_(
            select(VisitTraveller.visit_id).where(VisitTraveller.person_id == envoy.id)
        )
        as_envoy = Meeting.id.in_(
            select(Participant.meeting_id).where(
                Participant.person_id == envoy.id, Participant.role == "envoy"
            )
        )
        conditions.append(or_(travelled, as_envoy))
    if filters.with_person is not None:
        person = resolve_person(session, filters.with_person, "--with")
        conditions.append(
            Meeting.id.in_(select(Participant.meeting_id).where(Participant.person_id == person.id))
        )
    if filters.topic is not None:
        key = name_key(filters.topic)
        if not key:
            raise InvalidInput(
                "--topic", "a topic with at least one letter or digit", filters.topic
            )
        conditions.append(
            exists().where(MeetingTopic.meeting_id == Meeting.id, MeetingTopic.key == key)
        )
    if filters.outcome is not None:
        conditions.append(Meeting.outcome == choose(Outcome, filters.outcome, "--outcome").value)
    if filters.search is not None:
        conditions.append(Meeting.id.in_(matching_meeting_ids(session, filters.search)))
    return conditions


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
        for meeting_id in chunk:
            yield _timeline_entry(by_id[meeting_id], places)


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
            m.visit_id,
            visit.c.destination_id,
            m.duration_minutes,
            m.duration_qualifier,
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
        visit_of = dict(zip(meeting_ids, map(_ninth, partition), strict=True))
        visit_ids = list(set(visit_of.values()) - {None})
        travellers = related.rows(connection, related.travellers, visit_ids) if visit_ids else []
        participants = related.rows(connection, related.participants, meeting_ids)
        needed = set(map(_second, participants))
        needed.update(map(_second, travellers))
        if len(names) > NAMES_KEPT:
            names.clear()
        needed.difference_update(names)
        if needed:
            names.update(related.rows(connection, related.names, list(needed)))
        travellers_of: dict[int, list[int]] = {}
        for visit_id, person_id in travellers:
            travellers_of.setdefault(visit_id, []).append(person_id)
        taking_part: dict[int, list[tuple[int, bool]]] = {}
        for meeting_id, person_id, envoy in participants:
            taking_part.setdefault(meeting_id, []).append((person_id, envoy))
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
            visit_id,
            destination_id,
            minutes,
            qualifier,
            outcome,
            summary,
        ) in partition:
            envoy_ids, counterpart_ids = sides(
                travellers_of.get(visit_id, ()), taking_part.get(meeting_id, ())
            )
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
                    outcome,
                    summary,
                    sources.get(meeting_id, ""),
                    uid,
                )
            )
        yield rows


_first, _second, _ninth = itemgetter(0), itemgetter(1), itemgetter(8)

NAMES_KEPT = 100_000
"""Names of people (and dates as shown) that ``timeline_batches`` keeps between
partitions; past that many, it starts over (memory stays flat)."""


@dataclass(frozen=True)
class _Related:
    """What ``timeline_batches`` reads per partition: each statement takes the ids of
    the partition's meetings (or visits, or people) as one parameter, ``ids``."""

    backend: Backend
    travellers: Executable
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
    traveller = VisitTraveller.__table__.c
    participant = Participant.__table__.c
    link, source = MeetingSource.__table__.c, Source.__table__.c
    person = Person.__table__.c
    return _Related(
        backend=backend,
        travellers=select(traveller.visit_id, traveller.person_id)
        .where(among(traveller.visit_id))
        .order_by(traveller.visit_id, traveller.position),
        participants=select(
            participant.meeting_id, participant.person_id, participant.role == "envoy"
        )
        .where(among(participant.meeting_id))
        .order_by(participant.meeting_id, participant.position),
        sources=select(link.meeting_id, source.url, source.publisher, source.title, source.uid)
        .select_from(MeetingSource.__table__.join(Source.__table__, source.id == link.source_id))
        .where(among(link.meeting_id))
        .order_by(link.meeting_id, link.position),
        names=select(person.id, person.name).where(among(person.id)),
    )


P = TypeVar("P", bound=Hashable)


def sides(
    travellers: Sequence[P], participants: Iterable[tuple[P, bool]]
) -> tuple[list[P], list[P]]:
    """The envoys of a meeting and its counterparts: the one rule every listing and
    export follows. ``travellers`` are those of its visit (in order); ``participants``
    are its participants (in order), each with whether their role is ``envoy``.

    The envoys are the travellers of its visit: on Witkoff's trip to the Kremlin,
    Kirill Dmitriev is a counterpart even though he is Putin's envoy. A meeting outside
    any trip (a call) takes its participants in the role of envoy instead. The
    counterparts are every other participant, each once.
    """
    taking_part = list(participants)
    envoys = list(travellers) or [person for person, envoy in taking_part if envoy]
    counterparts = list(dict.fromkeys(p for p, _envoy in taking_part if p not in envoys))
    return envoys, counterparts


def meeting_sides(meeting: Meeting) -> tuple[list[Person], list[Person]]:
    """The envoys and counterparts (``sides``) of a loaded meeting."""
    travellers = (
        [traveller.person for traveller in meeting.visit.travellers]
        if meeting.visit is not None
        else []
    )
    return sides(travellers, ((p.person, p.role == "envoy") for p in meeting.participants))


def _timeline_entry(meeting: Meeting, places: PlaceIndex) -> TimelineEntry:
    envoys, counterparts = meeting_sides(meeting)
    where = meeting.venue_id
    if where is None and meeting.visit is not None:
        where = meeting.visit.destination_id
    row: Row = {
        **dated(meeting.edtf, meeting.earliest, meeting.latest),
        "kind": meeting.kind,
        "title": meeting.title,
        "envoys": join_list(person.name for person in envoys),
        "counterparts": join_list(person.name for person in counterparts),
        "venue": places.name(meeting.venue_id),
        "city": places.city(where),
        "country": places.country(where),
        "duration_minutes": meeting.duration_minutes,
        "duration_qualifier": meeting.duration_qualifier,
        "outcome": meeting.outcome,
        "outcome_summary": meeting.outcome_summary,
        "sources": sources_cell(meeting.sources),
        "uid": meeting.uid,
    }
    when = _when(meeting.edtf, meeting.earliest, meeting.latest)
    return TimelineEntry(
        row=row,
        envoys=[person.name for person in envoys],
        precision=precision(when),
        earliest=meeting.earliest,
        meeting=meeting,
    )


MAX_LANE_MONTHS = 240


def lanes(entries: Iterable[TimelineEntry], bounds: DateRange) -> tuple[list[str], list[Row]]:
    """Envoy lanes: the months (``YYYY-MM``) from the range asked for (else from the
    first to the last meeting) and a row per envoy with the number of meetings in each
    month. A meeting dated only to the year counts under ``year_only``, never in a month
    it was not given.
    """
    counts: dict[str, Counter[str]] = {}
    first: date | None = bounds.earliest
    last: date | None = bounds.latest
    seen_first: date | None = None
    seen_last: date | None = None
    for entry in entries:
        key = "year_only" if entry.precision == "year" else entry.earliest.strftime("%Y-%m")
        seen_first = entry.earliest if seen_first is None else min(seen_first, entry.earliest)
        seen_last = entry.earliest if seen_last is None else max(seen_last, entry.earliest)
        for envoy in entry.envoys:
            counts.setdefault(envoy, Counter())[key] += 1
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
    rows: list[Row] = [
        {"envoy": envoy, **{key: per_month[key] for key in keys}}
        for envoy, per_month in counts.items()
    ]
    return keys, rows


# -- visits ---------------------------------------------------------------------------


def visit_conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE conditions on ``Visit`` for ``--from``/``--to``/``--place``/``--country``."""
    conditions = _overlap(session, Visit, date_range(filters))
    if filters.place is not None:
        conditions.append(Visit.destination_id.in_(places_under(session, filters.place)))
    if filters.country is not None:
        code = country_code(session, filters.country)
        conditions.append(Visit.destination_id.in_(select(Place.id).where(Place.country == code)))
    return conditions


def _destination(places: PlaceIndex, visit: Visit) -> tuple[str | None, str | None]:
    return places.name(visit.destination_id), places.country(visit.destination_id)


def envoys_summary(session: Session, filters: Filters) -> list[Row]:
    """One row per envoy (a traveller on at least one visit): visits, meetings, first and
    last visit, destinations (distinct, in order of first visit); ordered by first
    visit, then name.

    Computed by the database (``envoy_spans``), a row per envoy: nothing is read per
    visit or meeting, and memory does not grow with them.
    """
    spans = envoy_spans(session, filters)
    destinations = envoy_destinations(session, filters)
    rows: list[Row] = []
    for span in spans:
        rows.append(
            {
                "envoy": span.name,
                "visits": span.visits,
                "meetings": span.meetings,
                "first": shown_edtf(span.first_edtf),
                "first_edtf": span.first_edtf,
                "last": shown_edtf(span.last_edtf),
                "last_edtf": span.last_edtf,
                "destinations": join_list(destinations.get(span.person_id, [])),
                "uid": span.uid,
            }
        )
    return rows


@dataclass(frozen=True)
class EnvoySpan:
    """An envoy's visits in one row: how many, the meetings they hold, the first and the
    last (by earliest day, then id), and the gaps between consecutive ones (days, by
    earliest day)."""

    person_id: int
    name: str
    uid: str
    visits: int
    meetings: int
    first_edtf: str
    first_earliest: date
    last_edtf: str
    gap_total: float | None
    gap_count: int
    gap_longest: float | None


def _travels(session: Session, filters: Filters) -> Any:
    """A subquery: a row per traveller and visit selected by ``filters`` (``person_id``,
    ``visit_id``, ``edtf``, ``earliest``, ``destination_id``)."""
    visit, traveller = Visit.__table__.c, VisitTraveller.__table__.c
    return (
        select(
            traveller.person_id,
            visit.id.label("visit_id"),
            visit.edtf,
            visit.earliest,
            visit.destination_id,
        )
        .select_from(VisitTraveller.__table__.join(Visit.__table__, visit.id == traveller.visit_id))
        .where(*visit_conditions(session, filters))
        .subquery("travels")
    )


def envoy_spans(session: Session, filters: Filters) -> list[EnvoySpan]:
    """Every envoy's ``EnvoySpan``, ordered by first visit, then name: two statements
    grouped by the database (window functions for first, last and the gaps; a join for
    the meetings)."""
    travels = _travels(session, filters)
    person = travels.c.person_id
    in_order = (travels.c.earliest, travels.c.visit_id)
    ranked = select(
        person,
        travels.c.edtf,
        travels.c.earliest,
        func.row_number().over(partition_by=person, order_by=in_order).label("nth"),
        func.count().over(partition_by=person).label("visits"),
        span_days(
            func.lag(travels.c.earliest).over(partition_by=person, order_by=in_order),
            travels.c.earliest,
        ).label("gap"),
    ).subquery("ranked")
    r = ranked.c
    spans = (
        select(
            r.person_id,
            func.count().label("visits"),
            func.max(case((r.nth == 1, r.edtf))).label("first_edtf"),
            func.max(case((r.nth == 1, r.earliest))).label("first_earliest"),
            func.max(case((r.nth == r.visits, r.edtf))).label("last_edtf"),
            func.sum(r.gap).label("gap_total"),
            func.count(r.gap).label("gap_count"),
            func.max(r.gap).label("gap_longest"),
        )
        .group_by(r.person_id)
        .subquery("spans")
    )
    people = Person.__table__.c
    query = select(people.name, people.uid, spans).join_from(
        spans, Person.__table__, people.id == spans.c.person_id
    )
    meeting = Meeting.__table__.c
    held: dict[int, int] = dict(
        session.execute(
            select(person, func.count(meeting.id))
            .join_from(travels, Meeting.__table__, meeting.visit_id == travels.c.visit_id)
            .group_by(person)
        )
        .tuples()
        .all()
    )
    found = [
        EnvoySpan(
            person_id=row.person_id,
            name=row.name,
            uid=row.uid,
            visits=row.visits,
            meetings=held.get(row.person_id, 0),
            first_edtf=row.first_edtf,
            first_earliest=_as_date(row.first_earliest),
            last_edtf=row.last_edtf,
            gap_total=row.gap_total,
            gap_count=row.gap_count,
            gap_longest=row.gap_longest,
        )
        for row in session.execute(query)
    ]
    # One row per envoy: ordered here, by code point as names compare in Python,
    # whatever the database's collation.
    found.sort(key=lambda span: (span.first_earliest, span.name))
    return found


def _as_date(value: date | str) -> date:
    """A date an aggregate returns (SQLite gives the stored ISO text back)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def envoy_destinations(session: Session, filters: Filters) -> dict[int, list[str]]:
    """Per envoy, the names of the places visited, distinct, in order of first visit: a
    row per envoy and destination (its first visit, picked by the database)."""
    travels = _travels(session, filters)
    place = Place.__table__.c
    in_order = (travels.c.earliest, travels.c.visit_id)
    ranked = (
        select(
            travels.c.person_id,
            place.name,
            travels.c.earliest,
            travels.c.visit_id,
            func.row_number()
            .over(partition_by=(travels.c.person_id, place.id), order_by=in_order)
            .label("nth"),
        )
        .join_from(travels, Place.__table__, place.id == travels.c.destination_id)
        .subquery("ranked")
    )
    r = ranked.c
    first = (
        select(r.person_id, r.name).where(r.nth == 1).order_by(r.person_id, r.earliest, r.visit_id)
    )
    found: dict[int, dict[str, None]] = {}
    for person_id, name in session.execute(first).tuples():
        found.setdefault(person_id, {})[name] = None
    return {person_id: list(names) for person_id, names in found.items()}


def main_meeting(meetings: Sequence[Meeting]) -> Meeting | None:
    """The meeting that speaks for a visit: the longest talks, summit or meeting (the
    first of them when none has a duration); else the longest of any kind."""
    candidates = [m for m in meetings if m.kind in MAIN_KINDS] or list(meetings)
    best: Meeting | None = None
    for meeting in candidates:
        if best is None or (meeting.duration_minutes or -1) > (best.duration_minutes or -1):
            best = meeting
    return best


def envoy_visits(session: Session, envoy: str, filters: Filters) -> list[Row]:
    """The visits of the person named ``envoy`` (by name or any alias), in order,
    numbered from 1, each with the days since the previous one began (by earliest day,
    as ``envoy_stats`` counts gaps; ``days_since_previous_about`` when either of the two
    is not dated to the day)."""
    person = resolve_person(session, envoy)
    visits = session.scalars(
        select(Visit)
        .where(
            # IN (not a correlated EXISTS): the planner starts from the person's index
            # instead of scanning every visit.
            Visit.id.in_(
                select(VisitTraveller.visit_id).where(VisitTraveller.person_id == person.id)
            ),
            *visit_conditions(session, filters),
        )
        .order_by(Visit.earliest, Visit.id)
        .options(
            selectinload(Visit.travellers),
            selectinload(Visit.meetings)
            .selectinload(Meeting.participants)
            .selectinload(Participant.person),
        )
    )
    places = PlaceIndex(session)
    rows: list[Row] = []
    previous: tuple[date, bool] | None = None
    for number, visit in enumerate(visits, start=1):
        when = _when(visit.edtf, visit.earliest, visit.latest)
        to_the_day = precision(when) == "day"
        since, since_about = None, False
        if previous is not None:
            since = (visit.earliest - previous[0]).days
            since_about = not (to_the_day and previous[1])
        previous = (visit.earliest, to_the_day)
        travellers = [traveller.person_id for traveller in visit.travellers]
        counterparts: dict[str, None] = {}
        for meeting in visit.meetings:
            taking_part = [(p.person_id, p.role == "envoy") for p in meeting.participants]
            names = {p.person_id: p.person.name for p in meeting.participants}
            for person_id in sides(travellers, taking_part)[1]:
                counterparts[names[person_id]] = None
        main = main_meeting(visit.meetings)
        destination, country = _destination(places, visit)
        rows.append(
            {
                "n": number,
                **dated(visit.edtf, visit.earliest, visit.latest),
                "destination": destination,
                "country": country,
                "days": day_count(when),
                "days_since_previous": since,
                "days_since_previous_about": since_about,
                "meetings": len(visit.meetings),
                "counterparts": join_list(counterparts),
                "outcome": main.outcome if main is not None else None,
                "outcome_summary": main.outcome_summary if main is not None else None,
                "uid": visit.uid,
            }
        )
    return rows


# -- one record -----------------------------------------------------------------------


def find_record(session: Session, ref: str) -> Meeting | Visit:
    """The meeting or visit ``ref`` names: a uid, ``m:ID``, ``v:ID`` or a bare id
    (a meeting first, then a visit). A reference to a deleted record says so."""
    text = ref.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise InvalidInput("REF", "a uid, m:ID, v:ID or a number", ref)
    lowered = text.casefold()
    if lowered[:2] in ("m:", "v:"):
        number = _record_id(text[2:].strip(), ref)
        if lowered[0] == "m":
            meeting = session.get(Meeting, number) if number is not None else None
            if meeting is None:
                raise _missing(session, ["meeting"], text, number=number)
            return meeting
        visit = session.get(Visit, number) if number is not None else None
        if visit is None:
            raise _missing(session, ["visit"], text, number=number)
        return visit
    if text.isascii() and text.isdigit():
        number = _record_id(text, ref)
        if number is not None:
            meeting = session.get(Meeting, number)
            if meeting is not None:
                return meeting
            visit = session.get(Visit, number)
            if visit is not None:
                return visit
        raise _missing(session, ["meeting", "visit"], text, number=number, kind="record")
    meeting = session.scalars(select(Meeting).where(Meeting.uid == text)).first()
    if meeting is not None:
        return meeting
    visit = session.scalars(select(Visit).where(Visit.uid == text)).first()
    if visit is not None:
        return visit
    missing = _missing(session, ["meeting", "visit"], text, uid=text, kind="record")
    if not isinstance(missing, Deleted):
        missing.suggestions = _similar_uids(session, text)
    raise missing


def _missing(
    session: Session,
    kinds: list[str],
    text: str,
    *,
    number: int | None = None,
    uid: str | None = None,
    kind: str | None = None,
) -> NotFound:
    """NotFound for ``text``, or Deleted when it names a deleted record."""
    from tracker.write.writer import deleted_reference

    for each in kinds:
        if number is None and uid is None:
            break
        label = deleted_reference(session, each, record_id=number, uid=uid)
        if label is not None:
            return Deleted(each, text, label, field="REF")
    return NotFound(kind or kinds[0], text)


def _record_id(number: str, ref: str) -> int | None:
    """The id in a reference; ``None`` for one too large to be any row's id."""
    if not (number.isascii() and number.isdigit()):
        raise InvalidInput("REF", "a uid, m:ID, v:ID or a number", ref)
    value = int(number)
    return value if value <= 2**31 - 1 else None


def _similar_uids(session: Session, text: str) -> list[str]:
    from rapidfuzz import process

    uids = list(session.scalars(select(Meeting.uid))) + list(session.scalars(select(Visit.uid)))
    best = process.extract(text, uids, limit=3, score_cutoff=80)
    return [uid for uid, _score, _index in best]


def _source(source: Source) -> Row:
    return {
        "uid": source.uid,
        "publisher": source.publisher,
        "title": source.title,
        "url": source.url,
        "published": source.published,
        "language": source.language,
    }


def meeting_detail(meeting: Meeting) -> Row:
    """Everything about one meeting, as one JSON-ready object."""
    visit = meeting.visit
    return {
        "type": "meeting",
        "id": meeting.id,
        "uid": meeting.uid,
        "kind": meeting.kind,
        "title": meeting.title,
        **dated(meeting.edtf, meeting.earliest, meeting.latest),
        "venue": meeting.venue.name if meeting.venue is not None else None,
        "place_chain": place_chain(meeting.venue),
        "duration_minutes": meeting.duration_minutes,
        "duration_qualifier": meeting.duration_qualifier,
        "duration": format_duration(meeting.duration_minutes, meeting.duration_qualifier),
        "status": meeting.status,
        "outcome": meeting.outcome,
        "outcome_summary": meeting.outcome_summary,
        "notes": meeting.notes,
        "visit": None
        if visit is None
        else {
            "id": visit.id,
            "uid": visit.uid,
            **dated(visit.edtf, visit.earliest, visit.latest),
            "destination": visit.destination.name if visit.destination is not None else None,
        },
        "participants": [
            {
                "name": p.person.name,
                "uid": p.person.uid,
                "side": p.side,
                "role": p.role,
            }
            for p in meeting.participants
        ],
        "topics": [topic.topic for topic in meeting.topics],
        "statements": [
            {
                "uid": s.uid,
                "speaker": s.speaker.name,
                "kind": s.kind,
                **dated(s.edtf, s.earliest, s.latest),
                "language": s.language,
                "text": s.text,
                "notes": s.notes,
                "sources": [_source(source) for source in s.sources],
            }
            for s in meeting.statements
        ],
        "sources": [_source(source) for source in meeting.sources],
    }


def visit_detail(visit: Visit) -> Row:
    """Everything about one visit, as one JSON-ready object."""
    when = _when(visit.edtf, visit.earliest, visit.latest)
    return {
        "type": "visit",
        "id": visit.id,
        "uid": visit.uid,
        **dated(visit.edtf, visit.earliest, visit.latest),
        "days": day_count(when),
        "destination": visit.destination.name if visit.destination is not None else None,
        "place_chain": place_chain(visit.destination),
        "purpose": visit.purpose,
        "notes": visit.notes,
        "travellers": [
            {"name": t.person.name, "uid": t.person.uid, "role": t.role} for t in visit.travellers
        ],
        "meetings": [
            {
                "id": m.id,
                "uid": m.uid,
                **dated(m.edtf, m.earliest, m.latest),
                "kind": m.kind,
                "title": m.title,
                "venue": m.venue.name if m.venue is not None else None,
                "duration": format_duration(m.duration_minutes, m.duration_qualifier),
                "outcome": m.outcome,
            }
            for m in visit.meetings
        ],
        "sources": [_source(source) for source in visit.sources],
    }


def record_detail(record: Meeting | Visit) -> Row:
    return meeting_detail(record) if isinstance(record, Meeting) else visit_detail(record)


# -- registries -----------------------------------------------------------------------


def _aliases_cell(aliases: Iterable[PersonAlias | PlaceAlias], own_name: str) -> str:
    cells: list[str] = []
    for alias in aliases:
        if alias.name == own_name and not alias.lang:
            continue
        cell = f"{alias.name} ({alias.lang})" if alias.lang else alias.name
        if cell not in cells:
            cells.append(cell)
    return join_list(cells)


def _role_cell(title: str, organisation: str | None, start: str | None, end: str | None) -> str:
    text = title + (f", {organisation}" if organisation else "")
    if start or end:
        first = shown_edtf(start) if start else "?"
        last = shown_edtf(end) if end else ""
        text += f" ({first}–{last})"
    return text


@lru_cache(maxsize=65_536)
def shown_edtf(edtf: str) -> str:
    """A stored EDTF date as people write it (the text itself if it no longer parses);
    cached, as a timeline repeats the same days many times."""
    try:
        return parse_when(edtf).display
    except InvalidInput:
        return edtf


def _search_ids(
    session: Session,
    search: str,
    model: type[Person] | type[Place],
    alias: type[PersonAlias] | type[PlaceAlias],
    owner: Any,
) -> ColumnElement[bool]:
    key = name_key(search)
    if not key:
        raise InvalidInput("--search", "a name with at least one letter or digit", search)
    found = find_people(session, search) if model is Person else find_places(session, search)
    pattern = f"%{key}%"
    by_alias = select(owner).where(alias.key.like(pattern))
    return or_(
        model.id.in_([record.id for record in found]),
        model.key.like(pattern),
        model.id.in_(by_alias),
    )


def people_rows(session: Session, search: str | None = None) -> list[Row]:
    """The people registry (by name): name, country, aliases, roles, uid."""
    query = (
        select(Person)
        .order_by(Person.key, Person.id)
        .options(selectinload(Person.aliases), selectinload(Person.roles))
    )
    if search:
        query = query.where(
            _search_ids(session, search, Person, PersonAlias, PersonAlias.person_id)
        )
    return [
        {
            "name": person.name,
            "country": person.country,
            "aliases": _aliases_cell(person.aliases, person.name),
            "roles": join_list(
                _role_cell(r.title, r.organisation, r.start_edtf, r.end_edtf) for r in person.roles
            ),
            "wikidata": person.wikidata,
            "uid": person.uid,
        }
        for person in session.scalars(query)
    ]


def place_rows(session: Session, search: str | None = None) -> list[Row]:
    """The places registry (by name): name, kind, country, parent, aliases, uid."""
    query = select(Place).order_by(Place.key, Place.id).options(selectinload(Place.aliases))
    if search:
        query = query.where(_search_ids(session, search, Place, PlaceAlias, PlaceAlias.place_id))
    places = PlaceIndex(session)
    return [
        {
            "name": place.name,
            "kind": place.kind,
            "country": place.country,
            "parent": places.name(place.parent_id),
            "aliases": _aliases_cell(place.aliases, place.name),
            "uid": place.uid,
        }
        for place in session.scalars(query)
    ]


# -- statistics -----------------------------------------------------------------------


def talks_total(meetings: Sequence[Meeting]) -> Row:
    """Sum of the known durations, with the honesty their qualifiers call for."""
    timed = [m for m in meetings if m.duration_minutes is not None]
    qualifiers = {m.duration_qualifier or DurationQualifier.EXACT.value for m in timed}
    return talks_cells(
        meetings=len(meetings),
        timed=len(timed),
        minutes=sum(m.duration_minutes or 0 for m in timed),
        at_least=DurationQualifier.AT_LEAST.value in qualifiers,
        at_most=DurationQualifier.AT_MOST.value in qualifiers,
        about=DurationQualifier.ABOUT.value in qualifiers,
    )


def talks_cells(
    *, meetings: int, timed: int, minutes: int, at_least: bool, at_most: bool, about: bool
) -> Row:
    """The talks cells of ``meetings`` meetings of which ``timed`` have a duration
    (``minutes`` in all), with the qualifiers found among those."""
    if at_least and at_most:
        words = "about "  # lower and upper bounds together bound nothing: say so loosely
    else:
        words = "at least " if at_least else "at most " if at_most else ""
        # "c." for circa, as dates are shown: "at least c. 25 h" reads, "at least about" not.
        words += ("c. " if words else "about ") if about else ""
    return {
        "talks": words + format_minutes(minutes) if timed else None,
        "talks_minutes": minutes if timed else None,
        "talks_at_least": at_least,
        "talks_about": about,
        "meetings_without_duration": meetings - timed,
    }


def envoy_stats(session: Session, filters: Filters) -> list[Row]:
    """Per envoy: visits, meetings, first and last visit, gaps between consecutive
    visits (days, by earliest), hours of talks, outcomes of their meetings.

    Computed by the database: ``envoy_spans`` and two statements grouped by envoy (the
    durations and their qualifiers; the outcomes). Memory holds a row per envoy.
    """
    spans = envoy_spans(session, filters)
    travels = _travels(session, filters)
    meeting = Meeting.__table__.c
    timed = meeting.duration_minutes.is_not(None)

    def found(qualifier: DurationQualifier) -> Any:
        return func.max(case((and_(timed, meeting.duration_qualifier == qualifier.value), 1)))

    held = travels.join(Meeting.__table__, meeting.visit_id == travels.c.visit_id)
    durations = (
        select(
            travels.c.person_id,
            func.count(meeting.duration_minutes),
            func.sum(meeting.duration_minutes),
            found(DurationQualifier.AT_LEAST),
            found(DurationQualifier.AT_MOST),
            found(DurationQualifier.ABOUT),
        )
        .select_from(held)
        .group_by(travels.c.person_id)
    )
    talks = {row[0]: row[1:] for row in session.execute(durations)}
    outcomes: dict[int, dict[str, int]] = {}
    by_outcome = (
        select(travels.c.person_id, meeting.outcome, func.count())
        .select_from(held)
        .group_by(travels.c.person_id, meeting.outcome)
    )
    for person_id, outcome, count in session.execute(by_outcome):
        outcomes.setdefault(person_id, {})[outcome] = count
    rows: list[Row] = []
    for span in spans:
        timed_count, minutes, at_least, at_most, about = talks.get(span.person_id, (0, 0, 0, 0, 0))
        counted = outcomes.get(span.person_id, {})
        rows.append(
            {
                "envoy": span.name,
                "visits": span.visits,
                "meetings": span.meetings,
                "first": shown_edtf(span.first_edtf),
                "first_edtf": span.first_edtf,
                "last": shown_edtf(span.last_edtf),
                "last_edtf": span.last_edtf,
                "mean_gap_days": round(span.gap_total / span.gap_count, 1)
                if span.gap_count and span.gap_total is not None
                else None,
                "longest_gap_days": int(span.gap_longest) if span.gap_longest is not None else None,
                **talks_cells(
                    meetings=span.meetings,
                    timed=timed_count,
                    minutes=int(minutes or 0),
                    at_least=bool(at_least),
                    at_most=bool(at_most),
                    about=bool(about),
                ),
                "outcomes": {o.value: counted[o.value] for o in Outcome if counted.get(o.value)},
                "uid": span.uid,
            }
        )
    return rows


__all__ = [
    "TIMELINE_KEYS",
    "TIMELINE_TABLE",
    "Filters",
    "Row",
    "TimelineEntry",
    "envoy_stats",
    "envoy_visits",
    "envoys_summary",
    "find_record",
    "meeting_detail",
    "people_rows",
    "place_rows",
    "record_detail",
    "timeline_entries",
    "timeline_rows",
    "visit_detail",
]
