"""The exporter registry, the pieces each format is made of, and how an export reads
the database (in batches, with a constant number of statements per batch)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, ClassVar, TextIO

import icalendar
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker import exporters
from tracker.backend import reader
from tracker.dates import parse_when
from tracker.document import load_document
from tracker.exporters import Format, register
from tracker.exporters.base import Export, Exporter
from tracker.exporters.ics import stamp, uncertain, vtimezone
from tracker.exporters.timelinejs import event as timeline_event
from tracker.query import Attendee, Filters, TimelineRecord
from tracker.seeding import seed_documents
from tracker.sql import Reader

# -- the registry ------------------------------------------------------------------------


def test_the_registry_has_every_format_with_its_metadata() -> None:
    assert exporters.names() == [
        "csv",
        "markdown",
        "ndjson",
        "json",
        "yaml",
        "html",
        "ics",
        "timelinejs",
        "graphml",
        "gexf",
        "geojson",
    ]
    for entry in exporters.EXPORTERS:
        assert entry.extensions
        assert "/" in entry.media_type
        assert entry.summary


@pytest.mark.parametrize("name", exporters.names())
def test_a_builtin_format_is_what_its_exporter_class_says(name: str) -> None:
    # The registry knows a built-in's metadata without importing its module; the class,
    # once imported, says the same.
    entry = exporters.format_named(name)
    assert entry.home is not None
    assert Format.of(entry.load()) == Format(
        entry.name, entry.extensions, entry.media_type, entry.summary
    )


def test_the_registry_imports_no_exporter_module() -> None:
    script = (
        "import sys; from tracker import exporters; exporters.names();"
        " exporters.name_for_extension('x.ics'); exporters.known_extensions();"
        " print(sorted(m for m in sys.modules if m.startswith('tracker.exporters.')"
        " or m in ('sqlalchemy', 'networkx', 'icalendar', 'yaml')))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    script = script.replace("exporters.names();", "exporters.exporter_named('csv');")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "['tracker.exporters.base', 'tracker.exporters.table']"


@pytest.mark.parametrize(
    ("filename", "name"),
    [
        ("a.csv", "csv"),
        ("A.CSV", "csv"),
        ("a.md", "markdown"),
        ("a.jsonl", "ndjson"),
        ("a.json", "json"),
        ("a.yml", "yaml"),
        ("a.htm", "html"),
        ("a.ics", "ics"),
        ("a.graphml", "graphml"),
        ("a.gexf", "gexf"),
        ("a.geojson", "geojson"),
        ("a.txt", None),
        ("noextension", None),
    ],
)
def test_a_file_name_picks_its_format(filename: str, name: str | None) -> None:
    assert exporters.name_for_extension(filename) == name


def test_a_plugin_registers_like_a_builtin() -> None:
    class Count(Exporter):
        name = "count"
        extensions: ClassVar[tuple[str, ...]] = ("count",)
        media_type = "text/plain"
        summary = "how many meetings"

        def write(self, export: Export, stream: TextIO) -> int:
            count = sum(1 for _row in export.rows())
            stream.write(f"{count}\n")
            return count

    saved = list(exporters.EXPORTERS)
    try:
        register(Count)
        assert exporters.names()[-1] == "count"
        assert exporters.name_for_extension("x.count") == "count"
        assert isinstance(exporters.exporter_named("count"), Count)
        # Or by where its class lives, imported when it is first used; a name already
        # registered is replaced.
        home = f"{__name__}:LazyCsv"
        register(Format("csv", ("csv",), "text/csv", "counted", home))
        assert exporters.names().count("csv") == 1
        assert exporters.format_named("csv").summary == "counted"
        assert isinstance(exporters.exporter_named("csv"), LazyCsv)
    finally:
        exporters.EXPORTERS[:] = saved
    assert "count" not in exporters.names()
    assert not isinstance(exporters.exporter_named("csv"), LazyCsv)


def test_a_plugin_imports_what_it_needs_from_the_registry() -> None:
    # As before the registry became lazy: the base class, the export and the built-in
    # classes (to extend one) are importable from tracker.exporters itself.
    from tracker.exporters import CsvExporter, IcsExporter
    from tracker.exporters import Export as Exported
    from tracker.exporters import Exporter as Base

    assert Base is Exporter
    assert Exported is Export
    assert exporters.format_named("ics").load() is IcsExporter
    assert issubclass(CsvExporter, Exporter)
    with pytest.raises(AttributeError):
        _missing = exporters.PdfExporter


class LazyCsv(Exporter):
    """A plugin's replacement of a built-in format, registered by its module path."""

    name = "csv"
    extensions: ClassVar[tuple[str, ...]] = ("csv",)
    media_type = "text/csv"
    summary = "counted"

    def write(self, export: Export, stream: TextIO) -> int:
        return 0


