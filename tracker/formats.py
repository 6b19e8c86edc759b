"""The table formats: csv, markdown, ndjson and json, written by one piece of code.

A listing's ``--format X`` and ``tracker export --format X`` both come here, so the same
rows give the same bytes. A table is its ``keys`` (every column, in order) and its rows
as tuples of values in that order, in batches (the export path reads them so);
``right`` names the columns a pipe table aligns right.

- csv: RFC 4180 (comma, fields quoted where needed, CRLF line ends, a header row); for
  Excel (``excel=True``) also a UTF-8 byte-order mark, and a cell Excel would run as a
  formula prefixed with ``'`` (``excel_cell``);
- markdown: a GitHub-flavoured pipe table whose every cell shows the data as itself
  (no link, image, emphasis, code or HTML can come from the data);
- ndjson: one JSON object per line; json: one array of objects, streamed.

Cells: ``None`` is empty in csv and markdown, a boolean ``true``/``false``, a mapping
``key value; key value``, a list a list cell (``tracker.cells``). JSON keeps values as
they are.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from tracker.cells import join_list
from tracker.errors import InvalidInput
from tracker.text import visible

Batches = Iterable[Sequence[Sequence[Any]]]
"""Rows in batches: each row a tuple of values in the order of the table's keys."""


@dataclass(frozen=True)
class Table:
    """The shape of a listing: every key in order, and the keys aligned right."""

    keys: Sequence[str]
    right: frozenset[str] = field(default_factory=frozenset)
    plain: bool = False
    """Every cell is text, a number, ``None`` (as stored) or a ``tracker.cells.ListCell``:
    the csv module writes those as ``cell_text`` would, so rows go to it as they are
    (the fast export path)."""


def cell_text(value: Any) -> str:
    """A value as the text of one csv or markdown cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return join_list(f"{key} {cell_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return join_list(cell_text(item) for item in value)
    return str(value)


class TableFormat:
    """Writes a table to a text stream opened with ``newline=""``; returns the number of
    rows written."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    media_type: ClassVar[str]

    def write(self, stream: IO[str], table: Table, batches: Batches) -> int:
        raise NotImplementedError


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a cell Excel (or another spreadsheet) would run as a formula begins with (the
OWASP advice on CSV injection)."""
BYTE_ORDER_MARK = "\ufeff"


def excel_cell(text: str) -> str:
    """A csv cell for Excel: one that begins like a formula gets a leading ``'``, which
    Excel shows as text and does not run (``=HYPERLINK(...)`` reads
    ``'=HYPERLINK(...)``)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Csv(TableFormat):
    name = "csv"
    extensions = ("csv",)
    media_type = "text/csv; charset=utf-8; header=present"

    def __init__(self, *, excel: bool = False) -> None:
        self.excel = excel

    def write(self, stream: IO[str], table: Table, batches: Batches) -> int:
        writer = csv.writer(stream, lineterminator="\r\n")
        count = 0
        if self.excel:
            # The mark tells Excel the file is UTF-8 (else it reads en dashes and
            # Cyrillic in the system's code page).
            stream.write(BYTE_ORDER_MARK)
            writer.writerow(map(excel_cell, table.keys))
            for batch in batches:
                writer.writerows([excel_cell(cell_text(value)) for value in row] for row in batch)
                count += len(batch)
            return count
        writer.writerow(table.keys)
        width = len(table.keys)
        for batch in batches:
            if not table.plain:
                batch = [[cell_text(value) for value in row] for row in batch]
            if width > 1 and set(map(len, batch)) == {width}:
                stream.write(csv_lines(batch))
            else:
                writer.writerows(batch)
            count += len(batch)
        return count


def csv_lines(rows: Sequence[Sequence[Any]]) -> str:
    """The lines ``csv.writer(stream, lineterminator="\\r\\n").writerows(rows)`` writes,
    for rows of two cells or more, all of one length, built a column at a time.

    The csv module looks at every character of every cell from Python's side of the
    fence one row at a time; here each column is made text (``None`` empty, any other
    value ``str()``, as that writer makes it), searched at once for what needs quoting
    (a comma, a quote, a line break), and only the cells of a column that holds one are
    quoted (in double quotes, a quote doubled); the lines are then joined at once. A
    test holds the two to the same bytes.
    """
    columns: list[Sequence[str]] = []
    for column in zip(*rows, strict=True):
        try:
            texts: Sequence[str] = column
            joined = "".join(column)
        except TypeError:  # not all text: None, numbers, list cells
            texts = _texts(column)
            joined = "".join(texts)
        if '"' in joined or "," in joined or "\n" in joined or "\r" in joined:
            texts = [
                _quoted(text) if found else text
                for text, found in zip(texts, map(_NEEDS_QUOTES.search, texts), strict=True)
            ]
        columns.append(texts)
    if not columns:
        return ""
    return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"


_NEEDS_QUOTES = re.compile('[,"\r\n]')
_NONE_EMPTY: dict[Any, str] = {None: ""}


def _texts(column: Sequence[Any]) -> list[str]:
    """The cells of ``column`` as the csv module writes them: ``None`` empty, anything
    else ``str()``."""
    try:
        return list(map(str, map(_NONE_EMPTY.get, column, column)))
    except TypeError:  # a value that cannot be a key: a list cell (most often empty)
        return ["" if value is None or value == [] else str(value) for value in column]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Ndjson(TableFormat):
    name = "ndjson"
    extensions = ("ndjson", "jsonl")
    media_type = "application/x-ndjson"

    def write(self, stream: IO[str], table: Table, batches: Batches) -> int:
        keys = table.keys
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        count = 0
        for batch in batches:
            stream.write("".join(dumps(dict(zip(keys, row, strict=True))) + "\n" for row in batch))
            count += len(batch)
        return count


class Json(TableFormat):
    name = "json"
    extensions = ("json",)
    media_type = "application/json"

    def write(self, stream: IO[str], table: Table, batches: Batches) -> int:
        """The bytes of ``json.dumps(rows, indent=2)``, written a row at a time."""
        keys = table.keys
        count = 0
        for batch in batches:
            for row in batch:
                text = json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False, indent=2)
                stream.write(("[\n  " if count == 0 else ",\n  ") + text.replace("\n", "\n  "))
                count += 1
        stream.write("\n]\n" if count else "[]\n")
        return count


