"""Resolving people and places by name or alias, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tracker.errors import Ambiguous, NotFound
from tracker.lookup import resolve_person, resolve_place
from tracker.models import Person, PersonAlias, Place, PlaceAlias
from tracker.names import name_key


def _person(session: Session, name: str, country: str, *aliases: tuple[str, str]) -> Person:
    person = Person(name=name, key=name_key(name), country=country)
    person.aliases = [PersonAlias(name=a, key=name_key(a), lang=lang) for a, lang in aliases]
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def people(session: Session) -> dict[str, Person]:
    return {
        "putin": _person(
            session, "Vladimir Putin", "RU", ("Władimir Putin", "pl"), ("Владимир Путин", "ru")
        ),
        "witkoff": _person(session, "Steve Witkoff", "US"),
        "ushakov": _person(
            session, "Yuri Ushakov", "RU", ("Jurij Uszakow", "pl"), ("Юрий Ушаков", "ru")
        ),
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("putin", "putin"),
        ("PUTIN", "putin"),
        ("Władimir Putin", "putin"),
        ("wladimir putin", "putin"),
        ("Владимир Путин", "putin"),
        ("Witkoffowi", "witkoff"),
        ("Jurij Uszakow", "ushakov"),
        ("Uszakowa", "ushakov"),
        ("steve witkoff", "witkoff"),
    ],
)
def test_resolve_person_by_any_name(
    session: Session, people: dict[str, Person], typed: str, who: str
) -> None:
    assert resolve_person(session, typed) is people[who]


def test_resolve_by_uid(session: Session, people: dict[str, Person]) -> None:
    assert resolve_person(session, people["putin"].uid) is people["putin"]


def test_unknown_name_suggests(session: Session, people: dict[str, Person]) -> None:
    with pytest.raises(NotFound) as caught:
        resolve_person(session, "Steve Witkof")
    assert caught.value.suggestions[0] == "Steve Witkoff"
    assert "did you mean 'Steve Witkoff'" in str(caught.value)


def test_ambiguous_name_lists_candidates(session: Session, people: dict[str, Person]) -> None:
    _person(session, "Vladimir Putin", "XX")
    with pytest.raises(Ambiguous) as caught:
        resolve_person(session, "Putin")
    assert len(caught.value.candidates) == 2
    assert "(RU;" in str(caught.value)
    assert "(XX;" in str(caught.value)


def test_resolve_place_by_alias(session: Session) -> None:
    moscow = Place(name="Moscow", key="moscow", kind="city", country="RU")
    moscow.aliases = [
        PlaceAlias(name=n, key=name_key(n), lang=lang)
        for n, lang in [("Moskwa", "pl"), ("Москва", "ru")]
    ]
    session.add(moscow)
    session.flush()
    assert resolve_place(session, "Москва") is moscow
    assert resolve_place(session, "moskwa") is moscow
    with pytest.raises(NotFound):
        resolve_place(session, "Minsk")
