"""What is in the database that an import's rows may name or repeat, loaded once (a
constant number of queries, never one per row): the name indexes of people and places
(:mod:`tracker.resolve`, the resolver of every path), the place tree, the sources the
file names (:mod:`tracker.write.sources`), and the visits and meetings in the file's
date range, as the shapes the visit and duplicate rules compare
(:mod:`tracker.write.rules`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.importers.plan import Id
from tracker.importers.rows import Parsed
from tracker.models import (
    Meeting,
    MeetingSource,
    Participant,
    Person,
    Place,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.resolve import NameIndex
from tracker.vocab import ParticipantRole, PlaceKind
from tracker.write.rules import MeetingShape, PlaceInfo, PlaceTree, VisitShape
from tracker.write.sources import SourceBook, identity

IN_CHUNK = 500
ENVOY = ParticipantRole.ENVOY.value


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(slots=True)
class MeetingState:
    """What a matching row may add to a meeting: its sources, whether it has a duration
    and its notes (who took part is in its shape: its envoys and counterparts)."""

    sources: list[Id] = field(default_factory=list)
    next_participant: int = 0
    next_source: int = 0
    has_duration: bool = False
    notes: str | None = None
    stored: dict[str, Any] | None = None  # the stored row, for an update


@dataclass(slots=True)
class VisitState:
    next_traveller: int = 0
    sources: list[Id] = field(default_factory=list)
    next_source: int = 0


class Existing:
    """People, places, sources and the visits and meetings a file might repeat."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.people = NameIndex.load(session, "person")
        self.person_country: dict[Id, str | None] = {}
        for pid, country in session.execute(select(Person.id, Person.country)):
            self.person_country[pid] = country
        self.places = NameIndex.load(session, "place")
        self.tree = PlaceTree()
        rows = session.execute(
            select(Place.id, Place.name, Place.kind, Place.country, Place.parent_id)
        )
        for pid, name, kind, country, parent in rows:
            self.tree.add(pid, PlaceInfo(kind, parent, country, name))
        self.countries: dict[str, Id] = {}
        for place_id, info in self.tree.places.items():
            if info.kind == PlaceKind.COUNTRY.value and info.country:
                self.countries.setdefault(info.country, place_id)
        self.sources = SourceBook(session)
        self.meetings_by_uid: dict[str, dict[str, Any]] = {}
        self.visits_by_uid: dict[str, dict[str, Any]] = {}
        # Meetings by envoy and city, visits by destination and traveller: the rules
        # only ever compare records that share both.
        self.meetings_led: dict[tuple[Id, Id | None], list[MeetingShape]] = {}
        self.meeting_state: dict[Id, MeetingState] = {}
        self.visits_at: dict[tuple[Id | None, Id], list[VisitShape]] = {}
        self.visit_state: dict[Id, VisitState] = {}
        self._order = 0

    def add_visit(self, visit: VisitShape, state: VisitState) -> None:
        """Register a visit (stored, or planned by this import) for the visit rule."""
        self._order += 1
        visit.order = self._order
        for person in visit.travellers:
            self.visits_at.setdefault((visit.destination, person), []).append(visit)
        self.visit_state[visit.handle] = state

    def visits_of(self, destination: Id | None, people: Sequence[Id]) -> list[VisitShape]:
        """The visits to ``destination`` that one of ``people`` took."""
        if len(people) == 1:
            return self.visits_at.get((destination, people[0]), [])
        found: dict[int, VisitShape] = {}
        for person in people:
            for visit in self.visits_at.get((destination, person), ()):
                found[id(visit)] = visit
        return list(found.values())

    def traveller_added(self, visit: VisitShape, person: Id) -> None:
        self.visits_at.setdefault((visit.destination, person), []).append(visit)

    def meetings_of(self, envoys: Sequence[Id], city: Id | None) -> list[MeetingShape]:
        """The meetings in ``city`` that one of ``envoys`` took part in as an envoy."""
        if len(envoys) == 1:
            return self.meetings_led.get((envoys[0], city), [])
        found: dict[int, MeetingShape] = {}
        for envoy in envoys:
            for meeting in self.meetings_led.get((envoy, city), ()):
                found[id(meeting)] = meeting
        return list(found.values())

    def add_meeting(self, meeting: MeetingShape, state: MeetingState) -> None:
        """Register a meeting (stored, or planned) for the duplicate rule."""
        self._order += 1
        meeting.order = (meeting.earliest, self._order)
        for envoy in meeting.envoys:
            self.meetings_led.setdefault((envoy, meeting.city), []).append(meeting)
        self.meeting_state[meeting.handle] = state

    def envoy_added(self, meeting: MeetingShape, envoy: Id) -> None:
        self.meetings_led.setdefault((envoy, meeting.city), []).append(meeting)

    def load_for(self, rows: Sequence[Parsed]) -> None:
        """Load what the parsed rows may refer to or repeat."""
        session = self.session
        self.sources.load(identity(*spec) for r in rows for spec in r.sources)
        has_meetings = session.execute(select(Meeting.id).limit(1)).first() is not None
        has_visits = session.execute(select(Visit.id).limit(1)).first() is not None
        meeting_uids = sorted({r.uid for r in rows if r.is_meeting}) if has_meetings else []
        columns = (
            Meeting.id,
            Meeting.uid,
            Meeting.kind,
            Meeting.title,
            Meeting.edtf,
            Meeting.duration_minutes,
            Meeting.duration_qualifier,
            Meeting.outcome,
            Meeting.outcome_summary,
            Meeting.status,
            Meeting.notes,
        )
        for chunk in chunks(meeting_uids):
            for found in session.execute(select(*columns).where(Meeting.uid.in_(chunk))):
                self.meetings_by_uid[found.uid] = dict(found._mapping)
        visit_uids = sorted({r.uid for r in rows if not r.is_meeting}) if has_visits else []
        visit_columns = (Visit.id, Visit.uid, Visit.edtf, Visit.notes)
        for chunk in chunks(visit_uids):
            for visit in session.execute(select(*visit_columns).where(Visit.uid.in_(chunk))):
                self.visits_by_uid[visit.uid] = dict(visit._mapping)
        if not rows:
            return
        first = min(r.day.earliest for r in rows)
        last = max(r.day.latest for r in rows)
        if has_visits:
            self._load_visits(first, last)
        if has_meetings:
            self._load_meetings(first, last)

    def _load_visits(self, first: date, last: date) -> None:
        query = (
            select(
                Visit.id,
                Visit.destination_id,
                Visit.earliest,
                Visit.latest,
                VisitTraveller.person_id,
                VisitTraveller.position,
            )
            .join(VisitTraveller, VisitTraveller.visit_id == Visit.id)
            .where(Visit.earliest <= last, Visit.latest >= first)
            .order_by(Visit.earliest, Visit.id, VisitTraveller.position)
        )
        shapes: dict[int, VisitShape] = {}
        states: dict[int, VisitState] = {}
        for vid, destination, earliest, latest, person, position in self.session.execute(query):
            found = shapes.get(vid)
            if found is None:
                found = shapes[vid] = VisitShape(vid, destination, earliest, latest, set())
                states[vid] = VisitState()
            found.travellers.add(person)
            states[vid].next_traveller = max(states[vid].next_traveller, position + 1)
        for chunk in chunks(list(shapes)):
            query_sources = select(
                VisitSource.visit_id, VisitSource.source_id, VisitSource.position
            ).where(VisitSource.visit_id.in_(chunk))
            for vid, source, position in self.session.execute(query_sources):
                states[vid].sources.append(source)
                states[vid].next_source = max(states[vid].next_source, position + 1)
        for vid, shape in shapes.items():
            self.add_visit(shape, states[vid])

    def _load_meetings(self, first: date, last: date) -> None:
        query = (
            select(
                Meeting.id,
                Meeting.kind,
                Meeting.earliest,
                Meeting.latest,
                Meeting.venue_id,
                Visit.destination_id,
                Meeting.duration_minutes,
                Meeting.notes,
            )
            .outerjoin(Visit, Visit.id == Meeting.visit_id)
            .where(Meeting.earliest <= last, Meeting.latest >= first)
            .order_by(Meeting.earliest, Meeting.id)
        )
        found = list(self.session.execute(query))
        if not found:
            return
        ids = [row[0] for row in found]
        people: dict[int, list[tuple[int, str | None, int]]] = {}
        sources: dict[int, list[tuple[int, int]]] = {}
        for chunk in chunks(ids):
            for mid, person, role, position in self.session.execute(
                select(
                    Participant.meeting_id,
                    Participant.person_id,
                    Participant.role,
                    Participant.position,
                ).where(Participant.meeting_id.in_(chunk))
            ):
                people.setdefault(mid, []).append((person, role, position))
            for mid, source, position in self.session.execute(
                select(
                    MeetingSource.meeting_id, MeetingSource.source_id, MeetingSource.position
                ).where(MeetingSource.meeting_id.in_(chunk))
            ):
                sources.setdefault(mid, []).append((source, position))
        from tracker.write.rules import shape

        for mid, kind, earliest, latest, venue, destination, minutes, notes in found:
            taking = people.get(mid, [])
            state = MeetingState(
                sources=[s for s, _pos in sources.get(mid, [])],
                next_participant=max((pos for _p, _r, pos in taking), default=-1) + 1,
                next_source=max((pos for _s, pos in sources.get(mid, [])), default=-1) + 1,
                has_duration=minutes is not None,
                notes=notes,
            )
            self.add_meeting(
                shape(
                    self.tree,
                    mid,
                    kind,
                    earliest,
                    latest,
                    venue,
                    destination,
                    [p for p, r, _pos in taking if r == ENVOY],
                    [p for p, r, _pos in taking if r != ENVOY],
                ),
                state,
            )
