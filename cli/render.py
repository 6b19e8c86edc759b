"""Output: the format registry (table, csv, json, ndjson, markdown) and the Rich views.

Renderers are classes in ``RENDERERS``, each with a ``name``, an ``extension`` and one
method, ``render(out, listing)``; the list feeds ``click.Choice``, and a plugin would
register the same way. ``table`` draws a Rich table with colour on a terminal and plain
aligned columns (no colour, no escape codes, no box drawing) into a pipe.

Every string from the data prints as itself: consoles have markup off, cells are
``Text`` objects, and control and invisible characters are shown as escapes (``\\x1b``,
``\\u202e``) in table, tree, markdown and detail output. CSV and JSON keep the exact text
(JSON escapes control characters itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from tracker import formats
from tracker.query.display import Row, source_name
from tracker.text import visible
from tracker.vocab import MeetingStatus

if TYPE_CHECKING:
    from rich.console import Console

    from tracker.query.timeline import TimelineRecord

Justify = Literal["left", "right"]
Wrap = Literal["", "words", "names"]

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# -- text that prints as itself -------------------------------------------------------


def safe(text: str) -> str:
    """``text`` with control, format and separator characters shown as escapes."""
    return visible(text)


def cell(value: Any) -> str:
    """A value as the text of one cell of the terminal table (exact; ``safe`` is applied
    by the views): as in csv, but a boolean reads ``yes`` or ``no``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return formats.cell_text(value)


# -- listings and the renderer registry -----------------------------------------------


@contextmanager
def closed_after(rows: Iterable[Row]) -> Iterator[Iterable[Row]]:
    """``rows``, closed (with the cursor a stream of rows holds) when the block ends,
    while the session is still open, even when it ends early (the reader went away)."""
    try:
        yield rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class Column:
    """One column of the human formats (table, markdown)."""

    key: str
    header: str
    justify: Justify = "left"
    style: str = ""
    blank: str | int | None = None
    """A value the table leaves blank, so that the others stand out (``held``)."""
    only_when_filled: bool = False
    """Shown in a table only when a row has a value in it, other than ``blank`` (a
    meeting's status: only when one of them was not held)."""
    drop: int = 0
    """On a terminal too narrow for the table, the columns with a ``drop`` rank go,
    rank 1 first, until the rest fits; a column of rank 0 always stays."""
    wrap: Wrap = ""
    """How a cell may take more lines on a narrow terminal: ``words``, free text (a
    title) wraps between words; ``names``, a list of names (``A; B``) puts a name on a
    line; ``""``, the cell (a name, a date, a number) keeps its line whole."""


@dataclass
class Listing:
    """Rows to print: ``table`` is their shape in the table formats (every key, for csv,
    json, ndjson and markdown); ``columns`` are what the terminal table shows."""

    rows: Iterable[Row]
    table: formats.Table
    columns: Sequence[Column]


class Renderer:
    """Prints a listing in one format; returns how many rows it printed."""

    name: ClassVar[str]
    extension: ClassVar[str]

    def render(self, out: Console, listing: Listing) -> int:
        raise NotImplementedError


class TableRenderer(Renderer):
    name = "table"
    extension = "txt"

    def render(self, out: Console, listing: Listing) -> int:
        rows = list(listing.rows)
        if rows:
            print_table(out, listing.columns, rows)
        return len(rows)


class FormatRenderer(Renderer):
    """A table format of ``tracker.formats``: the very code ``tracker export`` writes
    with, so a listing and an export of the same rows are the same bytes."""

    def __init__(self, name: str, *, excel: bool = False) -> None:
        self.format = formats.table_format(name, excel=excel)

    def render(self, out: Console, listing: Listing) -> int:
        with closed_after(listing.rows) as rows:
            return self.format.write(
                out.file, listing.table, formats.as_tuples(listing.table, rows)
            )


FORMATS = ["table", *(each.name for each in formats.FORMATS)]


def renderer(name: str, *, excel: bool = False) -> Renderer:
    """The renderer registered under ``name``; with ``excel``, csv for Excel (refused
    for any other format)."""
    if name == TableRenderer.name and not excel:
        return TableRenderer()
    return FormatRenderer(name, excel=excel)


