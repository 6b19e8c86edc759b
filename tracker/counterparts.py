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
meeting) and one for the outcomes; memory holds a row per pair, whatever the number of
meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.names import read_one
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


def counterpart_pairs(
    read: Reader,
    where: Where,
    envoy_id: int | None = None,
    counterpart_id: int | None = None,
    *,
    everyone: bool = False,
) -> tuple[list[Pair], dict[tuple[int, int], dict[str, int]]]:
    """The pairs who met among the meetings ``where`` selects (see ``_pairs``),
    grouped by the database, and each pair's outcomes."""
    pairs, params = _pairs(where, envoy_id, counterpart_id, everyone)
    pair_key = "PARTITION BY envoy_id, counterpart_id"

    def found(qualifier: DurationQualifier) -> str:
        return (
            "max(CASE WHEN duration_minutes IS NOT NULL"
            f" AND duration_qualifier = '{qualifier.value}' THEN 1 ELSE 0 END)"
        )

    grouped = read.all(
        f"{pairs}, ranked AS (SELECT pairs.*,"
        f" row_number() OVER ({pair_key} ORDER BY earliest, latest, meeting_id) AS nth,"
        f" row_number() OVER ({pair_key}"
        " ORDER BY latest DESC, earliest DESC, meeting_id DESC) AS nth_last FROM pairs)"
        " SELECT envoy_id, counterpart_id, count(*), count(duration_minutes),"
        f" coalesce(sum(duration_minutes), 0), {found(DurationQualifier.AT_LEAST)},"
        f" {found(DurationQualifier.AT_MOST)}, {found(DurationQualifier.ABOUT)},"
        " max(CASE WHEN nth = 1 THEN edtf END), max(CASE WHEN nth = 1 THEN earliest END),"
        " max(CASE WHEN nth_last = 1 THEN edtf END)"
        " FROM ranked GROUP BY envoy_id, counterpart_id",
        params,
    )
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
        for row in grouped
    ]
    outcomes: dict[tuple[int, int], dict[str, int]] = {}
    for envoy_id_, counterpart_id_, outcome, count in read.all(
        f"{pairs} SELECT envoy_id, counterpart_id, outcome, count(*) FROM pairs"
        " GROUP BY envoy_id, counterpart_id, outcome",
        params,
    ):
        outcomes.setdefault((envoy_id_, counterpart_id_), {})[outcome] = count
    return found_pairs, outcomes


def counterpart_rows(
    read: Reader,
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
    envoy_id = read_one(read, "person", envoy, "ENVOY").id if envoy is not None else None
    counterpart_id = (
        read_one(read, "person", counterpart, "--with").id if counterpart is not None else None
    )
    where = meeting_where(read, filters, "m")
    pairs, outcomes = counterpart_pairs(read, where, envoy_id, counterpart_id)
    ids = {pair.envoy_id for pair in pairs} | {pair.counterpart_id for pair in pairs}
    people = {
        person_id: (name, uid)
        for person_id, name, uid in read.all(
            f"SELECT id, name, uid FROM person WHERE {read.sql.among('id', 'ids')}",
            {"ids": read.sql.ids(sorted(ids))},
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
