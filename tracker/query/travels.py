"""Every envoy's visits and statistics, and one envoy's visits, on a plain read
(``tracker.sql.Reader``): computed by the database (GROUP BY, window functions for
the first and last visit and the gaps), a row per envoy, so that time and memory do
not grow with the number of visits and meetings.

An envoy here is anyone who travelled on a recorded visit (``visit_traveller``); the
meetings they hold are those of their visits they took part in as an envoy (``HELD``:
the one rule, ``tracker.query.sides``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.cells import join_list
from tracker.names import read_one
from tracker.query.display import (
    Row,
    as_date,
    dated,
    day_count,
    format_minutes,
    precision,
    shown_edtf,
    when_of,
)
from tracker.query.disputes import disputed_meetings_sql
from tracker.query.places import PlaceIndex
from tracker.query.sides import TAKING_PART, sides
from tracker.query.where import Filters, Where, visit_where
from tracker.sql import Reader
from tracker.vocab import AccountField, DurationQualifier, MeetingKind, Outcome

MAIN_KINDS = (MeetingKind.TALKS.value, MeetingKind.SUMMIT.value, MeetingKind.MEETING.value)

HELD = (
    "JOIN meeting AS m ON m.visit_id = t.visit_id"
    f" JOIN ({TAKING_PART}) AS s ON s.meeting_id = m.id AND s.person_id = t.person_id"
    " AND s.envoy"
)
"""The meetings a traveller holds, joined to ``travels`` (as ``t``): those of their
visit they took part in as an envoy (a traveller who did not take part in a meeting of
the trip does not hold it)."""


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


def _travels(where: Where) -> str:
    """A WITH clause: ``travels``, a row per traveller and visit selected (``person_id``,
    ``visit_id``, ``edtf``, ``earliest``, ``destination_id``)."""
    return (
        "WITH travels AS (SELECT t.person_id, v.id AS visit_id, v.edtf, v.earliest,"
        " v.destination_id FROM visit_traveller AS t JOIN visit AS v ON v.id = t.visit_id"
        f"{where.sql()})"
    )


@dataclass(frozen=True)
class EnvoySpan:
    """An envoy's visits in one row: how many, the meetings they hold, the first and the
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


def envoy_spans(read: Reader, where: Where) -> list[EnvoySpan]:
    """Every envoy's ``EnvoySpan`` for the visits ``where`` selects, ordered by first
    visit, then name: two statements grouped by the database."""
    order = "PARTITION BY person_id ORDER BY earliest, visit_id"
    gap = read.sql.days_between(f"lag(earliest) OVER ({order})", "earliest")
    spans = read.all(
        f"{_travels(where)}, ranked AS (SELECT person_id, edtf, earliest,"
        f" row_number() OVER ({order}) AS nth,"
        f" count(*) OVER (PARTITION BY person_id) AS visits, {gap} AS gap FROM travels)"
        " SELECT r.person_id, p.name, p.uid, count(*),"
        " max(CASE WHEN r.nth = 1 THEN r.edtf END),"
        " max(CASE WHEN r.nth = 1 THEN r.earliest END),"
        " max(CASE WHEN r.nth = r.visits THEN r.edtf END),"
        " sum(r.gap), count(r.gap), max(r.gap)"
        " FROM ranked AS r JOIN person AS p ON p.id = r.person_id"
        " GROUP BY r.person_id, p.name, p.uid",
        where.params,
    )
    held = dict(
        read.all(
            f"{_travels(where)} SELECT t.person_id, count(m.id) FROM travels AS t {HELD}"
            " GROUP BY t.person_id",
            where.params,
        )
    )
    found = [
        EnvoySpan(
            person_id=person_id,
            name=name,
            uid=uid,
            visits=visits,
            meetings=held.get(person_id, 0),
            first_edtf=first_edtf,
            first_earliest=as_date(first_earliest),
            last_edtf=last_edtf,
            gap_total=gap_total,
            gap_count=gap_count,
            gap_longest=gap_longest,
        )
        for (
            person_id,
            name,
            uid,
            visits,
            first_edtf,
            first_earliest,
            last_edtf,
            gap_total,
            gap_count,
            gap_longest,
        ) in spans
    ]
    # One row per envoy: ordered here, by code point as names compare in Python,
    # whatever the database's collation.
    found.sort(key=lambda span: (span.first_earliest, span.name))
    return found


