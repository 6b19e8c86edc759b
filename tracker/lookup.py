"""Finding people and places by name, on a session or on a plain read, by the rules of
the one resolver (:mod:`tracker.resolve`).

The resolver's first two steps (a uid; a name or alias by its key) are asked of the
database directly, which is what a read needs most: only a name they miss loads the
registry's index (``NameIndex``) for the others. Plain SQL, run by a session and by a
plain read alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.errors import Ambiguous, NotFound
from tracker.names import Kind, clean_name, name_key
from tracker.resolve import NameIndex, detail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.models import Person, Place
    from tracker.sql import Reader

T = TypeVar("T", "Person", "Place")

UID_SQL = {
    "person": "SELECT id FROM person WHERE uid = :uid",
    "place": "SELECT id FROM place WHERE uid = :uid",
}
KEY_SQL = {
    "person": "SELECT id FROM person WHERE key = :key"
    " OR id IN (SELECT person_id FROM person_alias WHERE key = :key) ORDER BY id",
    "place": "SELECT id FROM place WHERE key = :key"
    " OR id IN (SELECT place_id FROM place_alias WHERE key = :key) ORDER BY id",
}
DESCRIBED_SQL = {
    "person": "SELECT id, name, uid, country, NULL FROM person WHERE id = :id",
    "place": "SELECT id, name, uid, country, kind FROM place WHERE id = :id",
}

Ask = Callable[[str, dict[str, Any]], list[Any]]
"""Runs one of the statements above; returns the first column of its rows."""


def matching_ids(
    ask: Ask, index: Callable[[], NameIndex], kind: Kind, name: str, field: str
) -> list[int]:
    """The ids of the records of ``kind`` that ``name`` finds, by the rules of
    :mod:`tracker.resolve` (none, one or several, in id order)."""
    clean_name(name, field)
    by_uid = ask(UID_SQL[kind], {"uid": name.strip()})
    if by_uid:
        return [by_uid[0]]
    found = ask(KEY_SQL[kind], {"key": name_key(name)})
    if found:
        return found
    return sorted(h for h in index().resolve(name).found if isinstance(h, int))


def resolve_person(session: Session, name: str, field: str | None = None) -> Person:
    """The one person whose uid, name or alias is ``name``; errors name ``field``."""
    from tracker.models import Person

    return _resolve(session, Person, "person", name, field)


def resolve_place(session: Session, name: str, field: str | None = None) -> Place:
    """The one place whose uid, name or alias is ``name``; errors name ``field``."""
    from tracker.models import Place

    return _resolve(session, Place, "place", name, field)


def find_people(session: Session, name: str, field: str = "person") -> list[Person]:
    """Every person whose uid, name or alias is ``name`` (none, one or several)."""
    from tracker.models import Person

    return _matches(session, Person, "person", name, field)


def find_places(session: Session, name: str, field: str = "place") -> list[Place]:
    """Every place whose uid, name or alias is ``name`` (none, one or several)."""
    from tracker.models import Place

    return _matches(session, Place, "place", name, field)


def _matches(session: Session, model: type[T], kind: Kind, name: str, field: str) -> list[T]:
    from sqlalchemy import select, text

    def ask(query: str, params: dict[str, Any]) -> list[Any]:
        return list(session.scalars(text(query), params))

    ids = matching_ids(ask, lambda: _index(session, kind), kind, name, field)
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))


def _index(session: Session, kind: Kind) -> NameIndex:
    return NameIndex.load(session, kind)


def _resolve(session: Session, model: type[T], kind: Kind, name: str, field: str | None) -> T:
    found = _matches(session, model, kind, name, field or kind)
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(kind, name, [describe(record) for record in found], field=field)
    raise NotFound(kind, name, _index(session, kind).resolve(name).suggestions, field=field)


def describe(record: Person | Place) -> str:
    """A short line telling records with one name apart."""
    kind = getattr(record, "kind", None)
    return f"{record.name} ({detail(kind, record.country)}; uid {record.uid})"


# -- on a plain read (tracker.sql.Reader) -----------------------------------------------


@dataclass(frozen=True)
class Named:
    """A person or place as a read needs it: its id, name and uid."""

    id: int
    name: str
    uid: str


def read_ids(read: Reader, kind: Kind, name: str, field: str | None = None) -> list[int]:
    """Every id of a record of ``kind`` that ``name`` finds (as ``find_people``)."""

    def ask(query: str, params: dict[str, Any]) -> list[Any]:
        return [row[0] for row in read.all(query, params)]

    return matching_ids(ask, lambda: _read_index(read, kind), kind, name, field or kind)


def read_one(read: Reader, kind: Kind, name: str, field: str | None = None) -> Named:
    """The one record of ``kind`` that ``name`` finds (as ``resolve_person``)."""
    ids = read_ids(read, kind, name, field)
    described = [read.all(DESCRIBED_SQL[kind], {"id": rid})[0] for rid in ids]
    if len(described) == 1:
        rid, found, uid, _country, _kind = described[0]
        return Named(rid, found, uid)
    if described:
        lines = [f"{n} ({detail(k, c)}; uid {u})" for _id, n, u, c, k in described]
        raise Ambiguous(kind, name, lines, field=field)
    raise NotFound(kind, name, _read_index(read, kind).resolve(name).suggestions, field=field)


def _read_index(read: Reader, kind: Kind) -> NameIndex:
    return NameIndex.read(read, kind)