def test_an_unknown_format_is_bad_input() -> None:
    from tracker.errors import InvalidInput

    with pytest.raises(InvalidInput, match="--format: expected one of csv, markdown"):
        exporters.exporter_named("pdf")


# -- ics pieces --------------------------------------------------------------------------


def test_a_fixed_offset_timezone_parses_back() -> None:
    text = vtimezone("-05:30").to_ical().decode()
    assert "TZID:UTC-05:30" in text
    assert "TZOFFSETFROM:-0530" in text
    assert "TZOFFSETTO:-0530" in text
    assert icalendar.Timezone.from_ical(text)["TZID"] == "UTC-05:30"


def test_stamps_are_utc_to_the_second() -> None:
    naive = datetime(2025, 4, 11, 10, 30, 15, 123456)
    assert stamp(naive) == datetime(2025, 4, 11, 10, 30, 15, tzinfo=UTC)
    kyiv = datetime(2025, 4, 11, 13, 30, 15, tzinfo=timezone(timedelta(hours=3)))
    assert stamp(kyiv) == datetime(2025, 4, 11, 10, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("2025-04-11", False),
        ("2025-12-02/2025-12-03", False),
        ("2025-12-02T17:00+03:00", False),
        ("2025-04", True),
        ("2025", True),
        ("2025-04-11~", True),
        ("2025-04?", True),
        ("2025-04/2025-05", True),
    ],
)
def test_which_dates_an_ics_event_calls_uncertain(edtf: str, expected: bool) -> None:
    assert uncertain(parse_when(edtf)) is expected


# -- timelinejs pieces ------------------------------------------------------------------


def _entry(edtf: str, sources: Any = (), **row: Any) -> TimelineRecord:
    when = parse_when(edtf)
    base = {
        "date": when.display,
        "edtf": when.edtf,
        "earliest": when.earliest.isoformat(),
        "latest": when.latest.isoformat(),
        "kind": "talks",
        "title": "Talks",
        "envoys": "A",
        "counterparts": "",
        "venue": None,
        "city": None,
        "country": None,
        "duration_minutes": None,
        "duration_qualifier": None,
        "status": "held",
        "outcome": "unknown",
        "outcome_summary": None,
        "sources": "",
        "uid": "m",
    }
    envoy = Attendee(1, "p-a", "A", None, "envoy", None)
    return TimelineRecord({**base, **row}, 1, None, None, [envoy], [], [envoy], list(sources))


@pytest.mark.parametrize(
    ("edtf", "start", "end", "display"),
    [
        ("2025-04-11", {"year": 2025, "month": 4, "day": 11}, None, None),
        ("2025-04", {"year": 2025, "month": 4}, None, None),
        ("2025", {"year": 2025}, None, None),
        ("2025-04~", {"year": 2025, "month": 4}, None, "c. Apr 2025"),
        ("2025-04?", {"year": 2025, "month": 4}, None, "Apr 2025?"),
        ("2025-04/2025-05", {"year": 2025, "month": 4}, {"year": 2025, "month": 5}, None),
        (
            "2025-12-02/2025-12-03",
            {"year": 2025, "month": 12, "day": 2},
            {"year": 2025, "month": 12, "day": 3},
            None,
        ),
        (
            "2025-12-02T17:05+03:00",
            {"year": 2025, "month": 12, "day": 2, "hour": 17, "minute": 5},
            None,
            None,
        ),
        ("2025-21", {"year": 2025, "month": 3}, {"year": 2025, "month": 5}, "Mar–May 2025"),
    ],
)
def test_timelinejs_dates_keep_their_precision(
    edtf: str, start: dict[str, int], end: dict[str, int] | None, display: str | None
) -> None:
    slide = timeline_event(_entry(edtf))
    assert slide["start_date"] == start
    assert slide.get("end_date") == end
    assert slide.get("display_date") == display


def _source(url: str | None = None, publisher: str | None = None) -> Any:
    return SimpleNamespace(url=url, publisher=publisher, title=None, uid="s")


def test_timelinejs_text_is_escaped_but_source_links_work() -> None:
    entry = _entry(
        "2025-04-11",
        title="<b>x</b>",
        outcome_summary="a & <i>b</i>",
        sources=[
            _source(url='https://e.org/?a=1&b="2"'),
            _source(publisher="Reuters; https://example.org/x"),
        ],
    )
    slide = timeline_event(entry)
    assert slide["text"]["headline"] == "&lt;b&gt;x&lt;/b&gt;"
    assert "a &amp; &lt;i&gt;b&lt;/i&gt;" in slide["text"]["text"]
    assert '<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">' in slide["text"]["text"]
    # A publisher's name is text, even when it holds a URL.
    assert ", Reuters; https://example.org/x</p>" in slide["text"]["text"]
    assert 'href="https://example.org/x"' not in slide["text"]["text"]


