"""Merging two people or two places into one: every reference moves onto the kept
record, the merged record's name becomes one of its aliases, and the merged record is
deleted, its id and uid kept in a tombstone ("merged into ...") so that a reference to
it is never silently given to another record.

What moves, for people: meeting participants, visit travellers, statements' speakers,
roles, aliases, and accounts that name them (as a speaker, or among the participants
an account gives); for places: aliases, children, visits' destinations, meetings'
venues, and accounts whose value is the place (a venue; a destination as visits'
destinations move). An account that would then name one person twice names them once
(as it named the kept person), and an account that would then repeat another of the
same fact in everything (value, sources, quote, speaker, note) is dropped, the one
kept preferred if either was. A field the kept record lacks (country, Wikidata id,
coordinates, notes, parent) is taken from the merged one. Visits that became one trip
(the same traveller to the same city on overlapping dates: the visit rule) are joined,
as a write that named the right record in the first place would have joined them; the
accounts of the visit joined go with its meetings.

Two people who took part in one meeting in different roles cannot be one person: the
merge is refused, naming the meeting. The caller's transaction makes a merge all or
nothing.

The tombstone keeps the kept record's uid: a document (or the seed) that names the
merged uid follows it there (:func:`merged_into`), as every reference moved.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.accounts import value_of
from tracker.canonical import LOAD_OPTIONS, account_to_doc
from tracker.errors import InvalidInput
from tracker.models import (
    Account,
    AccountPerson,
    Meeting,
    Participant,
    Person,
    PersonAlias,
    PersonRole,
    Place,
    PlaceAlias,
    Statement,
    Tombstone,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.names import name_key
from tracker.query.disputes import value_key
from tracker.vocab import AccountField
from tracker.write.accounts import take_accounts
from tracker.write.rules import PlaceInfo
from tracker.write.writer import Writer, describe_meeting, visit_label

MERGED = "merged into {name} (uid {uid})"


class MergeConflict(InvalidInput):
    """Both people took part in one meeting in different roles."""


def merge_people(writer: Writer, gone: Person, kept: Person) -> None:
    """Merge ``gone`` into ``kept`` (see the module's docstring)."""
    if gone.id == kept.id:
        raise InvalidInput("into", "another person than the one merged", kept.name)
    session = writer.session
    both = select(Participant.meeting_id).where(Participant.person_id == gone.id)
    rows = session.scalars(
        select(Participant)
        .where(Participant.meeting_id.in_(both), Participant.person_id == kept.id)
        .order_by(Participant.meeting_id)
    )
    for theirs in rows:
        ours = session.get(Participant, (theirs.meeting_id, gone.id))
        if ours is not None and ours.role != theirs.role:
            meeting = theirs.meeting
            raise MergeConflict(
                "into",
                f"people who never took part in one meeting in different roles;"
                f" {describe_meeting(meeting)} has {gone.name} as {ours.role or 'participant'}"
                f" and {kept.name} as {theirs.role or 'participant'}",
            )
    writer.touch(kept)

    visits: dict[int, Visit] = {}
    meetings: list[Meeting] = []
    participations = session.scalars(
        select(Participant).where(Participant.person_id == gone.id).order_by(Participant.meeting_id)
    )
    for participant in list(participations):
        meeting = participant.meeting
        writer.touch(meeting)
        meetings.append(meeting)
        _hand_over(
            meeting.participants,
            participant,
            kept,
            Participant(person=kept, side=participant.side, role=participant.role),
        )
        if meeting.visit is not None:
            visits[meeting.visit.id] = meeting.visit
    travels = session.scalars(
        select(VisitTraveller).where(VisitTraveller.person_id == gone.id)
    ).all()
    for traveller in travels:
        visit = traveller.visit
        writer.touch(visit)
        _hand_over(
            visit.travellers, traveller, kept, VisitTraveller(person=kept, role=traveller.role)
        )
        visits[visit.id] = visit
    for statement in session.scalars(select(Statement).where(Statement.speaker_id == gone.id)):
        writer.touch(statement)
        statement.speaker = kept
    _move_person_accounts(writer, gone, kept)

    have_roles = {(r.title, r.organisation, r.start_edtf, r.end_edtf) for r in kept.roles}
    for role in gone.roles:
        key = (role.title, role.organisation, role.start_edtf, role.end_edtf)
        if key not in have_roles:
            have_roles.add(key)
            kept.roles.append(
                PersonRole(
                    title=role.title,
                    organisation=role.organisation,
                    start_edtf=role.start_edtf,
                    end_edtf=role.end_edtf,
                )
            )
    _take_aliases(kept, gone, PersonAlias)
    for name in ("country", "wikidata", "notes"):
        if getattr(kept, name) is None:
            setattr(kept, name, getattr(gone, name))
    session.flush()
    _remove(writer, gone, "person", kept)
    writer.people.drop(gone.id)
    writer.people.add_names(kept.id, [gone.name, *(a.name for a in kept.aliases)])
    join_visits(writer, list(visits.values()))
    note_twins(writer, meetings)


def merge_places(writer: Writer, gone: Place, kept: Place) -> None:
    """Merge ``gone`` into ``kept`` (see the module's docstring)."""
    if gone.id == kept.id:
        raise InvalidInput("into", "another place than the one merged", kept.name)
    session = writer.session
    writer.touch(kept)
    ancestors = _ancestors(kept)
    children = session.scalars(select(Place).where(Place.parent_id == gone.id).order_by(Place.id))
    for child in list(children):
        writer.touch(child)
        # A child on the kept place's own chain of parents takes the merged place's
        # parent instead: the kept place cannot become its own ancestor.
        child.parent = gone.parent if child.id in ancestors or child is kept else kept
    if (
        kept.parent is None
        and gone.parent is not None
        and gone.parent.id not in ancestors
        and gone.parent_id != kept.id
    ):
        kept.parent = gone.parent
    for name in ("country", "lat", "lon", "wikidata", "notes"):
        if getattr(kept, name) is None:
            setattr(kept, name, getattr(gone, name))
    if kept.lat is None or kept.lon is None:
        kept.lat, kept.lon = gone.lat, gone.lon
    _take_aliases(kept, gone, PlaceAlias)
    session.flush()
    writer.tree.add(kept.id, PlaceInfo(kept.kind, kept.parent_id, kept.country, kept.name))
    destination = writer.destination_of(kept)
    visits: dict[int, Visit] = {}
    meetings: list[Meeting] = []
    for visit in session.scalars(select(Visit).where(Visit.destination_id == gone.id)):
        writer.touch(visit)
        visit.destination = destination
        visits[visit.id] = visit
    for meeting in session.scalars(select(Meeting).where(Meeting.venue_id == gone.id)):
        writer.touch(meeting)
        meetings.append(meeting)
        meeting.venue = kept
        if meeting.visit is not None:
            visits[meeting.visit.id] = meeting.visit
    _move_place_accounts(writer, gone, kept, destination)
    session.flush()
    _remove(writer, gone, "place", kept)
    writer.places.drop(gone.id)
    writer.places.add_names(kept.id, [gone.name, *(a.name for a in kept.aliases)])
    writer.forget_tree()
    join_visits(writer, list(visits.values()))
    note_twins(writer, meetings)


def merged_into(session: Session, kind: str, uid: str) -> Person | Place | None:
    """The record that the person or place (``kind``) of uid ``uid``, merged away, is
    now: the one it was merged into, or, when that one was merged in turn, the one it
    went into, and so on (each uid's latest merge). ``None`` when ``uid`` was not
    merged, or its chain ends at no record (a tombstone from before merges kept the
    uid, or a chain that comes back to a uid it passed: the guard against a cycle)."""
    model: type[Person] | type[Place] = Person if kind == "person" else Place
    options = LOAD_OPTIONS["people" if kind == "person" else "places"]
    seen = {uid}
    current = uid
    while True:
        into = session.scalars(
            select(Tombstone.merged_into)
            .where(Tombstone.kind == kind, Tombstone.uid == current)
            .order_by(Tombstone.id.desc())
            .limit(1)
        ).first()
        if into is None or into in seen:
            return None
        seen.add(into)
        kept = session.scalars(select(model).where(model.uid == into).options(*options)).first()
        if isinstance(kept, Person | Place):
            return kept
        current = into


def join_visits(writer: Writer, visits: list[Visit]) -> None:
    """Join each of ``visits`` to an earlier visit it is the same trip as (the visit
    rule: one of its travellers, the same destination, overlapping dates): its
    meetings, travellers, sources and accounts move there (``take_accounts``), and the
    emptied visit is removed."""
    session = writer.session
    session.flush()
    for visit in sorted(visits, key=lambda v: (v.earliest, v.id)):
        if visit not in session or visit.destination is None:
            continue
        session.refresh(visit)
        travellers = [t.person_id for t in visit.travellers]
        into = writer.visit_to_join(
            visit.destination, travellers, visit.earliest, visit.latest, exclude=visit
        )
        if into is None or (into.earliest, into.id) > (visit.earliest, visit.id):
            continue
        writer.touch(into)
        writer.add_travellers(into, [t.person for t in visit.travellers])
        have = {link.source_id for link in into.source_links}
        for link in visit.source_links:
            if link.source_id not in have:
                have.add(link.source_id)
                into.source_links.append(
                    VisitSource(source=link.source, position=len(into.source_links))
                )
        for name in ("purpose", "notes"):
            if getattr(into, name) is None:
                setattr(into, name, getattr(visit, name))
        if visit.earliest < into.earliest or visit.latest > into.latest:
            from tracker.dates import parse_when

            start = min(visit.earliest, into.earliest).isoformat()
            end = max(visit.latest, into.latest).isoformat()
            when = parse_when(f"{start}/{end}" if start != end else start)
            into.edtf, into.earliest, into.latest = when.edtf, when.earliest, when.latest
        for meeting in list(visit.meetings):
            writer.touch(meeting)
            meeting.visit = into
        take_accounts(writer, visit, into)
        session.flush()
        _drop_repeated_accounts(writer, [into])
        session.refresh(visit)
        writer.delete_visit(visit)
        writer.report.notes.append(
            f"Joined visit v:{visit.id} to v:{into.id} ({visit_label(into)}): one trip."
        )


def note_twins(writer: Writer, meetings: list[Meeting]) -> None:
    """Say which of ``meetings`` now probably repeat another (the duplicate rule, any
    kind): two records of one meeting, which the user may want to make one."""
    session = writer.session
    for meeting in meetings:
        if meeting not in session:
            continue
        session.refresh(meeting)
        twins = writer.duplicates(writer.meeting_shape(meeting, kind_stated=False))
        if twins:
            writer.report.notes.append(
                f"{describe_meeting(meeting)} probably repeats {describe_meeting(twins[0])}."
            )


def _move_person_accounts(writer: Writer, gone: Person, kept: Person) -> None:
    """Accounts that name ``gone`` as their speaker or among their participants name
    ``kept`` instead."""
    session = writer.session
    named = select(AccountPerson.account_id).where(AccountPerson.person_id == gone.id)
    accounts = session.scalars(
        select(Account)
        .where(or_(Account.speaker_id == gone.id, Account.id.in_(named)))
        .order_by(Account.id)
    ).all()
    records = _touch_records(writer, accounts)
    for account in accounts:
        if account.speaker_id == gone.id:
            account.speaker = kept
        for row in [row for row in account.people if row.person_id == gone.id]:
            _hand_over(
                account.people,
                row,
                kept,
                AccountPerson(person=kept, side=row.side, role=row.role),
            )
        if account.field == AccountField.PARTICIPANTS.value:
            account.value_key = value_key(account.field, value_of(account))
    _drop_repeated_accounts(writer, records)


def _move_place_accounts(writer: Writer, gone: Place, kept: Place, destination: Place) -> None:
    """Accounts whose value is ``gone`` give ``kept`` instead: a venue the kept place, a
    destination the kept place's destination (``destination``), as visits move."""
    accounts = writer.session.scalars(
        select(Account).where(Account.place_id == gone.id).order_by(Account.id)
    ).all()
    records = _touch_records(writer, accounts)
    for account in accounts:
        place = destination if account.field == AccountField.DESTINATION.value else kept
        account.place = place
        account.value_key = value_key(account.field, place.uid)
    _drop_repeated_accounts(writer, records)


def _touch_records(writer: Writer, accounts: Any) -> list[Meeting | Visit]:
    """The meetings and visits of ``accounts``, each touched (an account's change is a
    change of its record), once each."""
    records: dict[tuple[str, int], Meeting | Visit] = {}
    for account in accounts:
        record = account.meeting if account.meeting is not None else account.visit
        assert record is not None
        key = (type(record).__name__, record.id)
        if key not in records:
            writer.touch(record)
            records[key] = record
    return list(records.values())


def _drop_repeated_accounts(writer: Writer, records: list[Meeting | Visit]) -> None:
    """Drop each account that repeats an earlier one of the same fact in everything
    but being preferred; the earlier one is preferred if either was."""
    for record in records:
        kept: dict[str, Account] = {}
        positions: dict[str, int] = {}
        for account in sorted(record.accounts, key=lambda a: (a.field, a.position)):
            doc = {**account_to_doc(account), "preferred": None}
            key = json.dumps(doc, sort_keys=True, ensure_ascii=False)
            earlier = kept.get(key)
            if earlier is not None:
                earlier.preferred = earlier.preferred or account.preferred
                record.accounts.remove(account)
                continue
            kept[key] = account
            account.position = positions.get(account.field, 0)
            positions[account.field] = account.position + 1
    writer.session.flush()


def _hand_over(
    rows: list[Any], row: Participant | VisitTraveller | AccountPerson, kept: Person, instead: Any
) -> None:
    """Put ``instead`` (a row of ``kept``) where ``row`` stands in ``rows``, keeping its
    place, or only take ``row`` out when ``kept`` is in ``rows`` already."""
    position = rows.index(row)
    present = any(other.person_id == kept.id for other in rows)
    rows.remove(row)
    if not present:
        instead.position = row.position
        rows.insert(position, instead)


def _take_aliases(
    kept: Person | Place, gone: Person | Place, model: type[PersonAlias] | type[PlaceAlias]
) -> None:
    """The merged record's name and aliases, as aliases of the kept one."""
    have = {(a.name, a.lang) for a in kept.aliases}
    wanted = [(gone.name, None), *((a.name, a.lang) for a in gone.aliases)]
    for name, lang in wanted:
        if name == kept.name or (name, lang) in have:
            continue
        have.add((name, lang))
        kept.aliases.append(model(name=name, key=name_key(name), lang=lang))  # type: ignore[arg-type]


def _ancestors(place: Place) -> set[int]:
    found: set[int] = set()
    current = place.parent
    while current is not None and current.id not in found:
        found.add(current.id)
        current = current.parent
    return found


def _remove(writer: Writer, gone: Person | Place, kind: str, kept: Person | Place) -> None:
    """Delete the merged record, leaving a tombstone that names the kept one."""
    label = f"{gone.name}, " + MERGED.format(name=kept.name, uid=kept.uid)
    writer.tombstone(kind, gone.id, gone.uid, label, merged_into=kept.uid)
    writer.deleted(gone)
    writer.session.delete(gone)
    writer.session.flush()
