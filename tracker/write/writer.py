"""The writes: people and places found or created, sources found or created, meetings
logged (or matched), moved and deleted, visits kept true.

A :class:`Writer` lives for one write (one command's transaction). It loads the name
indexes and the place tree once, and reports what it did in one :class:`ChangeReport`.
``log``, ``edit``, ``delete``, the document loader and ``seed`` write through it; the
bulk CSV path plans with the same resolver, source identity and rules
(:mod:`tracker.write.rules`) and only batches the SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from tracker.canonical import canonical
from tracker.dates import When, display, parse_when
from tracker.errors import NotFound, TrackerError
from tracker.gazetteer import new_city
from tracker.models import (
    Meeting,
    Participant,
    Person,
    Place,
    Source,
    Statement,
    Tombstone,
    Visit,
    VisitSource,
    VisitTraveller,
    utcnow,
)
from tracker.names import clean_name, name_key
from tracker.resolve import NameIndex, Resolution, creatable
from tracker.vocab import ParticipantRole, PlaceKind
from tracker.write.report import ChangeReport, NewName, collect
from tracker.write.rules import (
    MeetingShape,
    PlaceInfo,
    PlaceTree,
    VisitShape,
    first_duplicate,
    shape,
    visit_to_join,
)
from tracker.write.sources import SourceBook

ENVOY = ParticipantRole.ENVOY.value
Doc = dict[str, Any]
SECTION_OF: dict[type, str] = {
    Person: "people",
    Place: "places",
    Source: "sources",
    Visit: "visits",
    Meeting: "meetings",
    Statement: "statements",
}


class ProbableDuplicate(TrackerError):
    """A new meeting that probably repeats one already recorded (exit status 2).

    ``existing`` are the meetings it repeats; the command line says how to add to one
    of them instead, or to write it anyway."""

    field = "meeting"

    def __init__(self, existing: Sequence[Meeting]) -> None:
        self.refs = [f"m:{m.id}" for m in existing]
        self.described = "; ".join(describe_meeting(m) for m in existing)
        self.hint = ""
        super().__init__(self.described)

    def message(self) -> str:
        return f"{self.field}: this probably repeats {self.described}{self.hint}"


def describe_meeting(meeting: Meeting) -> str:
    """``m:22 (2–3 Dec 2025, 'Title', uid …)``: a meeting as an error names it."""
    return f"m:{meeting.id} ({display(meeting.edtf)}, {meeting.title!r}, uid {meeting.uid})"


@dataclass(frozen=True)
class Creating:
    """Which unknown names a write may create: all (``everything``), or those whose
    keys are listed (the names a user confirmed at a prompt)."""

    everything: bool = False
    keys: frozenset[str] = frozenset()

    @classmethod
    def names(cls, names: Iterable[str]) -> Creating:
        return cls(keys=frozenset(name_key(n) for n in names))

    def allows(self, name: str) -> bool:
        return self.everything or name_key(name) in self.keys


NOTHING = Creating()


class Writer:
    """One write's view of the registry, its sources and its report."""

    def __init__(
        self,
        session: Session,
        *,
        create: Creating = NOTHING,
        report: ChangeReport | None = None,
    ) -> None:
        self.session = session
        self.create = create
        self.report = report if report is not None else ChangeReport()
        collect(session, self.report)
        self.sources = SourceBook(session)
        self._people: NameIndex | None = None
        self._places: NameIndex | None = None
        self._tree: PlaceTree | None = None
        self._touched: dict[int, tuple[Any, Doc | None]] = {}

    # What this write touched ----------------------------------------------------------

    def touch(self, record: Any, *, new: bool = False) -> None:
        """Note a record this write adds (``new``) or is about to change: its state
        before is taken now, its state after by :meth:`finish`."""
        if id(record) in self._touched:
            return
        before = None if new else canonical(SECTION_OF[type(record)], record)
        self._touched[id(record)] = (record, before)

    def finish(self) -> ChangeReport:
        """Flush, and report every record touched with its state before and after."""
        self.session.flush()
        for record, before in self._touched.values():
            section = SECTION_OF[type(record)]
            self.report.record(section, record.uid, before, canonical(section, record))
        self._touched.clear()
        return self.report

    def deleted(self, record: Any) -> None:
        """Report ``record`` deleted, in its state before this write touched it (a
        record this write added and deletes again is not reported at all)."""
        section = SECTION_OF[type(record)]
        touched = self._touched.pop(id(record), None)
        if touched is None:
            before: Doc | None = canonical(section, record)
        else:
            before = touched[1]
            if before is None:
                return
        self.report.record(section, record.uid, before, None)

    # The registry ---------------------------------------------------------------------

    @property
    def people(self) -> NameIndex:
        if self._people is None:
            self._people = NameIndex.load(self.session, "person")
        return self._people

    @property
    def places(self) -> NameIndex:
        if self._places is None:
            self._places = NameIndex.load(self.session, "place")
        return self._places

    def forget_tree(self) -> None:
        """Places changed parents: work the tree out again when next asked."""
        self._tree = None

    @property
    def tree(self) -> PlaceTree:
        if self._tree is None:
            tree = PlaceTree()
            rows = self.session.execute(
                select(Place.id, Place.kind, Place.parent_id, Place.country, Place.name)
            )
            for pid, kind, parent, country, name in rows:
                tree.add(pid, PlaceInfo(kind, parent, country, name))
            self._tree = tree
        return self._tree

    def resolve_person(self, name: str, field: str) -> Resolution:
        clean_name(name, field)
        return self.people.resolve(name)

    def resolve_place(self, name: str, field: str) -> Resolution:
        clean_name(name, field)
        return self.places.resolve(name)

    def person(self, name: str, field: str, *, country: str | None = None) -> Person:
        """The person ``name`` finds, or a new one when this write may create it."""
        result = self.resolve_person(name, field)
        if result.found:
            return self._person_of(self.people.one(name, field))
        if not self.create.allows(name):
            raise NotFound("person", name, result.suggestions, field=field)
        creatable(result, field)
        person = Person(name=clean_name(name, field), key=name_key(name), country=country)
        self.session.add(person)
        self.session.flush()
        self.people.add(person.id, person.uid, [person.name], detail=country or "no country")
        self.report.new_names.append(NewName("person", person.name, country=country))
        self.touch(person, new=True)
        return person

    def place(
        self,
        name: str,
        field: str,
        *,
        country: str | None = None,
        kind: str = PlaceKind.CITY.value,
        parent: Place | None = None,
    ) -> Place:
        """The place ``name`` finds, or a new one (a city, by default) when allowed. A
        new city takes its country (when not given) and its coordinates from the
        gazetteer, which must know it unambiguously when no country is given."""
        result = self.resolve_place(name, field)
        if result.found:
            return self._place_of(self.places.one(name, field))
        if not self.create.allows(name):
            raise NotFound("place", name, result.suggestions, field=field)
        creatable(result, field)
        lat = lon = None
        if kind == PlaceKind.CITY.value:
            country, lat, lon = new_city(name, country, "country")
        place = Place(name=clean_name(name, field), key=name_key(name), kind=kind, country=country)
        place.lat, place.lon = lat, lon
        place.parent = parent
        self.session.add(place)
        self.session.flush()
        self.places.add(
            place.id, place.uid, [place.name], detail=f"{kind}, {country or 'no country'}"
        )
        self.tree.add(place.id, PlaceInfo(kind, parent.id if parent else None, country, place.name))
        self.report.new_names.append(NewName("place", place.name, country=country))
        self.touch(place, new=True)
        return place

    def unknown(self, kind: str, name: str, field: str) -> NewName | None:
        """``name`` as a new person or place if it finds nothing (ambiguous raises)."""
        index = self.people if kind == "person" else self.places
        clean_name(name, field)
        result = index.resolve(name)
        if len(result.found) > 1:
            index.one(name, field)
        if result.found:
            return None
        return NewName(kind, name, tuple(result.suggestions))

    def _person_of(self, handle: Hashable) -> Person:
        if isinstance(handle, Person):
            return handle
        person = self.session.get(Person, handle)
        assert person is not None
        return person

    def _place_of(self, handle: Hashable) -> Place:
        if isinstance(handle, Place):
            return handle
        place = self.session.get(Place, handle)
        assert place is not None
        return place

    def registered(self, record: Person | Place) -> None:
        """A person or place this write created by other means (a document record):
        later names find it."""
        self.session.flush()
        if isinstance(record, Person):
            self.people.add(
                record.id,
                record.uid,
                [record.name, *(a.name for a in record.aliases)],
                detail=record.country or "no country",
            )
        else:
            self.places.add(
                record.id,
                record.uid,
                [record.name, *(a.name for a in record.aliases)],
                detail=f"{record.kind}, {record.country or 'no country'}",
            )
            self.tree.add(
                record.id,
                PlaceInfo(record.kind, record.parent_id, record.country, record.name),
            )

    # Sources --------------------------------------------------------------------------

    def source(self, url: str | None, publisher: str | None, title: str | None) -> Source:
        """The one source of this identity (found or created)."""
        found = self.sources.source(url, publisher, title)
        if found.id is None:
            self.touch(found, new=True)
        return found

    # Meetings -------------------------------------------------------------------------

    def meeting_shape(self, meeting: Meeting, *, kind_stated: bool = True) -> MeetingShape:
        envoys = [_person_id(p) for p in meeting.participants if p.role == ENVOY]
        others = [_person_id(p) for p in meeting.participants if p.role != ENVOY]
        destination = meeting.visit.destination_id if meeting.visit is not None else None
        return shape(
            self.tree,
            meeting.id,
            meeting.kind if kind_stated else None,
            meeting.earliest,
            meeting.latest,
            meeting.venue_id if meeting.venue is None else meeting.venue.id,
            destination,
            envoys,
            others,
            meeting.id or 0,
        )

    def duplicates(self, candidate: MeetingShape) -> list[Meeting]:
        """Stored meetings that ``candidate`` probably repeats, earliest first."""
        if not candidate.envoys or not candidate.counterparts:
            return []
        query = (
            select(Meeting)
            .join(Participant, Participant.meeting_id == Meeting.id)
            .where(
                Participant.person_id.in_([e for e in candidate.envoys if isinstance(e, int)]),
                Participant.role == ENVOY,
                Meeting.earliest <= candidate.latest,
                Meeting.latest >= candidate.earliest,
            )
            .order_by(Meeting.earliest, Meeting.id)
        )
        found: list[Meeting] = []
        for meeting in dict.fromkeys(self.session.scalars(query)):
            if meeting.id == candidate.handle:
                continue
            if first_duplicate(candidate, [self.meeting_shape(meeting)]) is not None:
                found.append(meeting)
        return found

    def check_new_meeting(self, meeting: Meeting, *, kind_stated: bool = True) -> None:
        """Raise ProbableDuplicate when ``meeting`` (not written yet) repeats one."""
        existing = self.duplicates(self.meeting_shape(meeting, kind_stated=kind_stated))
        if existing:
            raise ProbableDuplicate(existing)

    # Visits ---------------------------------------------------------------------------

    def destination_of(self, place: Place) -> Place:
        """Where a visit to ``place`` goes: its city, or the place itself."""
        if place.id is None:
            self.session.flush()
        city = self.tree.city_of(place.id)
        return place if city == place.id else self._place_of(city)

    def visit_for(
        self,
        envoys: Sequence[Person],
        place: Place,
        when: When,
        sources: Sequence[Source],
        *,
        exclude: Visit | None = None,
    ) -> tuple[Visit, bool]:
        """The visit a meeting of ``envoys`` at ``place`` on ``when`` joins (the visit
        rule), with any of its envoys who were not travellers added; or a new visit.
        Returns the visit and whether it is new."""
        day = day_part(when)
        destination = self.destination_of(place)
        joined = self.visit_to_join(
            destination, [p.id for p in envoys], day.earliest, day.latest, exclude=exclude
        )
        if joined is not None:
            visit = joined
            if {p.id for p in envoys} - {t.person_id for t in visit.travellers}:
                self.touch(visit)
                self.add_travellers(visit, envoys)
            return visit, False
        visit = Visit(
            destination=destination, edtf=day.edtf, earliest=day.earliest, latest=day.latest
        )
        visit.travellers = [
            VisitTraveller(person=p, role=ENVOY, position=i) for i, p in enumerate(envoys)
        ]
        visit.source_links = [VisitSource(source=s, position=i) for i, s in enumerate(sources)]
        self.session.add(visit)
        self.touch(visit, new=True)
        return visit, True

    def add_travellers(self, visit: Visit, people: Iterable[Person]) -> None:
        have = {t.person_id for t in visit.travellers}
        for person in people:
            if person.id not in have:
                have.add(person.id)
                visit.travellers.append(
                    VisitTraveller(person=person, role=ENVOY, position=len(visit.travellers))
                )

    def visit_to_join(
        self,
        destination: Place,
        travellers: Sequence[int],
        earliest: date,
        latest: date,
        *,
        exclude: Visit | None = None,
    ) -> Visit | None:
        """The stored visit the visit rule joins (see :mod:`tracker.write.rules`)."""
        shapes = self._visit_shapes(destination, earliest, latest, exclude)
        joined = visit_to_join(shapes, travellers, destination.id, earliest, latest)
        return self.session.get(Visit, joined.handle) if joined is not None else None

    def same_statement(
        self, speaker: Person, meeting: Meeting | None, text: str
    ) -> Statement | None:
        """The stored statement that is this one: the same speaker, meeting and text."""
        query = select(Statement).where(
            Statement.speaker_id == speaker.id,
            Statement.text == text,
            Statement.meeting_id == meeting.id
            if meeting is not None
            else Statement.meeting_id.is_(None),
        )
        return self.session.scalars(query.order_by(Statement.id)).first()

    def _visit_shapes(
        self, destination: Place, earliest: date, latest: date, exclude: Visit | None
    ) -> list[VisitShape]:
        query = (
            select(Visit.id, Visit.earliest, Visit.latest, VisitTraveller.person_id)
            .join(VisitTraveller, VisitTraveller.visit_id == Visit.id)
            .where(
                Visit.destination_id == destination.id,
                Visit.earliest <= latest,
                Visit.latest >= earliest,
            )
            .order_by(Visit.earliest, Visit.id)
        )
        shapes: dict[int, VisitShape] = {}
        for vid, earliest, latest, person in self.session.execute(query):
            if exclude is not None and vid == exclude.id:
                continue
            found = shapes.setdefault(
                vid, VisitShape(vid, destination.id, earliest, latest, set(), vid)
            )
            found.travellers.add(person)
        return list(shapes.values())

    def keep_in_its_visit(self, meeting: Meeting) -> str | None:
        """After a change of date or place: a meeting that no longer falls in its
        visit (dates, or city) moves to the visit of its envoys that it falls in, or to
        a new one; the visit it left is removed when it has no meeting left. Returns a
        sentence saying what moved, or ``None``."""
        visit = meeting.visit
        if visit is None or meeting.venue is None:
            return None
        day = day_part(_when(meeting))
        destination = self.destination_of(meeting.venue)
        inside = (
            visit.destination_id == destination.id
            and visit.earliest <= day.latest
            and visit.latest >= day.earliest
        )
        if inside:
            return None
        envoys = [p.person for p in meeting.participants if p.role == ENVOY]
        if not envoys:
            envoys = [t.person for t in visit.travellers]
        sources = [link.source for link in visit.source_links]
        new_visit, created = self.visit_for(envoys, meeting.venue, day, sources, exclude=visit)
        self.touch(meeting)
        meeting.visit = new_visit
        self.session.flush()
        said = (
            f"Moved to a new visit v:{new_visit.id} ({display(new_visit.edtf)},"
            f" {destination.name})."
            if created
            else f"Moved to visit v:{new_visit.id} ({display(new_visit.edtf)}, {destination.name})."
        )
        self.session.refresh(visit)
        if not visit.meetings:
            said += f" Removed visit v:{visit.id}, which had no other meeting."
            self.delete_visit(visit)
        return said

    # Deleting -------------------------------------------------------------------------

    def delete_statement(self, statement: Statement) -> None:
        self._tombstone(statement)
        self.deleted(statement)
        self.session.delete(statement)

    def delete_all(self, records: Sequence[Any]) -> None:
        """Delete ``records`` (of one kind) in batches, as undoing a big import does:
        each reported, and given its tombstone; the rows that belong to them
        (participants, topics, aliases, source links) go with them. The caller has made
        sure that no other record refers to them, and lets go of the objects after."""
        if not records:
            return
        model = type(records[0])
        tombstones = []
        for record in records:
            tombstone = _tombstone_of(record)
            if tombstone is not None:
                tombstones.append(tombstone)
            self.deleted(record)
        if tombstones:
            self.session.execute(insert(Tombstone), tombstones)
        ids = [record.id for record in records]
        for start in range(0, len(ids), 500):
            self.session.execute(
                delete(model).where(model.id.in_(ids[start : start + 500])),
                execution_options={"synchronize_session": False},
            )

    def delete_meeting(self, meeting: Meeting, *, empty_visit: bool = True) -> Visit | None:
        """Delete a meeting and its statements; its visit too when it was the visit's
        last meeting (returned, deleted)."""
        visit = meeting.visit
        for statement in list(meeting.statements):
            self.delete_statement(statement)
        self._tombstone(meeting)
        self.deleted(meeting)
        self.session.delete(meeting)
        self.session.flush()
        if empty_visit and visit is not None:
            self.session.refresh(visit)
            if not visit.meetings:
                self.delete_visit(visit)
                return visit
        return None

    def delete_visit(self, visit: Visit) -> None:
        """Delete a visit with its meetings and their statements."""
        for meeting in list(visit.meetings):
            self.delete_meeting(meeting, empty_visit=False)
        self._tombstone(visit)
        self.deleted(visit)
        self.session.delete(visit)
        self.session.flush()

    def _tombstone(self, record: Any) -> None:
        tombstone = _tombstone_of(record)
        if tombstone is not None:
            self.session.add(Tombstone(**tombstone))

    def tombstone(
        self, kind: str, record_id: int, uid: str, label: str, *, merged_into: str
    ) -> None:
        """A tombstone for a record removed otherwise than by deletion (a person or
        place merged into the record of uid ``merged_into``), with the label its
        references will show."""
        self.session.add(
            Tombstone(
                kind=kind, record_id=record_id, uid=uid, label=label[:600], merged_into=merged_into
            )
        )


