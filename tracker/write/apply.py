"""Writing a record's canonical form (tracker/1, references as uids) onto the stored
record: what the document loader and ``seed`` write, and what a registry edit or a
merge writes through the same rules. Lists change by difference where a unique key
would otherwise clash (aliases are kept, not deleted and inserted again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker.accounts import PLACE_FIELDS, by_field, preferred, stored_value
from tracker.dates import parse_when
from tracker.models import (
    Account,
    AccountPerson,
    AccountSource,
    Meeting,
    MeetingSource,
    MeetingTopic,
    Participant,
    Person,
    PersonAlias,
    PersonRole,
    Place,
    PlaceAlias,
    Source,
    Statement,
    StatementSource,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.names import name_key
from tracker.query.disputes import value_key
from tracker.vocab import AccountField

Doc = dict[str, Any]
Lookup = Callable[[str, str], Any]
"""``lookup(section, uid)``: the record a reference names."""


def apply_dated(record: Visit | Meeting | Statement, edtf: str) -> None:
    when = parse_when(edtf)
    record.edtf, record.earliest, record.latest = when.edtf, when.earliest, when.latest


def apply_person(person: Person, doc: Doc) -> None:
    person.name = doc["name"]
    person.key = name_key(doc["name"])
    person.country = doc["country"]
    person.wikidata = doc["wikidata"]
    person.notes = doc["notes"]
    set_aliases(person.aliases, doc["aliases"], PersonAlias)
    wanted_roles = [(r["title"], r["organisation"], r["from"], r["to"]) for r in doc["roles"]]
    have_roles = [(r.title, r.organisation, r.start_edtf, r.end_edtf) for r in person.roles]
    if wanted_roles != have_roles:
        person.roles = [
            PersonRole(title=t, organisation=o, start_edtf=f, end_edtf=e)
            for t, o, f, e in wanted_roles
        ]


def apply_place(place: Place, doc: Doc) -> None:
    """Everything but the parent, which is set once every place of the document exists."""
    place.name = doc["name"]
    place.key = name_key(doc["name"])
    place.kind = doc["kind"]
    place.country = doc["country"]
    place.lat = doc["lat"]
    place.lon = doc["lon"]
    place.wikidata = doc["wikidata"]
    place.notes = doc["notes"]
    set_aliases(place.aliases, doc["aliases"], PlaceAlias)


def set_aliases(
    current: list[Any], wanted: list[Doc], model: type[PersonAlias] | type[PlaceAlias]
) -> None:
    """Make ``current`` the aliases ``wanted`` lists, in that order: the ones already
    there are kept (never deleted and inserted again), the others added or removed."""
    have = {(a.name, a.lang): a for a in current}
    new: list[Any] = []
    seen: set[tuple[str, str | None]] = set()
    for item in wanted:
        pair = (item["name"], item["lang"])
        if pair in seen:
            continue
        seen.add(pair)
        kept = have.get(pair)
        new.append(
            kept if kept is not None else model(name=pair[0], key=name_key(pair[0]), lang=pair[1])
        )
    if new != current:
        current[:] = new


def apply_source(source: Source, doc: Doc) -> None:
    for key in ("url", "publisher", "title", "published", "language", "notes"):
        setattr(source, key, doc[key])


def apply_visit(visit: Visit, doc: Doc, lookup: Lookup) -> None:
    apply_dated(visit, doc["date"])
    visit.destination = lookup("places", doc["destination"]) if doc["destination"] else None
    visit.purpose = doc["purpose"]
    visit.notes = doc["notes"]
    visit.travellers = [
        VisitTraveller(person=lookup("people", t["person"]), role=t["role"], position=i)
        for i, t in enumerate(doc["travellers"])
    ]
    visit.source_links = [
        VisitSource(source=lookup("sources", uid), position=i)
        for i, uid in enumerate(doc["sources"])
    ]
    apply_accounts(visit, doc.get("accounts", []), lookup)


def apply_meeting(meeting: Meeting, doc: Doc, lookup: Lookup) -> None:
    apply_dated(meeting, doc["date"])
    meeting.visit = lookup("visits", doc["visit"]) if doc["visit"] else None
    meeting.kind = doc["kind"]
    meeting.title = doc["title"]
    meeting.venue = lookup("places", doc["venue"]) if doc["venue"] else None
    minutes = doc["duration"]
    meeting.duration_minutes = minutes["minutes"] if minutes else None
    meeting.duration_qualifier = minutes["qualifier"] if minutes else None
    meeting.outcome = doc["outcome"]
    meeting.outcome_summary = doc["outcome_summary"]
    meeting.status = doc["status"]
    meeting.notes = doc["notes"]
    meeting.participants = [
        Participant(
            person=lookup("people", p["person"]),
            side=p["side"],
            role=p["role"],
            position=i,
        )
        for i, p in enumerate(doc["participants"])
    ]
    meeting.topics = [
        MeetingTopic(topic=t, key=name_key(t), position=i) for i, t in enumerate(doc["topics"])
    ]
    meeting.source_links = [
        MeetingSource(source=lookup("sources", uid), position=i)
        for i, uid in enumerate(doc["sources"])
    ]
    apply_accounts(meeting, doc.get("accounts", []), lookup)


def apply_statement(statement: Statement, doc: Doc, lookup: Lookup) -> None:
    apply_dated(statement, doc["date"])
    statement.speaker = lookup("people", doc["speaker"])
    statement.meeting = lookup("meetings", doc["meeting"]) if doc["meeting"] else None
    statement.kind = doc["kind"]
    statement.language = doc["language"]
    statement.text = doc["text"]
    statement.notes = doc["notes"]
    statement.source_links = [
        StatementSource(source=lookup("sources", uid), position=i)
        for i, uid in enumerate(doc["sources"])
    ]


# -- accounts ---------------------------------------------------------------------------


def set_value(account: Account, value: Any, lookup: Lookup) -> None:
    """Store a canonical ``value`` on ``account`` (its field already set)."""
    account.value = stored_value(account.field, value)
    account.value_key = value_key(account.field, value)
    if account.field in PLACE_FIELDS:
        account.place = lookup("places", value) if value else None
    elif account.field == AccountField.PARTICIPANTS.value:
        account.people = [
            AccountPerson(
                person=lookup("people", p["person"]), side=p["side"], role=p["role"], position=i
            )
            for i, p in enumerate(value or [])
        ]


def apply_field(record: Meeting | Visit, name: str, value: Any, lookup: Lookup) -> None:
    """Set one field of ``record`` to a value: canonical, or, for places and people,
    the records themselves (``Place``; ``[(Person, side, role)]``)."""
    if name == AccountField.DATE.value:
        apply_dated(record, value)
    elif name == AccountField.DESTINATION.value and isinstance(record, Visit):
        record.destination = _place(value, lookup)
    elif isinstance(record, Meeting):
        if name == AccountField.VENUE.value:
            record.venue = _place(value, lookup)
        elif name == AccountField.DURATION.value:
            record.duration_minutes = value["minutes"] if value else None
            record.duration_qualifier = value["qualifier"] if value else None
        elif name == AccountField.PARTICIPANTS.value:
            record.participants = [
                Participant(person=person, side=side, role=role, position=i)
                for i, (person, side, role) in enumerate(_people(value, lookup))
            ]
        else:
            setattr(record, name, value)


def _place(value: Any, lookup: Lookup) -> Place | None:
    if value is None or isinstance(value, Place):
        return value
    return lookup("places", value)  # type: ignore[no-any-return]


def _people(value: Any, lookup: Lookup) -> list[tuple[Person, str | None, str | None]]:
    people = []
    for item in value or []:
        if isinstance(item, tuple):
            people.append(item)
        else:
            people.append((lookup("people", item["person"]), item["side"], item["role"]))
    return people


def apply_accounts(record: Meeting | Visit, docs: list[Doc], lookup: Lookup) -> None:
    """Make ``record``'s accounts the canonical ``docs`` (in that order within each
    field), and each field with accounts the value of its preferred one."""
    record.accounts = []
    values: dict[int, Any] = {}
    positions: dict[str, int] = {}
    for doc in docs:
        name = doc["field"]
        account = Account(field=name, position=positions.get(name, 0), preferred=doc["preferred"])
        positions[name] = account.position + 1
        set_value(account, doc["value"], lookup)
        quote = doc["quote"] or {}
        account.quote = quote.get("text")
        account.speaker = lookup("people", quote["speaker"]) if quote.get("speaker") else None
        account.language = quote.get("language")
        account.note = doc["note"]
        account.source_links = [
            AccountSource(source=lookup("sources", uid), position=i)
            for i, uid in enumerate(doc["sources"])
        ]
        record.accounts.append(account)
        values[id(account)] = doc["value"]
    for name, group in by_field(record.accounts).items():
        chosen = preferred(group)
        assert chosen is not None
        for account in group:
            account.preferred = account is chosen
        apply_field(record, name, values[id(chosen)], lookup)
