"""A meeting announced, postponed or cancelled says so in every view and format, on
both backends. The seed's "Dmitriev expected to meet Witkoff in Miami" (25 Oct 2025)
is announced; the rest of October and November was held."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke

MIAMI = "meeting-2025-10-25-dmitriev-witkoff-miami"
OCTOBER = ("--from", "2025-10", "--to", "2025-10")


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


def test_the_timeline_table_marks_what_was_not_held(seeded: Invoke) -> None:
    lines = _ok(seeded("timeline", "--from", "2025-10", "--to", "2025-11-23")).splitlines()
    assert lines[0].split()[:4] == ["date", "kind", "status", "title"]
    (announced,) = [line for line in lines if "Miami" in line]
    assert announced.startswith("25 Oct 2025  talks  announced  Dmitriev expected to meet")
    held = [line for line in lines[1:] if "Miami" not in line]
    assert held
    for line in held:
        assert "announced" not in line
        assert line.split("  ")[2] == ""  # the status cell of a held meeting is empty


def test_every_listing_format_carries_the_status(seeded: Invoke) -> None:
    (row,) = json.loads(_ok(seeded("timeline", *OCTOBER, "--format", "json")))
    assert (row["uid"], row["status"]) == (MIAMI, "announced")
    (line,) = _ok(seeded("timeline", *OCTOBER, "--format", "ndjson")).splitlines()
    assert json.loads(line) == row
    (as_csv,) = csv.DictReader(io.StringIO(_ok(seeded("timeline", *OCTOBER, "--format", "csv"))))
    assert as_csv["status"] == "announced"
    markdown = _ok(seeded("timeline", *OCTOBER, "--format", "markdown")).splitlines()
    header = [cell.strip() for cell in markdown[0].strip("|").split("|")]
    cells = [cell.strip() for cell in markdown[2].strip("|").split("|")]
    assert cells[header.index("status")] == "announced"
    held = json.loads(_ok(seeded("timeline", "--from", "2025-11", "--format", "json")))
    assert {r["status"] for r in held} == {"held"}


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "markdown"])
def test_the_export_carries_the_status(seeded: Invoke, fmt: str) -> None:
    text = _ok(seeded("export", "--format", fmt, *OCTOBER))
    assert "status" in text
    assert "announced" in text


def test_the_tree_says_announced(seeded: Invoke) -> None:
    assert _ok(seeded("timeline", *OCTOBER, "--view", "tree")) == (
        "2025\n"
        "  October\n"
        "    25 Oct 2025  Dmitriev expected to meet Witkoff in Miami"
        " (talks, announced; Kirill Dmitriev with Steve Witkoff)\n"
    )


def test_lanes_keep_what_was_not_held_apart(seeded: Invoke) -> None:
    args = ("timeline", "--view", "lanes", "--from", "2025-10", "--to", "2025-12")
    rows = json.loads(_ok(seeded(*args, "--format", "json")))
    dmitriev = [row for row in rows if row["envoy"] == "Kirill Dmitriev"]
    # December: the Kremlin talks, where he took part as an envoy, and Miami.
    assert [(r["status"], r["2025-10"], r["2025-12"]) for r in dmitriev] == [
        ("held", 0, 2),
        ("announced", 1, 0),
    ]
    table = _ok(seeded(*args)).splitlines()
    assert table[0].split()[:2] == ["envoy", "status"]
    lanes = [line for line in table if line.startswith("Kirill Dmitriev")]
    # December's two held meetings include one whose date is disputed: marked 2!
    assert [line.split()[2] for line in lanes] == ["2!", "announced"]


def test_show_says_announced(seeded: Invoke) -> None:
    meeting = _ok(seeded("show", MIAMI)).splitlines()
    assert "status        announced" in meeting
    visit = _ok(seeded("show", "visit-2025-10-dmitriev-us"))
    assert "Dmitriev expected to meet Witkoff in Miami (talks, announced, outcome unknown)" in visit
    detail = json.loads(_ok(seeded("show", "visit-2025-10-dmitriev-us", "--format", "json")))
    assert detail["meetings"][0]["status"] == "announced"


def test_the_calendar_and_timelinejs_say_so(seeded: Invoke) -> None:
    ics = _ok(seeded("export", "--format", "ics", *OCTOBER))
    assert "STATUS:TENTATIVE" in ics
    slides = json.loads(_ok(seeded("export", "--format", "timelinejs", *OCTOBER)))["events"]
    (slide,) = [s for s in slides if s.get("unique_id") == MIAMI]
    assert slide["text"]["headline"] == "Dmitriev expected to meet Witkoff in Miami (announced)"
    assert "talks, announced" in slide["text"]["text"]


def test_a_status_column_imports(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "meetings.csv"
    path.write_text(
        "traveller,date,country,city,title,status\n"
        "Steve Witkoff,2026-01-20,RU,Moscow,Talks expected in Moscow,announced\n"
        "Steve Witkoff,2026-02-10,RU,Moscow,Talks called off,Cancelled\n",
        encoding="utf-8",
    )
    assert run("import", "--create", str(path)).exit_code == 0
    rows = json.loads(_ok(run("timeline", "--format", "json")))
    assert [(r["title"], r["status"]) for r in rows] == [
        ("Talks expected in Moscow", "announced"),
        ("Talks called off", "cancelled"),
    ]


def test_a_bad_status_is_refused_naming_the_column(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "meetings.csv"
    path.write_text(
        "traveller,date,country,city,title,status\n"
        "Steve Witkoff,2026-01-20,RU,Moscow,Talks,rumoured\n",
        encoding="utf-8",
    )
    result = run("import", "--create", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert '"status"' in line
    assert "announced" in line
    assert json.loads(_ok(run("timeline", "--format", "json"))) == []


def test_the_html_page_marks_it_in_the_table_and_the_lanes(seeded: Invoke) -> None:
    page = _ok(seeded("export", "--format", "html"))
    (mark,) = re.findall(rf'<rect class="([^"]*)" data-uid="{MIAMI}"[^>]*><title>([^<]*)<', page)
    assert "not-held" in mark[0].split()
    assert mark[1] == "25 Oct 2025: Dmitriev expected to meet Witkoff in Miami (announced; unknown)"
    assert re.search(rf'<tr [^>]*data-uid="{MIAMI}"[^>]* class="not-held">', page)
    assert "announced, postponed or cancelled: not held" in page
    held = _ok(seeded("export", "--format", "html", "--from", "2025-11"))
    assert 'class="mark not-held"' not in held
    assert 'class="not-held"' not in held
    assert "announced, postponed or cancelled: not held" not in held
