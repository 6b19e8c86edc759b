"""Competing accounts in the read views: the timeline's ``disputed`` column and mark,
``--disputed``, the accounts side by side in ``tracker show``, and the disputed
durations of ``tracker stats``."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from rich.console import Console

from tests.cli.conftest import Invoke

REPORT = "Polish news report (crediting Reuters)"
KREMLIN = "https://www.kremlin.ru/events/president/news/1"
TASS = "https://tass.com/world/1942591"
TALKS = "meeting-2025-12-02-witkoff-kushner-putin"


@pytest.fixture
def disputes(run: Invoke) -> Invoke:
    """Three meetings of Witkoff's: talks of 2 Dec 2025 whose duration the sources give
    differently (over five hours; five hours), a walk with no accounts, and talks of
    11 Apr 2025 whose two sources agree on the duration."""
    for args in (
        ["-d", "2025-12-02", "-p", "Kremlin", "-t", "Talks", "--duration", "5h+"],
        ["-d", "2025-12-01", "-p", "Moscow", "-t", "Walk"],
        ["-d", "2025-04-11", "-p", "St Petersburg", "-t", "Library talks", "--duration", "4h"],
    ):
        result = run(
            "log", "-e", "Steve Witkoff", "-w", "Vladimir Putin", *args, "-s", REPORT,
            "--create", "--country", "RU",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    result = run("account", "add", "m:1", "duration", "5h", "-s", KREMLIN, "--quote",
                 "Pięć godzin negocjacji", "--language", "pl")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run("account", "add", "m:3", "duration", "4h", "-s", TASS).exit_code == 0
    return run


def _json(run: Invoke, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _titles_and_disputes(rows: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(row["title"], row["disputed"]) for row in rows]


# -- the timeline table -----------------------------------------------------------------


def test_json_and_ndjson_list_the_disputed_facts(disputes: Invoke) -> None:
    expected = [("Library talks", []), ("Walk", []), ("Talks", ["duration"])]
    assert _titles_and_disputes(_json(disputes, "timeline", "--format", "json")) == expected
    lines = disputes("timeline", "--format", "ndjson").stdout.splitlines()
    assert _titles_and_disputes([json.loads(line) for line in lines]) == expected
    exported = disputes("export", "--format", "ndjson").stdout.splitlines()
    assert _titles_and_disputes([json.loads(line) for line in exported]) == expected


def test_csv_and_markdown_have_a_disputed_column(disputes: Invoke) -> None:
    # A second disputed fact: the two are one list cell, in the order of the record.
    result = disputes("account", "add", "m:1", "date", "2025-12-02/2025-12-03", "-s", KREMLIN)
    assert result.exit_code == 0, result.output
    text = disputes("timeline", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["title"], row["disputed"]) for row in rows] == [
        ("Library talks", ""),
        ("Walk", ""),
        ("Talks", "date; duration"),
    ]
    assert disputes("export", "--format", "csv").stdout == text
    markdown = disputes("timeline", "--format", "markdown").stdout.splitlines()
    header = markdown[0].strip("| ").split(" | ")
    column = header.index("disputed")
    assert header[column - 1 :] == ["sources", "disputed", "uid"]
    cells = [line.strip("| ").split(" | ")[column] for line in markdown[2:]]
    assert cells == ["", "", "date; duration"]


def test_an_exported_timeline_table_imports_without_the_disputed_column(
    disputes: Invoke, tmp_path: Any
) -> None:
    table = tmp_path / "timeline.csv"
    table.write_text(disputes("timeline", "--format", "csv").stdout, encoding="utf-8")
    result = disputes("import", str(table), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "disputed" not in result.output


# -- the filter -------------------------------------------------------------------------


def test_disputed_selects_meetings_with_conflicting_accounts(disputes: Invoke) -> None:
    # The library talks have two sources that agree (one account): no dispute.
    rows = _json(disputes, "timeline", "--disputed", "--format", "json")
    assert _titles_and_disputes(rows) == [("Talks", ["duration"])]
    table = disputes("timeline", "--disputed", "--format", "csv").stdout
    assert disputes("export", "--disputed", "--format", "csv").stdout == table
    # Combined with another filter, both apply.
    assert _json(disputes, "timeline", "--disputed", "--to", "2025-11", "--format", "json") == []


def test_disputed_follows_the_accounts(disputes: Invoke) -> None:
    # A dissenting account makes the library talks disputed; deleting it ends that.
    assert disputes("account", "add", "m:3", "duration", "~3h", "-s", TASS).exit_code == 0
    titles = [r["title"] for r in _json(disputes, "timeline", "--disputed", "--format", "json")]
    assert titles == ["Library talks", "Talks"]
    assert disputes("account", "delete", "m:3", "duration", "2").exit_code == 0
    titles = [r["title"] for r in _json(disputes, "timeline", "--disputed", "--format", "json")]
    assert titles == ["Talks"]


def test_the_html_page_names_the_disputed_filter(disputes: Invoke) -> None:
    page = disputes("export", "--disputed", "--format", "html").stdout
    assert "<dt>disputed</dt><dd>yes</dd>" in page
    assert "<dt>disputed</dt>" not in disputes("export", "--format", "html").stdout


# -- the marks ----------------------------------------------------------------------------

LEGEND = "! a fact of the meeting is disputed"


@pytest.fixture
def on_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands print as on a terminal 200 cells wide (without colour)."""

    def console(*, stderr: bool) -> Console:
        return Console(stderr=stderr, width=200, force_terminal=True, color_system=None,
                       highlight=False, markup=False, emoji=False)  # fmt: skip

    monkeypatch.setattr("cli.context.make_console", console)


