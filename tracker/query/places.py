"""Places for the read side: every place in one query, walked up its parents without
more (the venue, city and country cells of a row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.vocab import PlaceKind

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.models import Place

from tracker.sql import Reader as Plain

PLACES_SQL = "SELECT id, name, kind, country, parent_id FROM place"


@dataclass(frozen=True)
class PlaceInfo:
    id: int
    name: str
    kind: str
    country: str | None
    parent_id: int | None


class PlaceIndex:
    """Every place, loaded in one query, for walking parent chains without more."""

    def __init__(self, source: Session | Plain) -> None:
        """Every place, read in a session or on a plain read (the same SQL)."""
        rows: Iterable[Sequence[Any]]
        if isinstance(source, Plain):
            rows = source.rows(PLACES_SQL)
        else:
            from sqlalchemy import text

            rows = source.execute(text(PLACES_SQL))
        self.places = {row[0]: PlaceInfo(*row) for row in rows}
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
        return self.located(place_id)[0]

    def country(self, place_id: int | None) -> str | None:
        return self.located(place_id)[1]

    def located(self, place_id: int | None) -> tuple[str | None, str | None]:
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
        city, country = self.located(place_id)
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
