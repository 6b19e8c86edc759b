"""The tracker/1 document: load, idempotence, corrections, round trips, rejections."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import Database
from tests.conftest import BACKENDS, fresh_postgres_schema, postgres_schema_url
from tracker.document import (
    FORMAT,
    document_json,
    dump_document,
    load_document,
)
from tracker.errors import Ambiguous, InvalidInput, NotFound, TrackerError
from tracker.models import Meeting, Person
from tracker.names import is_invisible
from tracker.seeding import seed_documents

SEEDS = dict(seed_documents())
SEED = SEEDS["ukraine-2025.yaml"]


def _small() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "people": [
            {"uid": "p-witkoff", "name": "Steve Witkoff", "country": "us"},
            {
                "uid": "p-putin",
                "name": "Vladimir Putin",
                "country": "RU",
                "aliases": [{"name": "Władimir Putin", "lang": "pl"}],
            },
        ],
        "places": [
            {"uid": "kremlin", "name": "Kremlin", "kind": "venue", "parent": "Moscow"},
            {"uid": "moscow", "name": "Moscow", "kind": "city", "country": "RU"},
        ],
        "sources": [{"uid": "s1", "url": "https://example.org/a", "publisher": "Example"}],
        "visits": [
            {
                "uid": "v1",
                "travellers": [{"person": "witkoff", "role": "envoy"}],
                "destination": "moscow",
                "date": "2025-04",
                "sources": ["s1"],
            }
        ],
        "meetings": [
            {
                "uid": "m1",
                "visit": "v1",
                "kind": "talks",
                "title": "Talks",
                "date": "2025-04",
                "venue": "Kremlin",
                "duration": {"minutes": 300, "qualifier": "at-least"},
                "participants": [
                    {"person": "Steve Witkoff", "side": "US", "role": "envoy"},
                    {"person": "Władimir Putin", "side": "RU", "role": "host"},
                ],
                "topics": ["ceasefire", "ceasefire"],
                "outcome": "no-agreement",
                "sources": ["s1"],
            }
        ],
        "statements": [
            {
                "uid": "st1",
                "speaker": "putin",
                "meeting": "m1",
                "date": "2025-04",
                "text": "Words.",
                "sources": ["s1"],
            }
        ],
    }


def test_references_by_name_and_canonical_form(session: Session) -> None:
    report = load_document(session, _small())
    assert report.totals == {"added": 8, "updated": 0, "unchanged": 0}
    document = dump_document(session)
    meeting = document["meetings"][0]
    assert meeting["venue"] == "kremlin"
    assert [p["person"] for p in meeting["participants"]] == ["p-witkoff", "p-putin"]
    assert meeting["topics"] == ["ceasefire"]
    assert meeting["duration"] == {"minutes": 300, "qualifier": "at-least"}
    assert document["people"][0]["country"] == "US"
    assert document["places"][1]["parent"] == "moscow"


def test_loading_twice_changes_nothing(session: Session) -> None:
    load_document(session, SEED)
    again = load_document(session, SEED)
    assert again.totals["added"] == again.totals["updated"] == 0
    assert again.totals["unchanged"] == sum(len(SEED[s]) for s in again.as_dict()["added"])


def test_a_corrected_document_updates_what_it_names(session: Session) -> None:
    load_document(session, _small())
    corrected = _small()
    corrected["meetings"][0]["duration"] = {"minutes": 330, "qualifier": "about"}
    report = load_document(session, corrected)
    assert report.updated == {"meetings": 1}
    meeting = session.scalars(select(Meeting)).one()
    assert (meeting.duration_minutes, meeting.duration_qualifier) == (330, "about")


def test_a_places_wikidata_id_is_loaded_and_an_absent_one_kept(session: Session) -> None:
    document = _small()
    document["places"][1]["wikidata"] = "Q649"
    load_document(session, document)
    moscow = next(p for p in dump_document(session)["places"] if p["uid"] == "moscow")
    assert moscow["wikidata"] == "Q649"
    # A record that does not carry the key leaves the id alone; null clears it.
    noted = {"uid": "moscow", "name": "Moscow", "kind": "city", "notes": "Capital"}
    report = load_document(session, {"format": FORMAT, "places": [noted]})
    assert report.updated == {"places": 1}
    moscow = next(p for p in dump_document(session)["places"] if p["uid"] == "moscow")
    assert (moscow["wikidata"], moscow["notes"]) == ("Q649", "Capital")
    cleared = {**noted, "wikidata": None}
    load_document(session, {"format": FORMAT, "places": [cleared]})
    moscow = next(p for p in dump_document(session)["places"] if p["uid"] == "moscow")
    assert moscow["wikidata"] is None


def test_a_places_wikidata_id_follows_the_field_rule(session: Session) -> None:
    document = _small()
    document["places"][1]["wikidata"] = "moscow"
    with pytest.raises(InvalidInput) as raised:
        load_document(session, document)
    assert raised.value.field == "document: places[1].wikidata"
    assert raised.value.expected == "a Wikidata id such as Q7747"


def test_seed_round_trip_is_identical(database: Database, tmp_path: Any) -> None:
    from db.engine import open_database

    with database.writing() as session:
        load_document(session, SEED)
    with database.reading() as session:
        first = document_json(dump_document(session))
    other = open_database(str(tmp_path / "other.db"))
    with other.writing() as session:
        import json

        load_document(session, json.loads(first))
    with other.reading() as session:
        second = document_json(dump_document(session))
    other.dispose()
    assert first == second


@pytest.mark.parametrize(
    ("mutate", "error", "where"),
    [
        (lambda d: d["meetings"][0].update(date="2025-02-30"), InvalidInput, "meetings[0].date"),
        (
            lambda d: d["meetings"][0].update(date="2025-12-03/2025-12-02"),
            InvalidInput,
            "meetings[0].date",
        ),
        (lambda d: d["meetings"][0].update(outcome="victory"), InvalidInput, "meetings[0].outcome"),
        (
            lambda d: d["meetings"][0]["duration"].update(qualifier="roughly"),
            InvalidInput,
            "meetings[0].duration.qualifier",
        ),
        (
            lambda d: d["meetings"][0]["duration"].update(minutes="five hours"),
            InvalidInput,
            "meetings[0].duration.minutes",
        ),
        (lambda d: d["meetings"][0].update(venu="x"), InvalidInput, "meetings[0].venu"),
        (lambda d: d["meetings"][0].update(venue="Atlantis"), NotFound, "meetings[0].venue"),
        (lambda d: d["statements"][0].update(speaker=""), InvalidInput, "statements[0].speaker"),
        (lambda d: d["people"][0].update(name="  "), InvalidInput, "people[0].name"),
        (lambda d: d["people"][0].update(country="Atlantis"), InvalidInput, "people[0].country"),
        (lambda d: d["sources"][0].update(url="javascript:alert(1)"), InvalidInput, "url"),
        (lambda d: d["visits"][0].update(travellers=[]), InvalidInput, "visits[0].travellers"),
        (lambda d: d["people"][1].update(uid="p-witkoff"), InvalidInput, "people[1].uid"),
        (lambda d: d["places"][1].update(parent="kremlin"), InvalidInput, "without a cycle"),
        (lambda d: d["meetings"][0].update(title="a\x00b"), InvalidInput, "meetings[0].title"),
        (lambda d: d.update(format="tracker/2"), InvalidInput, "format"),
    ],
)
def test_the_first_invalid_record_names_its_path(
    database: Database, mutate: Any, error: type[TrackerError], where: str
) -> None:
    document = _small()
    mutate(document)
    with pytest.raises(error) as caught, database.writing() as session:
        load_document(session, document)
    assert where in str(caught.value)
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_name_meaning_two_people_is_ambiguous(session: Session) -> None:
    document = _small()
    document["people"].append({"uid": "p-putin-2", "name": "Vladimir Putin", "country": "PL"})
    with pytest.raises(Ambiguous):
        load_document(session, document)


# -- generated documents --------------------------------------------------------------

names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cf", "Zl", "Zp")),
    min_size=1,
    max_size=20,
).filter(
    lambda s: (
        any(ch.isalnum() for ch in s)
        and s.strip() == s
        and "  " not in s
        and not any(is_invisible(ch) for ch in s)
    )  # names must show: see tracker.names
)
texts = st.none() | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
dates = st.sampled_from(["2025", "2025-04", "2025-04-11", "2025-04~", "2025-12-02/2025-12-03"])


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    n_people = draw(st.integers(1, 4))
    people = [
        {
            "uid": f"p{i}",
            "name": draw(names),
            "country": draw(st.none() | st.just("RU")),
            "notes": draw(texts),
            "aliases": [{"name": draw(names), "lang": draw(st.sampled_from([None, "pl", "ru"]))}],
        }
        for i in range(n_people)
    ]
    places = [{"uid": "c", "name": "City", "kind": "city", "country": "RU"}]
    sources = [
        {"uid": "s", "title": draw(names), "url": None, "published": draw(st.none() | dates)}
    ]
    visits = [
        {
            "uid": f"v{i}",
            "travellers": [{"person": f"p{i % n_people}", "role": draw(texts)}],
            "destination": "c",
            "date": draw(dates),
            "notes": draw(texts),
            "sources": ["s"],
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    meetings = [
        {
            "uid": f"m{i}",
            "visit": draw(st.sampled_from([None, *[v["uid"] for v in visits]])),
            "title": draw(names),
            "date": draw(dates),
            "venue": draw(st.none() | st.just("c")),
            "kind": draw(st.sampled_from(["talks", "call", "walk"])),
            "duration": draw(
                st.none()
                | st.fixed_dictionaries(
                    {
                        "minutes": st.integers(0, 600),
                        "qualifier": st.sampled_from(["exact", "about", "at-least", "at-most"]),
                    }
                )
            ),
            "participants": [{"person": "p0", "side": draw(texts), "role": "envoy"}],
            "topics": draw(st.lists(names, max_size=3)),
            "outcome_summary": draw(texts),
            "sources": ["s"],
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    return {
        "format": FORMAT,
        "people": people,
        "places": places,
        "sources": sources,
        "visits": visits,
        "meetings": meetings,
        "statements": [],
    }


@contextmanager
def _empty_database(backend: str, tmp_path_factory: Any) -> Iterator[Database]:
    from db.engine import open_database

    if backend == "sqlite":
        database = open_database(str(tmp_path_factory.mktemp("db") / "tracker.db"))
        try:
            yield database
        finally:
            database.dispose()
        return
    with fresh_postgres_schema() as schema:
        database = open_database(postgres_schema_url(schema))
        try:
            yield database
        finally:
            database.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents())
def test_generated_documents_round_trip(
    tmp_path_factory: Any, backend: str, document: dict[str, Any]
) -> None:
    import json

    with _empty_database(backend, tmp_path_factory) as first_db:
        with first_db.writing() as session:
            load_document(session, copy.deepcopy(document))
        with first_db.reading() as session:
            first = document_json(dump_document(session))
    with _empty_database(backend, tmp_path_factory) as second_db:
        with second_db.writing() as session:
            load_document(session, json.loads(first))
        with second_db.reading() as session:
            second = document_json(dump_document(session))
    assert first == second
