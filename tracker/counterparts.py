"""Who met whom: per envoy and counterpart, the meetings they held, the hours of talks
(their qualifiers kept), the first and the last, and the outcomes.

The pairs are those of ``tracker.query.envoys.who_met_whom``, the rule the network
export reads too: an envoy is a participant one of the meeting's envoys by
``taking_part`` (in the role of envoy), and their counterparts at a meeting are the
other participants they met there (on another side, or either of them on no side), so
that members of one delegation are not each other's counterparts. Only held meetings
count: an announced, postponed or cancelled meeting is not a meeting two people had.

Computed by the database: one statement grouped by envoy and counterpart (window
functions pick each pair's first and last meeting) and one for the outcomes; memory
holds a row per pair, whatever the number of meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from tracker.models import Meeting, Person
from tracker.names import resolve_person
from tracker.query import Filters, Row, meeting_conditions, shown_edtf, talks_cells
from tracker.query.envoys import who_met_whom
from tracker.vocab import DurationQualifier, Outcome

COUNTERPART_KEYS = (
    "envoy",
    "counterpart",
    "meetings",
    "talks",
    "talks_minutes",
    "talks_at_least",
    "talks_about",
    "meetings_without_duration",
    "first",
    "first_edtf",
    "last",
    "last_edtf",
    "outcomes",
    "envoy_uid",
    "counterpart_uid",
)


@dataclass(frozen=True)
class Pair:
    """An envoy and a counterpart, as the database grouped their meetings."""

    envoy_id: int
    counterpart_id: int
    meetings: int
    timed: int
    minutes: int
    at_least: bool
    at_most: bool
    about: bool
    first_edtf: str
    first_earliest: str
    last_edtf: str


def _pairs(
    conditions: list[ColumnElement[bool]],
    envoy_id: int | None,
    counterpart_id: int | None,
    everyone: bool,
) -> Select[Any]:
    """A row per pair who met (``who_met_whom``) and held meeting they had, among the
    meetings ``conditions`` select: an envoy and a counterpart, or with ``everyone``
    any two people, each pair once (the lower person id first)."""
    met = who_met_whom()
    meeting = Meeting.__table__
    wanted: list[ColumnElement[bool]] = [
        met.c.person_id < met.c.other_id if everyone else met.c.envoy.is_(True)
    ]
    if envoy_id is not None:
        wanted.append(met.c.person_id == envoy_id)
    if counterpart_id is not None:
        wanted.append(met.c.other_id == counterpart_id)
    return (
        select(
            met.c.person_id.label("envoy_id"),
            met.c.other_id.label("counterpart_id"),
            meeting.c.id.label("meeting_id"),
            meeting.c.edtf,
            meeting.c.earliest,
            meeting.c.latest,
            meeting.c.duration_minutes,
            meeting.c.duration_qualifier,
            meeting.c.outcome,
        )
        .select_from(met.join(meeting, meeting.c.id == met.c.meeting_id))
        .where(*wanted, *conditions)
    )


def counterpart_pairs(
    session: Session,
    conditions: list[ColumnElement[bool]],
    envoy_id: int | None = None,
    counterpart_id: int | None = None,
    *,
    everyone: bool = False,
) -> tuple[list[Pair], dict[tuple[int, int], dict[str, int]]]:
    """The pairs who met among the meetings ``conditions`` select (see ``_pairs``),
    grouped by the database, and each pair's outcomes."""
    pairs = _pairs(conditions, envoy_id, counterpart_id, everyone).subquery("pairs")
    p = pairs.c
    pair_key = (p.envoy_id, p.counterpart_id)
    ranked = select(
        pairs,
        func.row_number()
        .over(partition_by=pair_key, order_by=(p.earliest, p.latest, p.meeting_id))
        .label("nth"),
        func.row_number()
        .over(
            partition_by=pair_key,
            order_by=(p.latest.desc(), p.earliest.desc(), p.meeting_id.desc()),
        )
        .label("nth_last"),
    ).subquery("ranked")
    r = ranked.c
    timed = r.duration_minutes.is_not(None)

    def found(qualifier: DurationQualifier) -> Any:
        return func.max(case((and_(timed, r.duration_qualifier == qualifier.value), 1), else_=0))

    grouped = select(
        r.envoy_id,
        r.counterpart_id,
        func.count(),
        func.count(r.duration_minutes),
        func.coalesce(func.sum(r.duration_minutes), 0),
        found(DurationQualifier.AT_LEAST),
        found(DurationQualifier.AT_MOST),
        found(DurationQualifier.ABOUT),
        func.max(case((r.nth == 1, r.edtf))),
        func.max(case((r.nth == 1, r.earliest))),
        func.max(case((r.nth_last == 1, r.edtf))),
    ).group_by(r.envoy_id, r.counterpart_id)
    found_pairs = [
        Pair(
            envoy_id=row[0],
            counterpart_id=row[1],
            meetings=row[2],
            timed=row[3],
            minutes=int(row[4]),
            at_least=bool(row[5]),
            at_most=bool(row[6]),
            about=bool(row[7]),
            first_edtf=row[8],
            first_earliest=str(row[9]),
            last_edtf=row[10],
        )
        for row in session.execute(grouped)
    ]
    outcomes: dict[tuple[int, int], dict[str, int]] = {}
    by_outcome = select(p.envoy_id, p.counterpart_id, p.outcome, func.count()).group_by(
        p.envoy_id, p.counterpart_id, p.outcome
    )
    for envoy_id_, counterpart_id_, outcome, count in session.execute(by_outcome):
        outcomes.setdefault((envoy_id_, counterpart_id_), {})[outcome] = count
    return found_pairs, outcomes


