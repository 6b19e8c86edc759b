"""The timeline table (one row per meeting, the columns of ``TIMELINE_KEYS``) as csv,
markdown and ndjson."""

from __future__ import annotations

import csv
import json
import unicodedata
from typing import Any, TextIO

from tracker.collector import collector_paused
from tracker.exporters.base import Export, Exporter
from tracker.query import TIMELINE_KEYS


def text_cell(value: Any) -> str:
    """A row value as the text of one cell (``None`` is empty)."""
    return "" if value is None else str(value)


class CsvExporter(Exporter):
    """RFC 4180: comma-separated, fields quoted where needed, CRLF line ends, a header."""

    name = "csv"
    extensions = ("csv",)
    media_type = "text/csv; charset=utf-8; header=present"
    summary = "the timeline table, RFC 4180 (UTF-8, CRLF, a header row)"

    def write(self, export: Export, stream: TextIO) -> int:
        # ``None`` is written as an empty cell and a number as ``str`` gives it, as
        # ``text_cell`` does: the tuples go to the writer as they are.
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(TIMELINE_KEYS)
        count = 0
        with collector_paused():
            for batch in export.row_batches():
                writer.writerows(batch)
                count += len(batch)
        return count


class NdjsonExporter(Exporter):
    """One JSON object per line, keys in ``TIMELINE_KEYS`` order."""

    name = "ndjson"
    extensions = ("ndjson", "jsonl")
    media_type = "application/x-ndjson"
    summary = "the timeline table, one JSON object per line"

    def write(self, export: Export, stream: TextIO) -> int:
        count = 0
        with collector_paused():
            for batch in export.row_batches():
                for values in batch:
                    row = dict(zip(TIMELINE_KEYS, values, strict=True))
                    stream.write(json.dumps(row, ensure_ascii=False))
                    stream.write("\n")
                count += len(batch)
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
    "\r": "",
}


def markdown_cell(text: str) -> str:
    """``text`` for one cell of a pipe table, shown as itself by any Markdown renderer.

    HTML is entity-escaped (so ``<script>`` stays text), the characters of inline
    Markdown (emphasis, code, links, images, strikethrough) and the cell separator
    ``|`` are backslash-escaped, a line break becomes ``<br>`` and other control
    characters are written as ``\\xNN``.
    """
    out: list[str] = []
    for ch in text:
        if ch in _MARKDOWN_ESCAPES:
            out.append(_MARKDOWN_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


class MarkdownExporter(Exporter):
    """A GitHub-flavoured pipe table with every column of the timeline table."""

    name = "markdown"
    extensions = ("md", "markdown")
    media_type = "text/markdown; charset=utf-8; variant=GFM"
    summary = "the timeline table as a pipe table (every cell escaped)"

    def write(self, export: Export, stream: TextIO) -> int:
        numeric = {"duration_minutes"}
        stream.write("| " + " | ".join(markdown_cell(key) for key in TIMELINE_KEYS) + " |\n")
        stream.write(
            "| " + " | ".join("---:" if key in numeric else "---" for key in TIMELINE_KEYS) + " |\n"
        )
        count = 0
        with collector_paused():
            for batch in export.row_batches():
                for values in batch:
                    cells = (markdown_cell(text_cell(value)) for value in values)
                    stream.write("| " + " | ".join(cells) + " |\n")
                count += len(batch)
        return count
