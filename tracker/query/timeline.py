"""The timeline: one row per meeting, in order (earliest day, latest day, id), built by
one streamed builder (``_partitions``) on a plain read (``tracker.sql.Reader``, no
SQLAlchemy): as tuples for the table formats (``timeline_batches``), as dicts
(``timeline_rows``), or as ``TimelineRecord`` s, each row with its meeting's people,
sources and place beside it, for the views beyond the table (tree, lanes, html,
TimelineJS, ics, maps); and envoy lanes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any

from tracker.cells import ListCell
from tracker.errors import InvalidInput
from tracker.formats import Table
from tracker.query.display import Precision, Row, precision, shown_edtf, when_of
from tracker.query.disputes import disputed_fields
from tracker.query.places import PlaceIndex
from tracker.query.sides import TAKING_PART
from tracker.query.where import DateRange, Filters, meeting_where
from tracker.sql import Reader
from tracker.vocab import MeetingStatus

BATCH = 200
"""Records an export reads at a time where it loads ORM objects (visits, statements)."""


ROWS_BATCH = 1_000
"""Meetings read per partition by ``_partitions`` (plain rows). A partition costs three
statements and well under a megabyte; larger ones were slower (what a partition holds
no longer stays in the processor's cache), smaller ones no faster."""


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
    "disputed",
    "uid",
)
"""The timeline table's columns. ``disputed`` lists the facts of the meeting whose
accounts disagree (``tracker.query.disputes``): an array in JSON, a list cell in csv
and markdown, empty when none is."""


TIMELINE_TABLE = Table(TIMELINE_KEYS, right=frozenset({"duration_minutes"}), plain=True)
"""The timeline table in the table formats: every cell is text, a number or empty."""


TimelineTuple = tuple[Any, ...]
"""One row of the timeline table as a tuple: the values of ``TIMELINE_KEYS``, in order."""


def timeline_rows(read: Reader, filters: Filters) -> Iterator[Row]:
    """The timeline table: one plain dict per meeting (keys: ``TIMELINE_KEYS``), the
    rows of ``timeline_batches``. The filters are checked when this is called, not at
    the first row: a bad one raises before a caller has written a header."""
    keys = TIMELINE_KEYS
    partitions = _partitions(read, filters, wide=False)
    return (
        dict(zip(keys, values, strict=True)) for rows, _records in partitions for values in rows
    )


def timeline_batches(read: Reader, filters: Filters) -> Iterator[list[TimelineTuple]]:
    """The timeline table in lists of tuples (values in ``TIMELINE_KEYS`` order): what
    every table format writes. The filters are checked when this is called."""
    partitions = _partitions(read, filters, wide=False)
    return (rows for rows, _records in partitions)


@dataclass(frozen=True, slots=True)
class Attendee:
    """A participant of a meeting: ``role`` and ``side`` as the record gives them."""

    person_id: int
    uid: str
    name: str
    country: str | None
    role: str | None
    side: str | None


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source of a meeting, as the views that link or cite it need it."""

    url: str | None
    publisher: str | None
    title: str | None
    uid: str


@dataclass(frozen=True, slots=True)
class TimelineRecord:
    """One meeting of the timeline: its row of the timeline table and what the views
    beyond the table (tree, lanes, html, TimelineJS, ics, maps) need beside it, read by
    the same builder as the row."""

    row: Row
    id: int
    place_id: int | None
    """Where it happened: its venue, else its visit's destination."""
    updated_at: datetime | None
    envoys: list[Attendee]
    counterparts: list[Attendee]
    """Its envoys and counterparts, by the one rule (``tracker.query.sides``)."""
    participants: list[Attendee]
    """Every participant, in order."""
    sources: list[SourceRef]

    @property
    def earliest(self) -> date:
        return _day(self.row["earliest"])

    @property
    def latest(self) -> date:
        return _day(self.row["latest"])

    @property
    def precision(self) -> Precision:
        return _precision(self.row["edtf"], self.row["earliest"], self.row["latest"])

    @property
    def envoy_names(self) -> list[str]:
        return [person.name for person in self.envoys]


@lru_cache(maxsize=4096)
def _day(text: str) -> date:
    return date.fromisoformat(text)


@lru_cache(maxsize=4096)
def _precision(edtf: str, earliest: str, latest: str) -> Precision:
    return precision(when_of(edtf, earliest, latest))


def timeline_records(read: Reader, filters: Filters) -> Iterator[TimelineRecord]:
    """The timeline as ``TimelineRecord`` s: the rows of ``timeline_batches`` (the same
    builder and statements, with a few more columns) and, beside each, its meeting's
    people, sources and place. Streamed; the filters are checked when this is called."""
    return _records(_partitions(read, filters, wide=True))


