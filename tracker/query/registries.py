"""The registries: people and places, with their aliases and roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    or_,
    select,
)
from sqlalchemy.orm import Session, selectinload

from tracker.cells import join_list
from tracker.errors import InvalidInput
from tracker.models import (
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
)
from tracker.names import find_people, find_places, name_key
from tracker.query.display import Row, shown_edtf
from tracker.query.places import PlaceIndex


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