def _tombstone_of(record: Any) -> dict[str, Any] | None:
    """A deleted meeting, visit or statement's tombstone (see ``Tombstone``), as values."""
    if isinstance(record, Meeting):
        kind, label = "meeting", _meeting_label(record)
    elif isinstance(record, Visit):
        destination = record.destination.name if record.destination is not None else "?"
        kind, label = "visit", f"{display(record.edtf)}, {destination}"
    elif isinstance(record, Statement):
        kind, label = "statement", record.text[:200]
    else:
        return None
    return {
        "kind": kind,
        "record_id": record.id,
        "uid": record.uid,
        "label": label[:600],
        "deleted_at": utcnow(),
    }


def _person_id(participant: Participant) -> int:
    person = participant.person
    return person.id if person is not None else participant.person_id


def visit_label(visit: Visit) -> str:
    """``2–3 Dec 2025, Moscow``: a visit as a message names it."""
    destination = visit.destination.name if visit.destination is not None else "?"
    return f"{display(visit.edtf)}, {destination}"


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.title[:400]!r}, {display(meeting.edtf)}"


def _when(record: Meeting | Visit) -> When:
    return parse_when(record.edtf)


def day_part(when: When) -> When:
    """A date-time's day (a visit or statement is dated by days)."""
    if when.time is None:
        return when
    return parse_when(when.edtf.split("T", 1)[0])


def deleted_reference(
    session: Session, kind: str, *, record_id: int | None = None, uid: str | None = None
) -> str | None:
    """How a deleted record is named (``'Title', 1 Sep 2025``), or ``None`` if no record
    of ``kind`` with that id or uid was deleted."""
    from tracker.backend import reader
    from tracker.query.detail import deleted_label

    return deleted_label(reader(session), kind, record_id=record_id, uid=uid)


Progress = Callable[[str, int, int], None]