# -- tables ---------------------------------------------------------------------------


def print_table(out: Console, columns: Sequence[Column], rows: Sequence[Row]) -> None:
    """A Rich table on a terminal; plain aligned columns into a pipe."""
    columns = [c for c in columns if not c.only_when_filled or any(_filled(c, r) for r in rows)]
    texts = [
        [safe(cell(row.get(c.key))) if _filled(c, row) else "" for c in columns] for row in rows
    ]
    if out.is_terminal:
        keep, widths, narrow = fitted(columns, texts, out.width)
        table = Table(
            box=box.SIMPLE_HEAD,
            header_style="bold cyan",
            show_edge=False,
            padding=(0, 0, 0, 1),  # with the column divider: the two cells of COLUMN_GAP
            pad_edge=False,
        )
        for index in keep:
            column = columns[index]
            table.add_column(
                column.header,
                justify=column.justify,
                style=column.style or None,
                min_width=widths[index],
                no_wrap=column.wrap != "words",
                overflow="fold",
            )
        for line in texts:
            cells = []
            for index in keep:
                text = line[index]
                if narrow and columns[index].wrap == "names":
                    text = text.replace(LIST_SEPARATOR, "\n")
                cells.append(Text(text))
            table.add_row(*cells)
        out.print(table)
        return
    out.file.write(plain_table([c.header for c in columns], texts, columns))


def print_lanes(
    out: Console, lead: Sequence[Column], months: Sequence[str], rows: Sequence[Row]
) -> None:
    """Envoy lanes: the ``lead`` columns (envoy, status), then a column per month
    (``YYYY-MM``, or ``year_only``).

    Into a pipe the months are labelled as they are keyed. On a terminal a month is
    labelled by its name (``Feb``), with the year above the first month of each table
    and above every January; when the months do not fit the width, they are printed in
    several tables, one after the other, each with the lead columns: a label is never
    cut.
    """
    if not out.is_terminal:
        columns = [*lead, *(Column(m, m, "right", style="green") for m in months)]
        print_table(out, columns, rows)
        return
    shown = [c for c in lead if not c.only_when_filled or any(_filled(c, r) for r in rows)]
    used = sum(
        max(
            cell_len(c.header), *(cell_len(safe(cell(r.get(c.key)))) for r in rows if _filled(c, r))
        )
        for c in shown
    ) + COLUMN_GAP * (len(shown) - 1)
    tables: list[list[Column]] = []
    width = out.width
    for month in months:
        fresh = not tables or width + COLUMN_GAP + _lane_width(month, rows, True) > out.width
        if fresh:
            tables.append([])
            width = used
        label = _lane_label(month, fresh)
        width += COLUMN_GAP + _lane_width(month, rows, fresh)
        tables[-1].append(Column(month, label, "right", style="green"))
    for index, columns in enumerate(tables):
        if index:
            out.print()
        print_table(out, [*lead, *columns], rows)


def _lane_label(month: str, with_year: bool) -> str:
    if month == "year_only":
        return "year\nonly"
    year, number = month.split("-")
    name = _MONTH_NAMES[int(number) - 1][:3]
    return f"{year}\n{name}" if with_year or number == "01" else f"\n{name}"


def _lane_width(month: str, rows: Sequence[Row], with_year: bool) -> int:
    label = _lane_label(month, with_year)
    return max(_longest_word(label), *(cell_len(cell(row.get(month))) for row in rows), 0)


COLUMN_GAP = 2
"""Terminal cells between two columns of a table (as in the plain format)."""
LIST_SEPARATOR = "; "


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _longest_name(text: str) -> int:
    return max((cell_len(name) for name in text.split(LIST_SEPARATOR)), default=0)


LONG_WORD = 16
"""Free text (a title) may be as narrow as this even when a word in it is longer: such
a word continues on the next line, whole, rather than take columns away."""


def _free_text(text: str) -> int:
    return min(_longest_word(text), LONG_WORD)


_NARROWEST = {"": cell_len, "words": _free_text, "names": _longest_name}


