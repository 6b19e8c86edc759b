"""``tracker import``: documents and tables in, all or nothing."""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import click

from cli import messages
from cli.app import CONTEXT_SETTINGS, fields_are, main
from cli.context import App
from cli.data_commands import EXTENSIONS, format_from_extension, read_bytes, read_text
from tracker.errors import InvalidInput
from tracker.importers.mapping import TableMapping
from tracker.limits import MAX_DOCUMENT_BYTES, MAX_TABLE_BYTES
from tracker.text import visible
from tracker.written import check_pattern

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console
    from rich.progress import Progress, TaskID

    from db.outputs import Output
    from tracker.importers.tabular import ImportReport, Reject
    from tracker.write.report import ChangeReport, NewName

pass_app = click.make_pass_decorator(App)

IMPORT_FORMATS = ("json", "yaml", "csv")
TABLE_EXTENSIONS = (".csv", ".tsv", ".tab")

IMPORT_FLAGS = {"mapping": "--map", "delimiter": "--delimiter"}

PROGRESS_DELAY = 0.5
"""Seconds before the progress bar appears: quick imports never show one."""
SHOWN_REJECTS = 10


@main.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    help="Input format (default: from the file's extension).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="CSV: the field a column fills (repeatable), e.g. --map 'start date=start'.",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV: a YAML or JSON file of COLUMN: FIELD pairs (--map adds to it).",
)
@click.option(
    "--delimiter",
    metavar="CHAR",
    help="CSV: the field separator (default: comma, or what the header line uses).",
)
@click.option(
    "--dayfirst",
    "date_order",
    flag_value="dayfirst",
    help="CSV: numeric dates give the day first (02.12.2025 is 2 Dec 2025).",
)
@click.option(
    "--monthfirst",
    "date_order",
    flag_value="monthfirst",
    help="CSV: numeric dates give the month first (12/02/2025 is 2 Dec 2025).",
)
@click.option(
    "--date-format",
    metavar="PATTERN",
    help="CSV: read the dates with this strptime pattern, e.g. '%d.%m.%Y' (one without"
    " %d reads months).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--create",
    is_flag=True,
    help="Create the people and places the file names that are not in the registry.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="CSV: import the good rows and write the bad ones to a reject file.",
)
@click.option(
    "--rejects",
    type=click.Path(path_type=str),
    metavar="FILE",
    help="CSV: where --skip-invalid writes bad rows (default: FILE.rejects.csv); written "
    "whole before the import commits. Never the database, an input or a symbolic link.",
)
@pass_app
def import_(
    app: App,
    file: Path,
    fmt: str | None,
    maps: tuple[str, ...],
    mapping: Path | None,
    delimiter: str | None,
    date_order: str | None,
    date_format: str | None,
    dry_run: bool,
    create: bool,
    skip_invalid: bool,
    rejects: str | None,
) -> None:
    """Import a tracker/1 document (json or yaml) or a table (csv): all or nothing.

    Documents are matched by uid: a record already present is updated if it changed
    and left alone if not.

    A csv in the timeline-table layout (what 'tracker export --format csv' writes) is
    read as it is. Any other csv needs its columns mapped onto fields: traveller,
    traveller_role, start, end, date, country, city, venue, title, kind, counterparts,
    duration, outcome, summary, notes, source_url, source_title, publisher, uid. A
    column named like a field needs no mapping; other columns are ignored. A row with
    meeting fields (venue, title, kind, counterparts, duration, outcome, summary) is a
    meeting and its visit, else a visit. Names resolve as everywhere (any alias, a
    surname, a declined form); people and places not in the registry are listed, and
    created only with --create. A row that repeats a recorded meeting (same kind,
    overlapping dates, same venue or city, a shared envoy and counterpart) adds what it
    brings to it; a visit row joins its traveller's visit there on those dates.

    Dates may be EDTF or ISO, or written as people write them: 2 Dec 2025, 2–3 Dec 2025,
    Dec 2025, 2 grudnia 2025, 2 декабря 2025. A numeric date such as 12/02/2025 needs
    --dayfirst or --monthfirst (or date_order in the mapping file) unless only one
    reading is a date; --date-format gives a strptime pattern instead. No day is ever
    guessed: Dec 2025 stays a month.

    The first bad row stops the import with its row number, column and reason, and
    nothing is written; with --skip-invalid the bad rows go to a reject file instead.

    Example: tracker import trips.csv --map 'start date=start' --map 'end date=end' --dry-run
    """
    fields_are(IMPORT_FLAGS)
    fmt = fmt or _format_of(file)
    if fmt is None:
        known = ", ".join(sorted([*EXTENSIONS, *TABLE_EXTENSIONS]))
        raise InvalidInput("--format", messages.FORMAT_UNKNOWN.format(known=known))
    if fmt != "csv":
        for option, given in (
            ("--map", maps),
            ("--mapping", mapping),
            ("--delimiter", delimiter),
            ("--dayfirst/--monthfirst", date_order),
            ("--date-format", date_format),
            ("--skip-invalid", skip_invalid),
            ("--rejects", rejects),
        ):
            if given:
                raise InvalidInput(option, messages.CSV_ONLY, f"{fmt} document {file}")
        if create:
            raise InvalidInput("--create", messages.CSV_ONLY, f"{fmt} document {file}")
        _import_document(app, file, fmt, dry_run)
        return
    settings = TableMapping(
        date_order=date_order, date_format=check_pattern(date_format, "--date-format")
    )
    _import_table(
        app, file, maps, mapping, settings, delimiter, dry_run, create, skip_invalid, rejects
    )


def _format_of(file: Path) -> str | None:
    if file.suffix.lower() in TABLE_EXTENSIONS:
        return "csv"
    return format_from_extension(file)


