"""Envoys: the one rule for who is an envoy of a meeting and who a counterpart
(``taking_part``: the SQL of ``tracker.query.sides``), who met whom by that rule
(``who_met_whom``), every envoy's visits and statistics computed by the database, and
one envoy's visits."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    column,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session, selectinload

from tracker.cells import join_list
from tracker.models import (
    Meeting,
    Participant,
    Person,
    Place,
    Visit,
    VisitTraveller,
    span_days,
)
from tracker.names import resolve_person
from tracker.query.display import (
    Row,
    dated,
    day_count,
    format_minutes,
    precision,
    shown_edtf,
    when_of,
)
from tracker.query.filters import Filters, visit_conditions
from tracker.query.places import PlaceIndex
from tracker.query.sides import TAKING_PART, WHO_MET_WHOM
from tracker.vocab import DurationQualifier, MeetingKind, Outcome

MAIN_KINDS = (MeetingKind.TALKS.value, MeetingKind.SUMMIT.value, MeetingKind.MEETING.value)


P = TypeVar("P", bound=Hashable)


def taking_part(name: str = "sides") -> Subquery:
    """Who took part in each meeting, and on which side (``tracker.query.sides``: the
    one rule every listing, filter, summary and export follows): ``meeting_id``,
    ``person_id``, ``side``, ``position``, and ``envoy``, true for the meeting's envoys
    (its participants in the role of envoy), false for its counterparts."""
    return (
        text(TAKING_PART)
        .columns(
            column("meeting_id", Integer),
            column("person_id", Integer),
            column("side", String),
            column("position", Integer),
            column("envoy", Boolean),
        )
        .subquery(name)
    )


def as_envoy(person_id: int) -> Select[tuple[int]]:
    """The ids of the meetings the person ``person_id`` took part in as an envoy."""
    sides = taking_part()
    return select(sides.c.meeting_id).where(sides.c.person_id == person_id, sides.c.envoy)


def who_met_whom() -> Subquery:
    """Who met whom (``tracker.query.sides``): a row per held meeting and ordered pair
    of its participants who met there: ``meeting_id``, ``person_id``, ``envoy`` (of
    that person) and ``other_id``."""
    return (
        text(WHO_MET_WHOM)
        .columns(
            column("meeting_id", Integer),
            column("person_id", Integer),
            column("envoy", Boolean),
            column("other_id", Integer),
        )
        .subquery("met")
    )


def sides(participants: Iterable[tuple[P, bool]]) -> tuple[list[P], list[P]]:
    """The envoys of a meeting and its counterparts, from its participants (in order),
    each with ``envoy`` as ``taking_part`` gives it: the envoys, then every other
    participant, each once."""
    taking = list(participants)
    envoys = list(dict.fromkeys(person for person, envoy in taking if envoy))
    counterparts = list(dict.fromkeys(p for p, _envoy in taking if p not in envoys))
    return envoys, counterparts


def _destination(places: PlaceIndex, visit: Visit) -> tuple[str | None, str | None]:
    return places.name(visit.destination_id), places.country(visit.destination_id)


def envoys_summary(session: Session, filters: Filters) -> list[Row]:
    """One row per envoy (a traveller on at least one visit): visits, meetings (those of
    their visits they took part in as an envoy, ``taking_part``), first and last visit,
    destinations (distinct, in order of first visit); ordered by first visit, then name.

    Computed by the database (``envoy_spans``), a row per envoy: nothing is read per
    visit or meeting, and memory does not grow with them.
    """
    spans = envoy_spans(session, filters)
    destinations = envoy_destinations(session, filters)
    rows: list[Row] = []
    for span in spans:
        rows.append(
            {
                "envoy": span.name,
                "visits": span.visits,
                "meetings": span.meetings,
                "first": shown_edtf(span.first_edtf),
                "first_edtf": span.first_edtf,
                "last": shown_edtf(span.last_edtf),
                "last_edtf": span.last_edtf,
                "destinations": join_list(destinations.get(span.person_id, [])),
                "uid": span.uid,
            }
        )
    return rows


@dataclass(frozen=True)
class EnvoySpan:
    """An envoy's visits in one row: how many, the meetings of them they took part in as
    an envoy (``taking_part``), the first and the
    last (by earliest day, then id), and the gaps between consecutive ones (days, by
    earliest day)."""

    person_id: int
    name: str
    uid: str
    visits: int
    meetings: int
    first_edtf: str
    first_earliest: date
    last_edtf: str
    gap_total: float | None
    gap_count: int
    gap_longest: float | None


def _travels(session: Session, filters: Filters) -> Any:
    """A subquery: a row per traveller and visit selected by ``filters`` (``person_id``,
    ``visit_id``, ``edtf``, ``earliest``, ``destination_id``)."""
    visit, traveller = Visit.__table__.c, VisitTraveller.__table__.c
    return (
        select(
            traveller.person_id,
            visit.id.label("visit_id"),
            visit.edtf,
            visit.earliest,
            visit.destination_id,
        )
        .select_from(VisitTraveller.__table__.join(Visit.__table__, visit.id == traveller.visit_id))
        .where(*visit_conditions(session, filters))
        .subquery("travels")
    )


def envoy_spans(session: Session, filters: Filters) -> list[EnvoySpan]:
    """Every envoy's ``EnvoySpan``, ordered by first visit, then name: two statements
    grouped by the database (window functions for first, last and the gaps; a join for
    the meetings)."""
    travels = _travels(session, filters)
    person = travels.c.person_id
    in_order = (travels.c.earliest, travels.c.visit_id)
    ranked = select(
        person,
        travels.c.edtf,
        travels.c.earliest,
        func.row_number().over(partition_by=person, order_by=in_order).label("nth"),
        func.count().over(partition_by=person).label("visits"),
        span_days(
            func.lag(travels.c.earliest).over(partition_by=person, order_by=in_order),
            travels.c.earliest,
        ).label("gap"),
    ).subquery("ranked")
    r = ranked.c
    spans = (
        select(
            r.person_id,
            func.count().label("visits"),
            func.max(case((r.nth == 1, r.edtf))).label("first_edtf"),
            func.max(case((r.nth == 1, r.earliest))).label("first_earliest"),
            func.max(case((r.nth == r.visits, r.edtf))).label("last_edtf"),
            func.sum(r.gap).label("gap_total"),
            func.count(r.gap).label("gap_count"),
            func.max(r.gap).label("gap_longest"),
        )
        .group_by(r.person_id)
        .subquery("spans")
    )
    people = Person.__table__.c
    query = select(people.name, people.uid, spans).join_from(
        spans, Person.__table__, people.id == spans.c.person_id
    )
    meeting = Meeting.__table__.c
    held: dict[int, int] = dict(
        session.execute(
            select(person, func.count(meeting.id))
            .select_from(_envoy_meetings(travels))
            .group_by(person)
        ).all()
    )
    found = [
        EnvoySpan(
            person_id=row.person_id,
            name=row.name,
            uid=row.uid,
            visits=row.visits,
            meetings=held.get(row.person_id, 0),
            first_edtf=row.first_edtf,
            first_earliest=_as_date(row.first_earliest),
            last_edtf=row.last_edtf,
            gap_total=row.gap_total,
            gap_count=row.gap_count,
            gap_longest=row.gap_longest,
        )
        for row in session.execute(query)
    ]
    # One row per envoy: ordered here, by code point as names compare in Python,
    # whatever the database's collation.
    found.sort(key=lambda span: (span.first_earliest, span.name))
    return found


def _envoy_meetings(travels: Any) -> Any:
    """``travels`` joined to the meetings of each visit that its traveller took part in
    as an envoy (``taking_part``): a traveller who did not take part in a meeting of
    the trip does not hold it."""
    meeting = Meeting.__table__.c
    sides = taking_part()
    return travels.join(Meeting.__table__, meeting.visit_id == travels.c.visit_id).join(
        sides,
        and_(
            sides.c.meeting_id == meeting.id,
            sides.c.person_id == travels.c.person_id,
            sides.c.envoy,
        ),
    )


def _as_date(value: date | str) -> date:
    """A date an aggregate returns (SQLite gives the stored ISO text back)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def envoy_destinations(session: Session, filters: Filters) -> dict[int, list[str]]:
    """Per envoy, the names of the places visited, distinct, in order of first visit: a
    row per envoy and destination (its first visit, picked by the database)."""
    travels = _travels(session, filters)
    place = Place.__table__.c
    in_order = (travels.c.earliest, travels.c.visit_id)
    ranked = (
        select(
            travels.c.person_id,
            place.name,
            travels.c.earliest,
            travels.c.visit_id,
            func.row_number()
            .over(partition_by=(travels.c.person_id, place.id), order_by=in_order)
            .label("nth"),
        )
        .join_from(travels, Place.__table__, place.id == travels.c.destination_id)
        .subquery("ranked")
    )
    r = ranked.c
    first = (
        select(r.person_id, r.name).where(r.nth == 1).order_by(r.person_id, r.earliest, r.visit_id)
    )
    found: dict[int, dict[str, None]] = {}
    for person_id, name in session.execute(first):
        found.setdefault(person_id, {})[name] = None
    return {person_id: list(names) for person_id, names in found.items()}


