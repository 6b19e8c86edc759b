"""The timeline table (one row per meeting, the columns of ``TIMELINE_KEYS``) as csv,
markdown and ndjson: exporters over the table formats of ``tracker.formats``, which a
listing's ``--format`` writes with too."""

from __future__ import annotations

from typing import ClassVar, TextIO

from tracker.collector import collector_paused
from tracker.exporters.base import Export, Exporter
from tracker.formats import Csv, Markdown, Ndjson, TableFormat, table_format
from tracker.query import TIMELINE_TABLE


class _TableExporter(Exporter):
    format: ClassVar[type[TableFormat]]

    def __init__(self, *, excel: bool = False) -> None:
        self.excel = excel

    def write(self, export: Export, stream: TextIO) -> int:
        written = table_format(self.format.name, excel=self.excel)
        with collector_paused():
            return written.write(stream, TIMELINE_TABLE, export.row_batches())


class CsvExporter(_TableExporter):
    """RFC 4180: comma-separated, fields quoted where needed, CRLF line ends, a header."""

    format = Csv
    name = Csv.name
    extensions = Csv.extensions
    media_type = Csv.media_type
    summary = "the timeline table, RFC 4180 (UTF-8, CRLF, a header row)"


class NdjsonExporter(_TableExporter):
    """One JSON object per line, keys in ``TIMELINE_KEYS`` order."""

    format = Ndjson
    name = Ndjson.name
    extensions = Ndjson.extensions
    media_type = Ndjson.media_type
    summary = "the timeline table, one JSON object per line"


class MarkdownExporter(_TableExporter):
    """A GitHub-flavoured pipe table with every column of the timeline table."""

    format = Markdown
    name = Markdown.name
    extensions = Markdown.extensions
    media_type = Markdown.media_type
    summary = "the timeline table as a pipe table (every cell escaped)"
