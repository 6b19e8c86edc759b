"""``tracker visits|timeline|show|people|places|stats`` end to end, on both backends."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from db.engine import Database
from tests.cli.conftest import Invoke
from tests.services.test_query import HOSTILE_TITLE, build_world


@pytest.fixture
def world(database: Database) -> dict[str, Any]:
    with database.writing() as session:
        objects = build_world(session)
        return {
            "witkoff_uid": objects["witkoff"].uid,
            "kremlin_meeting_id": objects["meetings"][2].id,
            "kremlin_visit_id": objects["visits"][2].id,
            "dec_visit_id": objects["visits"][3].id,
        }


def _ok(result: Any, *, exact: bool = False) -> str:
    """The output of a run that succeeded; only csv keeps control characters (exact)."""
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    text: str = result.stdout
    assert exact or "\x1b" not in text
    return text


def _json(result: Any) -> Any:
    return json.loads(_ok(result))


def test_timeline_april_as_a_plain_table(run: Invoke, world: Any) -> None:
    assert _ok(run("timeline", "--from", "2025-04", "--to", "2025-04")) == (
        "date         kind   title                              envoys           counterparts"
        "                  place                    duration  outcome\n"
        "Apr 2025     talks  Dmitriev meets Witkoff             Kirill Dmitriev  Steve Witkoff"
        "                 Washington, US                     unknown\n"
        "11 Apr 2025  talks  Talks at the Presidential Library  Steve Witkoff    Vladimir Putin;"
        " Yuri Ushakov  St Petersburg, RU    at least 4 h  unknown\n"
        "25 Apr 2025  talks  Fourth meeting                     Steve Witkoff    Vladimir Putin"
        "                Kremlin, Moscow, RU     about 3 h  partial-agreement\n"
    )


def test_timeline_april_as_json(run: Invoke, world: Any) -> None:
    rows = _json(run("timeline", "--from", "2025-04", "--to", "2025-04", "--format", "json"))
    assert [(r["date"], r["edtf"], r["uid"]) for r in rows] == [
        ("Apr 2025", "2025-04", "m-apr-washington"),
        ("11 Apr 2025", "2025-04-11", "m-apr-spb"),
        ("25 Apr 2025", "2025-04-25", "m-apr-kremlin"),
    ]
    assert list(rows[0]) == [
        "date",
        "edtf",
        "earliest",
        "latest",
        "kind",
        "title",
        "envoys",
        "counterparts",
        "venue",
        "city",
        "country",
        "duration_minutes",
        "duration_qualifier",
        "status",
        "outcome",
        "outcome_summary",
        "sources",
        "disputed",
        "uid",
    ]
    assert rows[1]["duration_minutes"] == 240
    assert rows[0]["duration_minutes"] is None


def test_ndjson_and_csv_carry_the_same_rows(run: Invoke, world: Any) -> None:
    as_json = _json(run("timeline", "--format", "json"))
    lines = _ok(run("timeline", "--format", "ndjson")).splitlines()
    assert [json.loads(line) for line in lines] == as_json
    table = list(csv.DictReader(io.StringIO(_ok(run("timeline", "--format", "csv"), exact=True))))
    assert [row["uid"] for row in table] == [row["uid"] for row in as_json]
    assert table[0]["duration_minutes"] == "210"
    assert table[1]["duration_minutes"] == ""


def test_timeline_tree_puts_a_month_only_meeting_under_its_month(run: Invoke, world: Any) -> None:
    assert _ok(run("timeline", "--view", "tree", "--to", "2025-06")) == (
        "2025\n"
        "  February\n"
        "    11 Feb 2025  Witkoff meets Putin (talks; Steve Witkoff with Vladimir Putin)\n"
        "  April\n"
        "    Apr 2025  Dmitriev meets Witkoff (talks; Kirill Dmitriev with Steve Witkoff)\n"
        "    11 Apr 2025  Talks at the Presidential Library"
        " (talks; Steve Witkoff with Vladimir Putin; Yuri Ushakov)\n"
        "    25 Apr 2025  Fourth meeting (talks; Steve Witkoff with Vladimir Putin)\n"
    )


def test_timeline_lanes(run: Invoke, world: Any) -> None:
    args = ("timeline", "--view", "lanes", "--from", "2025-02", "--to", "2025-05")
    assert _ok(run(*args)) == (
        "envoy            2025-02  2025-03  2025-04  2025-05\n"
        "Steve Witkoff          1                 2\n"
        "Kirill Dmitriev                          1\n"
    )
    assert _json(run(*args, "--format", "json")) == [
        {
            "envoy": "Steve Witkoff",
            "status": "held",
            **{"2025-02": 1, "2025-03": 0, "2025-04": 2, "2025-05": 0},
        },
        {
            "envoy": "Kirill Dmitriev",
            "status": "held",
            **{"2025-02": 0, "2025-03": 0, "2025-04": 1, "2025-05": 0},
        },
    ]


def test_timeline_markdown(run: Invoke, world: Any) -> None:
    """The timeline table as a pipe table: every column, as csv has them."""
    lines = _ok(run("timeline", "--place", "Kremlin", "--format", "markdown")).splitlines()
    assert lines[0] == (
        "| date | edtf | earliest | latest | kind | title | envoys | counterparts | venue | city"
        " | country | duration\\_minutes | duration\\_qualifier | status | outcome"
        " | outcome\\_summary | sources | disputed | uid |"
    )
    assert lines[1] == "| " + " | ".join(["---"] * 11 + ["---:"] + ["---"] * 7) + " |"
    assert [line.split(" | ")[5:8] for line in lines[2:]] == [
        ["Fourth meeting", "Steve Witkoff", "Vladimir Putin"],
        ["Talks on the peace plan", "Steve Witkoff; Jared Kushner", "Vladimir Putin; Yuri Ushakov"],
    ]


def test_timeline_search_and_filters(run: Invoke, world: Any) -> None:
    def uids(*args: str) -> list[str]:
        return [row["uid"] for row in _json(run("timeline", *args, "--format", "json"))]

    assert uids("--search", "further") == ["m-dec-talks"]
    assert uids("--envoy", "Kushner", "--outcome", "no agreement") == ["m-dec-talks"]
    assert uids("--with", "Ушаков", "--topic", "Ukraine settlement") == ["m-apr-spb"]
    assert uids("--country", "Rosja", "--to", "2025-02") == ["m-feb"]


def test_nothing_matches_says_so_on_stderr(run: Invoke, world: Any) -> None:
    result = run("timeline", "--search", "zzz")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No meetings match.\n")
    assert _json(run("timeline", "--search", "zzz", "--format", "json")) == []


def test_visits_summary(run: Invoke, world: Any) -> None:
    assert _ok(run("visits")) == (
        "envoy            visits  meetings  first         last          destinations\n"
        "Steve Witkoff         4         5  11 Feb 2025   2–3 Dec 2025  Moscow; St Petersburg\n"
        "Kirill Dmitriev       1         1  Apr 2025      Apr 2025      Washington\n"
        "Jared Kushner         1         2  2–3 Dec 2025  2–3 Dec 2025  Moscow\n"
    )


def test_visits_of_one_envoy(run: Invoke, world: Any) -> None:
    assert _ok(run("visits", "Steve Witkoff", "--to", "2025-04")) == (
        " #  date         destination    country  days  since  meetings  counterparts"
        "                  outcome\n"
        "#1  11 Feb 2025  Moscow         RU          1                1  Vladimir Putin"
        "                unknown\n"
        "#2  11 Apr 2025  St Petersburg  RU          1   59 d         1  Vladimir Putin;"
        " Yuri Ushakov  unknown\n"
        "#3  25 Apr 2025  Moscow         RU          1   14 d         1  Vladimir Putin"
        "                partial-agreement\n"
    )


def test_visits_for_a_cyrillic_alias_equal_the_english_name(run: Invoke, world: Any) -> None:
    english = _json(run("visits", "Steve Witkoff", "--format", "json"))
    assert len(english) == 4
    assert _json(run("visits", "Стив Уиткофф", "--format", "json")) == english
    assert _ok(run("visits", "Стив Уиткофф")) == _ok(run("visits", "Steve Witkoff"))


def test_month_only_visit_shows_no_days(run: Invoke, world: Any) -> None:
    (row,) = _json(run("visits", "Dmitriev", "--format", "json"))
    assert (row["n"], row["date"], row["edtf"], row["days"]) == (1, "Apr 2025", "2025-04", None)
    assert (row["earliest"], row["latest"]) == ("2025-04-01", "2025-04-30")


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ("timeline", "--from", "April"),
            "error: --from: expected a date such as 2025-04-11, 11 Apr 2025, Apr 2025, 2025,"
            " 2–3 Dec 2025 or 2025-04~ (EDTF), got 'April'\n",
        ),
        (
            ("timeline", "--outcome", "success"),
            "error: --outcome: expected one of agreement, partial-agreement, no-agreement,"
            " postponed, unknown, got 'success'\n",
        ),
        (("visits", "Nobody At All"), "error: person: no person named 'Nobody At All'\n"),
        (("show", "m:12345"), "error: meeting: no meeting named 'm:12345'\n"),
        (
            ("timeline", "--view", "tree", "--format", "json"),
            "error: --view tree prints only as a table; leave out --format"
            " (see 'tracker timeline -h')\n",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run: Invoke, world: Any, args: tuple[str, ...], stderr: str
) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_unknown_envoy_suggests(run: Invoke, world: Any) -> None:
    result = run("visits", "Witkof")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: person: no person named 'Witkof'; did you mean")
    assert "'Steve Witkoff'" in result.stderr


def test_show_meeting(run: Invoke, world: Any) -> None:
    meeting_id = world["kremlin_meeting_id"]
    expected = (
        f"meeting       m:{meeting_id} (uid m-apr-kremlin)\n"
        "kind          talks\n"
        "title         Fourth meeting\n"
        "date          25 Apr 2025 (EDTF 2025-04-25)\n"
        "venue         Kremlin, Moscow, Russia\n"
        "duration      about 3 h\n"
        "status        held\n"
        "outcome       partial-agreement\n"
        "summary       Positions moved closer\n"
        f"visit         v:{world['kremlin_visit_id']} 25 Apr 2025, Moscow (uid v-apr-moscow)\n"
        "participants  Steve Witkoff (US, envoy)\n"
        "              Vladimir Putin (RU, host)\n"
        "topics        Ukraine settlement; direct negotiations\n"
    )
    assert _ok(run("show", "m-apr-kremlin")) == expected
    assert _ok(run("show", f"m:{meeting_id}")) == expected
    assert _ok(run("show", str(meeting_id))) == expected


def test_show_meeting_with_statements_and_sources(run: Invoke, world: Any) -> None:
    text = _ok(run("show", "m-dec-talks"))
    assert (
        "statements    Yuri Ushakov, quote, 3 Dec 2025, ru:\n"
        "                Not closer to peace, but not further either\n"
        "sources       Polish news report\n"
        "              TASS: https://tass.com/1\n"
    ) in text
    assert "duration      at least 5 h\n" in text


def test_show_json_is_one_object(run: Invoke, world: Any) -> None:
    detail = _json(run("show", "m-dec-talks", "--format", "json"))
    assert detail["type"] == "meeting"
    assert detail["place_chain"] == ["Kremlin", "Moscow", "Russia"]
    assert detail["statements"][0]["text"] == "Not closer to peace, but not further either"
    assert [s["url"] for s in detail["sources"]] == [None, "https://tass.com/1"]
    visit = _json(run("show", f"v:{world['dec_visit_id']}", "--format", "json"))
    assert visit["type"] == "visit"
    assert visit["days"] == 2
    assert [m["uid"] for m in visit["meetings"]] == ["m-dec-walk", "m-dec-talks"]


def test_show_visit(run: Invoke, world: Any) -> None:
    text = _ok(run("show", "v-dec"))
    assert text.startswith(
        f"visit        v:{world['dec_visit_id']} (uid v-dec)\n"
        "travellers   Steve Witkoff (envoy)\n"
        "             Jared Kushner (envoy)\n"
        "destination  Moscow, Russia\n"
        "dates        2–3 Dec 2025 (EDTF 2025-12-02/2025-12-03), 2 days\n"
    )


def test_hostile_strings_print_as_themselves(run: Invoke, world: Any) -> None:
    shown = "[bold]x \\x1b[31mred\\u202e"
    table = _ok(run("timeline", "--from", "2025-12-02", "--to", "2025-12-02"))
    assert shown in table
    assert "\u202e" not in table
    assert shown in _ok(run("timeline", "--view", "tree", "--from", "2025-12"))
    # Markdown escapes its own backslashes, so a renderer shows the escapes as above.
    markdown = _ok(run("timeline", "--format", "markdown", "--from", "2025-12"))
    assert "| \\[bold\\]x \\\\x1b\\[31mred\\\\u202e |" in markdown
    assert f"title         {shown}\n" in _ok(run("show", "m-dec-walk"))
    rows = _json(run("timeline", "--format", "json", "--from", "2025-12"))
    assert rows[0]["title"] == HOSTILE_TITLE
    line = _ok(run("timeline", "--format", "ndjson", "--from", "2025-12")).splitlines()[0]
    assert json.loads(line)["title"] == HOSTILE_TITLE
    table_csv = list(
        csv.DictReader(io.StringIO(_ok(run("timeline", "--format", "csv"), exact=True)))
    )
    assert table_csv[4]["title"] == HOSTILE_TITLE


def test_people_and_places(run: Invoke, world: Any) -> None:
    assert _ok(run("people", "--search", "Władimir")) == (
        "name            country  aliases                                   roles\n"
        "Vladimir Putin  RU       Владимир Путин (ru); Władimir Putin (pl)\n"
    )
    (putin,) = _json(run("people", "--search", "putin", "--format", "json"))
    assert putin["aliases"] == "Владимир Путин (ru); Władimir Putin (pl)"
    assert _ok(run("places", "--search", "Moskwa")) == (
        "name    kind  country  parent  aliases\nMoscow  city  RU       Russia  Moskwa (pl)\n"
    )
    assert len(_json(run("places", "--format", "json"))) == 6


def test_stats(run: Invoke, world: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(_ok(run("stats", "--format", "csv")))))
    witkoff = rows[0]
    assert witkoff["envoy"] == "Steve Witkoff"
    assert witkoff["talks"] == "at least c. 15 h 30 min"
    assert witkoff["outcomes"] == "partial-agreement 1; no-agreement 1; unknown 3"
    assert witkoff["talks_at_least"] == "true"
    (as_json,) = _json(run("stats", "--to", "2025-03", "--format", "json"))
    assert as_json["outcomes"] == {"unknown": 1}
    assert as_json["talks"] == "about 3 h 30 min"
    table = _ok(run("stats"))
    assert table.splitlines()[0].split("  ")[0] == "envoy"
    assert "at least c. 15 h 30 min" in table


def test_empty_database(run: Invoke) -> None:
    result = run("visits")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("No visits recorded")
    assert _json(run("people", "--format", "json")) == []
    assert (
        _ok(run("places", "--format", "csv")) == "name,kind,country,parent,aliases,wikidata,uid\n"
    )
