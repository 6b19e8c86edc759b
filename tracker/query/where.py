"""What a listing is narrowed to (``Filters``), and the WHERE conditions that ask it of
the meetings and the visits in plain SQL, for a plain read (``tracker.sql.Reader``):
dates that overlap, a place and every place under it, a country, an envoy, a
participant, a topic, an outcome, words to search for, a disputed fact.

Names are resolved here, on the same read, by the one resolver (``tracker.lookup``);
what differs between the databases (a list of ids, full-text search, days between two
dates) comes from ``reader.sql``. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.dates import parse_when
from tracker.errors import InvalidInput
from tracker.lookup import read_ids, read_one
from tracker.names import name_key
from tracker.query.disputes import disputed_meetings_sql
from tracker.query.sides import TAKING_PART
from tracker.search import search_words
from tracker.sql import Reader
from tracker.vocab import Outcome, PlaceKind, choose


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
    disputed: bool = False
    """Only meetings with a disputed fact (accounts that give more than one value)."""


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


@dataclass(frozen=True)
class Where:
    """WHERE conditions in SQL (joined with AND) and the parameters they use; the
    parameters' names begin with ``f_``, so that they never meet a query's own."""

    conditions: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def sql(self, keyword: str = "WHERE") -> str:
        """`` WHERE a AND b`` (or `` AND a AND b`` after a query's own conditions), or
        nothing when there is no condition."""
        if not self.conditions:
            return ""
        return f" {keyword} " + " AND ".join(self.conditions)


class _Building:
    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, condition: str, **params: Any) -> None:
        self.conditions.append(condition)
        self.params.update(params)

    def done(self) -> Where:
        return Where(tuple(self.conditions), self.params)


def meeting_where(read: Reader, filters: Filters, meeting: str = "m") -> Where:
    """The conditions on the meetings (the table or alias ``meeting``) that ``filters``
    ask for, names resolved on ``read``."""
    where = _Building()
    _overlap(read, where, "meeting", meeting, date_range(filters))
    place_of_meeting = (
        f"coalesce({meeting}.venue_id,"
        f" (SELECT fv.destination_id FROM visit AS fv WHERE fv.id = {meeting}.visit_id))"
    )
    if filters.place is not None:
        ids = places_under(read, filters.place)
        where.add(read.sql.among(place_of_meeting, "f_places"), f_places=read.sql.ids(ids))
    if filters.country is not None:
        where.add(
            f"{place_of_meeting} IN (SELECT id FROM place WHERE country = :f_country)",
            f_country=country_code(read, filters.country),
        )
    if filters.envoy is not None:
        envoy = read_one(read, "person", filters.envoy, "--envoy")
        # The meetings it took part in as one of their envoys (``TAKING_PART``).
        where.add(
            f"{meeting}.id IN (SELECT fs.meeting_id FROM ({TAKING_PART}) AS fs"
            " WHERE fs.person_id = :f_envoy AND fs.envoy)",
            f_envoy=envoy.id,
        )
    if filters.with_person is not None:
        person = read_one(read, "person", filters.with_person, "--with")
        where.add(
            f"{meeting}.id IN (SELECT meeting_id FROM meeting_participant"
            " WHERE person_id = :f_with)",
            f_with=person.id,
        )
    if filters.topic is not None:
        key = name_key(filters.topic)
        if not key:
            raise InvalidInput(
                "--topic", "a topic with at least one letter or digit", filters.topic
            )
        where.add(
            "EXISTS (SELECT 1 FROM meeting_topic AS ft"
            f" WHERE ft.meeting_id = {meeting}.id AND ft.key = :f_topic)",
            f_topic=key,
        )
    if filters.outcome is not None:
        where.add(
            f"{meeting}.outcome = :f_outcome",
            f_outcome=choose(Outcome, filters.outcome, "--outcome").value,
        )
    if filters.search is not None:
        words = search_words(filters.search)
        where.add(
            f"{meeting}.id IN ({read.sql.meetings_matching('f_words')})",
            f_words=read.sql.words(words),
        )
    if filters.disputed:
        where.add(f"{meeting}.id IN ({disputed_meetings_sql()})")
    return where.done()


def visit_where(read: Reader, filters: Filters, visit: str = "v") -> Where:
    """The conditions on the visits (the table or alias ``visit``) for
    ``--from``/``--to``/``--place``/``--country``."""
    where = _Building()
    _overlap(read, where, "visit", visit, date_range(filters))
    if filters.place is not None:
        ids = places_under(read, filters.place)
        where.add(read.sql.among(f"{visit}.destination_id", "f_places"), f_places=read.sql.ids(ids))
    if filters.country is not None:
        where.add(
            f"{visit}.destination_id IN (SELECT id FROM place WHERE country = :f_country)",
            f_country=country_code(read, filters.country),
        )
    return where.done()


def _overlap(read: Reader, where: _Building, table: str, alias: str, bounds: DateRange) -> None:
    """The conditions for the records of ``table`` that overlap ``bounds``.

    Besides ``latest >= start``, ``earliest`` is bounded from below by the start minus
    the longest span stored (one lookup on ``ix_*_span``, whose expression
    ``days_between`` repeats), so that the index on ``(earliest, latest)`` is read over
    a range that does not grow with the table.
    """
    if bounds.earliest is not None:
        where.add(f"{alias}.latest >= :f_start", f_start=bounds.earliest.isoformat())
        longest = read.scalar(
            f"SELECT max({read.sql.days_between('earliest', 'latest')}) FROM {table}"
        )
        if longest is not None:
            try:
                floor = bounds.earliest - timedelta(days=math.ceil(longest))
            except OverflowError:  # before year 1: no lower bound to add
                pass
            else:
                where.add(f"{alias}.earliest >= :f_floor", f_floor=floor.isoformat())
    if bounds.latest is not None:
        where.add(f"{alias}.earliest <= :f_end", f_end=bounds.latest.isoformat())


def places_under(read: Reader, name: str) -> set[int]:
    """The ids of the place ``name`` and of every place under it (via parents)."""
    root = read_one(read, "place", name).id
    children: dict[int, list[int]] = {}
    for place_id, parent_id in read.rows("SELECT id, parent_id FROM place"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(place_id)
    found = {root}
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def country_code(read: Reader, value: str) -> str:
    """The code of the country ``value`` names (:func:`tracker.countries.resolve_country`):
    a code, a name in any language, a stored country place's name or alias, or a former
    country (``USSR`` is ``SUHH``: what was recorded under it)."""
    # Imported here: the country names are loaded only by a read that filters by one.
    from tracker.countries import resolve_country

    def stored(name: str) -> list[str]:
        codes = []
        for place_id in read_ids(read, "place", name):
            kind, country = read.all(
                "SELECT kind, country FROM place WHERE id = :id", {"id": place_id}
            )[0]
            if kind == PlaceKind.COUNTRY and country:
                codes.append(country)
        return codes

    return resolve_country(value, "--country", stored)
