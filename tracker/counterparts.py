"""Who met whom: per envoy and counterpart, the meetings they held, the hours of talks
(their qualifiers kept), the first and the last, and the outcomes.

The pairs are those of ``tracker.query.sides.WHO_MET_WHOM``, the rule the network
export reads too: an envoy is a participant one of the meeting's envoys by
``taking_part`` (in the role of envoy), and their counterparts at a meeting are the
other participants they met there (on another side, or either of them on no side), so
that members of one delegation are not each other's counterparts. Only held meetings
count: an announced, postponed or cancelled meeting is not a meeting two people had.

Computed by the database, on a plain read (``tracker.sql.Reader``): one statement
grouped by envoy and counterpart (window functions pick each pair's first and last
meeting, and a count per outcome), which also sorts the rows and names the people, so
that ``counterpart_rows`` streams them: memory holds a row at a time, whatever the
number of meetings and pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker.lookup import read_one
from tracker.query.display import Row, shown_edtf
from tracker.query.sides import WHO_MET_WHOM
from tracker.query.travels import talks_cells
from tracker.query.where import Filters, Where, meeting_where
from tracker.sql import Reader
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
    outcomes: dict[str, int]
    """How many of the meetings had each outcome (those they had), in ``Outcome``'s order."""

    def talks(self) -> dict[str, Any]:
        """The talks cells of the pair's meetings (``talks_cells``)."""
        return talks_cells(
            meetings=self.meetings,
            timed=self.timed,
            minutes=self.minutes,
            at_least=self.at_least,
            at_most=self.at_most,
            about=self.about,
        )


def _pairs(
    where: Where, envoy_id: int | None, counterpart_id: int | None, everyone: bool
) -> tuple[str, dict[str, Any]]:
    """A WITH clause, ``pairs``: a row per pair who met (``WHO_MET_WHOM``) and held
    meeting they had, among the meetings ``where`` selects (of ``meeting AS m``): an
    envoy and a counterpart, or with ``everyone`` any two people, each pair once (the
    lower person id first). And its parameters."""
    wanted = ["met.person_id < met.other_id" if everyone else "met.envoy"]
    params = dict(where.params)
    if envoy_id is not None:
        wanted.append("met.person_id = :envoy_id")
        params["envoy_id"] = envoy_id
    if counterpart_id is not None:
        wanted.append("met.other_id = :counterpart_id")
        params["counterpart_id"] = counterpart_id
    sql = (
        "WITH pairs AS (SELECT met.person_id AS envoy_id, met.other_id AS counterpart_id,"
        " m.id AS meeting_id, m.edtf, m.earliest, m.latest, m.duration_minutes,"
        f" m.duration_qualifier, m.outcome FROM ({WHO_MET_WHOM}) AS met"
        f" JOIN meeting AS m ON m.id = met.meeting_id WHERE {' AND '.join(wanted)}"
        f"{where.sql('AND')})"
    )
    return sql, params


def _found(qualifier: DurationQualifier) -> str:
    return (
        "max(CASE WHEN duration_minutes IS NOT NULL"
        f" AND duration_qualifier = '{qualifier.value}' THEN 1 ELSE 0 END)"
    )


_PAIR_KEY = "PARTITION BY envoy_id, counterpart_id"
_GROUPED = (
    ", ranked AS (SELECT pairs.*,"
    f" row_number() OVER ({_PAIR_KEY} ORDER BY earliest, latest, meeting_id) AS nth,"
    f" row_number() OVER ({_PAIR_KEY}"
    " ORDER BY latest DESC, earliest DESC, meeting_id DESC) AS nth_last FROM pairs),"
    " grouped AS (SELECT envoy_id, counterpart_id, count(*) AS meetings,"
    " count(duration_minutes) AS timed, coalesce(sum(duration_minutes), 0) AS minutes,"
    f" {_found(DurationQualifier.AT_LEAST)} AS at_least,"
    f" {_found(DurationQualifier.AT_MOST)} AS at_most,"
    f" {_found(DurationQualifier.ABOUT)} AS about,"
    " max(CASE WHEN nth = 1 THEN edtf END) AS first_edtf,"
    " max(CASE WHEN nth = 1 THEN earliest END) AS first_earliest,"
    " max(CASE WHEN nth_last = 1 THEN edtf END) AS last_edtf"
    + "".join(
        f", count(CASE WHEN outcome = '{outcome.value}' THEN 1 END) AS o{index}"
        for index, outcome in enumerate(Outcome)
    )
    + " FROM ranked GROUP BY envoy_id, counterpart_id)"
)
"""``grouped``, after ``pairs``: a row per pair, their meetings counted, timed, summed
and qualified, the first and the last (window functions pick them), and a count per
outcome: one pass over the pairs' meetings answers all of it."""

