"""Keeping the registries right: people and places added, edited, given aliases and
merged.

An addition or an edit is one tracker/1 record loaded by the document loader
(:mod:`tracker.loader`): the same field rules, the same resolver for a place's parent,
the same "update only the keys given" and the same change report as an imported
document. A merge moves every reference (:mod:`tracker.write.merge`). Errors name
fields (``name``, ``country``, ``alias``, ``role from``, ``parent``...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import fields
from tracker.canonical import canonical
from tracker.errors import Deleted, InvalidInput, TrackerError
from tracker.gazetteer import new_city
from tracker.loader import load_record
from tracker.lookup import find_people, find_places
from tracker.models import Person, Place, Tombstone, new_uid
from tracker.names import clean_name, name_key
from tracker.resolve import creatable
from tracker.vocab import PlaceKind, choose
from tracker.write.merge import merge_people, merge_places
from tracker.write.report import ChangeReport
from tracker.write.writer import Writer

Kind = Literal["person", "place"]
SECTION = {"person": "people", "place": "places"}
MODEL: dict[str, type[Person] | type[Place]] = {"person": Person, "place": Place}
Doc = dict[str, Any]


class AlreadyRecorded(TrackerError):
    """A name given to ``add`` finds a record already there (exit status 2)."""

    field = "name"

    def __init__(self, kind: str, name: str, found: Sequence[str]) -> None:
        self.kind = kind
        self.name = name
        self.found = list(found)
        self.hint = ""
        super().__init__(name)

    def message(self) -> str:
        return (
            f"{self.field}: {self.name!r} already finds the {self.kind}"
            f" {'; '.join(self.found)}{self.hint}"
        )


# -- what the command line gives ------------------------------------------------------


@dataclass(frozen=True)
class AliasSpec:
    """``NAME`` or ``NAME:LANG`` (``Władimir Putin:pl``)."""

    name: str
    lang: str | None = None

    @classmethod
    def parse(cls, text: str, lang: str | None = None) -> AliasSpec:
        name, colon, tail = text.rpartition(":")
        if colon and tail.strip():
            return cls(clean_name(name, "alias"), fields.language(tail.strip(), "alias"))
        return cls(clean_name(text, "alias"), fields.language(lang, "alias language"))

    def doc(self) -> Doc:
        return {"name": self.name, "lang": self.lang}


@dataclass(frozen=True)
class RoleSpec:
    """``TITLE[:ORGANISATION[:FROM[:TO]]]`` (``Special Envoy:United States:2025-01``)."""

    title: str
    organisation: str | None = None
    start: str | None = None
    end: str | None = None

    @classmethod
    def parse(cls, text: str) -> RoleSpec:
        parts = [part.strip() or None for part in text.split(":")]
        if len(parts) > 4 or not parts[0]:
            raise InvalidInput("role", "TITLE[:ORGANISATION[:FROM[:TO]]]", text)
        parts += [None] * (4 - len(parts))
        return cls(parts[0] or "", parts[1], parts[2], parts[3])

    def doc(self) -> Doc:
        return {
            "title": self.title,
            "organisation": self.organisation,
            "from": self.start,
            "to": self.end,
        }


# -- finding a record -----------------------------------------------------------------


def find(session: Session, kind: Kind, ref: str, field: str = "record") -> Person | Place:
    """The one person or place ``ref`` (a uid, a name or an alias) names; a reference
    to a record merged away says what it was merged into."""
    found: Sequence[Person | Place] = (
        find_people(session, ref, field) if kind == "person" else find_places(session, ref, field)
    )
    if len(found) == 1:
        return found[0]
    if not found:
        label = session.scalars(
            select(Tombstone.label)
            .where(Tombstone.kind == kind, Tombstone.uid == ref.strip())
            .order_by(Tombstone.id.desc())
        ).first()
        if label is not None:
            raise Deleted(kind, ref.strip(), label, field=field)
    from tracker.lookup import resolve_person, resolve_place

    return (
        resolve_person(session, ref, field)
        if kind == "person"
        else resolve_place(session, ref, field)
    )


# -- add, edit, alias -----------------------------------------------------------------


def add(
    session: Session,
    kind: Kind,
    record: Doc,
    *,
    duplicate: bool = False,
    report: ChangeReport | None = None,
) -> Person | Place:
    """Add a person or place from its fields (``name`` and any of ``country``,
    ``wikidata``, ``notes``, ``aliases``; for a person ``roles``; for a place ``kind``,
    ``parent``, ``lat``, ``lon``). A name that already finds a record is refused unless
    ``duplicate``. A new city without a country or coordinates takes them from the
    gazetteer (see :mod:`tracker.gazetteer`)."""
    name = clean_name(record.get("name"), "name")
    writer = Writer(session)
    index = writer.people if kind == "person" else writer.places
    result = index.resolve(name)
    creatable(result, "name")
    if result.found and not duplicate:
        raise AlreadyRecorded(kind, name, [index.describe(h) for h in result.found])
    raw: Doc = {**record, "name": name, "uid": new_uid()}
    if kind == "place":
        raw["kind"] = choose(PlaceKind, raw.get("kind") or PlaceKind.CITY.value, "kind").value
        _locate(raw)
    return _load(session, kind, raw, report)


def edit(
    session: Session,
    kind: Kind,
    ref: str,
    changes: Doc,
    *,
    add_roles: Sequence[RoleSpec] = (),
    remove_roles: Sequence[str] = (),
    report: ChangeReport | None = None,
) -> Person | Place:
    """Change the fields ``changes`` gives (``None`` clears one); roles are added and
    removed (by title) among the record's own. A new name that finds another record
    is refused: merge them instead."""
    record = find(session, kind, ref)
    current = canonical(SECTION[kind], record)
    if not changes and not add_roles and not remove_roles:
        raise InvalidInput("edit", "at least one field to change, such as country")
    raw: Doc = {"uid": record.uid, "name": current["name"], **changes}
    if kind == "place":
        raw.setdefault("kind", current["kind"])
        if raw["kind"] is not None:
            raw["kind"] = choose(PlaceKind, raw["kind"], "kind").value
    if "name" in changes:
        _rename_check(session, kind, record, clean_name(changes["name"], "name"))
    if add_roles or remove_roles:
        roles = list(current["roles"])
        for title in remove_roles:
            kept = [r for r in roles if name_key(r["title"]) != name_key(title)]
            if len(kept) == len(roles):
                titles = ", ".join(repr(r["title"]) for r in roles) or "none"
                raise InvalidInput("remove role", f"a role {record.name} has ({titles})", title)
            roles = kept
        roles += [role.doc() for role in add_roles]
        raw["roles"] = roles
    return _load(session, kind, raw, report)


def alias(
    session: Session,
    kind: Kind,
    ref: str,
    add: Sequence[AliasSpec] = (),
    remove: Sequence[str] = (),
    *,
    report: ChangeReport | None = None,
) -> Person | Place:
    """Give a record more aliases, or take some away (by name, in any language). An
    alias that is another record's name or alias is refused: merge them instead."""
    record = find(session, kind, ref)
    current = canonical(SECTION[kind], record)
    aliases: list[Doc] = list(current["aliases"])
    for name in remove:
        key = name_key(clean_name(name, "alias"))
        kept = [a for a in aliases if name_key(a["name"]) != key]
        if len(kept) == len(aliases):
            have = ", ".join(repr(a["name"]) for a in aliases) or "none"
            raise InvalidInput("alias", f"an alias of {record.name} ({have})", name)
        aliases = kept
    if add:
        writer = Writer(session)
        index = writer.people if kind == "person" else writer.places
        for spec in add:
            others = [h for h in index.by_key.get(index.key(spec.name), []) if h != record.id]
            if others:
                named = "; ".join(index.describe(h) for h in others)
                raise InvalidInput(
                    "alias",
                    f"a name no other {kind} has ({named} has it: merge them instead)",
                    spec.name,
                )
            if spec.doc() not in aliases:
                aliases.append(spec.doc())
    if not add and not remove:
        raise InvalidInput("alias", "an alias to add or remove")
    return _load(
        session,
        kind,
        {"uid": record.uid, "name": current["name"], **_kind_of(kind, current), "aliases": aliases},
        report,
    )


