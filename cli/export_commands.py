"""``tracker export``: the timeline (same filters as ``tracker timeline``) or the lossless
document, in every format of the exporter registry (``tracker.exporters``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli import messages
from cli.app import CONTEXT_SETTINGS, main
from cli.context import App
from cli.read_commands import excel_option, timeline_command
from tracker.errors import InvalidInput
from tracker.exporters import exporter_named, known_extensions, name_for_extension, names
from tracker.exporters.base import DEFAULT_TITLE, Export, Exporter
from tracker.formats import excel_refused
from tracker.query.where import Filters
from tracker.text import visible

if TYPE_CHECKING:
    from db.outputs import Output

pass_app = click.make_pass_decorator(App)

DOCUMENT_FORMATS = ("json", "yaml")
PROGRESS_FROM = 5_000
"""Meetings from which an export draws a progress bar (on a terminal only)."""


FILTER_NAMES = tuple(field.name for field in fields(Filters))


def timeline_filter_params() -> list[click.Parameter]:
    """The filter options of ``tracker timeline`` itself (the same Option objects, in
    the same order), so both commands always filter alike."""
    return [param for param in timeline_command.params if param.name in FILTER_NAMES]


@main.command("export", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(names()),
    help="Output format (default: from the -o file's extension, else json). csv, markdown, "
    "ndjson: the timeline table; json, yaml: the lossless document; html: a self-contained "
    "page; ics: a calendar; timelinejs: TimelineJS3 JSON; graphml, gexf: who met whom; "
    "geojson: places with their visits and meetings.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(allow_dash=True, path_type=str),
    metavar="FILE",
    help="Write to this file instead of standard output (replaced only once complete); a "
    "pipe or a terminal is written into; '-' is standard output. Never the database or a "
    "symbolic link.",
)
@excel_option
@click.option(
    "--title",
    default=DEFAULT_TITLE,
    show_default=True,
    help="Title of the html page, the TimelineJS title slide and the calendar name.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="WHEN",
    help="The whole database as it stood then (json or yaml, no filters): a date "
    "(2026-11-29, its last moment) or a date-time, UTC unless it gives an offset.",
)
@pass_app
def export(
    app: App,
    /,
    fmt: str | None,
    output: str | None,
    title: str,
    as_of: str | None,
    **filter_values: Any,
) -> None:
    """Export the timeline, filtered as in 'tracker timeline', or the whole database.

    Without filters, json and yaml are the whole database as a lossless tracker/1 document
    (import it into an empty database and export again: the same text); with filters,
    the document holds the meetings selected and what they refer to. csv, markdown and
    ndjson are the timeline table (a row per meeting); ics is a calendar (an event per
    meeting and per visit); timelinejs is TimelineJS3 JSON; html is one self-contained
    page (a map, lanes per envoy, meetings that expand, search and filters); graphml and
    gexf are who met whom (people and an edge per pair who met, for Gephi or networkx);
    geojson is the places of the meetings and visits, for a map. Rows are written as
    they are read.

    With --as-of, json and yaml are the whole database as it stood at that time, as an
    export then wrote it (see 'tracker history').

    Example: tracker export --envoy Witkoff --from 2025-04 --to 2025-08 -o witkoff.ics
    """
    from db.outputs import check_output

    target = check_output(
        "-" if output is None else output, field="--output", database=app.database_file()
    )
    name = fmt or _format_for(None if target.given == "-" else Path(target.given))
    exporter = exporter_named(name)
    if app.excel:
        from tracker.exporters.table import CsvExporter

        if not isinstance(exporter, CsvExporter):
            raise excel_refused(name)
        exporter = CsvExporter(excel=True)
    filters = Filters(**{key: filter_values[key] for key in FILTER_NAMES if key in filter_values})
    when = None
    if as_of is not None:
        from tracker.history.read import moment

        if name not in DOCUMENT_FORMATS or filters != Filters():
            raise InvalidInput("--as-of", "json or yaml of the whole database (no filters)")
        when = moment(as_of, "--as-of", end=True)
    if exporter.reads_orm:
        from tracker.backend import reader

        with app.database().reading() as session:
            export = Export(reader(session), filters, session=session, title=title, as_of=when)
            count = _write(app, exporter, export, target)
    else:
        with app.reading() as read:
            export = Export(read, filters, title=title, as_of=when)
            count = _write(app, exporter, export, target)
    if target.given != "-":
        what = f"{count} meeting{'s' if count != 1 else ''} as {name}"
        app.err.print(messages.WROTE.format(what=what, path=visible(target.given)))


def _write(app: App, exporter: Exporter, source: Export, target: Output) -> int:
    """Write ``source`` with ``exporter`` to ``target``; the number of meetings written."""
    from db.outputs import writing_text

    source.where()  # resolves the filters before anything is written
    # Counted only for the progress bar (a terminal): a count of every meeting costs
    # a pass over the table.
    total = source.summary().meetings if app.err.is_terminal else 0
    with closing(source), _progress(app, total) as progress, writing_text(target) as stream:
        source.progress = progress
        return exporter.write(source, stream)


# The filters of ``tracker timeline``, before this command's own options.
export.params[:0] = timeline_filter_params()


def _format_for(output: Path | None) -> str:
    if output is None:
        return "json"
    name = name_for_extension(output.name)
    if name is None:
        known = ", ".join(known_extensions())
        raise InvalidInput("--format", messages.FORMAT_UNKNOWN.format(known=known), output.name)
    return name


@contextmanager
def _progress(app: App, total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress callback drawing a transient bar on stderr, for a large export on a
    terminal; ``None`` otherwise."""
    if total < PROGRESS_FROM or not app.err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "Exporting",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=app.err,
        transient=True,
    ) as bar:
        task = bar.add_task("export", total=total)

        def advance(done: int, *_: Any) -> None:
            bar.update(task, completed=done)

        yield advance
