"""When two meetings are one, and which visit a meeting or a trip belongs to.

The rules work on plain values (ids, dates, kinds), so the ORM paths (``log``,
``edit``, the document loader) and the bulk CSV path, which plans thousands of rows
before it writes any, decide the same way.

**A probable duplicate** (:func:`same_meeting`): the same kind, overlapping dates, the
same venue (or, where either has no venue but only a city, the same city), and a shared
envoy and a shared counterpart. A meeting's envoys are its participants in the role
``envoy``; its counterparts are its other participants. A kind that a row does not
state matches any kind.

**The visit a meeting joins** (:func:`visit_to_join`): a visit to the meeting's city
(the city of its venue, or the place itself when it is in no city) whose dates overlap
the meeting's, with one of the meeting's envoys among its travellers: the earliest such
visit. A meeting never joins a trip none of its envoys took.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import filterfalse

from tracker.vocab import PlaceKind

Id = Hashable

_CITY = PlaceKind.CITY.value
_NOT_VENUES = (PlaceKind.CITY.value, PlaceKind.REGION.value, PlaceKind.COUNTRY.value)


@dataclass
class PlaceInfo:
    kind: str
    parent: Id | None
    country: str | None
    name: str = ""


class PlaceTree:
    """Every place's kind, parent and country: enough to find a place's city."""

    def __init__(self) -> None:
        self.places: dict[Id, PlaceInfo] = {}
        self._cities: dict[Id, Id] = {}

    def add(self, place: Id, info: PlaceInfo) -> None:
        """Register a place; one registered again (a new parent) forgets what was
        worked out from it."""
        if place in self.places:
            self._cities.clear()
        self.places[place] = info

    def chain(self, place: Id) -> list[Id]:
        found: list[Id] = []
        current: Id | None = place
        while current is not None and current not in found and current in self.places:
            found.append(current)
            current = self.places[current].parent
        return found

    def city_of(self, place: Id) -> Id:
        """The city ``place`` is in (itself for a city, or when it is in none)."""
        found = self._cities.get(place)
        if found is None:
            found = place
            for step in self.chain(place):
                if self.places[step].kind == _CITY:
                    found = step
                    break
            self._cities[place] = found
        return found

    def country_of(self, place: Id) -> str | None:
        for step in self.chain(place):
            if self.places[step].country:
                return self.places[step].country
        return None

    def is_venue(self, place: Id | None) -> bool:
        info = self.places.get(place) if place is not None else None
        return info is not None and info.kind not in _NOT_VENUES


@dataclass(slots=True)
class MeetingShape:
    """What the duplicate rule compares of a meeting."""

    handle: Id
    kind: str | None
    earliest: date
    latest: date
    venue: Id | None  # a venue proper (not a city or a country), or None
    city: Id | None  # the city of the venue, else of the visit's destination
    envoys: tuple[Id, ...]  # a handful at most: tuples are smaller and faster than sets
    counterparts: tuple[Id, ...]
    order: tuple[date, int] = (date.min, 0)


def shape(
    tree: PlaceTree,
    handle: Id,
    kind: str | None,
    earliest: date,
    latest: date,
    place: Id | None,
    destination: Id | None,
    envoys: Iterable[Id],
    counterparts: Iterable[Id],
    order: int = 0,
) -> MeetingShape:
    where = place if place is not None else destination
    envoy_list = tuple(envoys)
    return MeetingShape(
        handle,
        kind,
        earliest,
        latest,
        place if tree.is_venue(place) else None,
        tree.city_of(where) if where is not None else None,
        envoy_list,
        tuple(filterfalse(envoy_list.__contains__, counterparts)),
        (earliest, order),
    )


def same_meeting(a: MeetingShape, b: MeetingShape) -> bool:
    """Whether ``a`` and ``b`` are probably one meeting (see the module's docstring)."""
    if a.kind is not None and b.kind is not None and a.kind != b.kind:
        return False
    if a.earliest > b.latest or b.earliest > a.latest:
        return False
    if a.venue is not None and b.venue is not None:
        if a.venue != b.venue:
            return False
    elif a.city is None or a.city != b.city:
        return False
    # map(), not a generator: this runs for every row of an import, and a generator's
    # frame costs more than the comparisons
    if not any(map(b.envoys.__contains__, a.envoys)):
        return False
    return any(map(b.counterparts.__contains__, a.counterparts))


def first_duplicate(new: MeetingShape, known: Iterable[MeetingShape]) -> MeetingShape | None:
    """The earliest known meeting that ``new`` probably repeats."""
    best: MeetingShape | None = None
    for meeting in known:
        if (
            meeting.handle != new.handle
            and same_meeting(new, meeting)
            and (best is None or meeting.order < best.order)
        ):
            best = meeting
    return best


@dataclass(slots=True)
class VisitShape:
    """What the visit rule compares of a visit."""

    handle: Id
    destination: Id | None
    earliest: date
    latest: date
    travellers: set[Id] = field(default_factory=set)
    order: int = 0


def visit_to_join(
    visits: Iterable[VisitShape],
    travellers: Iterable[Id],
    destination: Id | None,
    earliest: date,
    latest: date,
) -> VisitShape | None:
    """The earliest visit to ``destination`` overlapping the dates that one of
    ``travellers`` took (see the module's docstring)."""
    people = set(travellers)
    best: VisitShape | None = None
    for visit in visits:
        if (
            visit.destination == destination
            and visit.earliest <= latest
            and visit.latest >= earliest
            and not people.isdisjoint(visit.travellers)
            and (best is None or (visit.earliest, visit.order) < (best.earliest, best.order))
        ):
            best = visit
    return best
