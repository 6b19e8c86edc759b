"""The visits (trips) an export writes beside its meetings, each with its travellers
and sources, on a plain read (``tracker.sql.Reader``): streamed, with three statements
per batch of visits, whatever their number."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.query.timeline import BATCH, SourceRef
from tracker.query.where import Where
from tracker.sql import Reader


@dataclass(frozen=True, slots=True)
class Traveller:
    """A person on a visit, with the role the record gives them."""

    uid: str
    name: str
    role: str | None


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """One visit, as the calendar and the map write it."""

    id: int
    uid: str
    edtf: str
    earliest: date
    latest: date
    destination_id: int | None
    purpose: str | None
    updated_at: datetime | None
    travellers: list[Traveller]
    """In the record's order."""
    sources: list[SourceRef]
    """In the record's order."""


VISITS_SQL = (
    "SELECT v.id, v.uid, v.edtf, v.earliest, v.latest, v.destination_id, v.purpose,"
    " v.updated_at FROM visit AS v{held} ORDER BY v.earliest, v.latest, v.id"
)
HELD_SQL = (
    " WHERE v.id IN (SELECT m.visit_id FROM meeting AS m WHERE m.visit_id IS NOT NULL{where})"
)
TRAVELLERS_SQL = (
    "SELECT t.visit_id, p.uid, p.name, t.role FROM visit_traveller AS t"
    " JOIN person AS p ON p.id = t.person_id WHERE {among}"
    " ORDER BY t.visit_id, t.position, t.person_id"
)
SOURCES_SQL = (
    "SELECT l.visit_id, s.url, s.publisher, s.title, s.uid FROM visit_source AS l"
    " JOIN source AS s ON s.id = l.source_id WHERE {among}"
    " ORDER BY l.visit_id, l.position, l.source_id"
)


def visit_records(read: Reader, held: Where | None = None) -> Generator[VisitRecord, None, None]:
    """Every visit by date, or, given ``held`` (conditions on the meetings, aliased
    ``m``), the visits that hold a meeting it selects."""
    if held is None:
        query, params = VISITS_SQL.format(held=""), {}
    else:
        query = VISITS_SQL.format(held=HELD_SQL.format(where=held.sql("AND")))
        params = held.params
    batch: list[tuple[Any, ...]] = []
    for row in read.rows(query, params):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _with_people(read, batch)
            batch = []
    if batch:
        yield from _with_people(read, batch)


def _with_people(read: Reader, batch: list[tuple[Any, ...]]) -> list[VisitRecord]:
    ids = {"ids": read.sql.ids(row[0] for row in batch)}
    travellers: dict[int, list[Traveller]] = {}
    for visit_id, uid, name, role in read.all(
        TRAVELLERS_SQL.format(among=read.sql.among("t.visit_id", "ids")), ids
    ):
        travellers.setdefault(visit_id, []).append(Traveller(uid, name, role))
    sources: dict[int, list[SourceRef]] = {}
    for visit_id, url, publisher, title, uid in read.all(
        SOURCES_SQL.format(among=read.sql.among("l.visit_id", "ids")), ids
    ):
        sources.setdefault(visit_id, []).append(SourceRef(url, publisher, title, uid))
    return [
        VisitRecord(
            visit_id,
            uid,
            edtf,
            _day(earliest),
            _day(latest),
            destination_id,
            purpose,
            _moment(updated_at),
            travellers.get(visit_id, []),
            sources.get(visit_id, []),
        )
        for visit_id, uid, edtf, earliest, latest, destination_id, purpose, updated_at in batch
    ]


def _day(value: Any) -> date:
    """A date as a plain read gives it: ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _moment(value: Any) -> datetime | None:
    """A timestamp as the driver gives it: ISO text (SQLite) or a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
