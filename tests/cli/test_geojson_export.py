"""``tracker export --format geojson``: places with their visits and meetings, checked
with the geojson package (RFC 7946)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geojson
import pytest

from tests.cli.conftest import Invoke


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    assert run("seed").exit_code == 0
    return run


def _export(run: Invoke, tmp_path: Path, *args: str) -> dict[str, Any]:
    path = tmp_path / "places.geojson"
    result = run("export", *args, "-o", str(path))  # the format from the extension
    assert result.exit_code == 0, result.output
    assert "as geojson to" in result.stderr
    text = path.read_text(encoding="utf-8")
    collection = geojson.loads(text)
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection"
    parsed: dict[str, Any] = json.loads(text)
    return {feature["id"]: feature for feature in parsed["features"]}


def test_the_seed_as_a_valid_feature_collection(seeded: Invoke, tmp_path: Path) -> None:
    features = _export(seeded, tmp_path)
    kremlin = features["place-kremlin"]
    assert kremlin["geometry"] == {"type": "Point", "coordinates": [37.61778, 55.75167]}
    props = kremlin["properties"]
    assert props["name"] == "Kremlin"
    assert props["country"] == "RU"
    assert props["parent"] == "place-moscow"
    assert props["coordinates_of"] == "place-kremlin"
    assert props["meeting_count"] == len(props["meetings"]) == 3
    assert {m["uid"] for m in props["meetings"]} >= {"meeting-2025-12-02-witkoff-kushner-putin"}
    # A venue no source located is drawn at its city, and says so.
    library = features["place-presidential-library-st-petersburg"]
    assert library["properties"]["coordinates_of"] == "place-st-petersburg"
    assert (
        library["geometry"]["coordinates"]
        == features["place-st-petersburg"]["geometry"]["coordinates"]
    )
    # Visits sit at their destination; a country is an area, with no point.
    moscow = features["place-moscow"]["properties"]
    assert moscow["visit_count"] == len(moscow["visits"]) >= 5
    assert all(v["travellers"] for v in moscow["visits"])
    assert features["place-united-states"]["geometry"] is None
    # Every meeting is somewhere, once.
    placed = [m["uid"] for f in features.values() for m in f["properties"]["meetings"]]
    assert len(placed) == len(set(placed)) == 22


def test_statuses_and_filters(seeded: Invoke, tmp_path: Path) -> None:
    features = _export(seeded, tmp_path, "--envoy", "Dmitriev")
    miami = features["place-miami"]["properties"]
    statuses = {m["uid"]: m["status"] for m in miami["meetings"]}
    assert statuses["meeting-2025-10-25-dmitriev-witkoff-miami"] == "announced"
    assert "place-geneva" not in features  # Dmitriev was not in Geneva


def test_nothing_selected_is_an_empty_collection(seeded: Invoke, tmp_path: Path) -> None:
    assert _export(seeded, tmp_path, "--from", "2020", "--to", "2020") == {}
