"""Planning an import: each parsed row decided against what is stored and what earlier
rows planned, by the rules every path uses.

- Names go through the one resolver (a surname, a declined form, an alias in any
  script); a name that finds nothing is a new person or place, created only when the
  import may create (and never when it is a look-alike of a known name).
- Sources are found by their identity (URL, or publisher and title).
- A meeting row that probably repeats a recorded meeting (the duplicate rule) adds what
  it brings to it (participants, sources, a missing duration, notes) instead of making a
  twin; a visit row, or a meeting row's trip, joins the visit of one of its travellers
  that it falls in (the visit rule), adding its travellers to it.
- A row whose uid is known updates that record.

Nothing is written here: :mod:`tracker.importers.bulk` writes the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.countries import country_name
from tracker.dates import When, parse_when
from tracker.errors import InvalidInput
from tracker.gazetteer import new_city
from tracker.importers.existing import MeetingState, VisitState
from tracker.importers.lookups import Lookups, Source3, Where
from tracker.importers.plan import Id, Ref, new_uid
from tracker.importers.rows import Parsed, RowError, RowErrors
from tracker.vocab import MeetingKind, ParticipantRole, PlaceKind
from tracker.write.roles import Span, span_of, title_key
from tracker.write.rules import (
    MeetingShape,
    VisitShape,
    first_duplicate,
    shape,
    visit_to_join,
)

_CALL_KIND = MeetingKind.CALL.value
_ENVOY = ParticipantRole.ENVOY.value
_HOST = ParticipantRole.HOST.value
_COUNTRY = PlaceKind.COUNTRY.value
_CITY = PlaceKind.CITY.value
_REGION = PlaceKind.REGION.value
_VENUE = PlaceKind.VENUE.value
_CITY_KINDS = (_CITY, _REGION)
_ALL_KINDS = tuple(kind.value for kind in PlaceKind)


class Planner(Lookups):
    """Turns parsed rows into a plan against what is stored; new records go into both."""

    def add(self, row: Parsed) -> None:
        if row.uid in self.file_uids:
            raise RowError("uid", "a uid not used twice in one file", row.uid)
        # Look everything up first: a row that fails must leave nothing behind, and its
        # problems are reported together (the people, then its places).
        errors: list[RowError] = []
        travellers: list[Id | None] = []
        counterparts: list[Id | None] = []
        where: Where | None = None
        try:
            travellers = self._people(row.travellers, "traveller")
        except RowErrors as exc:
            errors.extend(exc.errors)
        try:
            counterparts = self._people(row.counterparts, "counterparts")
        except RowErrors as exc:
            errors.extend(exc.errors)
        try:
            where = self._where(row)
        except RowError as exc:
            errors.append(exc)
        if errors or where is None:
            raise RowErrors(errors)
        code, country, within, region, city, venue, venue_is = where
        multi = len(row.cities) > 1
        city_name = row.cities[0] if len(row.cities) == 1 else None

        if row.is_meeting:
            stored_meeting = self.existing.meetings_by_uid.get(row.uid)
            if stored_meeting is not None:
                self.file_uids.add(row.uid)
                self._update_meeting(stored_meeting, row)
                return
        else:
            stored_visit = self.existing.visits_by_uid.get(row.uid)
            if stored_visit is not None:
                self.file_uids.add(row.uid)
                self._update_visit(stored_visit, row)
                return

        # Create what is missing, parents first. A new city takes its coordinates from
        # the gazetteer (and, in a row without a country, its country), as in ``log``.
        at: tuple[float | None, float | None] = (None, None)
        if city_name is not None and city is None:
            found, lat, lon = self._gazetteer(city_name, code)
            at = (lat, lon)
            if code is None:
                assert found is not None  # the gazetteer gives one or refuses
                code, country, _region = self.country(found)
        if code is not None and country is None:
            country = self.new_place(country_name(code) or code, _COUNTRY, code, None)
        if within is not None and region is None:
            region = self.new_place(within, _REGION, code, country)
        if city_name is not None and city is None:
            city = self.new_place(city_name, _CITY, code, region or country, at)
        if venue_is == "city":
            venue = city
        elif venue_is == "country":
            venue = country
        elif row.venue is not None and venue is None:
            venue = self.new_place(row.venue, _VENUE, code, city or region or country)
        # The names found (most rows of a big file) are the ids; those not are planned.
        people = travellers if None not in travellers else self._new(travellers, row.travellers)
        if len(people) > 1:
            people = list(dict.fromkeys(people))
        others = (
            counterparts if None not in counterparts else self._new(counterparts, row.counterparts)
        )
        destination = city or region or country
        if destination is None and venue is not None:
            destination = self.existing.tree.city_of(venue)
        notes = row.notes
        if multi:
            notes = "; ".join(filter(None, ["Cities: " + "; ".join(row.cities), notes]))
        self.file_uids.add(row.uid)
        if row.role:
            self._hold_role(people, row.role, row.day)
        if row.is_meeting:
            place = venue if venue is not None else destination
            self._meeting(row, people, others, place, destination, code, notes)
        else:
            self._visit(row, people, destination, notes)

    def _where(self, row: Parsed) -> Where:
        """The row's country (its code, its place), region, city and venue as found
        (``None``: not found, to be created), and whether the venue is the city or the
        country. Remembered for the rows that name the same places, once every one of
        them is found: what is found stays found for the rest of the import."""
        memo = (row.country, row.venue, *row.cities)
        found = self.found_where.get(memo)
        if found is not None:
            return found
        code, country, within = self.country(row.country) if row.country else (None, None, None)
        region = self.place(within, _CITY_KINDS, code, country) if within else None
        city_name = row.cities[0] if len(row.cities) == 1 else None
        inside = region or country
        city = self.place(city_name, _CITY_KINDS, code, inside) if city_name else None
        venue: Id | None = None
        venue_is = None
        if row.venue is not None:
            vkey = row.venue_key
            if city_name is not None and vkey == row.city_keys[0]:
                venue_is = "city"
            elif code is not None and self._names_country(row.venue, vkey, code, country):
                venue_is = "country"
            else:
                venue = self.place(row.venue, _ALL_KINDS, code, city or region or country)
        found = (code, country, within, region, city, venue, venue_is)
        if (
            (code is None or country is not None)
            and (within is None or region is not None)
            and (city_name is None or city is not None)
            and (row.venue is None or venue is not None or venue_is is not None)
        ):
            self.found_where[memo] = found
        return found

    def _new(self, found: list[Id | None], names: list[str]) -> list[Id]:
        """The people found, with those not found planned as new."""
        return [
            f if f is not None else self.new_person(n) for f, n in zip(found, names, strict=True)
        ]

    def _hold_role(self, people: Sequence[Id], title: str, day: When) -> None:
        """The role the row gives its travellers, for the row's dates (widening what
        earlier rows gave them)."""
        start, end = span_of(day)
        roles = self.plan.roles
        for person in people:
            key = (person, title_key(title))
            known = roles.get(key)
            span = known[1].widened(start, end) if known else Span(start, end)
            roles[key] = (known[0] if known else title, span)

    @staticmethod
    def _gazetteer(city: str, code: str | None) -> tuple[str | None, float | None, float | None]:
        """A new city's country and coordinates, by the one rule of every path."""
        try:
            return new_city(city, code, "country")
        except InvalidInput as exc:
            raise RowError("country", exc.expected, None) from None

    # Visits ---------------------------------------------------------------------------

    def _visit(
        self, row: Parsed, people: list[Id], destination: Id | None, notes: str | None
    ) -> None:
        day = row.day
        joined = visit_to_join(
            self.existing.visits_of(destination, people),
            people,
            destination,
            day.earliest,
            day.latest,
        )
        if joined is not None:
            self.report.matched["visits"] += 1
            added = self._join(joined, people, row.role, row.sources)
            outcome = "updated" if added and not isinstance(joined.handle, Ref) else "unchanged"
            self.report.count(outcome, "visits")
            return
        self._plan_visit(row, people, destination, uid=row.uid, notes=notes, role=row.role)

    def _join(
        self,
        visit: VisitShape,
        people: Sequence[Id],
        role: str | None,
        sources: Sequence[Source3] = (),
    ) -> bool:
        """Add to ``visit`` the travellers (and sources) it does not have yet."""
        state = self.existing.visit_state[visit.handle]
        added = False
        for person in people:
            if person not in visit.travellers:
                visit.travellers.add(person)
                self.existing.traveller_added(visit, person)
                self.plan.travellers.append(
                    (visit.handle, person, role or _ENVOY, state.next_traveller)
                )
                state.next_traveller += 1
                added = True
        for spec in sources:
            source = self.source(spec)
            if source not in state.sources:
                state.sources.append(source)
                self.plan.visit_sources.append((visit.handle, source, state.next_source))
                state.next_source += 1
                added = True
        return added

    def _plan_visit(
        self,
        row: Parsed,
        people: list[Id],
        destination: Id | None,
        *,
        uid: str,
        notes: str | None,
        role: str | None,
    ) -> Ref:
        """Plan a new visit of ``people`` to ``destination`` on the row's days."""
        ref = Ref()
        day = row.day
        plan = self.plan
        plan.visits.append(
            (ref, (uid, day.edtf, day.earliest, day.latest, notes, None), destination)
        )
        state = VisitState(next_traveller=len(people))
        self.existing.add_visit(
            VisitShape(ref, destination, day.earliest, day.latest, set(people)), state
        )
        travellers = plan.travellers
        for position, person in enumerate(people):
            travellers.append((ref, person, role, position))
        if row.sources:
            links = plan.visit_sources
            for position, spec in enumerate(row.sources):
                source = self.source(spec)
                state.sources.append(source)
                links.append((ref, source, position))
            state.next_source = len(state.sources)
        self.report.added["visits"] += 1
        return ref

    # Meetings -------------------------------------------------------------------------

    def _meeting(
        self,
        row: Parsed,
        people: list[Id],
        others: list[Id],
        place: Id | None,
        destination: Id | None,
        code: str | None,
        notes: str | None,
    ) -> None:
        assert row.title is not None
        when = row.when
        candidate = shape(
            self.existing.tree,
            None,
            row.kind if "kind" in row.given else None,
            when.earliest,
            when.latest,
            place,
            destination,
            people,
            others,
        )
        known = self.existing.meetings_of(people, candidate.city)
        repeated = first_duplicate(candidate, known)
        if repeated is not None:
            self._merge(repeated, row, people, others, code)
            return
        visit: Id | None = None
        if people and destination is not None and row.kind != _CALL_KIND:
            joined = visit_to_join(
                self.existing.visits_of(destination, people),
                people,
                destination,
                row.day.earliest,
                row.day.latest,
            )
            if joined is not None:
                self._join(joined, people, row.role)
                visit = joined.handle
            else:
                visit = self._plan_visit(
                    row, people, destination, uid=new_uid(), notes=None, role=row.role or _ENVOY
                )
        ref = Ref()
        values = (
            row.uid,
            row.kind,
            row.title,
            when.edtf,
            when.earliest,
            when.latest,
            row.minutes,
            row.qualifier,
            row.outcome,
            row.summary,
            row.status,
            notes,
        )
        # The meeting's place is the most precise one the row gives, as in ``log``.
        self.plan.meetings.append((ref, values, visit, place))
        state = MeetingState(has_duration=row.minutes is not None, notes=notes)
        self._participants(ref, state, people, others, code, set())
        for spec in row.sources:
            source = self.source(spec)
            if source not in state.sources:
                state.sources.append(source)
                self.plan.meeting_sources.append((ref, source, state.next_source))
                state.next_source += 1
        candidate.handle = ref
        candidate.kind = row.kind  # what it now is, whether the row said so or not
        self.existing.add_meeting(candidate, state)
        self.report.added["meetings"] += 1

    def _participants(
        self,
        meeting: Id,
        state: MeetingState,
        people: Sequence[Id],
        others: Sequence[Id],
        code: str | None,
        taken: set[Id],
    ) -> bool:
        """Add the envoys and counterparts ``meeting`` does not have yet (``taken``)."""
        sides = self.existing.person_country
        participants = self.plan.participants
        added = False
        for person in people:
            if person not in taken:
                taken.add(person)
                participants.append(
                    (meeting, person, sides.get(person), _ENVOY, state.next_participant)
                )
                state.next_participant += 1
                added = True
        for person in others:
            if person not in taken:
                taken.add(person)
                side = sides.get(person)
                role = _HOST if side and side == code else None
                participants.append((meeting, person, side, role, state.next_participant))
                state.next_participant += 1
                added = True
        return added

    def _merge(
        self,
        meeting: MeetingShape,
        row: Parsed,
        people: list[Id],
        others: list[Id],
        code: str | None,
    ) -> None:
        """Add what ``row`` brings to the meeting it repeats."""
        state = self.existing.meeting_state[meeting.handle]
        taken = {*meeting.envoys, *meeting.counterparts}
        added = self._participants(meeting.handle, state, people, others, code, taken)
        for envoy in people:
            if envoy not in meeting.envoys and envoy not in meeting.counterparts:
                self.existing.envoy_added(meeting, envoy)
                meeting.envoys += (envoy,)
        for other in others:
            if other not in meeting.envoys and other not in meeting.counterparts:
                meeting.counterparts += (other,)
        for spec in row.sources:
            source = self.source(spec)
            if source not in state.sources:
                state.sources.append(source)
                self.plan.meeting_sources.append((meeting.handle, source, state.next_source))
                state.next_source += 1
                added = True
        if isinstance(meeting.handle, int):
            change: dict[str, Any] = {}
            if not state.has_duration and row.minutes is not None:
                change["duration_minutes"] = row.minutes
                change["duration_qualifier"] = row.qualifier
                state.has_duration = True
            if row.notes and row.notes not in (state.notes or ""):
                state.notes = "; ".join(filter(None, [state.notes, row.notes]))
                change["notes"] = state.notes
            if change:
                self.plan.meeting_merges.append((meeting.handle, change))
                added = True
        self.report.matched["meetings"] += 1
        stored = isinstance(meeting.handle, int)
        self.report.count("updated" if added and stored else "unchanged", "meetings")

    # Rows naming a stored uid ---------------------------------------------------------

    def _update_meeting(self, stored: dict[str, Any], row: Parsed) -> None:
        wanted: dict[str, Any] = {"edtf": row.when.edtf}
        if "kind" in row.given:
            wanted["kind"] = row.kind
        if "title" in row.given and row.title:
            wanted["title"] = row.title
        if row.given & {"duration", "duration_minutes"}:
            wanted["duration_minutes"] = row.minutes
            wanted["duration_qualifier"] = row.qualifier
        if "outcome" in row.given:
            wanted["outcome"] = row.outcome
        if "summary" in row.given:
            wanted["outcome_summary"] = row.summary
        if "status" in row.given:
            wanted["status"] = row.status
        if "notes" in row.given:
            wanted["notes"] = row.notes
        changed = {k: v for k, v in wanted.items() if stored[k] != v}
        if not changed:
            self.report.unchanged["meetings"] += 1
            return
        values = {
            "b_id": stored["id"],
            "kind": stored["kind"],
            "title": stored["title"],
            "edtf": stored["edtf"],
            "duration_minutes": stored["duration_minutes"],
            "duration_qualifier": stored["duration_qualifier"],
            "outcome": stored["outcome"],
            "outcome_summary": stored["outcome_summary"],
            "status": stored["status"],
            "notes": stored["notes"],
            **changed,
        }
        when = _when(values["edtf"])
        values["earliest"], values["latest"] = when.earliest, when.latest
        values["updated_at"] = self.now
        self.plan.meeting_updates.append(values)
        self.report.updated["meetings"] += 1

    def _update_visit(self, stored: dict[str, Any], row: Parsed) -> None:
        wanted: dict[str, Any] = {"edtf": row.day.edtf}
        if "notes" in row.given:
            wanted["notes"] = row.notes
        changed = {k: v for k, v in wanted.items() if stored[k] != v}
        if not changed:
            self.report.unchanged["visits"] += 1
            return
        values = {"b_id": stored["id"], "edtf": stored["edtf"], "notes": stored["notes"], **changed}
        when = _when(values["edtf"])
        values["earliest"], values["latest"] = when.earliest, when.latest
        values["updated_at"] = self.now
        self.plan.visit_updates.append(values)
        self.report.updated["visits"] += 1


def _when(edtf: str) -> When:
    return parse_when(edtf)