def _records(
    partitions: Iterator[tuple[list[TimelineTuple], list[_Wide]]],
) -> Iterator[TimelineRecord]:
    keys = TIMELINE_KEYS
    for rows, wide in partitions:
        for values, (meeting_id, place_id, updated_at, people, sources) in zip(
            rows, wide, strict=True
        ):
            envoys = [person for person, envoy in people if envoy]
            counterparts = [person for person, envoy in people if not envoy]
            yield TimelineRecord(
                dict(zip(keys, values, strict=True)),
                meeting_id,
                place_id,
                _moment(updated_at),
                envoys,
                counterparts,
                [person for person, _envoy in people],
                sources,
            )


_Wide = tuple[int, int | None, Any, list[tuple[Attendee, bool]], list[SourceRef]]
"""What a ``TimelineRecord`` holds beside its row: the meeting's id, place, timestamp,
participants (each with whether an envoy) and sources."""


MEETINGS_SQL = (
    "SELECT m.id, m.uid, m.edtf, m.earliest, m.latest, m.kind, m.title, m.venue_id,"
    " coalesce(m.venue_id, v.destination_id), m.duration_minutes, m.duration_qualifier,"
    " m.status, m.outcome, m.outcome_summary, m.envoys_cell, m.counterparts_cell,"
    " m.sources_cell{more}"
    " FROM meeting AS m LEFT JOIN visit AS v ON v.id = m.visit_id{where}"
    " ORDER BY m.earliest, m.latest, m.id"
)
"""The meetings of the timeline, in order: a row each, its place (the venue, else its
visit's destination) beside its venue, and its list cells as stored with it
(``tracker.write.cells``)."""


def _partitions(
    read: Reader, filters: Filters, *, wide: bool
) -> Iterator[tuple[list[TimelineTuple], list[_Wide]]]:
    """The one timeline row builder: the meetings ``filters`` select, in order (earliest
    day, latest day, id), in partitions of ``ROWS_BATCH``, each a list of rows (values
    in ``TIMELINE_KEYS`` order) and, when ``wide``, a list of what ``TimelineRecord``
    holds beside each row (else an empty list).

    It streams: memory stays flat, and each partition costs one more statement
    whatever its size, for the disputed facts (none where no meeting has an account);
    ``wide`` adds the participants, their people and the sources as records. The
    envoys, counterparts and sources cells are read with the meetings, as every write
    stored them (``tracker.write.cells``). The rows are built a column at a time: a
    cell that repeats from one meeting to the next (the date as shown, the venue, city
    and country) is looked up, worked out once per distinct value. The filters (and
    their names) are resolved when this is called, before the first partition.
    """
    where = meeting_where(read, filters, "m")
    query = MEETINGS_SQL.format(more=", m.updated_at" if wide else "", where=where.sql())
    return _built(read, PlaceIndex(read), read.batches(query, where.params, ROWS_BATCH), wide)


def _related(read: Reader) -> tuple[str, str, str]:
    """The statements a wide partition runs besides (participants, sources, people),
    each taking a list of ids as the one parameter ``ids``."""
    among = read.sql.among
    participants = (
        "SELECT sides.meeting_id, sides.person_id, sides.envoy, p.role, sides.side"
        f" FROM ({TAKING_PART}) AS sides"
        " JOIN meeting_participant AS p"
        " ON p.meeting_id = sides.meeting_id AND p.person_id = sides.person_id"
        f" WHERE {among('sides.meeting_id', 'ids')} ORDER BY sides.meeting_id, sides.position"
    )
    sources = (
        "SELECT ms.meeting_id, s.url, s.publisher, s.title, s.uid"
        " FROM meeting_source AS ms JOIN source AS s ON s.id = ms.source_id"
        f" WHERE {among('ms.meeting_id', 'ids')} ORDER BY ms.meeting_id, ms.position"
    )
    people = f"SELECT id, name, uid, country FROM person WHERE {among('id', 'ids')}"
    return participants, sources, people


class _Shown(dict[str, str]):
    """The dates as shown, by EDTF, each worked out when first asked for."""

    def __missing__(self, edtf: str) -> str:
        shown = self[edtf] = shown_edtf(edtf)
        return shown


ANY_MEETING_ACCOUNT = "SELECT 1 FROM account WHERE meeting_id IS NOT NULL LIMIT 1"
"""Whether any meeting has an account of a fact: where none has, no fact is disputed,
and a partition asks nothing more."""

NO_DISPUTE = ListCell()
"""The ``disputed`` cell of a meeting with no disputed fact (one, shared: never
changed)."""