def test_the_table_marks_a_meeting_with_a_disputed_fact(disputes: Invoke) -> None:
    result = disputes("timeline")
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    title = header.index("title")
    assert [line[title:].split("  ")[0] for line in lines] == [
        "Library talks",
        "Walk",
        "! Talks",
    ]
    # Into a pipe: the table alone, no legend.
    assert result.stderr == ""
    # Nothing disputed: no mark column.
    calm = disputes("timeline", "--to", "2025-12-01")
    assert calm.stdout.splitlines()[0].split() == ["date", "kind", "title", "envoys",
                                                   "counterparts", "place", "duration",
                                                   "outcome"]  # fmt: skip


@pytest.mark.usefixtures("on_terminal")
@pytest.mark.parametrize("view", ["table", "tree", "lanes"])
def test_on_a_terminal_a_legend_says_what_the_mark_means(disputes: Invoke, view: str) -> None:
    result = disputes("timeline", "--view", view)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith(LEGEND)
    assert sum(line.startswith(LEGEND) for line in lines) == 1
    assert result.stderr == ""
    # Nothing marked: no legend.
    calm = disputes("timeline", "--view", view, "--to", "2025-12-01")
    assert LEGEND not in calm.stdout


def test_the_tree_names_the_disputed_facts(disputes: Invoke) -> None:
    result = disputes("timeline", "--view", "tree")
    assert result.exit_code == 0, result.output
    talks = [line for line in result.stdout.splitlines() if "Talks" in line]
    assert talks == ["    2 Dec 2025  Talks (talks; Steve Witkoff with Vladimir Putin)"
                     " ! disputed: duration"]  # fmt: skip
    library = [line for line in result.stdout.splitlines() if "Library" in line]
    assert library[0].endswith("(talks; Steve Witkoff with Vladimir Putin)")


def test_the_lanes_mark_a_month_with_a_disputed_meeting(disputes: Invoke) -> None:
    result = disputes("timeline", "--view", "lanes", "--from", "2025-11")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "envoy          2025-11  2025-12",
        "Steve Witkoff                2!",
    ]
    # The table formats count meetings, as before.
    rows = _json(disputes, "timeline", "--view", "lanes", "--from", "2025-11", "--format", "json")
    assert rows == [{"envoy": "Steve Witkoff", "status": "held", "2025-11": 0, "2025-12": 2}]


# -- show ---------------------------------------------------------------------------------


def test_show_sets_the_accounts_of_the_kremlin_talks_side_by_side(seeded: Invoke) -> None:
    result = seeded("show", TALKS)
    assert result.exit_code == 0, result.output
    text = result.stdout
    section = text[text.index("disputed: the accounts of each fact") :].splitlines()
    header, *rows = section[1:]
    assert header.split() == ["fact", "#", "value", "sources", "said", "note"]
    duration = [row for row in rows if row.startswith("duration")]
    assert len(duration) >= 2
    assert duration[0].split()[:5] == ["duration", "1", "*!", "at", "least"]
    # Each account with its own source: the founding report's text, TVE24's "almost".
    assert "Polish news report (crediting Reuters)" in duration[0]
    assert "“Wtorkowe rozmowy delegacji trwały ponad pięć godzin.” (pl)" in duration[0]
    almost = next(row for row in duration if "at most 5 h" in row)
    assert "https://tve24.ru/news/2025/12/04/raskryta-data-vstrechi-uitkoffa-s" in almost
    assert "“почти пять часов” (ru)" in almost
    assert any(row.startswith("date ") for row in rows)


def test_show_json_lists_every_disputed_fact_with_its_accounts(seeded: Invoke) -> None:
    detail = _json(seeded, "show", TALKS, "--format", "json")
    assert [fact["field"] for fact in detail["disputed"]] == ["date", "duration"]
    duration = detail["disputed"][1]["accounts"]
    assert [(a["n"], a["value"], a["preferred"]) for a in duration[:2]] == [
        (1, "at least 5 h", True),
        (2, "5 h", False),
    ]
    assert duration[0]["canonical"] == {"minutes": 300, "qualifier": "at-least"}
    assert duration[0]["sources"][0]["publisher"] == REPORT
    assert duration[0]["quote"] == "Wtorkowe rozmowy delegacji trwały ponad pięć godzin."
    assert duration[0]["language"] == "pl"
    # The record's value is the preferred account's.
    assert (detail["duration_minutes"], detail["duration_qualifier"]) == (300, "at-least")
    # A meeting whose accounts agree has nothing disputed.
    walk = _json(seeded, "show", "meeting-2025-12-02-witkoff-kushner-moscow-walk", "--format",
                 "json")  # fmt: skip
    assert walk["disputed"] == []


