"""``tracker export``: every format of the seeds, filtered exports, files and errors."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest
import vobject
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from cli.app import main
from tests.cli.conftest import Invoke
from tracker import exporters
from tracker.query import TIMELINE_KEYS

SEED_MEETINGS = 22
SEED_VISITS = 17
APRIL_2025 = {
    "meeting-2025-04-dmitriev-witkoff-washington",
    "meeting-2025-04-11-witkoff-dmitriev-st-petersburg",
    "meeting-2025-04-11-witkoff-putin",
    "meeting-2025-04-25-witkoff-putin",
}
HOSTILE = "<script>alert(1)</script> | *bold* [x](javascript:alert(2))"

# Meetings the seeds lack: month-only, approximate, timed with an offset and in UTC, a
# hostile title, an observer.
EXTRA = {
    "format": "tracker/1",
    "people": [
        {"uid": "person-test-envoy", "name": "Test <b>Envoy</b>"},
        {"uid": "person-test-host", "name": 'Host "Quoted", Jr.'},
        {"uid": "person-test-observer", "name": "Olga Observer"},
    ],
    "places": [{"uid": "place-test-city", "name": "Testville", "kind": "city", "country": "RU"}],
    "visits": [
        {
            "uid": "visit-test-apr",
            "travellers": [{"person": "person-test-envoy", "role": "envoy"}],
            "destination": "place-test-city",
            "date": "2025-04",
        }
    ],
    "meetings": [
        {
            "uid": "meeting-test-month",
            "visit": "visit-test-apr",
            "kind": "talks",
            "title": HOSTILE,
            "date": "2025-04",
            "participants": [
                {"person": "person-test-envoy", "role": "envoy"},
                {"person": "person-test-host", "role": "host"},
                {"person": "person-test-observer", "role": "observer"},
            ],
            "outcome": "no-agreement",
            "outcome_summary": "Line one\nline two & <i>three</i>",
        },
        {
            "uid": "meeting-test-approx",
            "visit": "visit-test-apr",
            "kind": "call",
            "title": "Approximate call",
            "date": "2025-04~",
        },
        {
            "uid": "meeting-test-timed",
            "kind": "talks",
            "title": "Timed talks",
            "date": "2025-04-25T17:30+03:00",
            "duration": {"minutes": 90, "qualifier": "about"},
            "participants": [
                {"person": "person-test-envoy", "role": "envoy"},
                {"person": "person-test-host", "role": "host"},
            ],
        },
        {
            "uid": "meeting-test-utc",
            "kind": "call",
            "title": "UTC call",
            "date": "2025-04-26T09:00Z",
            "participants": [{"person": "person-test-envoy", "role": "envoy"}],
        },
    ],
}
EXTRA_APRIL = {meeting["uid"] for meeting in EXTRA["meetings"]}


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    assert run("seed").exit_code == 0
    return run


@pytest.fixture
def extra(seeded: Invoke, tmp_path: Path) -> Invoke:
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(EXTRA), encoding="utf-8")
    result = seeded("import", str(path))
    assert result.exit_code == 0, result.output
    return seeded


def ok(run: Invoke, *args: str) -> str:
    result = run("export", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout_bytes.decode("utf-8")  # .stdout would turn CRLF into LF


# -- how each format names its meetings -------------------------------------------------


def uids_csv(text: str) -> list[str]:
    return [row["uid"] for row in csv.DictReader(io.StringIO(text, newline=""))]


def uids_ndjson(text: str) -> list[str]:
    return [json.loads(line)["uid"] for line in text.splitlines()]


def uids_markdown(text: str) -> list[str]:
    return [line.rsplit("|", 2)[1].strip() for line in text.splitlines()[2:]]


def uids_json(text: str) -> list[str]:
    return [meeting["uid"] for meeting in json.loads(text)["meetings"]]


def uids_yaml(text: str) -> list[str]:
    return [meeting["uid"] for meeting in yaml.safe_load(text)["meetings"]]


def uids_html(text: str) -> list[str]:
    return re.findall(r'<tr id="m-[^"]*" data-uid="([^"]*)"', text)


def uids_ics(text: str) -> list[str]:
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    return [
        str(e["UID"]).removesuffix("@tracker")
        for e in events
        if "visit" not in e["CATEGORIES"].cats
    ]


def uids_timelinejs(text: str) -> list[str]:
    return [event["unique_id"] for event in json.loads(text)["events"]]


UIDS: dict[str, Callable[[str], list[str]]] = {
    "csv": uids_csv,
    "markdown": uids_markdown,
    "ndjson": uids_ndjson,
    "json": uids_json,
    "yaml": uids_yaml,
    "html": uids_html,
    "ics": uids_ics,
    "timelinejs": uids_timelinejs,
}


@pytest.mark.parametrize("fmt", UIDS)
def test_every_format_holds_every_seed_meeting_once(seeded: Invoke, fmt: str) -> None:
    everything = set(uids_json(ok(seeded, "--format", "json")))
    assert len(everything) == SEED_MEETINGS
    uids = UIDS[fmt](ok(seeded, "--format", fmt))
    assert len(uids) == SEED_MEETINGS
    assert set(uids) == everything


@pytest.mark.parametrize("fmt", UIDS)
def test_a_filtered_export_holds_only_the_meetings_of_april(extra: Invoke, fmt: str) -> None:
    uids = UIDS[fmt](ok(extra, "--format", fmt, "--from", "2025-04", "--to", "2025-04"))
    assert sorted(uids) == sorted(APRIL_2025 | EXTRA_APRIL)


def test_filters_are_those_of_timeline(extra: Invoke) -> None:
    args = ("--envoy", "Witkoff", "--from", "2025-04", "--to", "2025-04")
    timeline = extra("timeline", *args, "--format", "ndjson").stdout
    exported = ok(extra, "--format", "ndjson", *args)
    assert uids_ndjson(exported) == uids_ndjson(timeline)
    assert set(uids_ndjson(exported)) == APRIL_2025 - {
        "meeting-2025-04-dmitriev-witkoff-washington"
    }
    from cli.export_commands import export, timeline_filter_params
    from cli.read_commands import timeline_command

    shared = [p for p in timeline_command.params if p.name not in ("view", "fmt", "excel")]
    assert timeline_filter_params() == shared
    assert export.params[: len(shared)] == shared


# -- csv, markdown, ndjson --------------------------------------------------------------


def test_csv_is_rfc_4180_with_a_header_and_a_row_per_meeting(seeded: Invoke) -> None:
    text = ok(seeded, "--format", "csv")
    assert text.startswith(",".join(TIMELINE_KEYS) + "\r\n")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(TIMELINE_KEYS)
    assert len(rows) == 1 + SEED_MEETINGS
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["date"] == "11 Feb 2025"
    assert first["edtf"] == first["earliest"] == first["latest"] == "2025-02-11"
    assert first["uid"] == "meeting-2025-02-11-witkoff-putin"


def test_csv_keeps_line_breaks_and_quotes_in_a_cell(extra: Invoke) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(extra, "--format", "csv"), newline="")))
    month = next(row for row in rows if row["uid"] == "meeting-test-month")
    assert month["title"] == HOSTILE
    assert month["outcome_summary"] == "Line one\nline two & <i>three</i>"
    assert month["counterparts"] == 'Host "Quoted", Jr.; Olga Observer'
    assert month["date"] == "Apr 2025"
    assert (month["earliest"], month["latest"]) == ("2025-04-01", "2025-04-30")


def test_ndjson_is_one_timeline_row_per_line(seeded: Invoke) -> None:
    lines = ok(seeded, "--format", "ndjson").splitlines()
    assert len(lines) == SEED_MEETINGS
    assert all(list(json.loads(line)) == list(TIMELINE_KEYS) for line in lines)


def test_markdown_never_turns_a_title_into_markup(extra: Invoke) -> None:
    text = ok(extra, "--format", "markdown", "--from", "2025-04", "--to", "2025-04")
    lines = text.splitlines()
    assert lines[0].count(" | ") == len(TIMELINE_KEYS) - 1
    assert len(lines) == 2 + len(APRIL_2025 | EXTRA_APRIL)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert rendered.count("<tr>") == 1 + len(APRIL_2025 | EXTRA_APRIL)
    assert "<script" not in rendered
    assert "<i>" not in rendered
    assert "javascript:" not in rendered.replace("[x](javascript:alert(2))", "")
    assert "<a " not in rendered
    assert "<em>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *bold* [x](javascript:alert(2))" in rendered
    assert "Line one<br>line two &amp; &lt;i&gt;three&lt;/i&gt;" in text


# -- ics ---------------------------------------------------------------------------------


def test_ics_parses_with_two_parsers_and_has_an_event_per_meeting_and_visit(
    seeded: Invoke,
) -> None:
    text = ok(seeded, "--format", "ics")
    calendar = icalendar.Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == SEED_MEETINGS + SEED_VISITS
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    assert all(uid.endswith("@tracker") for uid in uids)
    assert "visit-2025-12-witkoff-kushner-moscow@tracker" in uids
    other = vobject.readOne(text)
    assert sorted(e.uid.value for e in other.contents["vevent"]) == sorted(uids)
    assert "mailto:" not in text
    assert all(line.endswith("\r") or not line for line in text.split("\n")[:-1])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_ics_is_the_same_bytes_twice(seeded: Invoke) -> None:
    assert ok(seeded, "--format", "ics") == ok(seeded, "--format", "ics")


def test_ics_dates_attendees_and_description(extra: Invoke) -> None:
    text = ok(extra, "--format", "ics", "--from", "2025-04", "--to", "2025-04")
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}

    timed = events["meeting-test-timed@tracker"]
    moscow = timezone(timedelta(hours=3))
    assert timed.decoded("DTSTART") == datetime(2025, 4, 25, 17, 30, tzinfo=moscow)
    assert timed.decoded("DTEND") == datetime(2025, 4, 25, 19, 0, tzinfo=moscow)
    assert 'DTSTART;TZID="UTC+03:00":20250425T173000' in text
    assert "BEGIN:VTIMEZONE\r\nTZID:UTC+03:00\r\n" in text
    assert "DTSTART:20250426T090000Z" in text

    month = events["meeting-test-month@tracker"]
    assert month.decoded("DTSTART") == date(2025, 4, 1)
    assert month.decoded("DTEND") == date(2025, 5, 1)
    assert "date uncertain: Apr 2025" in str(month["DESCRIPTION"])
    assert "date uncertain: c. Apr 2025" in str(
        events["meeting-test-approx@tracker"]["DESCRIPTION"]
    )
    roles = {str(a.params["CN"]): (str(a), a.params["ROLE"]) for a in month.get("ATTENDEE", [])}
    assert roles == {
        "Test <b>Envoy</b>": ("urn:tracker:person:person-test-envoy", "REQ-PARTICIPANT"),
        'Host "Quoted", Jr.': ("urn:tracker:person:person-test-host", "OPT-PARTICIPANT"),
        "Olga Observer": ("urn:tracker:person:person-test-observer", "NON-PARTICIPANT"),
    }
    assert str(month["SUMMARY"]) == HOSTILE
    assert str(month["LOCATION"]) == "Testville"

    putin = events["meeting-2025-04-25-witkoff-putin@tracker"]
    assert putin.decoded("DTSTART") == date(2025, 4, 25)
    assert putin.decoded("DTEND") == date(2025, 4, 26)
    description = str(putin["DESCRIPTION"])
    assert "outcome: " in description
    assert "Sources:" in description
    assert "date uncertain" not in description

    visit = events["visit-test-apr@tracker"]
    assert (visit.decoded("DTSTART"), visit.decoded("DTEND")) == (
        date(2025, 4, 1),
        date(2025, 5, 1),
    )
    assert visit["CATEGORIES"].cats == ["visit"]


# -- timelinejs ------------------------------------------------------------------------


def test_timelinejs_has_what_timelinejs_requires(seeded: Invoke) -> None:
    data = json.loads(ok(seeded, "--format", "timelinejs"))
    assert data["title"]["text"]["headline"] == "Diplomatic visits and meetings"
    assert len(data["events"]) == SEED_MEETINGS
    for event in data["events"]:
        assert isinstance(event["start_date"]["year"], int)
        assert set(event["start_date"]) <= {"year", "month", "day", "hour", "minute"}
        assert event["text"]["headline"]
        assert event["unique_id"].startswith("meeting-")
    by_uid = {event["unique_id"]: event for event in data["events"]}
    december = by_uid["meeting-2025-12-02-witkoff-kushner-putin"]
    assert december["start_date"] == {"year": 2025, "month": 12, "day": 2}
    assert december["end_date"] == {"year": 2025, "month": 12, "day": 3}
    assert december["group"] == "Steve Witkoff"
    assert "display_date" not in december


def test_timelinejs_keeps_month_only_dates_month_only(extra: Invoke) -> None:
    events = {
        event["unique_id"]: event
        for event in json.loads(ok(extra, "-f", "timelinejs", "--title", "<b>T</b>"))["events"]
    }
    month = events["meeting-test-month"]
    assert month["start_date"] == {"year": 2025, "month": 4}
    assert "end_date" not in month
    assert "display_date" not in month
    assert month["text"]["headline"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; | *bold* [x](javascript:alert(2))"
    )
    assert "<i>" not in month["text"]["text"]
    assert month["group"] == "Test &lt;b&gt;Envoy&lt;/b&gt;"
    approx = events["meeting-test-approx"]
    assert approx["start_date"] == {"year": 2025, "month": 4}
    assert approx["display_date"] == "c. Apr 2025"
    timed = events["meeting-test-timed"]
    assert timed["start_date"] == {"year": 2025, "month": 4, "day": 25, "hour": 17, "minute": 30}


# -- json and yaml -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_filtered_document_imports_into_an_empty_database(
    seeded: Invoke, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"april.{fmt}"
    result = seeded("export", "--from", "2025-04", "--to", "2025-04", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote 4 meetings as {fmt} to {path}.\n"
    runner = CliRunner()
    other = str(tmp_path / "empty.db")
    imported = runner.invoke(main, ["--db", other, "import", str(path)])
    assert imported.exit_code == 0, imported.output
    again = runner.invoke(main, ["--db", other, "export", "--format", fmt])
    assert again.stdout == path.read_text(encoding="utf-8")
    assert set(UIDS[fmt](again.stdout)) == APRIL_2025


def test_without_filters_the_default_is_the_whole_document(seeded: Invoke) -> None:
    text = ok(seeded)
    assert text == ok(seeded, "--format", "json")
    document = json.loads(text)
    assert len(document["meetings"]) == SEED_MEETINGS
    assert len(document["visits"]) == SEED_VISITS


# -- html ----------------------------------------------------------------------------------


def test_html_is_self_contained_and_escapes_everything(extra: Invoke) -> None:
    text = ok(extra, "--format", "html", "--title", "<img src=x onerror=alert(3)>")
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    # One script, the page's own (search and filters), allowed by its hash and by
    # nothing else: no data goes into it.
    assert text.count("<script") == 1
    script = re.search(r"<script>(.*?)</script>", text, re.DOTALL)
    assert script is not None
    own = (Path(exporters.__file__).parent / "assets" / "page.js").read_text(encoding="utf-8")
    assert script.group(1) == own
    digest = base64.b64encode(hashlib.sha256(own.encode()).digest()).decode()
    assert f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'" in text
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(3)&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *bold*" in text
    assert "<b>Envoy</b>" not in text
    assert "Test &lt;b&gt;Envoy&lt;/b&gt;" in text
    assert "<i>three</i>" not in text
    # No resource from anywhere: links to the sources only, in <a href>.
    assert not re.search(r"<[^>]*\s(src|srcset)=|@import|url\(|<link\b", text)
    hrefs = re.findall(r'href="([^"]*)"', text)
    assert all(h.startswith(("#m-", "https://", "http://")) for h in hrefs)
    assert "<caption>" in text
    assert '<th scope="col">Date</th>' in text
    assert "@media print" in text
    assert len(uids_html(text)) == SEED_MEETINGS + len(EXTRA_APRIL)
    marks = set(re.findall(r'<rect class="mark[^"]*" data-uid="([^"]*)"', text))
    assert marks == set(uids_html(text))


def test_html_names_the_filters_used(seeded: Invoke) -> None:
    text = ok(seeded, "-f", "html", "--envoy", "Witkoff", "--from", "2025-04", "--to", "2025-04")
    assert "<dt>envoy</dt><dd>Witkoff</dd>" in text
    assert "<dt>from</dt><dd>2025-04</dd>" in text
    assert 'data-meetings="3"' in text
    empty = ok(seeded, "-f", "html", "--from", "1990", "--to", "1990")
    assert "No meetings match." in empty
    assert "<svg" not in empty


# -- files and errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("t.csv", "csv"),
        ("t.md", "markdown"),
        ("t.ndjson", "ndjson"),
        ("t.jsonl", "ndjson"),
        ("t.json", "json"),
        ("t.yaml", "yaml"),
        ("t.yml", "yaml"),
        ("t.html", "html"),
        ("t.ics", "ics"),
    ],
)
def test_the_format_follows_the_file_extension(
    seeded: Invoke, tmp_path: Path, name: str, fmt: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / name
    result = seeded("export", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {SEED_MEETINGS} meetings as {fmt} to {path}.\n"
    with path.open(encoding="utf-8", newline="") as handle:
        assert handle.read() == ok(seeded, "--format", fmt)
    assert [p.name for p in folder.iterdir()] == [name]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_timelinejs_to_a_json_file_needs_the_format(seeded: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    assert seeded("export", "--format", "timelinejs", "-o", str(path)).exit_code == 0
    assert "events" in json.loads(path.read_text(encoding="utf-8"))


def test_an_unknown_extension_is_bad_input(seeded: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    result = seeded("export", "-o", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --format: expected a format given by --format or by the file's extension "
        "(.csv, .md, .markdown, .ndjson, .jsonl, .json, .yaml, .yml, .html, .htm, .ics, "
        ".graphml, .gexf, .geojson), got 'out.txt'\n"
    )
    assert not path.exists()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--from", "2025-13"), "--from: expected a date such as"),
        (("--from", "2025-05", "--to", "2025-04"), "--to: expected a date on or after"),
        (("--outcome", "won"), "--outcome: expected one of"),
        (("--envoy", "Nobody Atall"), "no person named 'Nobody Atall'"),
    ],
)
def test_a_bad_filter_writes_nothing(
    seeded: Invoke, tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "out.csv"
    path.write_text("kept\n", encoding="utf-8")
    for target in (("-o", str(path)), ()):
        result = seeded("export", "--format", "csv", *args, *target)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.startswith("error: ")
        assert line in result.stderr
        assert result.stderr.count("\n") == 1
    assert path.read_text(encoding="utf-8") == "kept\n"
    assert [p.name for p in folder.iterdir()] == ["out.csv"]


def test_a_file_in_a_missing_folder_is_bad_input(seeded: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "missing-folder" / "out.csv"
    result = seeded("export", "-o", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --output: expected a file in a folder that exists")
    assert result.stderr.count("\n") == 1
    assert not path.parent.exists()
