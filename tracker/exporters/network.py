"""Who met whom, as a network: GraphML and GEXF, written by networkx.

People are the nodes (keyed by uid): ``name``, ``country`` and ``role`` (their current
title: the last role without an end, else the last one), and ``meetings``, how many of
the selected meetings they took part in. Two people are joined by an edge when they
met: both took part in a held meeting on different sides (a participant without a
side is on no side, so meets everyone else there). Members of one delegation are not
joined for sitting at the same table; announced, postponed and cancelled meetings join
no one.

An edge carries ``weight`` and ``meetings`` (how many meetings the pair had),
``minutes`` and ``hours`` (the sum of the durations known), ``talks`` (that sum as
people write it, its qualifiers kept: ``at least c. 12 h``), ``timed`` (how many of the
meetings had a duration), and ``first`` and ``last``: the EDTF dates of the pair's
first and last meeting, exactly as precise as the sources (``2025-04`` stays a month).

Values are written as people read them elsewhere (hidden characters as escapes):
XML 1.0 cannot hold most control characters at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import TYPE_CHECKING, Any, ClassVar, TextIO, cast

from sqlalchemy import select

from tracker.exporters.base import Export, Exporter
from tracker.models import Meeting, Participant, Person, PersonRole
from tracker.query import talks_total
from tracker.text import visible
from tracker.vocab import MeetingStatus

if TYPE_CHECKING:
    import networkx as nx


@dataclass(slots=True)
class _Timed:
    """A meeting's duration, all ``talks_total`` reads of it (kept instead of the
    meeting, so that memory holds numbers, not loaded records)."""

    duration_minutes: int | None
    duration_qualifier: str | None


@dataclass
class _Pair:
    """What two people's meetings add up to: their durations, and the first (by
    earliest day) and the last (by latest day) with their EDTF dates."""

    first: tuple[date, str]
    last: tuple[date, str]
    durations: list[_Timed] = field(default_factory=list)

    @classmethod
    def of(cls, meeting: Meeting) -> _Pair:
        return cls((meeting.earliest, meeting.edtf), (meeting.latest, meeting.edtf))

    def add(self, meeting: Meeting) -> None:
        self.durations.append(_Timed(meeting.duration_minutes, meeting.duration_qualifier))
        if meeting.earliest < self.first[0]:
            self.first = (meeting.earliest, meeting.edtf)
        if meeting.latest >= self.last[0]:
            self.last = (meeting.latest, meeting.edtf)


def met(participants: Iterable[Participant]) -> Iterator[tuple[Participant, Participant]]:
    """The pairs of a meeting's participants who met: on different sides, or either of
    them on none."""
    for one, other in combinations(participants, 2):
        if one.person_id == other.person_id:
            continue
        if one.side and other.side and one.side.casefold() == other.side.casefold():
            continue
        yield one, other


def current_role(roles: list[PersonRole]) -> str | None:
    """The title a person holds now: the last role without an end, else the last one."""
    open_ended = [role for role in roles if not role.end_edtf]
    chosen = (open_ended or roles)[-1:] if roles else []
    return chosen[0].title if chosen else None


def who_met_whom(export: Export) -> tuple[nx.Graph[str], int]:
    """The network of the meetings ``export`` selects (see the module's docstring), and
    the number of meetings read."""
    import networkx as nx

    read = 0
    people: dict[int, Person] = {}
    taking_part: dict[int, int] = {}
    pairs: dict[tuple[int, int], _Pair] = {}
    for record in export.meetings():
        read += 1
        meeting = record.meeting
        if meeting.status != MeetingStatus.HELD.value:
            continue
        for participant in meeting.participants:
            people.setdefault(participant.person_id, participant.person)
            taking_part[participant.person_id] = taking_part.get(participant.person_id, 0) + 1
        for left, right in met(meeting.participants):
            key = (min(left.person_id, right.person_id), max(left.person_id, right.person_id))
            pairs.setdefault(key, _Pair.of(meeting)).add(meeting)

    roles: dict[int, list[PersonRole]] = {}
    ids = list(people)
    for start in range(0, len(ids), 500):
        query = (
            select(PersonRole)
            .where(PersonRole.person_id.in_(ids[start : start + 500]))
            .order_by(PersonRole.person_id, PersonRole.id)
        )
        for role in export.session.scalars(query):
            roles.setdefault(role.person_id, []).append(role)

    graph: nx.Graph[str] = nx.Graph(name=_text(export.title))
    for person_id, person in sorted(people.items(), key=lambda item: (item[1].name, item[0])):
        graph.add_node(
            person.uid,
            **_present(
                label=_text(person.name),
                name=_text(person.name),
                country=person.country,
                role=_text(current_role(roles.get(person_id, [])) or "") or None,
                meetings=taking_part[person_id],
            ),
        )
    for (one, other), pair in sorted(
        pairs.items(), key=lambda item: (people[item[0][0]].uid, people[item[0][1]].uid)
    ):
        total = talks_total(cast("list[Meeting]", pair.durations))
        minutes = total["talks_minutes"]
        graph.add_edge(
            people[one].uid,
            people[other].uid,
            **_present(
                weight=len(pair.durations),
                meetings=len(pair.durations),
                minutes=minutes,
                hours=round(minutes / 60, 2) if minutes is not None else None,
                talks=total["talks"],
                timed=len(pair.durations) - total["meetings_without_duration"],
                first=pair.first[1],
                last=pair.last[1],
            ),
        )
    return graph, read


def _text(value: str) -> str:
    return visible(value)


def _present(**values: Any) -> dict[str, Any]:
    """The attributes that have a value (GraphML and GEXF have no null)."""
    return {key: value for key, value in values.items() if value is not None}


class _NetworkExporter(Exporter):
    """Writes ``who_met_whom`` with networkx's line generator named ``generator`` (and
    its ``options``); returns the number of meetings read."""

    generator: ClassVar[str]
    options: ClassVar[dict[str, str]] = {}

    def write(self, export: Export, stream: TextIO) -> int:
        import networkx as nx

        graph, read = who_met_whom(export)
        for line in getattr(nx, self.generator)(graph, **self.options):
            stream.write(line)
            stream.write("\n")
        return read


class GraphmlExporter(_NetworkExporter):
    name = "graphml"
    extensions = ("graphml",)
    media_type = "application/graphml+xml"
    summary = "who met whom: people as nodes, an edge per pair who met (GraphML, networkx)"
    generator = "generate_graphml"


class GexfExporter(_NetworkExporter):
    name = "gexf"
    extensions = ("gexf",)
    media_type = "application/gexf+xml"
    summary = "who met whom: people as nodes, an edge per pair who met (GEXF 1.2, networkx)"
    generator = "generate_gexf"
    options: ClassVar[dict[str, str]] = {"version": "1.2draft"}
