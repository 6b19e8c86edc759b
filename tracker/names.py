"""Names: one key for every name and alias, and resolution of people and places.

``name_key`` folds case, accents and script (``Władimir Putin``, ``Владимир Путин``
and ``wladimir putin`` share parts of one key space through the aliases that hold
them), so a person or place is found by its name or any alias, however it is typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from tracker.errors import Ambiguous, InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.models import Person, Place
    from tracker.resolve import NameIndex
    from tracker.sql import Reader

_NOT_WORD = re.compile(r"[^0-9a-z]+")

T = TypeVar("T", "Person", "Place")
Kind = Literal["person", "place"]


def name_key(name: str) -> str:
    """The lookup key of a name: transliterated to ASCII, case-folded, punctuation and
    white space collapsed to single spaces.

    >>> name_key("  Władimir   PUTIN ")
    'wladimir putin'
    >>> name_key("Владимир Путин")
    'vladimir putin'

    A name with letters that anyascii has no transliteration for keeps them, folded,
    so it can still be found by what was typed.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    ascii_text = folded
    if not folded.isascii():
        # Imported here: anyascii loads importlib.resources and its archive modules, which
        # a read that looks up an ASCII name (most of them) never needs.
        from anyascii import anyascii

        ascii_text = anyascii(folded).casefold()
    key = _NOT_WORD.sub(" ", ascii_text).strip()
    if key:
        return key
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


KEY_LIMIT = 200
"""Characters of a name's search key (``person.key``, ``place.key``: VARCHAR(200) on
PostgreSQL). A name is refused when its key would be longer, on every backend."""

NAME_LIMIT = 200

# Code points that show nothing (Unicode's Default_Ignorable_Code_Point, plus the blank
# Braille pattern): a name made of them, or holding one, looks like another name or none.
_INVISIBLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip


_INVISIBLE_RE = re.compile(
    "[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _INVISIBLE) + "]"
)


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` shows nothing on screen (a filler, a joiner, a variation selector)."""
    return _INVISIBLE_RE.match(ch) is not None


def clean_name(name: object, field: str = "name") -> str:
    """A display name as given, with white space collapsed; raise if it is empty, has
    control or invisible characters, or is too long for its search key."""
    if not isinstance(name, str):
        raise InvalidInput(field, "a name (text)", name)
    text = " ".join(name.split())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise InvalidInput(field, "a name without control or invisible characters", name)
    if text and _INVISIBLE_RE.search(text) is not None:
        if all(is_invisible(ch) or ch.isspace() for ch in text):
            raise InvalidInput(field, "a name with a visible letter or digit", name)
        raise InvalidInput(field, "a name without control or invisible characters", name)
    if not text or not name_key(text):
        raise InvalidInput(field, "a name with at least one letter or digit", name)
    if len(text) > NAME_LIMIT:
        raise InvalidInput(field, f"a name of at most {NAME_LIMIT} characters", name[:40] + "...")
    key = name_key(text)
    if len(key) > KEY_LIMIT:
        raise InvalidInput(
            field,
            f"a name whose search key has at most {KEY_LIMIT} characters"
            f" (this one spells out to {len(key)})",
            name[:40] + ("..." if len(name) > 40 else ""),
        )
    return text


def skeleton(name: str) -> str:
    """The confusable skeleton of ``name`` (after Unicode TR39): every character that
    looks like another is replaced by one representative of its look-alikes, so
    ``Ѕteve Wіtkoff`` (with Cyrillic letters) and ``Steve Witkoff`` have one skeleton."""
    classes = _confusable_classes()
    text = unicodedata.normalize("NFD", " ".join(name.split()))
    mapped = "".join(classes.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFD", mapped).casefold()


_CLASSES: dict[str, str] = {}


def _confusable_classes() -> dict[str, str]:
    """Each single character of the confusables table mapped to the smallest character
    it can be confused with (the look-alike relation closed over, as union-find)."""
    if _CLASSES:
        return _CLASSES
    import json
    from importlib.resources import files

    data = json.loads(
        files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    )
    parent: dict[str, str] = {}

    def root(ch: str) -> str:
        while parent.get(ch, ch) != ch:
            parent[ch] = parent.get(parent[ch], parent[ch])
            ch = parent[ch]
        return ch

    for char, glyphs in data.items():
        if len(char) != 1:
            continue
        for glyph in glyphs:
            other = glyph.get("c", "")
            if len(other) == 1:
                a, b = root(char), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    _CLASSES.update({ch: root(ch) for ch in parent})
    return _CLASSES


# The first two steps of the resolver (tracker/resolve.py), asked of the database
# directly, which is what a read needs most: only a name they miss loads the registry's
# index for the others. Plain SQL, run by a session and by a plain read alike.
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
    from tracker.resolve import NameIndex

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
    from tracker.resolve import detail

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
        from tracker.resolve import detail

        lines = [f"{n} ({detail(k, c)}; uid {u})" for _id, n, u, c, k in described]
        raise Ambiguous(kind, name, lines, field=field)
    raise NotFound(kind, name, _read_index(read, kind).resolve(name).suggestions, field=field)


def _read_index(read: Reader, kind: Kind) -> NameIndex:
    from tracker.resolve import NameIndex

    return NameIndex.read(read, kind)
