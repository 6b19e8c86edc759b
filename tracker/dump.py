"""Writing the record as a tracker/1 document: ordered by what records hold (names,
dates), never by row ids, so an export imported into an empty database exports the
same again."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.canonical import (
    LOAD_OPTIONS,
    meeting_to_doc,
    person_to_doc,
    place_to_doc,
    source_to_doc,
    statement_to_doc,
    visit_to_doc,
)
from tracker.dates import parse_when
from tracker.models import Account, Meeting, Person, Place, Source, Statement, Visit
from tracker.vocab import PlaceKind

FORMAT = "tracker/1"

Doc = dict[str, Any]


def dump_document(session: Session, meeting_uids: Iterable[str] | None = None) -> Doc:
    """The database (or the meetings named, with what they refer to) as a document.

    Records are ordered by what they hold (names, dates), never by row ids, so an
    export imported into an empty database exports the same again.
    """
    meetings_query = select(Meeting).options(*LOAD_OPTIONS["meetings"])
    visits_query = select(Visit).options(*LOAD_OPTIONS["visits"])
    statements_query = select(Statement).options(*LOAD_OPTIONS["statements"])
    if meeting_uids is None:
        meetings = list(session.scalars(meetings_query))
        visits = list(session.scalars(visits_query))
        statements = list(session.scalars(statements_query))
        people = list(session.scalars(select(Person).options(*LOAD_OPTIONS["people"])))
        places = list(session.scalars(select(Place).options(*LOAD_OPTIONS["places"])))
        sources = list(session.scalars(select(Source)))
    else:
        wanted = list(meeting_uids)
        meetings = list(session.scalars(meetings_query.where(Meeting.uid.in_(wanted))))
        meeting_ids = [m.id for m in meetings]
        visit_ids = {m.visit_id for m in meetings if m.visit_id is not None}
        visits = list(session.scalars(visits_query.where(Visit.id.in_(visit_ids))))
        statements = list(
            session.scalars(statements_query.where(Statement.meeting_id.in_(meeting_ids)))
        )
        people, places, sources = _referenced(meetings, visits, statements)
    return order_document(
        {
            "format": FORMAT,
            "people": [person_to_doc(p) for p in people],
            "places": [place_to_doc(p) for p in places],
            "sources": [source_to_doc(s) for s in sources],
            "visits": [visit_to_doc(v) for v in visits],
            "meetings": [meeting_to_doc(m) for m in meetings],
            "statements": [statement_to_doc(s) for s in statements],
        }
    )


def order_document(document: Doc) -> Doc:
    """``document``'s records in the order a document lists them: by what they hold
    (people by name, places countries first then by name, sources by date and
    publisher, the rest by date), never by row ids; the uid breaks ties."""
    order = {kind.value: i for i, kind in enumerate(PlaceKind)}
    keys: dict[str, Any] = {
        "people": lambda d: (d["name"], d["uid"]),
        "places": lambda d: (order.get(d["kind"], 99), d["name"], d["uid"]),
        "sources": lambda d: (d["published"] or "", d["publisher"] or "", d["uid"]),
        "visits": _chronological,
        "meetings": _chronological,
        "statements": _chronological,
    }
    return {
        "format": document["format"],
        **{s: sorted(document[s], key=k) for s, k in keys.items()},
    }


def _chronological(doc: Doc) -> tuple[Any, ...]:
    return (*_bounds(doc["date"]), doc["uid"])


@lru_cache(maxsize=8192)
def _bounds(edtf: str) -> tuple[date, date]:
    when = parse_when(edtf)
    return when.earliest, when.latest


def _referenced(
    meetings: list[Meeting], visits: list[Visit], statements: list[Statement]
) -> tuple[list[Person], list[Place], list[Source]]:
    people: dict[str, Person] = {}
    places: dict[str, Place] = {}
    sources: dict[str, Source] = {}

    def add_place(place: Place | None) -> None:
        while place is not None and place.uid not in places:
            places[place.uid] = place
            place = place.parent

    def add_accounts(accounts: list[Account]) -> None:
        for account in accounts:
            add_place(account.place)
            if account.speaker is not None:
                people[account.speaker.uid] = account.speaker
            people.update((p.person.uid, p.person) for p in account.people)
            sources.update((link.source.uid, link.source) for link in account.source_links)

    for visit in visits:
        add_place(visit.destination)
        add_accounts(visit.accounts)
        people.update((t.person.uid, t.person) for t in visit.travellers)
        sources.update((link.source.uid, link.source) for link in visit.source_links)
    for meeting in meetings:
        add_place(meeting.venue)
        add_accounts(meeting.accounts)
        people.update((p.person.uid, p.person) for p in meeting.participants)
        sources.update((link.source.uid, link.source) for link in meeting.source_links)
    for statement in statements:
        people[statement.speaker.uid] = statement.speaker
        sources.update((link.source.uid, link.source) for link in statement.source_links)
    return list(people.values()), list(places.values()), list(sources.values())


def document_json(document: Doc) -> str:
    """The canonical JSON text of a document (stable: export, import, export is identical)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def document_yaml(document: Doc) -> str:
    """The document as YAML (block style, keys in document order, Unicode kept)."""
    from tracker.structured import yaml_text

    return yaml_text(document)