def main_meeting(meetings: Sequence[Meeting]) -> Meeting | None:
    """The meeting that speaks for a visit: the longest talks, summit or meeting (the
    first of them when none has a duration); else the longest of any kind."""
    candidates = [m for m in meetings if m.kind in MAIN_KINDS] or list(meetings)
    best: Meeting | None = None
    for meeting in candidates:
        if best is None or (meeting.duration_minutes or -1) > (best.duration_minutes or -1):
            best = meeting
    return best


def envoy_visits(session: Session, envoy: str, filters: Filters) -> list[Row]:
    """The visits of the person named ``envoy`` (by name or any alias), in order,
    numbered from 1, each with the counterparts of its meetings (``sides``) and the
    days since the previous one began (by earliest day, as ``envoy_stats`` counts gaps;
    ``days_since_previous_about`` when either of the two is not dated to the day)."""
    person = resolve_person(session, envoy)
    travelled = select(VisitTraveller.visit_id).where(VisitTraveller.person_id == person.id)
    visits = list(
        session.scalars(
            select(Visit)
            .where(
                # IN (not a correlated EXISTS): the planner starts from the person's index
                # instead of scanning every visit.
                Visit.id.in_(travelled),
                *visit_conditions(session, filters),
            )
            .order_by(Visit.earliest, Visit.id)
            .options(
                selectinload(Visit.meetings)
                .selectinload(Meeting.participants)
                .selectinload(Participant.person),
            )
        )
    )
    sides_of: dict[int, list[tuple[int, bool]]] = {}
    taking = taking_part()
    for meeting_id, person_id, is_envoy in session.execute(
        select(taking.c.meeting_id, taking.c.person_id, taking.c.envoy)
        .where(taking.c.meeting_id.in_(select(Meeting.id).where(Meeting.visit_id.in_(travelled))))
        .order_by(taking.c.meeting_id, taking.c.position)
    ):
        sides_of.setdefault(meeting_id, []).append((person_id, bool(is_envoy)))
    places = PlaceIndex(session)
    rows: list[Row] = []
    previous: tuple[date, bool] | None = None
    for number, visit in enumerate(visits, start=1):
        when = when_of(visit.edtf, visit.earliest, visit.latest)
        to_the_day = precision(when) == "day"
        since, since_about = None, False
        if previous is not None:
            since = (visit.earliest - previous[0]).days
            since_about = not (to_the_day and previous[1])
        previous = (visit.earliest, to_the_day)
        counterparts: dict[str, None] = {}
        for meeting in visit.meetings:
            names = {p.person_id: p.person.name for p in meeting.participants}
            for person_id in sides(sides_of.get(meeting.id, []))[1]:
                counterparts[names[person_id]] = None
        main = main_meeting(visit.meetings)
        destination, country = _destination(places, visit)
        rows.append(
            {
                "n": number,
                **dated(visit.edtf, visit.earliest, visit.latest),
                "destination": destination,
                "country": country,
                "days": day_count(when),
                "days_since_previous": since,
                "days_since_previous_about": since_about,
                "meetings": len(visit.meetings),
                "counterparts": join_list(counterparts),
                "outcome": main.outcome if main is not None else None,
                "outcome_summary": main.outcome_summary if main is not None else None,
                "uid": visit.uid,
            }
        )
    return rows