def counterpart_rows(
    session: Session,
    filters: Filters,
    envoy: str | None = None,
    counterpart: str | None = None,
) -> list[Row]:
    """A row per envoy and counterpart who met (keys: ``COUNTERPART_KEYS``), for the
    envoy named ``envoy`` only and the counterpart named ``counterpart`` only when
    given (by name or any alias).

    Envoys come in the order of their first meeting (then by name); an envoy's
    counterparts by meetings (most first), then by their first meeting, then by name.
    """
    envoy_id = resolve_person(session, envoy, "ENVOY").id if envoy is not None else None
    counterpart_id = (
        resolve_person(session, counterpart, "--with").id if counterpart is not None else None
    )
    conditions = meeting_conditions(session, filters)
    pairs, outcomes = counterpart_pairs(session, conditions, envoy_id, counterpart_id)
    ids = {pair.envoy_id for pair in pairs} | {pair.counterpart_id for pair in pairs}
    people = {
        person.id: (person.name, person.uid)
        for person in session.execute(
            select(Person.id, Person.name, Person.uid).where(Person.id.in_(ids))
        )
    }
    envoy_first: dict[int, tuple[str, str]] = {}
    for pair in pairs:
        name = people[pair.envoy_id][0]
        known = envoy_first.get(pair.envoy_id)
        if known is None or pair.first_earliest < known[0]:
            envoy_first[pair.envoy_id] = (pair.first_earliest, name)
    pairs.sort(
        key=lambda pair: (
            envoy_first[pair.envoy_id],
            pair.envoy_id,
            -pair.meetings,
            pair.first_earliest,
            people[pair.counterpart_id][0],
        )
    )
    rows: list[Row] = []
    for pair in pairs:
        counted = outcomes.get((pair.envoy_id, pair.counterpart_id), {})
        envoy_name, envoy_uid = people[pair.envoy_id]
        counterpart_name, counterpart_uid = people[pair.counterpart_id]
        rows.append(
            {
                "envoy": envoy_name,
                "counterpart": counterpart_name,
                "meetings": pair.meetings,
                **talks_cells(
                    meetings=pair.meetings,
                    timed=pair.timed,
                    minutes=pair.minutes,
                    at_least=pair.at_least,
                    at_most=pair.at_most,
                    about=pair.about,
                ),
                "first": shown_edtf(pair.first_edtf),
                "first_edtf": pair.first_edtf,
                "last": shown_edtf(pair.last_edtf),
                "last_edtf": pair.last_edtf,
                "outcomes": {o.value: counted[o.value] for o in Outcome if counted.get(o.value)},
                "envoy_uid": envoy_uid,
                "counterpart_uid": counterpart_uid,
            }
        )
    return rows
