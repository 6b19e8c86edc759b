"""Where the selected meetings and visits happened, for maps: the GeoJSON export and
the html page's map.

A meeting happened at its venue, else at its visit's destination; a visit at its
destination. A place is drawn at its own coordinates, else at those of the nearest
place above it that has them (the Kremlin at Moscow's, if the Kremlin had none): the
map never invents a position, and says whose coordinates it used. A place with none
up its chain (a country, which is an area) has no point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.exporters.base import Export
from tracker.names import name_key
from tracker.query.display import Row, shown_edtf
from tracker.query.timeline import TimelineRecord
from tracker.sql import Reader

PLACES_SQL = "SELECT id, uid, name, kind, country, parent_id, lat, lon FROM place"


@dataclass(frozen=True)
class Point:
    """A position (WGS 84 degrees) and the uid of the place whose coordinates it is."""

    lon: float
    lat: float
    of: str


@dataclass
class Spot:
    """One place of the map with what happened there."""

    uid: str
    name: str
    kind: str
    country: str | None
    parent: str | None
    point: Point | None
    meetings: list[Row] = field(default_factory=list)
    visits: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class _PlaceRow:
    uid: str
    name: str
    kind: str
    country: str | None
    parent_id: int | None
    lat: float | None
    lon: float | None


class Atlas:
    """Every place with its coordinates (one query), and the places the selected
    meetings and visits happened at, filled in as they are read."""

    def __init__(self, read: Reader) -> None:
        self.places = {
            place_id: _PlaceRow(uid, name, kind, country, parent_id, lat, lon)
            for place_id, uid, name, kind, country, parent_id, lat, lon in read.rows(PLACES_SQL)
        }
        self.spots: dict[int, Spot] = {}

    def point(self, place_id: int | None) -> Point | None:
        """The coordinates of the place, else of the nearest place above it with some."""
        seen: set[int] = set()
        while place_id is not None and place_id not in seen and place_id in self.places:
            seen.add(place_id)
            place = self.places[place_id]
            if place.lat is not None and place.lon is not None:
                return Point(place.lon, place.lat, place.uid)
            place_id = place.parent_id
        return None

    def spot(self, place_id: int) -> Spot:
        if place_id not in self.spots:
            place = self.places[place_id]
            parent = self.places.get(place.parent_id) if place.parent_id is not None else None
            self.spots[place_id] = Spot(
                place.uid,
                place.name,
                place.kind,
                place.country,
                parent.uid if parent is not None else None,
                self.point(place_id),
            )
        return self.spots[place_id]

    def add_meeting(self, record: TimelineRecord) -> Spot | None:
        """Record the meeting of ``record`` at its place; the spot, or None if it has none."""
        place_id = record.place_id
        if place_id is None or place_id not in self.places:
            return None
        row = record.row
        spot = self.spot(place_id)
        spot.meetings.append(
            {
                "uid": row["uid"],
                "date": row["date"],
                "edtf": row["edtf"],
                "kind": row["kind"],
                "title": row["title"],
                "status": row["status"],
                "envoys": row["envoys"],
                "counterparts": row["counterparts"],
                "duration_minutes": row["duration_minutes"],
                "duration_qualifier": row["duration_qualifier"],
                "outcome": row["outcome"],
            }
        )
        return spot

    def ordered(self) -> list[Spot]:
        """The spots with something at them, by name (then uid)."""
        return sorted(self.spots.values(), key=lambda spot: (name_key(spot.name), spot.uid))


def atlas_of(export: Export) -> tuple[Atlas, int]:
    """The places of the meetings ``export`` selects and of their visits, and the number
    of meetings read."""
    atlas = Atlas(export.read)
    count = 0
    for record in export.records():
        count += 1
        atlas.add_meeting(record)
    for visit in export.visits():
        if visit.destination_id is None or visit.destination_id not in atlas.places:
            continue
        atlas.spot(visit.destination_id).visits.append(
            {
                "uid": visit.uid,
                "date": shown_edtf(visit.edtf),
                "edtf": visit.edtf,
                "travellers": "; ".join(t.name for t in visit.travellers) or None,
                "purpose": visit.purpose,
            }
        )
    return atlas, count


def feature(spot: Spot) -> dict[str, Any]:
    """The RFC 7946 Feature of one spot (``geometry`` null when it has no point)."""
    geometry = (
        {"type": "Point", "coordinates": [spot.point.lon, spot.point.lat]}
        if spot.point is not None
        else None
    )
    return {
        "type": "Feature",
        "id": spot.uid,
        "geometry": geometry,
        "properties": {
            "uid": spot.uid,
            "name": spot.name,
            "kind": spot.kind,
            "country": spot.country,
            "parent": spot.parent,
            "coordinates_of": spot.point.of if spot.point is not None else None,
            "meeting_count": len(spot.meetings),
            "visit_count": len(spot.visits),
            "meetings": spot.meetings,
            "visits": spot.visits,
        },
    }
