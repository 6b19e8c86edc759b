"""Records in their canonical form: a stored record as the tracker/1 document writes it
(every key present, references as uids). The document writer, the loader's "unchanged"
test, ``seed``'s baselines and the change report all use these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import selectinload

from tracker.models import (
    Account,
    AccountPerson,
    AccountSource,
    Meeting,
    MeetingSource,
    Participant,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Source,
    Statement,
    StatementSource,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.vocab import DurationQualifier

Doc = dict[str, Any]


def person_to_doc(person: Person) -> Doc:
    return {
        "uid": person.uid,
        "name": person.name,
        "country": person.country,
        "wikidata": person.wikidata,
        "notes": person.notes,
        "aliases": _unique_aliases(person.aliases),
        "roles": [
            {
                "title": r.title,
                "organisation": r.organisation,
                "from": r.start_edtf,
                "to": r.end_edtf,
            }
            for r in person.roles
        ],
    }


def place_to_doc(place: Place) -> Doc:
    return {
        "uid": place.uid,
        "name": place.name,
        "kind": place.kind,
        "country": place.country,
        "parent": place.parent.uid if place.parent is not None else None,
        "lat": place.lat,
        "lon": place.lon,
        "wikidata": place.wikidata,
        "notes": place.notes,
        "aliases": _unique_aliases(place.aliases),
    }


def _unique_aliases(aliases: Iterable[PersonAlias | PlaceAlias]) -> list[Doc]:
    return [{"name": a.name, "lang": a.lang} for a in aliases]


def source_to_doc(source: Source) -> Doc:
    return {
        "uid": source.uid,
        "url": source.url,
        "publisher": source.publisher,
        "title": source.title,
        "published": source.published,
        "language": source.language,
        "notes": source.notes,
    }


def visit_to_doc(visit: Visit) -> Doc:
    return {
        "uid": visit.uid,
        "travellers": [{"person": t.person.uid, "role": t.role} for t in visit.travellers],
        "destination": visit.destination.uid if visit.destination is not None else None,
        "date": visit.edtf,
        "purpose": visit.purpose,
        "notes": visit.notes,
        "sources": [link.source.uid for link in visit.source_links],
        **_accounts(visit.accounts),
    }


def _accounts(accounts: list[Account]) -> Doc:
    """``{"accounts": [...]}``, or nothing for a record without accounts: a document
    without accounts reads as it did before they existed."""
    return {"accounts": [account_to_doc(a) for a in accounts]} if accounts else {}


def account_to_doc(account: Account) -> Doc:
    from tracker.accounts import value_of

    quote = None
    if account.quote is not None or account.speaker is not None:
        quote = {
            "text": account.quote,
            "speaker": account.speaker.uid if account.speaker is not None else None,
            "language": account.language,
        }
    return {
        "field": account.field,
        "value": value_of(account),
        "preferred": account.preferred,
        "sources": [link.source.uid for link in account.source_links],
        "quote": quote,
        "note": account.note,
    }


def meeting_to_doc(meeting: Meeting) -> Doc:
    duration = None
    if meeting.duration_minutes is not None:
        duration = {
            "minutes": meeting.duration_minutes,
            "qualifier": meeting.duration_qualifier or DurationQualifier.EXACT.value,
        }
    return {
        "uid": meeting.uid,
        "visit": meeting.visit.uid if meeting.visit is not None else None,
        "kind": meeting.kind,
        "title": meeting.title,
        "date": meeting.edtf,
        "venue": meeting.venue.uid if meeting.venue is not None else None,
        "duration": duration,
        "participants": [
            {"person": p.person.uid, "side": p.side, "role": p.role} for p in meeting.participants
        ],
        "topics": [t.topic for t in meeting.topics],
        "outcome": meeting.outcome,
        "outcome_summary": meeting.outcome_summary,
        "status": meeting.status,
        "notes": meeting.notes,
        "sources": [link.source.uid for link in meeting.source_links],
        **_accounts(meeting.accounts),
    }


def statement_to_doc(statement: Statement) -> Doc:
    return {
        "uid": statement.uid,
        "speaker": statement.speaker.uid,
        "meeting": statement.meeting.uid if statement.meeting is not None else None,
        "kind": statement.kind,
        "date": statement.edtf,
        "language": statement.language,
        "text": statement.text,
        "notes": statement.notes,
        "sources": [link.source.uid for link in statement.source_links],
    }


def account_options(accounts: Any) -> tuple[Any, ...]:
    """Loader options for the accounts of a meeting or a visit and what they refer to."""
    loaded = selectinload(accounts)
    return (
        loaded.selectinload(Account.source_links).selectinload(AccountSource.source),
        loaded.selectinload(Account.people).selectinload(AccountPerson.person),
        loaded.selectinload(Account.place),
        loaded.selectinload(Account.speaker),
    )


MODELS: dict[str, Any] = {
    "people": Person,
    "places": Place,
    "sources": Source,
    "visits": Visit,
    "meetings": Meeting,
    "statements": Statement,
}

LOAD_OPTIONS: dict[str, tuple[Any, ...]] = {
    "people": (selectinload(Person.aliases), selectinload(Person.roles)),
    "places": (selectinload(Place.aliases), selectinload(Place.parent)),
    "visits": (
        selectinload(Visit.travellers).selectinload(VisitTraveller.person),
        selectinload(Visit.destination),
        selectinload(Visit.source_links).selectinload(VisitSource.source),
        *account_options(Visit.accounts),
    ),
    "meetings": (
        selectinload(Meeting.participants).selectinload(Participant.person),
        selectinload(Meeting.topics),
        selectinload(Meeting.source_links).selectinload(MeetingSource.source),
        selectinload(Meeting.visit),
        selectinload(Meeting.venue),
        *account_options(Meeting.accounts),
    ),
    "statements": (
        selectinload(Statement.speaker),
        selectinload(Statement.meeting),
        selectinload(Statement.source_links).selectinload(StatementSource.source),
    ),
}


TO_DOC: dict[str, Any] = {
    "people": person_to_doc,
    "places": place_to_doc,
    "sources": source_to_doc,
    "visits": visit_to_doc,
    "meetings": meeting_to_doc,
    "statements": statement_to_doc,
}
"""Each section's canonical form."""


def canonical(section: str, record: Any) -> Doc:
    """``record`` of ``section`` in its canonical form."""
    return dict(TO_DOC[section](record))
