"""One rule for a meeting's envoys and counterparts, pinned on the seed data on both
backends: the timeline's columns, ``--envoy``, ``visits``, ``stats``, ``stats --with``,
``counterparts`` and the network export all follow it. A meeting's envoys are its
participants in the role of envoy; the travellers of its visit are not its envoys for
being on the trip (``tracker.query.envoys.taking_part``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from db.reading import reading
from tests.cli.conftest import Invoke
from tracker.query.where import Filters, meeting_where

M = "meeting-2025-"
ENVOY_MEETINGS = {
    "Steve Witkoff": [
        "02-11-witkoff-putin",
        "02-18-us-russia-riyadh",
        "03-13-witkoff-putin",
        "04-11-witkoff-dmitriev-st-petersburg",
        "04-11-witkoff-putin",
        "04-25-witkoff-putin",
        "08-06-witkoff-dmitriev-zaryadye",
        "08-06-witkoff-putin",
        # The summit's one envoy, with no recorded trip to Anchorage; and an envoy at
        # the Shell Bay talks, though the recorded visit is the Ukrainian delegation's.
        "08-15-trump-putin-anchorage",
        "11-23-us-ukraine-geneva",
        "11-30-us-ukraine-hallandale",
        "12-02-witkoff-kushner-moscow-walk",
        "12-02-witkoff-kushner-putin",
    ],
    "Marco Rubio": ["02-18-us-russia-riyadh", "11-23-us-ukraine-geneva"],
    "Mike Waltz": ["02-18-us-russia-riyadh"],
    # Not Riyadh nor Anchorage, where he travelled but took no part in the talks;
    # the Kremlin talks where he took part as Putin's envoy.
    "Kirill Dmitriev": [
        "04-dmitriev-witkoff-washington",
        "04-11-witkoff-putin",
        "04-25-witkoff-putin",
        "10-25-dmitriev-witkoff-miami",
        "12-02-witkoff-kushner-putin",
        "12-20-dmitriev-witkoff-kushner-miami",
    ],
    # At the summit as the head of his side (principal), with Lavrov as a delegate and
    # Ushakov as an adviser, as Ushakov is at the Riyadh talks: none is its envoy.
    "Vladimir Putin": [],
    "Yuri Ushakov": [],
    "Sergey Lavrov": [],
    # Not the Miami meetings he took part in as an adviser to the hosts.
    "Jared Kushner": [
        "11-23-us-ukraine-geneva",
        "12-02-witkoff-kushner-moscow-walk",
        "12-02-witkoff-kushner-putin",
    ],
    "Dan Driscoll": ["11-24-driscoll-russia-abu-dhabi"],
    "Rustem Umerov": ["11-30-us-ukraine-hallandale", "12-04-us-ukraine-miami"],
    "Andrii Hnatov": ["12-04-us-ukraine-miami"],
    # A traveller to Geneva who took part as a principal, never as an envoy.
    "Andriy Yermak": [],
}

# The meetings whose envoys are not the travellers of their visit who took part (the
# summit has no visit of its one envoy).
DIFFERING = {
    "04-11-witkoff-putin": (
        "Steve Witkoff; Kirill Dmitriev",
        "Vladimir Putin; Yuri Ushakov",
    ),
    "04-25-witkoff-putin": (
        "Steve Witkoff; Kirill Dmitriev",
        "Vladimir Putin; Yuri Ushakov",
    ),
    "08-15-trump-putin-anchorage": (
        "Steve Witkoff",
        "Donald Trump; Vladimir Putin; Marco Rubio; Sergey Lavrov; Yuri Ushakov",
    ),
    "11-30-us-ukraine-hallandale": (
        "Steve Witkoff; Rustem Umerov",
        "Marco Rubio; Jared Kushner",
    ),
    "12-02-witkoff-kushner-putin": (
        "Steve Witkoff; Jared Kushner; Kirill Dmitriev",
        "Vladimir Putin; Yuri Ushakov",
    ),
}

PAIRS = [
    ("Steve Witkoff", "Vladimir Putin", 7),
    ("Steve Witkoff", "Yuri Ushakov", 6),
    ("Steve Witkoff", "Kirill Dmitriev", 5),
    ("Steve Witkoff", "Sergey Lavrov", 2),
    ("Steve Witkoff", "Andriy Yermak", 1),
    ("Steve Witkoff", "Rustem Umerov", 1),
    ("Marco Rubio", "Sergey Lavrov", 1),
    ("Marco Rubio", "Yuri Ushakov", 1),
    ("Marco Rubio", "Andriy Yermak", 1),
    ("Mike Waltz", "Sergey Lavrov", 1),
    ("Mike Waltz", "Yuri Ushakov", 1),
    ("Kirill Dmitriev", "Steve Witkoff", 5),
    ("Kirill Dmitriev", "Jared Kushner", 2),
    ("Jared Kushner", "Andriy Yermak", 1),
    ("Jared Kushner", "Kirill Dmitriev", 1),
    ("Jared Kushner", "Vladimir Putin", 1),
    ("Jared Kushner", "Yuri Ushakov", 1),
    ("Rustem Umerov", "Jared Kushner", 2),
    ("Rustem Umerov", "Steve Witkoff", 2),
    ("Rustem Umerov", "Marco Rubio", 1),
    ("Andrii Hnatov", "Jared Kushner", 1),
    ("Andrii Hnatov", "Steve Witkoff", 1),
]


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    result = run("seed")
    assert result.exit_code == 0, result.output
    return run


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("envoy", sorted(ENVOY_MEETINGS))
def test_envoy_lists_the_meetings_taken_part_in_as_envoy(seeded: Invoke, envoy: str) -> None:
    rows = _json(seeded("timeline", "--envoy", envoy, "--format", "json"))
    assert [row["uid"] for row in rows] == [M + uid for uid in ENVOY_MEETINGS[envoy]]
    # The filter and the timeline's envoys column say the same.
    every = _json(seeded("timeline", "--format", "json"))
    listed = [row["uid"] for row in every if envoy in row["envoys"].split("; ")]
    assert listed == [row["uid"] for row in rows]


def test_the_envoys_and_counterparts_of_every_seeded_meeting(seeded: Invoke) -> None:
    rows = {row["uid"]: row for row in _json(seeded("timeline", "--format", "json"))}
    assert len(rows) == 22
    for uid, (envoys, counterparts) in DIFFERING.items():
        assert (rows[M + uid]["envoys"], rows[M + uid]["counterparts"]) == (envoys, counterparts)
    # Dmitriev flew to Anchorage but is no participant of the summit: on no side of it.
    anchorage = rows[M + "08-15-trump-putin-anchorage"]
    assert "Kirill Dmitriev" not in anchorage["envoys"] + anchorage["counterparts"]
    # A meeting outside any trip: no participant in the role of envoy, no envoys.
    istanbul = rows[M + "05-16-russia-ukraine-istanbul"]
    assert istanbul["envoys"] == ""
    assert istanbul["counterparts"] == "Vladimir Medinsky; Rustem Umerov; Hakan Fidan"


def test_counterpart_pairs(seeded: Invoke) -> None:
    rows = _json(seeded("counterparts", "--format", "json"))
    assert [(r["envoy"], r["counterpart"], r["meetings"]) for r in rows] == PAIRS
    with_putin = _json(seeded("stats", "--with", "Putin", "--format", "json"))
    assert [(r["envoy"], r["meetings"], r["talks"]) for r in with_putin] == [
        ("Steve Witkoff", 7, "at least c. 24 h"),
        ("Jared Kushner", 1, "at least 5 h"),
    ]


def test_stats_and_visits_count_the_meetings_held_as_envoy(seeded: Invoke) -> None:
    stats = {r["envoy"]: r for r in _json(seeded("stats", "--format", "json"))}
    summary = {r["envoy"]: r for r in _json(seeded("visits", "--format", "json"))}
    expected = {
        "Steve Witkoff": (8, 11),
        # Washington, Miami (announced) and Miami in December: not the Anchorage
        # summit, where he travelled but took no part.
        "Kirill Dmitriev": (5, 3),
        "Jared Kushner": (2, 3),
        # Riyadh and Anchorage, where he took part as an adviser, not as an envoy.
        "Yuri Ushakov": (2, 0),
        "Andriy Yermak": (1, 0),
    }
    for name, (visits, meetings) in expected.items():
        assert (stats[name]["visits"], stats[name]["meetings"]) == (visits, meetings)
        assert (summary[name]["visits"], summary[name]["meetings"]) == (visits, meetings)
    assert stats["Kirill Dmitriev"]["outcomes"] == {"unknown": 3}
    visits = _json(seeded("visits", "Witkoff", "--format", "json"))
    # 25 April: Dmitriev took part as an envoy, so he is not a counterpart.
    assert visits[4]["counterparts"] == "Vladimir Putin; Yuri Ushakov"
    assert visits[3]["counterparts"] == "Kirill Dmitriev; Vladimir Putin; Yuri Ushakov"


def test_the_network_reads_the_pairs_counterparts_reads(seeded: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "network.graphml"
    assert seeded("export", "-o", str(path)).exit_code == 0
    graph = nx.read_graphml(path)
    names = {node: data["name"] for node, data in graph.nodes(data=True)}
    edges = {
        frozenset((names[one], names[other])): data["meetings"]
        for one, other, data in graph.edges(data=True)
    }
    assert edges[frozenset(("Steve Witkoff", "Vladimir Putin"))] == 7
    # Every pair counterparts lists is an edge, met at least as often.
    for envoy, counterpart, meetings in PAIRS:
        assert edges[frozenset((envoy, counterpart))] >= meetings
    # Pairs without an envoy met too (the Istanbul rounds), each pair once.
    assert edges[frozenset(("Vladimir Medinsky", "Rustem Umerov"))] == 3
    assert frozenset(("Steve Witkoff", "Jared Kushner")) not in edges
    assert len(edges) == 26


@pytest.mark.parametrize("envoy", sorted(ENVOY_MEETINGS))
def test_the_plain_read_filter_follows_the_rule(run: Invoke, db_url: str, envoy: str) -> None:
    assert run("seed").exit_code == 0
    with reading(db_url) as read:
        where = meeting_where(read, Filters(envoy=envoy), "m")
        query = f"SELECT m.uid FROM meeting AS m{where.sql()} ORDER BY m.earliest, m.id"
        found = [uid for (uid,) in read.all(query, where.params)]
    assert found == [M + uid for uid in ENVOY_MEETINGS[envoy]]