def fitted(
    columns: Sequence[Column], texts: Sequence[Sequence[str]], width: int
) -> tuple[list[int], list[int], bool]:
    """The columns of a table that fit in ``width`` terminal cells (their indexes, in
    order), the narrowest each may be, and whether the table is narrow.

    A table whose every cell fits on its line is shown whole. Otherwise it is narrow:
    a column may be as narrow as the longest word of its header (a header wraps between
    words, never inside one) and as its cells allow (see ``Column.wrap``): a name, a
    date or a number is never cut or broken; free text wraps between words (a word
    longer than ``LONG_WORD`` continues on the next line). When even the narrowest do not fit, the
    columns go in the order of their ``drop`` rank until the rest does.
    """
    keep = list(range(len(columns)))

    def needed(widths: Sequence[int]) -> int:
        return sum(widths[i] for i in keep) + COLUMN_GAP * (len(keep) - 1)

    whole = [
        max([cell_len(column.header), *(cell_len(line[index]) for line in texts)])
        for index, column in enumerate(columns)
    ]
    if needed(whole) <= width:
        return keep, whole, False
    narrowest = []
    for index, column in enumerate(columns):
        measure = _NARROWEST[column.wrap]
        narrowest.append(
            max([_longest_word(column.header), *(measure(line[index]) for line in texts)])
        )
    for _rank, index in sorted((c.drop, i) for i, c in enumerate(columns) if c.drop):
        if needed(narrowest) <= width:
            break
        keep.remove(index)
    return keep, narrowest, True


def plain_table(
    headers: Sequence[str], texts: Sequence[Sequence[str]], columns: Sequence[Column]
) -> str:
    """Columns separated by two spaces, padded to the widest cell (by terminal cells),
    no trailing white space."""
    widths = [cell_len(header) for header in headers]
    for line in texts:
        for index, text in enumerate(line):
            widths[index] = max(widths[index], cell_len(text))
    out: list[str] = []
    for line in [list(headers), *texts]:
        parts = []
        for index, text in enumerate(line):
            pad = " " * (widths[index] - cell_len(text))
            parts.append(pad + text if columns[index].justify == "right" else text + pad)
        out.append("  ".join(parts).rstrip())
    return "\n".join(out) + "\n"


# -- timeline views -------------------------------------------------------------------


STATUS_COLUMN = Column(
    "status", "status", style="bold yellow", blank=MeetingStatus.HELD.value, only_when_filled=True
)
"""A meeting's status in a table: shown for the meetings not held."""


DISPUTED_MARK = "!"
"""What marks a meeting with a disputed fact (its accounts disagree) in the timeline's
table, tree and lanes, and a disputed fact in a list of accounts."""


def _filled(column: Column, row: Row) -> bool:
    value = row.get(column.key)
    return value is not None and value != "" and value != column.blank


def not_held(status: str) -> str:
    """A meeting's status where a view marks it: nothing for a meeting held, else the
    status (``announced``, ``postponed``, ``cancelled``)."""
    return "" if status == MeetingStatus.HELD.value else status


def meeting_label(row: Row) -> str:
    """``11 Apr 2025  Title (talks; Steve Witkoff with Vladimir Putin)``; a meeting not
    held says so: ``(talks, announced; ...)``; one with disputed facts names them:
    ``... ! disputed: date, duration``."""
    details = [", ".join(part for part in (row["kind"], not_held(row["status"])) if part)]
    if row["envoys"] and row["counterparts"]:
        details.append(f"{row['envoys']} with {row['counterparts']}")
    elif row["envoys"] or row["counterparts"]:
        details.append(row["envoys"] or row["counterparts"])
    label = f"{row['date']}  {row['title']} ({'; '.join(details)})"
    if row.get("disputed"):
        label += f" {DISPUTED_MARK} disputed: {', '.join(row['disputed'])}"
    return label


