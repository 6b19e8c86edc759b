"""Names that begin with what has been typed: for shell completion.

A name matches when the key of its text (``tracker.names.name_key``: any script, case
and accents ignored) begins with the key of what was typed, or one of its words does
(``put`` finds ``Vladimir Putin``). The name offered is the one that matched: the
canonical name, or the alias that begins with what was typed (``Wład`` offers
``Władimir Putin``), so the shell can complete the word as typed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, or_, select, union
from sqlalchemy.orm import Session

from tracker.models import (
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    VisitTraveller,
)
from tracker.names import name_key
from tracker.query.envoys import taking_part
from tracker.vocab import PlaceKind

LIMIT = 50
"""Names offered at most: a shell shows no more usefully."""


def _begins(column: Any, key: str) -> ColumnElement[bool]:
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(column.like(f"{pattern}%", escape="\\"), column.like(f"% {pattern}%", escape="\\"))


def _offered(typed: str, rows: Iterable[tuple[str, str]]) -> list[str]:
    """The names to offer, without repeats: those whose own text (or a word of it)
    begins as typed; failing that (``wlad`` for ``Władimir``), those written in the
    script typed in; failing that, every name found."""
    names = list(dict.fromkeys(name for name, _key in rows))
    folded = typed.casefold().strip()
    as_typed = [
        name
        for name in names
        if any(word.startswith(folded) for word in (name.casefold(), *name.casefold().split()))
    ]
    script = _script(typed)
    same_script = [name for name in names if _script(name) == script]
    return (as_typed or same_script or names)[:LIMIT]


def _script(text: str) -> str | None:
    """The script of the first letter of ``text`` (``LATIN``, ``CYRILLIC``), if any."""
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "").split(" ")[0] or None
    return None


Among = Literal["people", "envoys", "travellers"]
"""Whose names to offer: anyone's; the envoys' (who took part in a meeting as its envoy,
by the one rule of ``tracker.query.sides``: what ``log -e``, ``timeline --envoy`` and
``counterparts ENVOY`` mean); the travellers' (who travelled on a visit: whose visits
``visits NAME`` lists)."""


def _among(among: Among) -> Select[tuple[int]] | None:
    """The ids of the people ``among`` names (``None``: everyone)."""
    if among == "envoys":
        sides = taking_part()
        return select(sides.c.person_id).where(sides.c.envoy)
    if among == "travellers":
        return select(VisitTraveller.person_id)
    return None


def people(session: Session, typed: str, *, among: Among = "people") -> list[str]:
    """Names and aliases of people (``among`` them) that begin as ``typed`` does."""
    key = name_key(typed)
    by_name = select(Person.name, Person.key, Person.id.label("person_id")).where(
        _begins(Person.key, key)
    )
    by_alias = select(PersonAlias.name, PersonAlias.key, PersonAlias.person_id).where(
        _begins(PersonAlias.key, key)
    )
    found = union(by_name, by_alias).subquery()
    query = select(found.c.name, found.c.key)
    ids = _among(among)
    if ids is not None:
        query = query.where(found.c.person_id.in_(ids))
    rows = session.execute(query.order_by(found.c.key).limit(LIMIT * 4))
    return _offered(typed, ((row.name, row.key) for row in rows))


def names(session: Session, among: Among) -> list[str]:
    """The names of the people ``among`` names, in name order (aliases left out): what
    a prompt offers before anything is typed."""
    query = select(Person.name).order_by(Person.name)
    ids = _among(among)
    if ids is not None:
        query = query.where(Person.id.in_(ids))
    return list(session.scalars(query))


def places(session: Session, typed: str, *, countries_only: bool = False) -> list[str]:
    """Names and aliases of places that begin as ``typed`` does (only countries, with
    ``countries_only``, and then their ISO codes too)."""
    key = name_key(typed)
    by_name = select(Place.name, Place.key).where(_begins(Place.key, key))
    by_alias = (
        select(PlaceAlias.name, PlaceAlias.key)
        .join(Place, Place.id == PlaceAlias.place_id)
        .where(_begins(PlaceAlias.key, key))
    )
    if countries_only:
        by_name = by_name.where(Place.kind == PlaceKind.COUNTRY.value)
        by_alias = by_alias.where(Place.kind == PlaceKind.COUNTRY.value)
    found = union(by_name, by_alias).subquery()
    rows: list[tuple[str, str]] = [
        (row.name, row.key)
        for row in session.execute(
            select(found.c.name, found.c.key).order_by(found.c.key).limit(LIMIT * 4)
        )
    ]
    if countries_only and len(typed) <= 2:
        codes = session.scalars(
            select(Place.country)
            .where(
                Place.kind == PlaceKind.COUNTRY.value,
                Place.country.is_not(None),
                Place.country.startswith(typed.upper()),
            )
            .distinct()
            .order_by(Place.country)
        )
        rows = [(code, code.casefold()) for code in codes if code] + rows
    return _offered(typed, rows)