def test_show_of_a_visit_with_a_disputed_date(disputes: Invoke) -> None:
    result = disputes("account", "add", "v:1", "date", "2025-12-02/2025-12-03", "-s", KREMLIN)
    assert result.exit_code == 0, result.output
    detail = _json(disputes, "show", "v:1", "--format", "json")
    assert [(a["value"], a["preferred"]) for a in detail["disputed"][0]["accounts"]] == [
        ("2 Dec 2025", True),
        ("2–3 Dec 2025", False),
    ]
    assert detail["disputed"][0]["accounts"][1]["sources"][0]["url"] == KREMLIN
    assert "disputed: the accounts of each fact" in disputes("show", "v:1").stdout


def test_show_without_disputes_prints_no_section(disputes: Invoke) -> None:
    assert "disputed" not in disputes("show", "m:2").stdout
    assert "disputed" not in disputes("show", "m:3").stdout  # two sources that agree


# -- stats --------------------------------------------------------------------------------


def test_stats_count_disputed_durations_and_add_the_preferred_hours(disputes: Invoke) -> None:
    (row,) = _json(disputes, "stats", "--format", "json")
    assert row["disputed_durations"] == 1
    assert (row["talks"], row["talks_minutes"]) == ("at least 9 h", 540)
    table = disputes("stats").stdout.splitlines()
    assert table[0].split()[-3:] == ["duration", "disputed", "outcomes"]
    # Preferring another account changes the meeting's duration, and so the hours.
    assert disputes("account", "prefer", "m:1", "duration", "2").exit_code == 0
    (row,) = _json(disputes, "stats", "--format", "json")
    assert (row["talks"], row["talks_minutes"], row["disputed_durations"]) == ("9 h", 540, 1)
    assert (
        disputes("account", "add", "m:1", "duration", "~6h", "-s", TASS, "--prefer").exit_code == 0
    )
    (row,) = _json(disputes, "stats", "--format", "json")
    assert (row["talks"], row["talks_minutes"]) == ("about 10 h", 600)
    # No disputed duration: the column is left out of the table.
    for number in ("3", "2"):
        assert disputes("account", "delete", "m:1", "duration", number).exit_code == 0
    (row,) = _json(disputes, "stats", "--format", "json")
    assert row["disputed_durations"] == 0
    assert "disputed" not in disputes("stats").stdout


def test_every_stored_duration_is_its_preferred_account(seeded: Invoke) -> None:
    document = _json(seeded, "export")
    checked = 0
    for meeting in document["meetings"]:
        accounts = [a for a in meeting.get("accounts", []) if a["field"] == "duration"]
        if accounts:
            preferred = [a for a in accounts if a["preferred"]] or accounts[:1]
            assert meeting["duration"] == preferred[0]["value"], meeting["uid"]
            checked += 1
    assert checked >= 4


# -- every view asks one question ---------------------------------------------------------


def _html_disputes(page: str) -> dict[str, list[str]]:
    """The facts each meeting of an html page marks disputed, by title."""
    found: dict[str, list[str]] = {}
    for row in page.split("<tr id=")[1:]:
        title = row.split("<summary>", 1)[1].split("</summary>", 1)[0]
        marked = re.findall(r'<dt>([^<]*) <span class="disputed">disputed</span></dt>', row)
        found[title] = [name.lower().replace(" ", "_") for name in marked]
    return found


def test_every_view_agrees_which_facts_are_disputed(disputes: Invoke) -> None:
    # The library talks' participants told twice with the same people, in another order
    # and on other sides: one account of who took part, not a dispute. The Kremlin talks'
    # participants told without Putin: a dispute.
    for ref, people in (
        ("m:3", "Vladimir Putin:host:Kremlin, Steve Witkoff:envoy:USA"),
        ("m:1", "Steve Witkoff:envoy:US"),
    ):
        result = disputes("account", "add", ref, "participants", people, "-s", TASS)
        assert result.exit_code == 0, result.output
    expected = {
        "Talks": ["duration", "participants"],
        "Walk": [],
        "Library talks": [],
    }
    timeline = {row["title"]: row["disputed"] for row in _json(disputes, "timeline", "--format",
                                                                   "json")}  # fmt: skip
    assert timeline == expected
    shown = {}
    listed = {}
    for ref in ("m:1", "m:2", "m:3"):
        detail = _json(disputes, "show", ref, "--format", "json")
        shown[detail["title"]] = [fact["field"] for fact in detail["disputed"]]
        rows = _json(disputes, "account", "list", ref, "--format", "json")
        listed[detail["title"]] = list(dict.fromkeys(r["field"] for r in rows if r["disputed"]))
    assert shown == expected
    assert listed == expected
    assert _html_disputes(disputes("export", "--format", "html").stdout) == expected