def print_tree(out: Console, records: Iterable[TimelineRecord]) -> int:
    """The timeline as a tree: year, month, meeting. A month-only meeting sits under its
    month, a year-only one under its year (it is never given a day or month it lacks)."""
    count = 0
    years: list[tuple[int, list[tuple[int | None, list[TimelineRecord]]]]] = []
    for year, in_year in groupby(records, key=lambda r: r.earliest.year):
        months: list[tuple[int | None, list[TimelineRecord]]] = []
        for month, in_month in groupby(
            in_year, key=lambda r: None if r.precision == "year" else r.earliest.month
        ):
            group = list(in_month)
            count += len(group)
            months.append((month, group))
        years.append((year, months))
    if out.is_terminal:
        from rich.tree import Tree

        root = Tree(Text("timeline", style="bold"), guide_style="dim")
        for year, months in years:
            year_node = root.add(Text(str(year), style="bold cyan"))
            for month, group in months:
                parent = (
                    year_node
                    if month is None
                    else year_node.add(Text(_MONTH_NAMES[month - 1], style="cyan"))
                )
                for record in group:
                    parent.add(Text(safe(meeting_label(record.row))))
        if years:
            out.print(root)
        return count
    lines: list[str] = []
    for year, months in years:
        lines.append(str(year))
        for month, group in months:
            indent = "  "
            if month is not None:
                lines.append(f"  {_MONTH_NAMES[month - 1]}")
                indent = "    "
            lines.extend(indent + safe(meeting_label(record.row)) for record in group)
    if lines:
        out.file.write("\n".join(lines) + "\n")
    return count


# -- one record in full ---------------------------------------------------------------


def _source_line(source: Mapping[str, Any]) -> str:
    """``TASS: "Title", https://... (2025-04-11)``."""
    text = source["publisher"] or ""
    rest = ", ".join(
        part for part in (f'"{source["title"]}"' if source["title"] else "", source["url"]) if part
    )
    if rest:
        text = f"{text}: {rest}" if text else rest
    if source["published"]:
        text += f" ({source['published']})"
    return text or source["uid"]


def _date_line(record: Mapping[str, Any]) -> str:
    return f"{record['date']} (EDTF {record['edtf']})"


