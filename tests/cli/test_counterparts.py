"""``tracker counterparts``, ``tracker stats --with`` and the days between visits, on
both backends, on the seed data and on a small record built for the case."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from db.engine import Database
from tests.cli.conftest import Invoke
from tracker.dates import parse_when
from tracker.models import Person, Visit, VisitTraveller
from tracker.names import name_key


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    result = run("seed")
    assert result.exit_code == 0, result.output
    return run


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    text: str = result.stdout
    return text


def _json(result: Any) -> Any:
    return json.loads(_ok(result))


def _pairs(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(row["envoy"], row["counterpart"], row["meetings"]) for row in rows]


def test_who_witkoff_met_most_first_with_hours_as_sourced(seeded: Invoke) -> None:
    rows = _json(seeded("counterparts", "Witkoff", "--format", "json"))
    assert _pairs(rows) == [
        ("Steve Witkoff", "Vladimir Putin", 7),
        ("Steve Witkoff", "Yuri Ushakov", 6),
        ("Steve Witkoff", "Kirill Dmitriev", 5),
        ("Steve Witkoff", "Sergey Lavrov", 2),
        ("Steve Witkoff", "Andriy Yermak", 1),
        ("Steve Witkoff", "Rustem Umerov", 1),
    ]
    putin = rows[0]
    assert putin["talks"] == "at least c. 24 h"
    assert (putin["talks_minutes"], putin["talks_at_least"], putin["talks_about"]) == (
        1440,
        True,
        True,
    )
    assert (putin["first"], putin["first_edtf"]) == ("11 Feb 2025", "2025-02-11")
    assert (putin["last"], putin["last_edtf"]) == ("2–3 Dec 2025", "2025-12-02/2025-12-03")
    assert putin["outcomes"] == {"no-agreement": 2, "unknown": 5}
    assert (putin["envoy_uid"], putin["counterpart_uid"]) == (
        "person-steve-witkoff",
        "person-vladimir-putin",
    )
    yermak = rows[4]
    assert yermak["talks"] is None
    assert yermak["meetings_without_duration"] == 1


def test_members_of_one_delegation_are_not_counterparts(seeded: Invoke) -> None:
    rows = _json(seeded("counterparts", "--format", "json"))
    us = {"Steve Witkoff", "Jared Kushner", "Marco Rubio", "Mike Waltz", "Donald Trump"}
    for row in rows:
        assert not (row["envoy"] in us and row["counterpart"] in us), row


def test_an_announced_meeting_is_not_a_meeting_they_had(seeded: Invoke) -> None:
    """Dmitriev was expected to meet Witkoff in Miami on 25 Oct (announced): it is not
    counted, nor is it the last of their meetings."""
    (row,) = _json(seeded("counterparts", "Dmitriev", "--to", "2025-11", "--format", "json"))
    assert (row["counterpart"], row["meetings"]) == ("Steve Witkoff", 3)
    assert row["last_edtf"] == "2025-04-25"  # counted, 25 Oct would be a fourth, and last
    (whole,) = [
        r
        for r in _json(seeded("counterparts", "Dmitriev", "--format", "json"))
        if r["counterpart"] == "Steve Witkoff"
    ]
    assert whole["meetings"] == 5
    assert whole["last_edtf"] == "2025-12-20/2025-12-21"


def test_stats_with_a_counterpart_per_envoy(seeded: Invoke) -> None:
    rows = _json(seeded("stats", "--with", "Путин", "--format", "json"))
    assert [(r["envoy"], r["meetings"], r["talks"]) for r in rows] == [
        ("Steve Witkoff", 7, "at least c. 24 h"),
        ("Jared Kushner", 1, "at least 5 h"),
    ]
    table = _ok(seeded("stats", "--with", "Putin"))
    assert "at least c. 24 h" in table
    assert table.splitlines()[0].split()[:3] == ["envoy", "counterpart", "meetings"]
    limited = _json(seeded("stats", "--with", "Putin", "--from", "2025-08", "--format", "json"))
    assert [(r["envoy"], r["meetings"], r["first"]) for r in limited] == [
        ("Steve Witkoff", 3, "6 Aug 2025"),
        ("Jared Kushner", 1, "2–3 Dec 2025"),
    ]


def test_counterparts_in_every_listing_format(seeded: Invoke) -> None:
    as_json = _json(seeded("counterparts", "Witkoff", "--format", "json"))
    lines = _ok(seeded("counterparts", "Witkoff", "--format", "ndjson")).splitlines()
    assert [json.loads(line) for line in lines] == as_json
    table = list(
        csv.DictReader(io.StringIO(_ok(seeded("counterparts", "Witkoff", "--format", "csv"))))
    )
    assert [(r["counterpart"], r["talks"]) for r in table] == [
        (r["counterpart"], r["talks"] or "") for r in as_json
    ]
    assert table[0]["outcomes"] == "no-agreement 2; unknown 5"
    markdown = _ok(seeded("counterparts", "Witkoff", "--format", "markdown"))
    assert "| Steve Witkoff | Vladimir Putin | 7 | at least c. 24 h |" in markdown


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("counterparts", "Nobody Known"), "ENVOY"),
        (("stats", "--with", "Nobody Known"), "--with"),
        (("counterparts", "--from", "2025-13"), "--from"),
    ],
)
def test_bad_names_and_dates_name_their_field(
    seeded: Invoke, args: tuple[str, ...], field: str
) -> None:
    result = seeded(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert field in line


def test_nothing_to_list(run: Invoke) -> None:
    result = run("counterparts")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("No held meetings")
    assert _json(run("counterparts", "--format", "json")) == []


def test_visits_show_the_days_since_the_previous_visit(seeded: Invoke) -> None:
    rows = _json(seeded("visits", "Witkoff", "--format", "json"))
    assert [(r["date"], r["days_since_previous"]) for r in rows[:4]] == [
        ("11 Feb 2025", None),
        ("18 Feb 2025", 7),
        ("13–14 Mar 2025", 23),
        ("11 Apr 2025", 29),
    ]
    assert not any(r["days_since_previous_about"] for r in rows)
    table = _ok(seeded("visits", "Witkoff")).splitlines()
    assert table[0].split()[:6] == ["#", "date", "destination", "country", "days", "since"]
    assert "  7 d  " in table[2]


def test_a_gap_from_a_month_only_visit_is_approximate(run: Invoke, database: Database) -> None:
    with database.writing() as session:
        person = Person(name="Kirill Dmitriev", key=name_key("Kirill Dmitriev"), country="RU")
        session.add(person)
        for uid, edtf in (("v-apr", "2025-04"), ("v-jun", "2025-06-10")):
            when = parse_when(edtf)
            visit = Visit(uid=uid, edtf=when.edtf, earliest=when.earliest, latest=when.latest)
            visit.travellers = [VisitTraveller(person=person, role="envoy", position=0)]
            session.add(visit)
    rows = _json(run("visits", "Dmitriev", "--format", "json"))
    assert [(r["days_since_previous"], r["days_since_previous_about"]) for r in rows] == [
        (None, False),
        (70, True),
    ]
    assert "c. 70 d" in _ok(run("visits", "Dmitriev"))


def test_envoys_met_on_the_same_day_in_the_order_python_compares_names(run: Invoke) -> None:
    # The database sorts the rows: by code point, as Python compares strings, whatever
    # its collation ("Zoe" before "anna" before "Émile"; a locale or a case-blind
    # order would put them otherwise).
    for envoy in ("Émile Brun", "anna Weiss", "Zoe Adler"):
        result = run(
            "log", "-e", envoy, "-w", "Olaf Berg", "-d", "2025-03-01", "-p", "Geneva",
            "-t", f"Talks with {envoy}", "--duration", "2h", "-s", "https://example.org/geneva",
            "--create", "--country", "CH",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    rows = _json(run("counterparts", "--format", "json"))
    assert _pairs(rows) == [
        ("Zoe Adler", "Olaf Berg", 1),
        ("anna Weiss", "Olaf Berg", 1),
        ("Émile Brun", "Olaf Berg", 1),
    ]
    rows = _json(run("stats", "--with", "Berg", "--format", "json"))
    assert [row["envoy"] for row in rows] == ["Zoe Adler", "anna Weiss", "Émile Brun"]