_MARKDOWN_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "\\|",
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "~": "\\~",
    "!": "\\!",
    "\n": "<br>",
}


def markdown_cell(text: str) -> str:
    """``text`` for one cell of a pipe table, shown as itself by any Markdown renderer.

    Hidden characters are shown as escapes first, as every view shows them
    (``tracker.text.visible``); then HTML is entity-escaped (so ``<script>`` stays text),
    the characters of inline Markdown (emphasis, code, links, images, strikethrough) and
    the cell separator ``|`` are backslash-escaped, a line break becomes ``<br>``, and
    white space at either end (which a pipe table trims) a character reference.
    """
    out = [_MARKDOWN_ESCAPES.get(ch, ch) for ch in visible(text, keep="\n")]
    if out and out[0].isspace():
        out[0] = f"&#{ord(out[0])};"
    if len(out) > 1 and out[-1].isspace():
        out[-1] = f"&#{ord(out[-1])};"
    return "".join(out)


class Markdown(TableFormat):
    name = "markdown"
    extensions = ("md", "markdown")
    media_type = "text/markdown; charset=utf-8; variant=GFM"

    def write(self, stream: IO[str], table: Table, batches: Batches) -> int:
        keys = table.keys
        stream.write("| " + " | ".join(markdown_cell(key) for key in keys) + " |\n")
        rule = ("---:" if key in table.right else "---" for key in keys)
        stream.write("| " + " | ".join(rule) + " |\n")
        count = 0
        for batch in batches:
            for row in batch:
                cells = (markdown_cell(cell_text(value)) for value in row)
                stream.write("| " + " | ".join(cells) + " |\n")
            count += len(batch)
        return count


FORMATS: list[type[TableFormat]] = [Csv, Json, Ndjson, Markdown]
"""The table formats, by name: what every listing's ``--format`` offers besides
``table``, and what ``tracker export`` writes the timeline table in."""


def excel_refused(name: str) -> InvalidInput:
    """The error for ``--excel`` with a format other than csv."""
    return InvalidInput("--excel", "--format csv (a csv file for Excel)", name)


def table_format(name: str, *, excel: bool = False) -> TableFormat:
    """The table format ``name``; with ``excel``, csv for Excel (only csv has that)."""
    if excel:
        if name != Csv.name:
            raise excel_refused(name)
        return Csv(excel=True)
    for candidate in FORMATS:
        if candidate.name == name:
            return candidate()
    raise KeyError(name)


def as_tuples(table: Table, rows: Iterable[Mapping[str, Any]]) -> Iterable[list[tuple[Any, ...]]]:
    """Rows given as mappings, as one-row batches of tuples in the table's key order."""
    keys = table.keys
    for row in rows:
        yield [tuple(row.get(key) for key in keys)]