def meeting_fields(detail: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Label and lines of each field of a meeting detail."""
    fields: list[tuple[str, list[str]]] = [
        ("meeting", [f"m:{detail['id']} (uid {detail['uid']})"]),
        ("kind", [detail["kind"]]),
        ("title", [detail["title"]]),
        ("date", [_date_line(detail)]),
        ("venue", [", ".join(detail["place_chain"])] if detail["place_chain"] else []),
        ("duration", [detail["duration"]] if detail["duration"] else []),
        ("status", [detail["status"]]),
        ("outcome", [detail["outcome"]]),
        ("summary", [detail["outcome_summary"]] if detail["outcome_summary"] else []),
    ]
    visit = detail["visit"]
    if visit is not None:
        where = f", {visit['destination']}" if visit["destination"] else ""
        fields.append(("visit", [f"v:{visit['id']} {visit['date']}{where} (uid {visit['uid']})"]))
    fields.append(
        (
            "participants",
            [
                p["name"]
                + (
                    f" ({', '.join(x for x in (p['side'], p['role']) if x)})"
                    if p["side"] or p["role"]
                    else ""
                )
                for p in detail["participants"]
            ],
        )
    )
    fields.append(("topics", ["; ".join(detail["topics"])] if detail["topics"] else []))
    statements: list[str] = []
    for s in detail["statements"]:
        head = ", ".join(x for x in (s["speaker"], s["kind"], s["date"], s["language"]) if x)
        statements.append(f"{head}:")
        statements.append(f"  {s['text']}")
        statements.extend(f"  source: {_source_line(src)}" for src in s["sources"])
    fields.append(("statements", statements))
    fields.append(("sources", [_source_line(s) for s in detail["sources"]]))
    fields.append(("notes", [detail["notes"]] if detail["notes"] else []))
    return fields


def visit_fields(detail: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Label and lines of each field of a visit detail."""
    days = detail["days"]
    return [
        ("visit", [f"v:{detail['id']} (uid {detail['uid']})"]),
        (
            "travellers",
            [t["name"] + (f" ({t['role']})" if t["role"] else "") for t in detail["travellers"]],
        ),
        ("destination", [", ".join(detail["place_chain"])] if detail["place_chain"] else []),
        ("dates", [_date_line(detail) + (f", {days} days" if days and days > 1 else "")]),
        ("purpose", [detail["purpose"]] if detail["purpose"] else []),
        (
            "meetings",
            [
                f"m:{m['id']} {m['date']}  {m['title']} ({m['kind']}"
                + (f", {not_held(m['status'])}" if not_held(m["status"]) else "")
                + (f", {m['duration']}" if m["duration"] else "")
                + f", outcome {m['outcome']})"
                for m in detail["meetings"]
            ],
        ),
        ("sources", [_source_line(s) for s in detail["sources"]]),
        ("notes", [detail["notes"]] if detail["notes"] else []),
    ]


def print_fields(out: Console, fields: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Label-value lines: a two-column grid on a terminal, plain lines into a pipe."""
    shown = [(label, [safe(line) for line in lines]) for label, lines in fields if lines]
    if out.is_terminal:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, lines in shown:
            grid.add_row(Text(label), Text("\n".join(lines)))
        out.print(grid)
        return
    width = max((len(label) for label, _lines in shown), default=0) + 2
    text: list[str] = []
    for label, lines in shown:
        text.append(label.ljust(width) + lines[0])
        text.extend(" " * width + line for line in lines[1:])
    out.out("\n".join(text), highlight=False)


def print_detail(out: Console, detail: Mapping[str, Any]) -> None:
    """Print one meeting or visit in full, from its detail (``tracker.query.detail``),
    its disputed facts last."""
    shown = meeting_fields(detail) if detail["type"] == "meeting" else visit_fields(detail)
    print_fields(out, shown)
    print_disputes(out, detail.get("disputed", []))


# -- accounts of a fact ---------------------------------------------------------------

ACCOUNT_COLUMNS = (
    Column("field", "fact", style="bold"),
    Column("n", "#", "right"),
    Column("mark", ""),
    Column("value", "value", style="cyan"),
    Column("sources", "sources", wrap="words", drop=3),
    Column("said", "said", wrap="words", drop=2),
    Column("note", "note", wrap="words", drop=1),
)
"""An account a row, side by side with the others of its fact: `tracker account list`
and the disputed facts of `tracker show`."""


def account_cells(row: Mapping[str, Any]) -> Row:
    """An account's row with the table's own cells: ``mark`` (``*`` the preferred
    account, ``!`` a disputed fact) and ``said`` (the quote, who said it, in what
    language)."""
    said = row["quote"]
    if said is not None:
        said = f"“{said}”"
    who = ", ".join(str(part) for part in (row["speaker"], row["language"]) if part)
    if who:
        said = f"{said} ({who})" if said else who
    mark = ("*" if row["preferred"] else "") + (DISPUTED_MARK if row["disputed"] else "")
    return {**row, "said": said, "mark": mark}


def print_disputes(out: Console, disputed: Sequence[Mapping[str, Any]]) -> None:
    """A record's disputed facts (``tracker.query.disputes.disputed_accounts``), each
    account on a row, side by side with the others of its fact; nothing when none is."""
    from cli import messages

    rows = [
        account_cells(
            {
                **account,
                "field": fact["field"],
                "disputed": True,
                "sources": [source_name(source) for source in account["sources"]],
            }
        )
        for fact in disputed
        for account in fact["accounts"]
    ]
    if not rows:
        return
    out.print()
    out.print(messages.DISPUTED_FACTS, highlight=False)
    print_table(out, ACCOUNT_COLUMNS, rows)


def print_json(out: Console, value: Any) -> None:
    out.file.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_before_after(
    out: Console,
    before: Sequence[tuple[str, Sequence[str]]],
    after: Sequence[tuple[str, Sequence[str]]],
) -> None:
    """A record's fields before a change and after it, as every edit shows them."""
    from cli import messages

    out.print(messages.BEFORE)
    print_fields(out, before)
    out.print()
    out.print(messages.AFTER)
    print_fields(out, after)
