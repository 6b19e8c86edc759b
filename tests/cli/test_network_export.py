"""``tracker export --format graphml|gexf``: who met whom, read back with networkx."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from tests.cli.conftest import Invoke

WITKOFF = "person-steve-witkoff"
PUTIN = "person-vladimir-putin"
KUSHNER = "person-jared-kushner"
DMITRIEV = "person-kirill-dmitriev"


def _read(path: Path, fmt: str) -> nx.Graph:
    return nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    assert run("seed").exit_code == 0
    return run


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_the_witkoff_putin_edge_reads_back(seeded: Invoke, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"network.{fmt}"
    result = seeded("export", "-o", str(path))  # the format from the extension
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote 22 meetings as {fmt} to {path}.\n"
    graph = _read(path, fmt)

    putin = graph.nodes[PUTIN]
    assert putin["name"] == "Vladimir Putin"
    assert putin["country"] == "RU"
    assert putin["role"] == "President of Russia"
    # Seven held meetings: Moscow (Feb, Mar, 25 Apr, Aug, Dec), St Petersburg, Anchorage.
    edge = graph.edges[WITKOFF, PUTIN]
    assert edge["meetings"] == 7
    assert float(edge["weight"]) == 7
    assert edge["timed"] == 7
    assert edge["minutes"] == 24 * 60
    assert edge["hours"] == 24.0
    assert edge["talks"] == "at least c. 24 h"  # 'about' and 'at least' durations summed
    assert edge["first"] == "2025-02-11"
    assert edge["last"] == "2025-12-02/2025-12-03"
    # One delegation does not "meet" itself.
    assert not graph.has_edge(WITKOFF, KUSHNER)
    assert graph.has_edge(KUSHNER, PUTIN)


def test_an_announced_meeting_joins_no_one(seeded: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "october.graphml"
    result = seeded("export", "--from", "2025-10", "--to", "2025-10", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert "Wrote 1 meeting as graphml" in result.stderr
    graph = nx.read_graphml(path)
    assert graph.number_of_edges() == 0
    assert graph.number_of_nodes() == 0


def test_the_network_follows_the_export_filters(seeded: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "december.gexf"
    result = seeded("export", "--from", "2025-12-02", "--to", "2025-12-02", "-o", str(path))
    assert result.exit_code == 0, result.output
    graph = nx.read_gexf(path)
    edge = graph.edges[WITKOFF, PUTIN]
    assert edge["meetings"] == 1
    assert edge["first"] == edge["last"] == "2025-12-02/2025-12-03"
    assert graph.edges[WITKOFF, DMITRIEV]["meetings"] == 1
    assert not graph.has_edge(PUTIN, DMITRIEV)  # both on the Russian side
    assert "person-marco-rubio" not in graph


def test_markup_in_names_reads_back_as_itself(seeded: Invoke, tmp_path: Path) -> None:
    hostile = "Bad <b>&amp;</b> \"Name\" ]]> 'x'"

    document = {
        "format": "tracker/1",
        "people": [{"uid": "person-hostile", "name": hostile}],
        "meetings": [
            {
                "uid": "meeting-hostile",
                "title": "Talks",
                "date": "2025-09-01",
                "participants": [
                    {"person": "person-hostile", "side": "X", "role": "envoy"},
                    {"person": PUTIN, "side": "RU", "role": "host"},
                ],
            }
        ],
    }
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(document), encoding="utf-8")
    assert seeded("import", str(extra)).exit_code == 0
    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"hostile.{fmt}"
        assert seeded("export", "-o", str(path)).exit_code == 0
        graph = _read(path, fmt)
        assert graph.nodes["person-hostile"]["name"] == hostile
        assert graph.edges["person-hostile", PUTIN]["meetings"] == 1