_PAIR_COLUMNS = (
    "g.envoy_id, g.counterpart_id, g.meetings, g.timed, g.minutes, g.at_least, g.at_most,"
    " g.about, g.first_edtf, g.first_earliest, g.last_edtf"
    + "".join(f", g.o{index}" for index in range(len(Outcome)))
)


def _pair(row: tuple[Any, ...]) -> Pair:
    """A ``Pair`` from the columns ``_PAIR_COLUMNS`` begins a row with."""
    (
        envoy_id,
        counterpart_id,
        meetings,
        timed,
        minutes,
        at_least,
        at_most,
        about,
        first_edtf,
        first_earliest,
        last_edtf,
        *counts,
    ) = row[: 11 + len(Outcome)]
    return Pair(
        envoy_id=envoy_id,
        counterpart_id=counterpart_id,
        meetings=meetings,
        timed=timed,
        minutes=int(minutes),
        at_least=bool(at_least),
        at_most=bool(at_most),
        about=bool(about),
        first_edtf=first_edtf,
        first_earliest=str(first_earliest),
        last_edtf=last_edtf,
        outcomes={
            outcome.value: count for outcome, count in zip(Outcome, counts, strict=True) if count
        },
    )


def counterpart_pairs(
    read: Reader,
    where: Where,
    envoy_id: int | None = None,
    counterpart_id: int | None = None,
    *,
    everyone: bool = False,
) -> tuple[list[Pair], dict[tuple[int, int], dict[str, int]]]:
    """The pairs who met among the meetings ``where`` selects (see ``_pairs``),
    grouped by the database in one statement, and each pair's outcomes."""
    pairs, params = _pairs(where, envoy_id, counterpart_id, everyone)
    found = [
        _pair(row)
        for row in read.rows(f"{pairs}{_GROUPED} SELECT {_PAIR_COLUMNS} FROM grouped AS g", params)
    ]
    return found, {(pair.envoy_id, pair.counterpart_id): pair.outcomes for pair in found}


def counterpart_rows(
    read: Reader,
    filters: Filters,
    envoy: str | None = None,
    counterpart: str | None = None,
) -> Iterator[Row]:
    """A row per envoy and counterpart who met (keys: ``COUNTERPART_KEYS``), for the
    envoy named ``envoy`` only and the counterpart named ``counterpart`` only when
    given (by name or any alias); streamed, in the order the database sorts them.

    Envoys come in the order of their first meeting (then by name, by code point as
    names compare in Python, whatever the database's collation); an envoy's
    counterparts by meetings (most first), then by their first meeting, then by name.
    The names given are resolved at the call, so that a bad one is refused before
    anything is printed; memory holds a row at a time.
    """
    envoy_id = read_one(read, "person", envoy, "ENVOY").id if envoy is not None else None
    counterpart_id = (
        read_one(read, "person", counterpart, "--with").id if counterpart is not None else None
    )
    where = meeting_where(read, filters, "m")
    pairs, params = _pairs(where, envoy_id, counterpart_id, everyone=False)
    envoy_name = read.sql.by_code_point("e.name")
    counterpart_name = read.sql.by_code_point("c.name")
    rows = read.rows(
        f"{pairs}{_GROUPED} SELECT {_PAIR_COLUMNS}, e.name, e.uid, c.name, c.uid,"
        " min(g.first_earliest) OVER (PARTITION BY g.envoy_id) AS envoy_first"
        " FROM grouped AS g JOIN person AS e ON e.id = g.envoy_id"
        " JOIN person AS c ON c.id = g.counterpart_id"
        f" ORDER BY envoy_first, {envoy_name}, g.envoy_id, g.meetings DESC,"
        f" g.first_earliest, {counterpart_name}",
        params,
    )
    return (_counterpart_row(row) for row in rows)


def _counterpart_row(row: tuple[Any, ...]) -> Row:
    pair = _pair(row)
    envoy_name, envoy_uid, counterpart_name, counterpart_uid = row[11 + len(Outcome) : -1]
    return {
        "envoy": envoy_name,
        "counterpart": counterpart_name,
        "meetings": pair.meetings,
        **pair.talks(),
        "first": shown_edtf(pair.first_edtf),
        "first_edtf": pair.first_edtf,
        "last": shown_edtf(pair.last_edtf),
        "last_edtf": pair.last_edtf,
        "outcomes": pair.outcomes,
        "envoy_uid": envoy_uid,
        "counterpart_uid": counterpart_uid,
    }