def envoy_destinations(read: Reader, where: Where) -> dict[int, list[str]]:
    """Per envoy, the names of the places visited, distinct, in order of first visit: a
    row per envoy and destination (its first visit, picked by the database)."""
    rows = read.rows(
        f"{_travels(where)}, ranked AS (SELECT t.person_id, pl.name, t.earliest, t.visit_id,"
        " row_number() OVER (PARTITION BY t.person_id, pl.id"
        " ORDER BY t.earliest, t.visit_id) AS nth"
        " FROM travels AS t JOIN place AS pl ON pl.id = t.destination_id)"
        " SELECT person_id, name FROM ranked WHERE nth = 1"
        " ORDER BY person_id, earliest, visit_id",
        where.params,
    )
    found: dict[int, dict[str, None]] = {}
    for person_id, name in rows:
        found.setdefault(person_id, {})[name] = None
    return {person_id: list(names) for person_id, names in found.items()}


def envoys_summary(read: Reader, filters: Filters) -> list[Row]:
    """One row per envoy (a traveller on at least one visit): visits, meetings, first and
    last visit, destinations (distinct, in order of first visit); ordered by first
    visit, then name."""
    where = visit_where(read, filters, "v")
    destinations = envoy_destinations(read, where)
    return [
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
        for span in envoy_spans(read, where)
    ]


def envoy_stats(read: Reader, filters: Filters) -> list[Row]:
    """Per envoy: visits, meetings, first and last visit, gaps between consecutive
    visits (days, by earliest), hours of talks (each meeting's duration is its preferred
    account's: the record's value), how many of the meetings have a disputed duration,
    outcomes of their meetings.

    Computed by the database: ``envoy_spans`` and two statements grouped by envoy (the
    durations and their qualifiers; the outcomes). Memory holds a row per envoy.
    """
    where = visit_where(read, filters, "v")
    spans = envoy_spans(read, where)

    def found(qualifier: DurationQualifier) -> str:
        return (
            "max(CASE WHEN m.duration_minutes IS NOT NULL"
            f" AND m.duration_qualifier = '{qualifier.value}' THEN 1 END)"
        )

    disputed = disputed_meetings_sql(AccountField.DURATION)
    talks = {
        person_id: rest
        for person_id, *rest in read.all(
            f"{_travels(where)} SELECT t.person_id, count(m.duration_minutes),"
            f" sum(m.duration_minutes), {found(DurationQualifier.AT_LEAST)},"
            f" {found(DurationQualifier.AT_MOST)}, {found(DurationQualifier.ABOUT)},"
            f" count(CASE WHEN m.id IN ({disputed}) THEN 1 END)"
            f" FROM travels AS t {HELD} GROUP BY t.person_id",
            where.params,
        )
    }
    outcomes: dict[int, dict[str, int]] = {}
    for person_id, outcome, count in read.all(
        f"{_travels(where)} SELECT t.person_id, m.outcome, count(*) FROM travels AS t {HELD}"
        " GROUP BY t.person_id, m.outcome",
        where.params,
    ):
        outcomes.setdefault(person_id, {})[outcome] = count
    rows: list[Row] = []
    for span in spans:
        timed_count, minutes, at_least, at_most, about, disputed_count = talks.get(
            span.person_id, (0, 0, 0, 0, 0, 0)
        )
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
                "disputed_durations": disputed_count,
                "outcomes": {o.value: counted[o.value] for o in Outcome if counted.get(o.value)},
                "uid": span.uid,
            }
        )
    return rows


# -- one envoy's visits ---------------------------------------------------------------


@dataclass(frozen=True)
class _Meeting:
    id: int
    kind: str
    duration_minutes: int | None
    outcome: str
    outcome_summary: str | None


def main_meeting(meetings: Sequence[Any]) -> Any:
    """The meeting that speaks for a visit: the longest talks, summit or meeting (the
    first of them when none has a duration); else the longest of any kind."""
    candidates = [m for m in meetings if m.kind in MAIN_KINDS] or list(meetings)
    best = None
    for meeting in candidates:
        if best is None or (meeting.duration_minutes or -1) > (best.duration_minutes or -1):
            best = meeting
    return best


def envoy_visits(read: Reader, envoy: str, filters: Filters) -> list[Row]:
    """The visits of the person named ``envoy`` (by name or any alias), in order,
    numbered from 1, each with the counterparts of its meetings and the days since the
    previous one began (by earliest day, as ``envoy_stats`` counts gaps;
    ``days_since_previous_about`` when either of the two is not dated to the day)."""
    person = read_one(read, "person", envoy)
    where = visit_where(read, filters, "v")
    # IN (not a correlated EXISTS): the planner starts from the person's index instead
    # of scanning every visit.
    visits_sql = (
        "SELECT v.id FROM visit AS v WHERE v.id IN"
        " (SELECT visit_id FROM visit_traveller WHERE person_id = :person)"
        f"{where.sql('AND')}"
    )
    params = {**where.params, "person": person.id}
    visits = read.all(
        "SELECT v.id, v.uid, v.edtf, v.earliest, v.latest, d.name, v.destination_id"
        f" FROM visit AS v LEFT JOIN place AS d ON d.id = v.destination_id"
        f" WHERE v.id IN ({visits_sql}) ORDER BY v.earliest, v.id",
        params,
    )
    meetings: dict[int, list[_Meeting]] = {}
    for visit_id, *fields in read.rows(
        "SELECT visit_id, id, kind, duration_minutes, outcome, outcome_summary FROM meeting"
        f" WHERE visit_id IN ({visits_sql}) ORDER BY visit_id, earliest, id",
        params,
    ):
        meetings.setdefault(visit_id, []).append(_Meeting(*fields))
    taking_part: dict[int, list[tuple[int, str, bool]]] = {}
    for meeting_id, person_id, name, envoy_of in read.rows(
        f"SELECT s.meeting_id, s.person_id, p.name, s.envoy FROM ({TAKING_PART}) AS s"
        " JOIN person AS p ON p.id = s.person_id WHERE s.meeting_id IN"
        f" (SELECT id FROM meeting WHERE visit_id IN ({visits_sql}))"
        " ORDER BY s.meeting_id, s.position",
        params,
    ):
        taking_part.setdefault(meeting_id, []).append((person_id, name, bool(envoy_of)))
    countries = PlaceIndex(read).country
    rows: list[Row] = []
    previous: tuple[date, bool] | None = None
    for number, (visit_id, uid, edtf, earliest, latest, destination, place_id) in enumerate(
        visits, start=1
    ):
        when = when_of(edtf, earliest, latest)
        day = as_date(earliest)
        to_the_day = precision(when) == "day"
        since, since_about = None, False
        if previous is not None:
            since = (day - previous[0]).days
            since_about = not (to_the_day and previous[1])
        previous = (day, to_the_day)
        counterparts: dict[str, None] = {}
        held = meetings.get(visit_id, [])
        for meeting in held:
            present = taking_part.get(meeting.id, [])
            names = {person_id: name for person_id, name, _envoy in present}
            participants = [(person_id, envoy) for person_id, _name, envoy in present]
            for person_id in sides(participants)[1]:
                counterparts[names[person_id]] = None
        main = main_meeting(held)
        rows.append(
            {
                "n": number,
                **dated(edtf, earliest, latest),
                "destination": destination,
                "country": countries(place_id),
                "days": day_count(when),
                "days_since_previous": since,
                "days_since_previous_about": since_about,
                "meetings": len(held),
                "counterparts": join_list(counterparts),
                "outcome": main.outcome if main is not None else None,
                "outcome_summary": main.outcome_summary if main is not None else None,
                "uid": uid,
            }
        )
    return rows
