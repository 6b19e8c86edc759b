"""The table formats (``tracker.formats``) and list cells (``tracker.cells``)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tracker.cells import ListCell, join_list, split_list
from tracker.errors import InvalidInput
from tracker.formats import (
    Csv,
    Json,
    Markdown,
    Table,
    cell_text,
    csv_lines,
    excel_cell,
    markdown_cell,
    table_format,
)
from tracker.text import visible

TEXT = st.text(max_size=40)


def _write(fmt: Any, table: Table, rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO(newline="")
    assert fmt().write(out, table, [rows]) == len(rows)
    return out.getvalue()


# -- markdown ---------------------------------------------------------------------------


def _cells(rendered: str) -> list[str]:
    """The text of each body cell of a rendered pipe table."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rendered, flags=re.S)
    return [html.unescape(cell.replace("<br>", "\n")) for cell in cells]


def _shown(text: str) -> str:
    """What a reader should see of ``text``: itself, with hidden characters (but line
    breaks) as escapes, as every view shows them."""
    return visible(text, keep="\n")


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_markdown_shows_the_data_as_itself(values: list[str]) -> None:
    table = Table([f"c{n}" for n in range(len(values))])
    rendered = (
        MarkdownIt("commonmark").enable("table").render(_write(Markdown, table, [tuple(values)]))
    )
    for tag in ("<em>", "<strong>", "<a ", "<img", "<code>", "<script", "<s>", "<del>"):
        assert tag not in rendered
    assert _cells(rendered) == [_shown(value) for value in values]


def test_markdown_escapes_pipes_html_links_and_emphasis() -> None:
    assert markdown_cell("a|b") == "a\\|b"
    assert markdown_cell("<b>&") == "&lt;b&gt;&amp;"
    assert markdown_cell("![x](http://example.org/x.png)") == "\\!\\[x\\](http://example.org/x.png)"
    assert markdown_cell("_x_ *y*") == "\\_x\\_ \\*y\\*"
    assert markdown_cell("one\ntwo") == "one<br>two"
    assert markdown_cell("bell\x07") == "bell\\\\x07"
    assert markdown_cell(" padded ") == "&#32;padded&#32;"


# -- csv --------------------------------------------------------------------------------


@given(st.lists(st.tuples(TEXT, st.none() | st.integers(), TEXT), max_size=5))
def test_csv_is_rfc_4180(rows: list[tuple[Any, ...]]) -> None:
    table = Table(("a", "b", "c"))
    text = _write(Csv, table, rows)
    assert text.startswith("a,b,c\r\n")
    assert text.endswith("\r\n")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1:] == [[cell_text(value) for value in row] for row in rows]
    # Outside quoted fields, every line ends with CRLF.
    unquoted = re.sub(r'"(?:[^"]|"")*"', "", text)
    assert "\n" not in unquoted.replace("\r\n", "")


# What a cell of the csv writer can be: text biased to what needs quoting or escaping
# in a list, numbers, None, booleans and list cells.
HOSTILE = st.text(alphabet=st.sampled_from(',"\r\n;\\ aé') | st.characters(), max_size=12)
CELL = st.one_of(
    HOSTILE,
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(HOSTILE, max_size=3).map(ListCell),
)


@given(st.integers(min_value=2, max_value=5).flatmap(
    lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=6)
))  # fmt: skip
def test_csv_lines_are_the_bytes_of_the_csv_module(rows: list[list[Any]]) -> None:
    written = io.StringIO(newline="")
    csv.writer(written, lineterminator="\r\n").writerows(rows)
    assert csv_lines(rows) == written.getvalue()


@given(st.lists(st.tuples(HOSTILE, CELL), max_size=6), st.booleans())
def test_csv_writes_what_the_csv_module_writes(rows: list[tuple[Any, ...]], plain: bool) -> None:
    # A plain table goes to the column writer as it is; another one cell by cell.
    table = Table(("a", "b"), plain=plain)
    written = io.StringIO(newline="")
    writer = csv.writer(written, lineterminator="\r\n")
    writer.writerow(table.keys)
    writer.writerows(row if plain else [cell_text(value) for value in row] for row in rows)
    assert _write(Csv, table, rows) == written.getvalue()


def test_csv_cells() -> None:
    table = Table(("flag", "outcomes", "names", "none"))
    row = (True, {"agreement": 2, "unknown": 1}, ["Smith; Jones", "Lee"], None)
    assert _write(Csv, table, [row]).splitlines()[1] == (
        "true,agreement 2; unknown 1,Smith\\; Jones; Lee,"
    )


# -- json -------------------------------------------------------------------------------


@given(st.lists(st.tuples(TEXT, st.none() | st.integers() | st.booleans()), max_size=4))
def test_json_streams_the_bytes_of_one_dump(rows: list[tuple[Any, ...]]) -> None:
    table = Table(("a", "b"))
    expected = [dict(zip(table.keys, row, strict=True)) for row in rows]
    assert _write(Json, table, rows) == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


# -- lists in a cell --------------------------------------------------------------------

ITEM = st.text(min_size=1, max_size=20).map(str.strip).filter(bool)


@given(st.lists(ITEM, max_size=5))
def test_a_list_cell_reads_back_as_the_list(values: list[str]) -> None:
    assert split_list(join_list(values)) == values


def test_a_value_holding_the_separator_stays_one_value() -> None:
    cell = join_list(["Smith; Jones", "Reuters; https://example.org/x", "a\\b"])
    assert cell == "Smith\\; Jones; Reuters\\; https://example.org/x; a\\\\b"
    assert split_list(cell) == ["Smith; Jones", "Reuters; https://example.org/x", "a\\b"]
    assert split_list("Marco Rubio; Mike Waltz") == ["Marco Rubio", "Mike Waltz"]


# -- csv for Excel ----------------------------------------------------------------------


@given(TEXT)
def test_no_excel_cell_begins_like_a_formula(text: str) -> None:
    cell = excel_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)
    assert (cell != text) == text.startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.lists(st.tuples(TEXT, st.one_of(st.none(), st.integers(), TEXT)), max_size=5))
def test_excel_csv_reads_back_as_its_cells(rows: list[tuple[Any, ...]]) -> None:
    """A byte-order mark, CRLF line ends, and every cell (header too) as ``excel_cell``
    gives it: what csv.reader reads is exactly that."""
    table = Table(("first", "second"))
    out = io.StringIO(newline="")
    assert Csv(excel=True).write(out, table, [rows]) == len(rows)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    assert text.endswith("\r\n")
    read = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert read[0] == ["first", "second"]
    assert read[1:] == [[excel_cell(cell_text(value)) for value in row] for row in rows]


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("https://example.org","x")', '\'=HYPERLINK("https://example.org","x")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Witkoff = envoy", "Witkoff = envoy"),
        ("", ""),
    ],
)
def test_owasp_prefixes(text: str, cell: str) -> None:
    assert excel_cell(text) == cell


def test_only_csv_is_written_for_excel() -> None:
    for name in ("json", "ndjson", "markdown", "table"):
        with pytest.raises(InvalidInput, match="--excel"):
            table_format(name, excel=True)
    assert isinstance(table_format("csv", excel=True), Csv)
