"""Names: one key for every name and alias, and resolution of people and places.

``name_key`` folds case, accents and script (``Władimir Putin``, ``Владимир Путин``
and ``wladimir putin`` share parts of one key space through the aliases that hold
them), so a person or place is found by its name or any alias, however it is typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from anyascii import anyascii
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import Ambiguous, InvalidInput, NotFound
from tracker.models import Person, PersonAlias, Place, PlaceAlias

_NOT_WORD = re.compile(r"[^0-9a-z]+")

T = TypeVar("T", Person, Place)


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
    key = _NOT_WORD.sub(" ", anyascii(folded).casefold()).strip()
    if key:
        return key
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def clean_name(name: object, field: str = "name") -> str:
    """A display name as given, with white space collapsed; raise if it is empty or has
    control characters."""
    if not isinstance(name, str):
        raise InvalidInput(field, "a name (text)", name)
    text = " ".join(name.split())
    if not text or not name_key(text):
        raise InvalidInput(field, "a name with at least one letter or digit", name)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise InvalidInput(field, "a name without control or invisible characters", name)
    if len(text) > 200:
        raise InvalidInput(field, "a name of at most 200 characters", name[:40] + "...")
    return text


def resolve_person(session: Session, name: str, field: str | None = None) -> Person:
    """The one person whose uid, name or alias is ``name``; errors name ``field``."""
    return _resolve(session, Person, PersonAlias, PersonAlias.person_id, "person", name, field)


def resolve_place(session: Session, name: str, field: str | None = None) -> Place:
    """The one place whose uid, name or alias is ``name``; errors name ``field``."""
    return _resolve(session, Place, PlaceAlias, PlaceAlias.place_id, "place", name, field)


def find_people(session: Session, name: str, field: str = "person") -> list[Person]:
    """Every person whose uid, name or alias is ``name`` (none, one or several)."""
    return _matches(session, Person, PersonAlias, PersonAlias.person_id, name, field)


def find_places(session: Session, name: str, field: str = "place") -> list[Place]:
    """Every place whose uid, name or alias is ``name`` (none, one or several)."""
    return _matches(session, Place, PlaceAlias, PlaceAlias.place_id, name, field)


def _matches(
    session: Session,
    model: type[T],
    alias: type[PersonAlias] | type[PlaceAlias],
    owner: object,
    name: str,
    field: str,
) -> list[T]:
    """Records named ``name``: by uid, else by whole key, else by the words of a key
    (``putin``), else by word stems (Polish ``Witkoffowi`` finds ``Witkoff``)."""
    clean_name(name, field)
    by_uid = session.scalars(select(model).where(model.uid == name.strip())).first()
    if by_uid is not None:
        return [by_uid]
    key = name_key(name)
    if not key:
        return []
    aliased_ids = select(owner).where(alias.key == key)  # type: ignore[call-overload]
    query = select(model).where((model.key == key) | model.id.in_(aliased_ids))
    found = list(session.scalars(query.order_by(model.id)))
    if found:
        return found
    keys = list(session.execute(select(model.id, model.key)))
    keys += session.execute(select(owner, alias.key))  # type: ignore[call-overload]
    words = key.split()
    ids = {i for i, k in keys if set(words) <= set(k.split())}
    if not ids:
        ids = {i for i, k in keys if all(_stem_of(w, k.split()) for w in words)}
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))


def _stem_of(word: str, key_words: list[str]) -> bool:
    """Whether ``word`` is one of ``key_words`` with a short inflectional ending."""
    return any(
        len(stem) >= 4 and word.startswith(stem) and len(word) - len(stem) <= 3
        for stem in key_words
    )


def _resolve(
    session: Session,
    model: type[T],
    alias: type[PersonAlias] | type[PlaceAlias],
    owner: object,
    kind: str,
    name: str,
    field: str | None,
) -> T:
    found = _matches(session, model, alias, owner, name, field or kind)
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(kind, name, [describe(record) for record in found], field=field)
    raise NotFound(kind, name, suggest(session, model, alias, owner, name), field=field)


def describe(record: Person | Place) -> str:
    """A short line telling records with one name apart."""
    if isinstance(record, Person):
        extra = record.country or "no country"
    else:
        extra = f"{record.kind}, {record.country or 'no country'}"
    return f"{record.name} ({extra}; uid {record.uid})"


def suggest(
    session: Session,
    model: type[T],
    alias: type[PersonAlias] | type[PlaceAlias],
    owner: object,
    name: str,
    limit: int = 3,
) -> Sequence[str]:
    """The names nearest to ``name`` (rapidfuzz over names and aliases)."""
    from rapidfuzz import fuzz, process, utils

    key = name_key(name)
    if not key:
        return []
    choices: dict[str, str] = {}
    for display, record_key in session.execute(select(model.name, model.key)):
        choices.setdefault(record_key, display)
    # An alias suggests its owner's name: one line per record, in the user's terms.
    alias_rows = session.execute(select(alias.key, model.name).join(model, owner == model.id))
    for alias_key, owner_name in alias_rows:
        choices.setdefault(alias_key, owner_name)
    best = process.extract(
        key,
        list(choices),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit * 3,
        score_cutoff=70,
    )
    seen: list[str] = []
    for choice_key, _score, _index in best:
        label = choices[choice_key]
        if label not in seen:
            seen.append(label)
        if len(seen) == limit:
            break
    return seen