def talks_total(meetings: Sequence[Meeting]) -> Row:
    """Sum of the known durations, with the honesty their qualifiers call for."""
    timed = [m for m in meetings if m.duration_minutes is not None]
    qualifiers = {m.duration_qualifier or DurationQualifier.EXACT.value for m in timed}
    return talks_cells(
        meetings=len(meetings),
        timed=len(timed),
        minutes=sum(m.duration_minutes or 0 for m in timed),
        at_least=DurationQualifier.AT_LEAST.value in qualifiers,
        at_most=DurationQualifier.AT_MOST.value in qualifiers,
        about=DurationQualifier.ABOUT.value in qualifiers,
    )


def talks_cells(
    *, meetings: int, timed: int, minutes: int, at_least: bool, at_most: bool, about: bool
) -> Row:
    """The talks cells of ``meetings`` meetings of which ``timed`` have a duration
    (``minutes`` in all), with the qualifiers found among those."""
    if at_least and at_most:
        words = "about "  # lower and upper bounds together bound nothing: say so loosely
    else:
        words = "at least " if at_least else "at most " if at_most else ""
        # "c." for circa, as dates are shown: "at least c. 25 h" reads, "at least about" not.
        words += ("c. " if words else "about ") if about else ""
    return {
        "talks": words + format_minutes(minutes) if timed else None,
        "talks_minutes": minutes if timed else None,
        "talks_at_least": at_least,
        "talks_about": about,
        "meetings_without_duration": meetings - timed,
    }


