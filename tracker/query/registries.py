"""The registries: people and places, with their aliases and roles, on a plain read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.cells import join_list
from tracker.errors import InvalidInput
from tracker.lookup import read_ids
from tracker.names import Kind, name_key
from tracker.query.display import Row, shown_edtf
from tracker.query.where import Where
from tracker.sql import Reader


def _aliases_cell(aliases: Iterable[tuple[str, str | None]], own_name: str) -> str:
    cells: list[str] = []
    for name, lang in aliases:
        if name == own_name and not lang:
            continue
        cell = f"{name} ({lang})" if lang else name
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


def _search(read: Reader, kind: Kind, search: str | None) -> Where:
    """The records of ``kind`` whose name or an alias is ``search`` (by the resolver's
    rules) or holds it, folded."""
    if not search:
        return Where()
    key = name_key(search)
    if not key:
        raise InvalidInput("--search", "a name with at least one letter or digit", search)
    found = read_ids(read, kind, search)
    condition = (
        f"({read.sql.among(f'{kind}.id', 'f_found')} OR {kind}.key LIKE :f_pattern"
        f" OR {kind}.id IN (SELECT {kind}_id FROM {kind}_alias WHERE key LIKE :f_pattern))"
    )
    return Where((condition,), {"f_found": read.sql.ids(found), "f_pattern": f"%{key}%"})


def _by_owner(read: Reader, query: str) -> dict[int, list[tuple[Any, ...]]]:
    """The rows of ``query`` (an owner's id first, in order) by owner."""
    found: dict[int, list[tuple[Any, ...]]] = {}
    for owner, *rest in read.rows(query):
        found.setdefault(owner, []).append(tuple(rest))
    return found


def people_rows(read: Reader, search: str | None = None) -> list[Row]:
    """The people registry (by name): name, country, aliases, roles, uid."""
    where = _search(read, "person", search)
    people = read.all(
        "SELECT person.id, person.name, person.country, person.wikidata, person.uid"
        f" FROM person{where.sql()} ORDER BY person.key, person.id",
        where.params,
    )
    aliases = _by_owner(read, "SELECT person_id, name, lang FROM person_alias ORDER BY id")
    roles = _by_owner(
        read,
        "SELECT person_id, title, organisation, start_edtf, end_edtf FROM person_role ORDER BY id",
    )
    return [
        {
            "name": name,
            "country": country,
            "aliases": _aliases_cell(aliases.get(pid, []), name),
            "roles": join_list(_role_cell(*role) for role in roles.get(pid, [])),
            "wikidata": wikidata,
            "uid": uid,
        }
        for pid, name, country, wikidata, uid in people
    ]


def place_rows(read: Reader, search: str | None = None) -> list[Row]:
    """The places registry (by name): name, kind, country, parent, aliases, wikidata,
    uid."""
    where = _search(read, "place", search)
    places = read.all(
        "SELECT place.id, place.name, place.kind, place.country, parent.name,"
        " place.wikidata, place.uid"
        f" FROM place LEFT JOIN place AS parent ON parent.id = place.parent_id{where.sql()}"
        " ORDER BY place.key, place.id",
        where.params,
    )
    aliases = _by_owner(read, "SELECT place_id, name, lang FROM place_alias ORDER BY id")
    return [
        {
            "name": name,
            "kind": kind,
            "country": country,
            "parent": parent,
            "aliases": _aliases_cell(aliases.get(pid, []), name),
            "wikidata": wikidata,
            "uid": uid,
        }
        for pid, name, kind, country, parent, wikidata, uid in places
    ]