def _built(
    read: Reader, places: PlaceIndex, meetings: Iterator[list[tuple[Any, ...]]], wide: bool
) -> Iterator[tuple[list[TimelineTuple], list[_Wide]]]:
    ids = read.sql.ids
    shown = _Shown()
    venues = {place_id: place.name for place_id, place in places.places.items()}
    cities: dict[int | None, str | None] = {}
    countries: dict[int | None, str | None] = {}
    people: dict[int, tuple[Any, ...]] = {}  # wide: their rows (id, name, uid, country)
    accounts = read.scalar(ANY_MEETING_ACCOUNT) is not None
    for partition in meetings:
        columns = list(zip(*partition, strict=True))
        meeting_ids, place_ids, edtfs = columns[0], columns[8], columns[2]
        disputes = disputed_fields(read, meeting_ids) if accounts else {}
        if len(shown) > NAMES_KEPT:
            shown.clear()
        for place_id in set(place_ids).difference(cities):
            cities[place_id], countries[place_id] = places.located(place_id)
        rows: list[TimelineTuple] = list(
            zip(
                map(shown.__getitem__, edtfs),
                edtfs,
                *columns[3:7],  # earliest, latest, kind, title
                columns[14],  # envoys
                columns[15],  # counterparts
                map(venues.get, columns[7]),
                map(cities.__getitem__, place_ids),
                map(countries.__getitem__, place_ids),
                *columns[9:14],  # duration (minutes, qualifier), status, outcome, summary
                columns[16],  # sources
                map(disputes.get, meeting_ids, repeat(NO_DISPUTE)),
                columns[1],  # uid
                strict=True,
            )
        )
        if not wide:
            yield rows, []
            continue
        if len(people) > NAMES_KEPT:
            people.clear()
        yield rows, _wide(read, partition, {"ids": ids(meeting_ids)}, people)


def _by_meeting(found: list[tuple[Any, ...]], width: int) -> list[dict[Any, Any]]:
    """Rows of ``width`` values whose first is a meeting id, as one dict per value
    (the first maps each id to itself)."""
    columns = list(zip(*found, strict=True)) or [()] * width
    return [dict(zip(columns[0], column, strict=True)) for column in columns]


def _wide(
    read: Reader,
    partition: list[tuple[Any, ...]],
    listed: dict[str, Any],
    people: dict[int, tuple[Any, ...]],
) -> list[_Wide]:
    """What the ``TimelineRecord`` s of a partition hold beside their rows: three more
    statements (participants, sources, the people not seen before)."""
    participants_sql, sources_sql, people_sql = _related(read)
    participants = read.all(participants_sql, listed)
    needed = set(map(_second, participants)).difference(people)
    if needed:
        people.update((row[0], row) for row in read.all(people_sql, {"ids": read.sql.ids(needed)}))
    taking_part: dict[int, list[tuple[Attendee, bool]]] = {}
    for meeting_id, person_id, envoy, role, side in participants:
        _id, name, uid, country = people[person_id]
        attendee = Attendee(person_id, uid, name, country, role, side)
        taking_part.setdefault(meeting_id, []).append((attendee, bool(envoy)))
    cited: dict[int, list[SourceRef]] = {}
    for meeting_id, url, publisher, title, uid in read.all(sources_sql, listed):
        cited.setdefault(meeting_id, []).append(SourceRef(url, publisher, title, uid))
    return [
        (
            row[0],
            row[8],
            row[17],
            taking_part.get(row[0], []),
            cited.get(row[0], []),
        )
        for row in partition
    ]


_second = itemgetter(1)


NAMES_KEPT = 100_000
"""Names of people (and dates as shown) that ``_partitions`` keeps between partitions;
past that many, it starts over (memory stays flat)."""


def _moment(value: Any) -> datetime | None:
    """A timestamp as the driver gives it: ISO text (SQLite) or a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


MAX_LANE_MONTHS = 240


def lanes(records: Iterable[TimelineRecord], bounds: DateRange) -> tuple[list[str], list[Row]]:
    """Envoy lanes: the months (``YYYY-MM``) from the range asked for (else from the
    first to the last meeting) and a row per envoy and status (``LANE_ORDER``; the
    envoys in the order of their first meeting) with the number of meetings in each
    month. A meeting dated only to the year counts under ``year_only``, never in a month
    it was not given. ``disputed`` counts, by the same keys, the meetings with a
    disputed fact (the lanes' table marks them; the table formats leave it out).
    """
    counts: dict[tuple[str, str], Counter[str]] = {}
    disputed: dict[tuple[str, str], Counter[str]] = {}
    first: date | None = bounds.earliest
    last: date | None = bounds.latest
    seen_first: date | None = None
    seen_last: date | None = None
    for record in records:
        earliest = record.earliest
        key = "year_only" if record.precision == "year" else earliest.strftime("%Y-%m")
        seen_first = earliest if seen_first is None else min(seen_first, earliest)
        seen_last = earliest if seen_last is None else max(seen_last, earliest)
        for envoy in record.envoys:
            counts.setdefault((envoy.name, record.row["status"]), Counter())[key] += 1
            if record.row["disputed"]:
                disputed.setdefault((envoy.name, record.row["status"]), Counter())[key] += 1
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
        {
            "envoy": envoy,
            "status": status,
            **{key: counts[envoy, status][key] for key in keys},
            "disputed": dict(disputed.get((envoy, status), {})),
        }
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
