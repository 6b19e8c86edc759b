"""Every format writes every record it can store, and writes data as data.

- Dates: the whole accepted range (years 1 to 9999, ``9999-12-31`` included, a common
  "no end date" in other people's tables) exports in every format and lists in every
  listing, whole: no export fails half-written on stored data.
- ics: no control character reaches a text value (RFC 5545 forbids them); they are
  written as visible escapes (``\\x0b``), as the terminal views show them.
- html and TimelineJS: the escape byte and bidi controls show as ``\\x1b``,
  ``\\u202e``, never raw.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from cli.app import main
from tracker.document import parse_document_text

EDGE_DATES = [
    "0001-01-01",
    "0001-01",
    "0001",
    "0001-01-01T00:30+03:00",
    "0001-01-01T00:10Z",
    "9999-12-31",
    "9999-12",
    "9999",
    "9998-12-30/9999-12-31",
    "9999-12-31T23:30-05:00",
    "9999-12-31T23:59Z",
]

FORMATS = ["csv", "json", "ndjson", "markdown", "yaml", "html", "ics", "timelinejs"]

HOSTILE_TITLE = "Red\x1b[31m alert \u202eevil\x0b tab\there\x07"
HOSTILE_SUMMARY = "line one\nline two\x1b]0;PWNED\x07 \u2066isolate\u2069 \x7f"


def _log(db: str, date_text: str, title: str, *extra: str, source: str = "report") -> None:
    # Edge dates overlap one another (0001, 0001-01-01): each is its own meeting.
    args = ["--db", db, "log", "--create", "--duplicate", "--country", "RU", "-e", "Steve Witkoff"]
    args += ["-w", "Vladimir Putin", "-p", "Moscow", "-d", date_text, "-t", title]
    args += ["-s", f"https://example.org/{source}", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def edge_db(db_url: str) -> str:
    for index, when in enumerate(EDGE_DATES):
        _log(db_url, when, f"Edge {index}: {when}", "--duration", "5h")
    return db_url


def _export(db: str, fmt: str, *extra: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", fmt, *extra])
    assert result.exit_code == 0, (fmt, result.output[-800:])
    return result.stdout


def _complete(fmt: str, text: str, meetings: int) -> None:
    """``text`` is a whole document of ``fmt`` holding ``meetings`` meetings."""
    if fmt == "csv":
        assert len(text.splitlines()) == meetings + 1
    elif fmt == "ndjson":
        assert [json.loads(line)["title"] for line in text.splitlines()]
        assert len(text.splitlines()) == meetings
    elif fmt == "markdown":
        assert len(text.splitlines()) == meetings + 2
    elif fmt == "json":
        assert len(json.loads(text)["meetings"]) == meetings
    elif fmt == "yaml":
        assert len(parse_document_text(text, origin="export.yaml")["meetings"]) == meetings
    elif fmt == "html":
        assert text.endswith("</html>\n")
        assert text.count('<tr id="m-') == meetings
    elif fmt == "ics":
        assert text.rstrip("\r\n").endswith("END:VCALENDAR")
        events = Calendar.from_ical(text).walk("VEVENT")
        assert len([e for e in events if "visit" not in str(e.get("categories").cats)]) == meetings
    elif fmt == "timelinejs":
        assert len(json.loads(text)["events"]) == meetings


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_the_first_and_last_years(edge_db: str, fmt: str) -> None:
    _complete(fmt, _export(edge_db, fmt), len(EDGE_DATES))


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--format", "csv"],
        ["timeline", "--view", "tree"],
        ["timeline", "--view", "lanes", "--from", "9999", "--format", "json"],
        ["timeline", "--view", "lanes", "--to", "0001", "--format", "json"],
        ["timeline", "--from", "9999-12-31", "--format", "json"],
        ["timeline", "--to", "0001-01-01", "--format", "json"],
        ["visits", "Steve Witkoff", "--format", "json"],
        ["visits"],
        ["stats", "--format", "json"],
    ],
    ids=lambda args: " ".join(args),
)
def test_every_listing_shows_the_first_and_last_years(edge_db: str, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["--db", edge_db, *args])
    assert result.exit_code == 0, result.output[-800:]
    assert result.stdout


def test_ics_events_at_the_edges_keep_their_length(edge_db: str) -> None:
    events = {
        str(event.get("summary")): event
        for event in Calendar.from_ical(_export(edge_db, "ics")).walk("VEVENT")
    }

    def length(summary: str) -> timedelta:
        event = events[summary]
        if "duration" in event:
            return event.get("duration").dt
        return event.get("dtend").dt - event.get("dtstart").dt

    assert events["Edge 5: 9999-12-31"].get("dtstart").dt == date(9999, 12, 31)
    assert length("Edge 5: 9999-12-31") == timedelta(days=1)
    assert length("Edge 7: 9999") == timedelta(days=365)
    assert length("Edge 8: 9998-12-30/9999-12-31") == timedelta(days=367)
    assert length("Edge 9: 9999-12-31T23:30-05:00") == timedelta(hours=5)
    assert length("Edge 0: 0001-01-01") == timedelta(days=1)
    assert length("Edge 3: 0001-01-01T00:30+03:00") == timedelta(hours=5)


def test_html_axis_over_ten_thousand_years_stays_readable(edge_db: str) -> None:
    page = _export(edge_db, "html")
    ticks = re.findall(r'<text class="tick-label"[^>]*>([^<]*)</text>', page)
    assert 2 <= len(ticks) <= 15, ticks
    assert ticks[0] == "1000"
    assert ticks[-1] == "9000"


# -- control characters ---------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
INVISIBLE = re.compile("[\x1b\u202e\u2066\u2069\x7f\x07\x0b]")


@pytest.fixture
def hostile_db(db_url: str) -> str:
    _log(db_url, "2025-12-02", HOSTILE_TITLE, "--summary", HOSTILE_SUMMARY)
    _log(db_url, "2025-12-03", "Plain talks", "--source-title", "Report\x1b[2J", source="other")
    return db_url


def test_ics_holds_no_control_character_and_shows_them_as_escapes(
    hostile_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "calendar.ics"
    _export(hostile_db, "ics", "--title", "Cal\x1b[31m\u202e", "-o", str(target))
    text = target.read_bytes().decode("utf-8")
    assert text.endswith("\r\n")
    assert [line for line in text[:-2].split("\r\n") if CONTROL.search(line)] == []
    assert not INVISIBLE.search(text)
    calendar = Calendar.from_ical(text)
    assert str(calendar.get("x-wr-calname")) == "Cal\\x1b[31m\\u202e"
    summaries = [str(event.get("summary")) for event in calendar.walk("VEVENT")]
    assert "Red\\x1b[31m alert \\u202eevil\\x0b tab\there\\x07" in summaries
    described = "\n".join(str(event.get("description")) for event in calendar.walk("VEVENT"))
    assert "line one\nline two\\x1b]0;PWNED\\x07 \\u2066isolate\\u2069 \\x7f" in described
    assert "Report\\x1b[2J" in described


@pytest.mark.parametrize("fmt", ["html", "timelinejs"])
def test_html_and_timelinejs_show_controls_as_escapes(hostile_db: str, fmt: str) -> None:
    text = _export(hostile_db, fmt, "--title", "Page\x1b[31m\u202e")
    if fmt == "timelinejs":
        text = "\n".join(_strings(json.loads(text)))  # the values, as a browser gets them
    assert not INVISIBLE.search(text)
    assert "\\x1b[31m" in text
    assert "\\u202eevil" in text
    assert "Page\\x1b[31m\\u202e" in text


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []
