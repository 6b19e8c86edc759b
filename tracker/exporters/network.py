"""Who met whom, as a network: GraphML and GEXF, written by networkx.

People are the nodes (keyed by uid): ``name``, ``country`` and ``role`` (their current
title: the last role without an end, else the last one), and ``meetings``, how many of
the selected held meetings they took part in. Two people are joined by an edge when
they met, by the rule ``tracker counterparts`` follows and read by the same query
(``tracker.query.sides.WHO_MET_WHOM``): both took part in a held meeting on different
sides (a participant without a side is on no side, so meets everyone else there).
Members of one delegation are not joined for sitting at the same table; announced,
postponed and cancelled meetings join no one.

An edge carries ``weight`` and ``meetings`` (how many meetings the pair had),
``minutes`` and ``hours`` (the sum of the durations known), ``talks`` (that sum as
people write it, its qualifiers kept: ``at least c. 12 h``), ``timed`` (how many of the
meetings had a duration), and ``first`` and ``last``: the EDTF dates of the pair's
first and last meeting, exactly as precise as the sources (``2025-04`` stays a month).

Values are written as people read them elsewhere (hidden characters as escapes):
XML 1.0 cannot hold most control characters at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from tracker.counterparts import counterpart_pairs
from tracker.exporters.base import Export, Exporter
from tracker.query.sides import TAKING_PART
from tracker.text import visible
from tracker.vocab import MeetingStatus

if TYPE_CHECKING:
    import networkx as nx


TAKING_PART_IN_SQL = (
    f"SELECT fs.person_id, count(*) FROM ({TAKING_PART}) AS fs"
    " JOIN meeting AS m ON m.id = fs.meeting_id"
    f" WHERE m.status = '{MeetingStatus.HELD.value}'{{where}} GROUP BY fs.person_id"
)
PEOPLE_SQL = "SELECT id, uid, name, country FROM person WHERE {among}"
ROLES_SQL = (
    "SELECT person_id, title, end_edtf FROM person_role WHERE {among} ORDER BY person_id, id"
)


@dataclass(frozen=True)
class _Person:
    uid: str
    name: str
    country: str | None


def current_role(roles: list[tuple[str, str | None]]) -> str | None:
    """The title a person holds now (from their roles in order, each a title and its
    end): the last role without an end, else the last one."""
    open_ended = [role for role in roles if not role[1]]
    chosen = (open_ended or roles)[-1:] if roles else []
    return chosen[0][0] if chosen else None


def network(export: Export) -> tuple[nx.Graph[str], int]:
    """The network of the meetings ``export`` selects (see the module's docstring), and
    the number of meetings read: the pairs are those ``tracker counterparts`` counts
    (``counterpart_pairs``, every pair once), grouped by the database."""
    import networkx as nx

    read, where = export.read, export.where()
    taking_part_in: dict[int, int] = dict(
        read.all(TAKING_PART_IN_SQL.format(where=where.sql("AND")), where.params)
    )
    pairs, _outcomes = counterpart_pairs(read, where, everyone=True)

    people: dict[int, _Person] = {}
    roles: dict[int, list[tuple[str, str | None]]] = {}
    ids = list(taking_part_in)
    for start in range(0, len(ids), 500):
        chunk = {"ids": read.sql.ids(ids[start : start + 500])}
        for person_id, uid, name, country in read.all(
            PEOPLE_SQL.format(among=read.sql.among("id", "ids")), chunk
        ):
            people[person_id] = _Person(uid, name, country)
        for person_id, title, end_edtf in read.all(
            ROLES_SQL.format(among=read.sql.among("person_id", "ids")), chunk
        ):
            roles.setdefault(person_id, []).append((title, end_edtf))

    graph: nx.Graph[str] = nx.Graph(name=_text(export.title))
    for person_id, person in sorted(people.items(), key=lambda item: (item[1].name, item[0])):
        graph.add_node(
            person.uid,
            **_present(
                label=_text(person.name),
                name=_text(person.name),
                country=person.country,
                role=_text(current_role(roles.get(person_id, [])) or "") or None,
                meetings=taking_part_in[person_id],
            ),
        )
    pairs.sort(key=lambda pair: (people[pair.envoy_id].uid, people[pair.counterpart_id].uid))
    for pair in pairs:
        total = pair.talks()
        minutes = total["talks_minutes"]
        graph.add_edge(
            people[pair.envoy_id].uid,
            people[pair.counterpart_id].uid,
            **_present(
                weight=pair.meetings,
                meetings=pair.meetings,
                minutes=minutes,
                hours=round(minutes / 60, 2) if minutes is not None else None,
                talks=total["talks"],
                timed=pair.timed,
                first=pair.first_edtf,
                last=pair.last_edtf,
            ),
        )
    return graph, export.summary().meetings


def _text(value: str) -> str:
    return visible(value)


def _present(**values: Any) -> dict[str, Any]:
    """The attributes that have a value (GraphML and GEXF have no null)."""
    return {key: value for key, value in values.items() if value is not None}


class _NetworkExporter(Exporter):
    """Writes ``network`` with networkx's line generator named ``generator`` (and
    its ``options``); returns the number of meetings read."""

    generator: ClassVar[str]
    options: ClassVar[dict[str, str]] = {}

    def write(self, export: Export, stream: TextIO) -> int:
        import networkx as nx

        graph, read = network(export)
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