def _import_document(app: App, file: Path, fmt: str, dry_run: bool) -> None:
    from tracker.document import SECTIONS, load_document, parse_document_text

    text = read_text(file, MAX_DOCUMENT_BYTES)
    document = parse_document_text(text, origin=str(file), kind=fmt)
    with app.database().writing(dry_run=dry_run) as session:
        report = load_document(session, document, origin=str(file))
    line = messages.DRY_RUN if dry_run else messages.LOADED
    _print_counts(app, line.format(what=visible(str(file)), **report.totals), report, SECTIONS)


def _import_table(
    app: App,
    file: Path,
    maps: tuple[str, ...],
    mapping_file: Path | None,
    settings: TableMapping,
    delimiter: str | None,
    dry_run: bool,
    create: bool,
    skip_invalid: bool,
    rejects: str | None,
) -> None:
    from db.outputs import check_output, staging
    from tracker.importers.tabular import (
        UnknownNames,
        delimiter_option,
        import_csv,
        mapping_from_document,
        parse_map_options,
        rejects_csv,
    )

    if rejects is not None and not skip_invalid:
        raise InvalidInput("--rejects", "--skip-invalid as well (bad rows stop the import)")
    data_bytes = read_bytes(file, MAX_TABLE_BYTES)
    # Checked before anything is written (a dry run reports what the import would).
    reject_target = None
    if skip_invalid:
        reject_target = check_output(
            rejects if rejects is not None else f"{file}.rejects.csv",
            field="--rejects",
            database=app.database_url(),
            inputs=[file, mapping_file],
            stdout=False,
        )
    mapping = TableMapping()
    if mapping_file is not None:
        from tracker.document import parse_document_text  # only for a mapping file

        text = read_text(mapping_file, MAX_DOCUMENT_BYTES)
        data = parse_document_text(text, origin=str(mapping_file))
        mapping = mapping_from_document(data, str(mapping_file))
    mapping.columns.update(parse_map_options(maps))
    # The command line's settings win over the mapping file's.
    mapping.date_order = settings.date_order or mapping.date_order
    mapping.date_format = settings.date_format or mapping.date_format
    if delimiter is not None:
        delimiter = delimiter_option(delimiter)
    elif file.suffix.lower() in (".tsv", ".tab"):
        delimiter = "\t"
    database = app.database()
    # The reject file is written whole before the commit and put in place after it: if
    # it cannot be written, nothing is imported; if the import fails, it is not left.
    # A dry run takes a write transaction all the same (new ids are counted on from the
    # largest), and rolls it back; it writes no reject file.
    try:
        with (
            staging(reject_target) if reject_target and not dry_run else nullcontext() as staged,
            _ProgressBar(app.err) as progress,
            database.writing(dry_run=dry_run) as session,
        ):
            report = import_csv(
                session,
                data_bytes,
                origin=str(file),
                mapping=mapping,
                delimiter=delimiter,
                skip_invalid=skip_invalid,
                progress=progress,
                create=create,
            )
            if report.rejects and staged is not None:
                staged.write(rejects_csv(report))
    except UnknownNames as exc:
        app.out.print("\n".join(_new_name_line(messages.NEW_NAME, new) for new in exc.names))
        exc.expected += messages.CREATE_HINT
        raise
    _print_report(app, file, report, dry_run, reject_target)


def _new_name_line(line: str, new: NewName) -> str:
    hint = ""
    if new.suggestions:
        hint = messages.DID_YOU_MEAN.format(names=", ".join(repr(s) for s in new.suggestions))
    return line.format(kind=new.kind, name=repr(new.name), hint=hint)


def _print_counts(app: App, first: str, report: ChangeReport, sections: Sequence[str]) -> None:
    app.out.print(first)
    for section in sections:
        counts = {o: getattr(report, o)[section] for o in ("added", "updated", "unchanged")}
        if any(counts.values()):
            line = messages.SECTION_LINE.format(section=section, **counts)
            if report.matched[section]:
                line += messages.MATCHED.format(matched=report.matched[section])
            app.out.print(line)
    created = messages.WOULD_CREATE if first.startswith("Dry run") else messages.CREATED_NAME
    if report.new_names:
        # One print for them all: a big import may name thousands.
        app.out.print("\n".join(_new_name_line(created, new) for new in report.new_names))


def _print_report(
    app: App, file: Path, report: ImportReport, dry_run: bool, rejects: Output | None
) -> None:
    line = messages.DRY_RUN if dry_run else messages.LOADED
    _print_counts(
        app, line.format(what=visible(str(file)), **report.totals), report, report.SECTIONS
    )
    app.out.print(messages.ROWS_LINE.format(rows=report.rows, rejected=len(report.rejects)))
    if report.ignored:
        app.out.print(messages.IGNORED_LINE.format(columns=visible(", ".join(report.ignored))))
    if report.rejects:
        if dry_run:
            for reject in report.rejects[:SHOWN_REJECTS]:
                line = messages.REJECT_LINE.format(row=reject.row, reason=_reason(reject))
                app.out.print(visible(line))
            app.out.print(messages.REJECTS_NOT_WRITTEN)
        elif rejects is not None:
            app.out.print(messages.REJECTS_WRITTEN.format(path=visible(rejects.given)))


def _reason(reject: Reject) -> str:
    return f'column "{reject.column}": {reject.reason}' if reject.column else reject.reason


class _ProgressBar:
    """Draws the importer's progress on stderr: on a terminal only, and only once an
    import has taken more than a moment."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.enabled = console.is_terminal
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.monotonic() - self.started < PROGRESS_DELAY:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(stage, total=total)
        assert self.task is not None
        self.progress.update(self.task, description=stage, completed=done, total=total)