def envoy_stats(session: Session, filters: Filters) -> list[Row]:
    """Per envoy: visits, meetings, first and last visit, gaps between consecutive
    visits (days, by earliest), hours of talks, outcomes of their meetings.

    Computed by the database: ``envoy_spans`` and two statements grouped by envoy (the
    durations and their qualifiers; the outcomes). Memory holds a row per envoy.
    """
    spans = envoy_spans(session, filters)
    travels = _travels(session, filters)
    meeting = Meeting.__table__.c
    timed = meeting.duration_minutes.is_not(None)

    def found(qualifier: DurationQualifier) -> Any:
        return func.max(case((and_(timed, meeting.duration_qualifier == qualifier.value), 1)))

    held = _envoy_meetings(travels)
    durations = (
        select(
            travels.c.person_id,
            func.count(meeting.duration_minutes),
            func.sum(meeting.duration_minutes),
            found(DurationQualifier.AT_LEAST),
            found(DurationQualifier.AT_MOST),
            found(DurationQualifier.ABOUT),
        )
        .select_from(held)
        .group_by(travels.c.person_id)
    )
    talks = {row[0]: row[1:] for row in session.execute(durations)}
    outcomes: dict[int, dict[str, int]] = {}
    by_outcome = (
        select(travels.c.person_id, meeting.outcome, func.count())
        .select_from(held)
        .group_by(travels.c.person_id, meeting.outcome)
    )
    for person_id, outcome, count in session.execute(by_outcome):
        outcomes.setdefault(person_id, {})[outcome] = count
    rows: list[Row] = []
    for span in spans:
        timed_count, minutes, at_least, at_most, about = talks.get(span.person_id, (0, 0, 0, 0, 0))
        counted = outcomes.get(span.person_id, {})
        rows.append(
            {
                "envoy": span.name,
                "visits": span.visits,
                "meetings": span.meetings,
                "first": shown_edtf(span.first_edtf),
                "first_edtf": span.first_edtf,
                "last": shown_edtf(span.last_edtf),
                "last_edtf": span.last_edtf,
                "mean_gap_days": round(span.gap_total / span.gap_count, 1)
                if span.gap_count and span.gap_total is not None
                else None,
                "longest_gap_days": int(span.gap_longest) if span.gap_longest is not None else None,
                **talks_cells(
                    meetings=span.meetings,
                    timed=timed_count,
                    minutes=int(minutes or 0),
                    at_least=bool(at_least),
                    at_most=bool(at_most),
                    about=bool(about),
                ),
                "outcomes": {o.value: counted[o.value] for o in Outcome if counted.get(o.value)},
                "uid": span.uid,
            }
        )
    return rows
