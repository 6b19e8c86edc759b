"""The output registry and the views: exact text into a pipe, Rich on a terminal, and
data that always prints as itself."""

from __future__ import annotations

import io
import json
from datetime import date

import click
import pytest
from rich.console import Console

from cli.read_commands import format_option
from cli.render import (
    FORMATS,
    Column,
    Listing,
    cell,
    print_fields,
    print_tree,
    renderer,
    safe,
)
from tracker.formats import Table
from tracker.query import Attendee, TimelineRecord

HOSTILE = "[bold]x \x1b[31mred\u202e|"
COLUMNS = (Column("name", "name"), Column("n", "n", "right"))
TABLE = Table(("name", "n", "extra"), right=frozenset({"n"}))
SHORT = Table(("name", "n"), right=frozenset({"n"}))
ROWS = [
    {"name": HOSTILE, "n": 5, "extra": None},
    {"name": "Władimir Путин", "n": 12, "extra": True},
]


def _pipe() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, force_terminal=False, no_color=True, width=40)
    return console, buffer


def _terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer, markup=False, force_terminal=True, color_system="standard", width=100
    )
    return console, buffer


def _render(name: str, console: Console | None = None) -> str:
    out, buffer = _pipe() if console is None else (console, None)
    renderer(name).render(out, Listing(ROWS, TABLE, COLUMNS))
    assert buffer is not None
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain Władimir Путин", "plain Władimir Путин"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
        ("rtl\u202eoverride\u200b", "rtl\\u202eoverride\\u200b"),
        ("line\u2028sep", "line\\u2028sep"),
        ("[bold]x", "[bold]x"),
    ],
)
def test_safe_makes_control_characters_visible(text: str, expected: str) -> None:
    assert safe(text) == expected


def test_cell() -> None:
    assert cell(None) == ""
    assert cell(True) == "yes"
    assert cell(4.5) == "4.5"
    assert cell({"unknown": 3, "agreement": 1}) == "unknown 3; agreement 1"
    assert cell(["a", "b"]) == "a; b"


def test_registry_feeds_the_format_choice() -> None:
    assert FORMATS == ["table", "csv", "json", "ndjson", "markdown"]

    @click.command()
    @format_option
    def command(fmt: str) -> None:
        click.echo(fmt)

    choice = next(p for p in command.params if p.name == "fmt").type
    assert isinstance(choice, click.Choice)
    assert list(choice.choices) == FORMATS
    with pytest.raises(KeyError):
        renderer("yaml")


def test_plain_table_is_aligned_and_escaped() -> None:
    assert _render("table") == (
        "name                         n\n"
        "[bold]x \\x1b[31mred\\u202e|   5\n"
        "Władimir Путин              12\n"
    )


def test_plain_table_measures_wide_characters_in_cells() -> None:
    out, buffer = _pipe()
    rows = [{"name": "東京", "n": 1}, {"name": "ab", "n": 2}]
    renderer("table").render(out, Listing(rows, SHORT, COLUMNS))
    assert buffer.getvalue() == "name  n\n東京  1\nab    2\n"


def test_terminal_table_has_colour_but_data_escapes_stay_visible() -> None:
    console, buffer = _terminal()
    renderer("table").render(console, Listing(ROWS, SHORT, COLUMNS))
    text = buffer.getvalue()
    assert "\x1b[" in text  # Rich's own styling
    assert "\\x1b[31mred\\u202e" in text
    assert "\x1b[31mred" not in text
    assert "\u202e" not in text
    assert "[bold]x" in text


def test_csv_keeps_exact_text() -> None:
    assert _render("csv") == f"name,n,extra\r\n{HOSTILE},5,\r\nWładimir Путин,12,true\r\n"


def test_json_and_ndjson_keep_exact_text() -> None:
    rows = json.loads(_render("json"))
    assert rows == ROWS
    lines = _render("ndjson").splitlines()
    assert [json.loads(line) for line in lines] == ROWS
    assert "\x1b" not in _render("json")  # JSON escapes control characters itself


def test_markdown_escapes_pipes_and_controls() -> None:
    assert _render("markdown") == (
        "| name | n | extra |\n"
        "| --- | ---: | --- |\n"
        "| \\[bold\\]x \\\\x1b\\[31mred\\\\u202e\\| | 5 |  |\n"
        "| Władimir Путин | 12 | true |\n"
    )


def test_renderers_count_rows() -> None:
    for name in FORMATS:
        out, _buffer = _pipe()
        assert renderer(name).render(out, Listing(iter(ROWS), SHORT, COLUMNS)) == 2


def _entry(title: str, day: date, precision: str) -> TimelineRecord:
    year_only = precision == "year"
    row = {
        "date": str(day.year) if year_only else f"{day:%d %b %Y}",
        "edtf": str(day.year) if year_only else day.isoformat(),
        "earliest": day.isoformat(),
        "latest": f"{day.year}-12-31" if year_only else day.isoformat(),
        "kind": "talks",
        "status": "held",
        "title": title,
        "envoys": "A",
        "counterparts": "",
    }
    envoy = Attendee(1, "p-a", "A", None, "envoy", None)
    return TimelineRecord(row, 1, None, None, [envoy], [], [envoy], [])


def test_tree_into_a_pipe_puts_year_only_meetings_under_the_year() -> None:
    out, buffer = _pipe()
    entries = [
        _entry("Sometime", date(2024, 1, 1), "year"),
        _entry("Talks", date(2024, 3, 5), "day"),
        _entry(HOSTILE, date(2025, 1, 2), "day"),
    ]
    assert print_tree(out, entries) == 3
    assert buffer.getvalue() == (
        "2024\n"
        "  2024  Sometime (talks; A)\n"
        "  March\n"
        "    05 Mar 2024  Talks (talks; A)\n"
        "2025\n"
        "  January\n"
        "    02 Jan 2025  [bold]x \\x1b[31mred\\u202e| (talks; A)\n"
    )


def test_tree_on_a_terminal_is_a_rich_tree() -> None:
    console, buffer = _terminal()
    print_tree(console, [_entry(HOSTILE, date(2025, 1, 2), "day")])
    text = buffer.getvalue()
    assert "January" in text
    assert "\\x1b[31mred" in text
    assert "\x1b[31mred" not in text


def test_fields_into_a_pipe() -> None:
    out, buffer = _pipe()
    print_fields(out, [("title", [HOSTILE]), ("empty", []), ("people", ["A (US)", "B (RU)"])])
    assert buffer.getvalue() == (
        "title   [bold]x \\x1b[31mred\\u202e|\npeople  A (US)\n        B (RU)\n"
    )
