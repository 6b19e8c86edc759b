"""Every envoy's visits and statistics, and one envoy's visits, on a plain read
(``tracker.sql.Reader``): computed by the database (GROUP BY, window functions for
the first and last visit and the gaps), a row per envoy, so that time and memory do
not grow with the number of visits and meetings.

An envoy here is anyone who travelled on a recorded visit (``visit_traveller``); the
meetings they hold are those of their visits they took part in as an envoy (``HELD``:
the one rule, ``tracker.query.sides``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.cells import join_list
from tracker.lookup import read_one
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


def _visits_of_travellers(where: Where, *, dated: bool) -> str:
    """A row per traveller and visit that ``where`` selects (of ``visit AS v``):
    ``person_id``, ``visit_id`` and, when ``dated``, the visit's ``edtf``, ``earliest``
    and ``destination_id``. The visit is read only when a column or a condition needs it."""
    columns = "t.person_id, t.visit_id"
    if dated:
        columns += ", v.edtf, v.earliest, v.destination_id"
    visit = " JOIN visit AS v ON v.id = t.visit_id" if dated or where.conditions else ""
    return f"SELECT {columns} FROM visit_traveller AS t{visit}{where.sql()}"


def _travels(where: Where) -> str:
    """A WITH clause: ``travels``, a row per traveller and visit selected (``person_id``,
    ``visit_id``, ``edtf``, ``earliest``, ``destination_id``)."""
    return f"WITH travels AS ({_visits_of_travellers(where, dated=True)})"


@dataclass(frozen=True)
class EnvoySpan:
    """An envoy's visits in one row: how many, the meetings they hold, the first and the
    last (by earliest day, then id), and the gaps between consecutive ones (days, by
    earliest day); ``held``: the aggregates of their meetings asked for, by name."""

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
    held: dict[str, Any]


def envoy_spans(
    read: Reader, where: Where, held: Mapping[str, str] | None = None
) -> list[EnvoySpan]:
    """Every envoy's ``EnvoySpan`` for the visits ``where`` selects, ordered by first
    visit, then name: one statement, grouped by the database in one pass over the
    travellers' visits (a window for the first, the last and the gaps) and one over the
    meetings they hold.

    ``held`` names aggregates of those meetings (SQL on ``meeting AS m``) to compute as
    well, for ``EnvoySpan.held`` (``None`` for an envoy who holds no meeting)."""
    asked = dict(held or {})
    gap = read.sql.days_between("lag(earliest) OVER w", "earliest")
    # ``trips`` repeats ``travels`` rather than reading it a second time: SQLite
    # materialises a WITH table read twice, and then looks the meetings up from it the
    # wrong way round (once per visit and per meeting of the envoy's).
    query = (
        f"{_travels(where)}, trips AS ({_visits_of_travellers(where, dated=False)}),"
        " ranked AS (SELECT person_id, edtf, earliest, row_number() OVER w AS nth,"
        f" lead(visit_id) OVER w AS next_visit, {gap} AS gap FROM travels"
        " WINDOW w AS (PARTITION BY person_id ORDER BY earliest, visit_id)),"
        " spans AS (SELECT person_id, count(*) AS visits,"
        " max(CASE WHEN nth = 1 THEN edtf END) AS first_edtf,"
        " max(CASE WHEN nth = 1 THEN earliest END) AS first_earliest,"
        " max(CASE WHEN next_visit IS NULL THEN edtf END) AS last_edtf,"
        " sum(gap) AS gap_total, count(gap) AS gap_count, max(gap) AS gap_longest"
        " FROM ranked GROUP BY person_id),"
        " held AS (SELECT t.person_id, count(*) AS meetings"
        + "".join(f", {sql} AS h{index}" for index, sql in enumerate(asked.values()))
        + f" FROM trips AS t {HELD} GROUP BY t.person_id)"
        " SELECT s.person_id, p.name, p.uid, s.visits, coalesce(h.meetings, 0),"
        " s.first_edtf, s.first_earliest, s.last_edtf, s.gap_total, s.gap_count,"
        " s.gap_longest"
        + "".join(f", h.h{index}" for index in range(len(asked)))
        + " FROM spans AS s JOIN person AS p ON p.id = s.person_id"
        " LEFT JOIN held AS h ON h.person_id = s.person_id"
    )
    found = [
        EnvoySpan(
            person_id=person_id,
            name=name,
            uid=uid,
            visits=visits,
            meetings=meetings,
            first_edtf=first_edtf,
            first_earliest=as_date(first_earliest),
            last_edtf=last_edtf,
            gap_total=gap_total,
            gap_count=gap_count,
            gap_longest=gap_longest,
            held=dict(zip(asked, values, strict=True)),
        )
        for (
            person_id,
            name,
            uid,
            visits,
            meetings,
            first_edtf,
            first_earliest,
            last_edtf,
            gap_total,
            gap_count,
            gap_longest,
            *values,
        ) in read.all(query, where.params)
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


def _qualified(qualifier: DurationQualifier) -> str:
    """Whether one of the meetings has a duration with ``qualifier`` (1, else NULL)."""
    return (
        "max(CASE WHEN m.duration_minutes IS NOT NULL"
        f" AND m.duration_qualifier = '{qualifier.value}' THEN 1 END)"
    )


TALKS = {
    "timed": "count(m.duration_minutes)",
    "minutes": "sum(m.duration_minutes)",
    "at_least": _qualified(DurationQualifier.AT_LEAST),
    "at_most": _qualified(DurationQualifier.AT_MOST),
    "about": _qualified(DurationQualifier.ABOUT),
    "disputed": "count(CASE WHEN m.id IN"
    f" ({disputed_meetings_sql(AccountField.DURATION)}) THEN 1 END)",
    **{
        outcome.value: f"count(CASE WHEN m.outcome = '{outcome.value}' THEN 1 END)"
        for outcome in Outcome
    },
}
"""What ``envoy_stats`` asks of an envoy's meetings (``envoy_spans``' ``held``): how many
have a duration, their minutes, the qualifiers found among those, how many have a
disputed duration, and how many have each outcome (a count per outcome, so that one
pass over the meetings answers all of it)."""


def envoy_stats(read: Reader, filters: Filters) -> list[Row]:
    """Per envoy: visits, meetings, first and last visit, gaps between consecutive
    visits (days, by earliest), hours of talks (each meeting's duration is its preferred
    account's: the record's value), how many of the meetings have a disputed duration,
    outcomes of their meetings.

    Computed by the database: one statement, ``envoy_spans`` asking for ``TALKS``.
    Memory holds a row per envoy.
    """
    rows: list[Row] = []
    for span in envoy_spans(read, visit_where(read, filters, "v"), TALKS):
        talks = span.held
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
                    timed=talks["timed"] or 0,
                    minutes=int(talks["minutes"] or 0),
                    at_least=bool(talks["at_least"]),
                    at_most=bool(talks["at_most"]),
                    about=bool(talks["about"]),
                ),
                "disputed_durations": talks["disputed"] or 0,
                "outcomes": {o.value: talks[o.value] for o in Outcome if talks[o.value]},
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