def merge(
    session: Session, kind: Kind, gone_ref: str, kept_ref: str, report: ChangeReport | None = None
) -> tuple[Person | Place, ChangeReport]:
    """Merge the record ``gone_ref`` names into the one ``kept_ref`` names (see
    :mod:`tracker.write.merge`); all or nothing within the caller's transaction."""
    gone = find(session, kind, gone_ref)
    kept = find(session, kind, kept_ref, "into")
    writer = Writer(session, report=report)
    if isinstance(gone, Person) and isinstance(kept, Person):
        merge_people(writer, gone, kept)
    elif isinstance(gone, Place) and isinstance(kept, Place):
        merge_places(writer, gone, kept)
    return kept, writer.finish()


# -- the one way in: a record loaded as a document would be -----------------------------


def _load(session: Session, kind: Kind, raw: Doc, report: ChangeReport | None) -> Person | Place:
    try:
        found = load_record(session, SECTION[kind], raw, report=report)
    except TrackerError as exc:
        if exc.field:
            exc.field = re.sub(r"^aliases\[\d+\]\.?", "alias ", exc.field)
            exc.field = re.sub(r"^roles\[\d+\]\.?", "role ", exc.field).strip()
        raise
    assert isinstance(found, Person | Place)
    return found


def _kind_of(kind: Kind, current: Doc) -> Doc:
    return {"kind": current["kind"]} if kind == "place" else {}


def _locate(raw: Doc) -> None:
    """A new city's country and coordinates, from the gazetteer when not given."""
    if raw["kind"] != PlaceKind.CITY.value:
        return
    country = fields.country(raw.get("country"), "country")
    if country is not None and raw.get("lat") is not None:
        return
    raw["country"], lat, lon = new_city(raw["name"], country, "country")
    if raw.get("lat") is None and raw.get("lon") is None:
        raw["lat"], raw["lon"] = lat, lon


def _rename_check(session: Session, kind: Kind, record: Person | Place, name: str) -> None:
    writer = Writer(session)
    index = writer.people if kind == "person" else writer.places
    others = [h for h in index.by_key.get(index.key(name), []) if h != record.id]
    if others:
        named = "; ".join(index.describe(h) for h in others)
        raise InvalidInput(
            "name", f"a name no other {kind} has ({named} has it: merge them instead)", name
        )
