"""A merged-away uid, named by a document or by the seed, follows the merge to the kept
record (through chains of merges, with a guard against cycles); a uid whose record is
gone otherwise still reports that it was deleted (both backends)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import registry, seeding
from tracker.document import FORMAT, dump_document, load_document
from tracker.errors import Deleted
from tracker.models import Person, Place, SeedRecord, Statement, Tombstone


def _small() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "people": [
            {"uid": "p-witkoff", "name": "Steve Witkoff", "country": "US"},
            {"uid": "p-putin", "name": "Vladimir Putin", "country": "RU"},
        ],
        "places": [
            {"uid": "pl-russia", "name": "Russia", "kind": "country", "country": "RU"},
            {"uid": "pl-moscow", "name": "Moscow", "kind": "city", "parent": "pl-russia"},
        ],
        "sources": [{"uid": "s1", "url": "https://example.org/a", "publisher": "Example"}],
        "visits": [
            {
                "uid": "v1",
                "travellers": [{"person": "p-witkoff", "role": "envoy"}],
                "destination": "pl-moscow",
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
                "venue": "pl-moscow",
                "participants": [
                    {"person": "p-witkoff", "side": "US", "role": "envoy"},
                    {"person": "p-putin", "side": "RU", "role": "host"},
                ],
                "sources": ["s1"],
            }
        ],
    }


def _statement(speaker: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "statements": [
            {"uid": "st-1", "speaker": speaker, "date": "2025-04", "text": "Words.", "sources": []}
        ],
    }


def _stub(session: Session, name: str) -> Person:
    stub = registry.add(session, "person", {"name": name}, duplicate=True)
    assert isinstance(stub, Person)
    return stub


def test_a_document_naming_a_merged_uid_follows_a_chain_of_merges(session: Session) -> None:
    load_document(session, _small())
    first = _stub(session, "Vladimir V. Putin")
    last = _stub(session, "V. V. Putin")
    registry.merge(session, "person", "p-putin", first.uid)
    registry.merge(session, "person", first.uid, last.uid)

    load_document(session, _statement("p-putin"))
    statement = session.scalars(select(Statement)).one()
    assert statement.speaker.uid == last.uid
    # A record given with the merged uid updates the kept record, in what it carries.
    record = {"uid": "p-putin", "name": "Vladimir Putin", "notes": "President of Russia"}
    report = load_document(session, {"format": FORMAT, "people": [record]})
    assert report.updated == {"people": 1}
    assert report.added == {}
    kept = session.get(Person, last.id)
    assert kept is not None
    assert (kept.uid, kept.name, kept.notes) == (last.uid, "Vladimir Putin", "President of Russia")
    assert "p-putin" not in [p["uid"] for p in dump_document(session)["people"]]


def test_a_document_holding_the_kept_record_too_writes_it_once(session: Session) -> None:
    load_document(session, _small())
    stub = registry.add(session, "place", {"name": "Moskva", "kind": "city", "country": "RU"})
    registry.merge(session, "place", "pl-moscow", stub.uid)
    document = _small()
    # The kept record first: the merged one, after it, must not write it again.
    document["places"].insert(
        0, {"uid": stub.uid, "name": "Moskva", "kind": "city", "parent": "pl-russia"}
    )
    report = load_document(session, document)
    assert report.totals == {"added": 0, "updated": 0, "unchanged": 8}
    place = session.get(Place, stub.id)
    assert place is not None
    assert (place.name, place.parent.uid if place.parent else None) == ("Moskva", "pl-russia")
    meeting = next(m for m in dump_document(session)["meetings"] if m["uid"] == "m1")
    assert meeting["venue"] == stub.uid


def test_a_cycle_of_merges_or_a_removal_without_a_kept_record_reports_deleted(
    session: Session,
) -> None:
    load_document(session, _small())
    for uid, into in (("p-x", "p-y"), ("p-y", "p-x"), ("p-z", None), ("p-w", "p-gone")):
        session.add(
            Tombstone(kind="person", record_id=900, uid=uid, label=f"{uid}, gone", merged_into=into)
        )
    session.flush()
    for speaker in ("p-x", "p-z", "p-w"):
        with pytest.raises(Deleted) as raised:
            load_document(session, _statement(speaker))
        assert raised.value.field == "document: statements[0].speaker"
        assert raised.value.label == f"{speaker}, gone"


def test_seed_brings_a_record_merged_into_a_stub_up_to_a_newer_seed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeded Steve Witkoff merged into a stub: the stub stands for him. A field the
    merge left as seeded follows a newer seed; the stub's name is the user's, kept and
    reported under the kept record's uid (the seed here gives no aliases: those the
    merge gave it stay as they are)."""
    seeded = _small()

    def documents() -> Any:
        return iter([("small.yaml", copy.deepcopy(seeded))])

    monkeypatch.setattr(seeding, "seed_documents", documents)
    seeding.seed(session)
    stub = _stub(session, "Witkoff")
    registry.merge(session, "person", "p-witkoff", stub.uid)

    again = seeding.seed(session)
    assert again.totals == {"added": 0, "updated": 0, "unchanged": 7}
    assert [(k.section, k.uid, k.fields) for k in again.kept] == [("people", stub.uid, ("name",))]

    seeded["people"][0]["notes"] = "US special envoy"
    seeded["people"][0]["name"] = "Steven Witkoff"
    newer = seeding.seed(session)
    assert newer.updated == {"people": 1}
    kept = session.get(Person, stub.id)
    assert kept is not None
    assert (kept.name, kept.country, kept.notes) == ("Witkoff", "US", "US special envoy")
    assert [(k.section, k.uid, k.fields) for k in newer.kept] == [("people", stub.uid, ("name",))]
    # What seed remembers stays under the seed's own uid; none is made for the stub.
    remembered = {row.uid for row in session.scalars(select(SeedRecord))}
    assert "p-witkoff" in remembered
    assert stub.uid not in remembered
    meeting = next(m for m in dump_document(session)["meetings"] if m["uid"] == "m1")
    assert [p["person"] for p in meeting["participants"]] == [stub.uid, "p-putin"]