# -- reading the database --------------------------------------------------------------


def _seed(session: Session) -> None:
    for name, document in seed_documents():
        load_document(session, document, origin=name)


def _many(count: int) -> dict[str, Any]:
    """A document of ``count`` meetings of one visit, with participants and sources."""
    start = date(2024, 1, 1)
    return {
        "format": "tracker/1",
        "people": [{"uid": f"p{i}", "name": f"Person {i}"} for i in range(4)],
        "places": [{"uid": "c", "name": "Somewhere", "kind": "city", "country": "FR"}],
        "sources": [{"uid": "s", "url": "https://example.org/a"}],
        "visits": [
            {"uid": "v", "travellers": [{"person": "p0"}], "destination": "c", "date": "2024"}
        ],
        "meetings": [
            {
                "uid": f"m{i}",
                "visit": "v",
                "title": f"Meeting {i}",
                "date": (start + timedelta(days=i % 300)).isoformat(),
                "participants": [{"person": "p1", "role": "host"}, {"person": "p2"}],
                "sources": ["s"],
            }
            for i in range(count)
        ],
    }


def _export(session: Session, filters: Filters | None = None, **options: Any) -> Export:
    """An export of ``session``'s database, read as the command reads it: on the plain
    read, with the session given to the exporters that read the models."""
    return Export(reader(session), filters, session=session, **options)


class _CountingReader:
    """A plain read that counts the statements it runs."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self.count = 0

    @property
    def sql(self) -> Any:
        return self.read.sql

    def rows(self, query: str, params: Any = None) -> Iterator[tuple[Any, ...]]:
        self.count += 1
        return self.read.rows(query, params)

    def batches(self, query: str, params: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
        self.count += 1
        return self.read.batches(query, params, size)

    def all(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        self.count += 1
        return self.read.all(query, params)

    def scalar(self, query: str, params: Any = None) -> Any:
        self.count += 1
        return self.read.scalar(query, params)


def _statements(session: Session, fmt: str) -> tuple[int, str]:
    """The statements an export runs, on the plain read and through the session."""
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    read = _CountingReader(reader(session))
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        stream = io.StringIO(newline="")
        exporters.exporter_named(fmt).write(Export(read, session=session), stream)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count + read.count, stream.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "ics", "html", "timelinejs", "geojson"])
def test_statements_grow_with_batches_not_with_meetings(session: Session, fmt: str) -> None:
    load_document(session, _many(10), origin="small")
    small, _ = _statements(session, fmt)
    load_document(session, _many(1000), origin="large")
    large, text = _statements(session, fmt)
    assert "Meeting 999" in text
    # 1000 meetings are 5 batches of 200 where 10 were one: a few statements per extra
    # batch, never one (or more) per meeting.
    assert large - small <= 4 * 16, (small, large)


def test_progress_is_reported_and_ends_at_the_count(session: Session) -> None:
    load_document(session, _many(600), origin="many")
    seen: list[int] = []
    export = _export(session, progress=seen.append)
    exporters.exporter_named("ndjson").write(export, io.StringIO())
    assert seen == [250, 500, 600]
    assert export.summary().meetings == 600


def test_csv_reports_progress_as_the_row_formats_do(session: Session) -> None:
    # csv reads the rows in batches, yet calls back at the same counts.
    load_document(session, _many(600), origin="many")
    seen: list[int] = []
    export = _export(session, progress=seen.append)
    assert exporters.exporter_named("csv").write(export, io.StringIO(newline="")) == 600
    assert seen == [250, 500, 600]


def test_filters_are_named_for_the_reader(session: Session) -> None:
    _seed(session)
    export = _export(session, Filters(date_from="2025-04", with_person="Putin"))
    assert export.filter_labels() == [("from", "2025-04"), ("with", "Putin")]
    assert export.filtered
    assert not _export(session).filtered


def test_an_empty_database_exports_empty_but_valid_files(session: Session) -> None:
    for fmt in exporters.names():
        stream = io.StringIO(newline="")
        assert exporters.exporter_named(fmt).write(_export(session), stream) == 0
        text = stream.getvalue()
        if fmt in ("json", "timelinejs"):
            json.loads(text)
        if fmt == "ics":
            assert icalendar.Calendar.from_ical(text).walk("VEVENT") == []
